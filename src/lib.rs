//! Journey Studio's core: faithful models of Sim workflows and Parlant journeys, and the
//! capabilities built on them. No GUI dependency: the desktop shell and the CLI are thin
//! adapters over this crate.

pub mod api;
pub mod app;
pub mod convert;
pub mod document;
pub mod editor;
pub mod error;
pub mod graph;
pub mod js;
pub mod json;
pub mod parlant;
pub mod sim;
pub mod simulate;
pub mod store;
pub mod sync;
pub mod template;
pub mod testing;
pub mod validate;

pub use document::{Document, DocumentKind, Summary};
pub use error::{Error, ErrorKind, Location, Result};

/// The core's version, shown by the CLI and the desktop app.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
