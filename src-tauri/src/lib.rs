//! Journey Studio desktop shell: a Tauri 2 window around the `journey-studio` core.
//!
//! Kept thin on purpose: one `call` command hands every request to `journey_studio::api::dispatch`
//! (the same command set `journey-studio serve` exposes over HTTP), so all logic lives in the
//! core crate and is tested without WebKitGTK.

use journey_studio::api::{self, AppState, Settings, SettingsBackend};
use serde_json::Value;
use std::path::PathBuf;
use tauri::{AppHandle, Builder, Manager, Runtime};
use tauri_plugin_store::StoreExt;

/// The store file (in the app's data folder) and key holding the settings.
const SETTINGS_FILE: &str = "settings.json";
const SETTINGS_KEY: &str = "settings";

/// Version of the `journey-studio` core this shell was built with.
#[tauri::command]
fn core_version() -> &'static str {
    journey_studio::VERSION
}

/// Every app command: `invoke("call", { command, args })`. Runs off the main thread so a long
/// validation never freezes the window; errors reject with `{kind, message, location}`.
#[tauri::command]
async fn call<R: Runtime>(app: AppHandle<R>, command: String, args: Value) -> Result<Value, journey_studio::Error> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        api::dispatch(&state, &command, args)
    })
    .await
    .map_err(|e| journey_studio::Error::Unsupported(format!("command `{}` stopped: {e}", "call")))?
}

/// Settings kept by tauri-plugin-store under one key; `update` (the trait's read-modify-save)
/// is the only writer.
struct PluginStoreSettings<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> PluginStoreSettings<R> {
    fn store(&self) -> journey_studio::Result<std::sync::Arc<tauri_plugin_store::Store<R>>> {
        self.app.store(SETTINGS_FILE).map_err(|e| journey_studio::Error::Unsupported(format!("settings store: {e}")))
    }
}

impl<R: Runtime> SettingsBackend for PluginStoreSettings<R> {
    fn load(&self) -> journey_studio::Result<Settings> {
        match self.store()?.get(SETTINGS_KEY) {
            // Fields missing from an older file take their defaults (#[serde(default)]).
            Some(value) => serde_json::from_value(value).map_err(|e| journey_studio::Error::Unsupported(format!("settings: {e}"))),
            None => Ok(Settings::default()),
        }
    }

    fn save(&self, settings: &Settings) -> journey_studio::Result<()> {
        let store = self.store()?;
        let value = serde_json::to_value(settings).map_err(|e| journey_studio::Error::Unsupported(e.to_string()))?;
        store.set(SETTINGS_KEY, value);
        store.save().map_err(|e| journey_studio::Error::Unsupported(format!("settings store: {e}")))
    }
}

/// The workspace: `JOURNEY_STUDIO_WORKSPACE` when set (scripts/run opens the bundled example),
/// else `workspace.db` in the app's data folder.
fn workspace_path<R: Runtime>(app: &AppHandle<R>) -> Result<PathBuf, Box<dyn std::error::Error>> {
    if let Some(path) = std::env::var_os("JOURNEY_STUDIO_WORKSPACE") {
        return Ok(PathBuf::from(path));
    }
    let dir = app.path().app_data_dir()?;
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join("workspace.db"))
}

/// Adds the shell's plugins, state and commands to a builder. Generic over the runtime so
/// tests can use `tauri::test::mock_builder()`.
pub fn setup<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .setup(|app| {
            let handle = app.handle().clone();
            let workspace = workspace_path(&handle)?;
            let state = AppState::open(&workspace, Box::new(PluginStoreSettings { app: handle }))?;
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![core_version, call])
}

/// Runs the desktop app (blocks until the last window closes).
pub fn run() {
    setup(Builder::default())
        .run(tauri::generate_context!())
        .expect("error while running Journey Studio");
}
