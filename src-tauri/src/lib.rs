//! Journey Studio desktop shell: a Tauri 2 window around the `journey-studio` core.
//!
//! Kept thin on purpose: commands here only translate between IPC and the core crate, which
//! holds all the logic and is tested without WebKitGTK.

use tauri::{Builder, Runtime};

/// Version of the `journey-studio` core this shell was built with.
#[tauri::command]
fn core_version() -> &'static str {
    journey_studio::VERSION
}

/// Adds the shell's plugins and commands to a builder. Generic over the runtime so tests can
/// use `tauri::test::mock_builder()`.
pub fn setup<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .invoke_handler(tauri::generate_handler![core_version])
}

/// Runs the desktop app (blocks until the last window closes).
pub fn run() {
    setup(Builder::default())
        .run(tauri::generate_context!())
        .expect("error while running Journey Studio");
}
