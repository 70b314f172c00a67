//! Services the editor's commands (`api`) and the command line (`cli`) share: one place for each
//! thing both do with the workspace, its documents and its remotes, so the app and CI behave the
//! same. Network work here never holds the app's store lock: it uses its own connection.

pub mod documents;
pub mod handles;
pub mod live;
pub mod remotes;
pub mod runs;
pub mod runtime;
pub mod scenarios;

pub use runtime::{block_on, block_on_here};
