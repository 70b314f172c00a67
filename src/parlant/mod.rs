//! Parlant journeys: the document model and its file format.

mod document;
pub mod model;

pub use model::*;
