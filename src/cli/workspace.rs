//! What the sync commands share: the workspace file and an async runtime for network work.

use journey_studio::store::Store;
use std::path::PathBuf;

#[derive(clap::Args, Clone)]
pub struct WorkspaceArg {
    /// The workspace file (SQLite); created when absent.
    #[arg(
        long,
        env = "JOURNEY_STUDIO_WORKSPACE",
        default_value = "journey-studio.db"
    )]
    pub workspace: PathBuf,
}

impl WorkspaceArg {
    pub fn open(&self) -> journey_studio::Result<Store> {
        Store::open(&self.workspace)
    }
}

pub use journey_studio::app::block_on_here;

/// A spinner for work of unknown length; hidden when stderr is not a terminal.
pub fn spinner(message: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(message.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A bar over `len` items.
pub fn bar(len: u64, message: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message.to_string());
    bar
}
