//! Sim workflows: the model, its file shapes, handles, containers, block families, references.

pub mod branches;
pub mod containers;
pub mod document;
pub mod family;
pub mod handles;
pub mod model;
pub mod references;
pub mod registry;

pub use document::{SimDocument, SimShape};
pub use family::BlockFamily;
pub use handles::SourceHandle;
pub use model::*;
