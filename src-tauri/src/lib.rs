//! Journey Studio desktop shell: a Tauri 2 window around the `journey-studio` core.
//!
//! Kept thin on purpose: one `call` command hands every request to `journey_studio::api::dispatch`
//! (the same command set `journey-studio serve` exposes over HTTP), so all logic lives in the
//! core crate and is tested without WebKitGTK. The shell only adds what a window needs: where
//! the workspace is, and settings kept by tauri-plugin-store.

mod settings;

use journey_studio::api::{self, AppState};
use journey_studio::Error;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Builder, Manager, Runtime};

pub use settings::PluginStoreSettings;

/// The environment variable naming the workspace when `--workspace` is not given.
pub const WORKSPACE_ENV: &str = "JOURNEY_STUDIO_WORKSPACE";
/// The settings store's file, relative to the app's data folder unless absolute.
pub const SETTINGS_STORE: &str = "settings.json";

/// Version of the `journey-studio` core this shell was built with.
#[tauri::command]
fn core_version() -> &'static str {
    journey_studio::VERSION
}

/// Every app command: `invoke("call", { command, args })`. The core runs on a blocking thread so
/// a long validation or simulation never freezes the window; failures reject with the core's
/// serialised error `{kind, message, location}`. `args` may be left out for commands without
/// arguments.
#[tauri::command]
async fn call<R: Runtime>(
    app: AppHandle<R>,
    command: String,
    args: Option<Value>,
) -> Result<Value, Error> {
    let name = command.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<Workspace>().open(&app)?;
        api::dispatch(&state, &command, args.unwrap_or(Value::Null))
    })
    .await
    .map_err(|e| Error::Unsupported(format!("command `{name}` stopped before answering: {e}")))?
}

/// The core's `AppState`, opened once (the setup hook opens it at start-up; the mock runtime of
/// the tests, which never runs that hook, on the first call). A failed open is retried by the
/// next call.
struct Workspace {
    options: Options,
    state: Mutex<Option<Arc<AppState>>>,
}

impl Workspace {
    fn open<R: Runtime>(&self, app: &AppHandle<R>) -> journey_studio::Result<Arc<AppState>> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(open) = state.as_ref() {
            return Ok(open.clone());
        }
        let open = Arc::new(open_state(app, &self.options)?);
        *state = Some(open.clone());
        Ok(open)
    }

    /// The state if it was opened.
    fn current(&self) -> Option<Arc<AppState>> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// Where the shell keeps its data. `None` fields fall back to the app's data folder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// The workspace (SQLite store) to open; created when missing.
    pub workspace: Option<PathBuf>,
    /// The tauri-plugin-store file holding the settings.
    pub settings_store: Option<PathBuf>,
}

impl Options {
    /// `--workspace PATH` (or `--workspace=PATH`) on the command line, else `$JOURNEY_STUDIO_WORKSPACE`.
    /// Other arguments are ignored: WebKitWebDriver adds its own (`--automation`).
    pub fn from_args_and_env(
        args: impl IntoIterator<Item = String>,
        env: Option<String>,
    ) -> Options {
        let mut workspace = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--workspace" {
                workspace = args.next();
            } else if let Some(path) = arg.strip_prefix("--workspace=") {
                workspace = Some(path.to_string());
            }
        }
        let workspace = workspace
            .or(env)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from);
        Options {
            workspace,
            settings_store: None,
        }
    }
}

fn app_data_dir<R: Runtime>(app: &AppHandle<R>) -> journey_studio::Result<PathBuf> {
    let dir = app
        .path()
        .app_data_dir()
        .map_err(|e| Error::Unsupported(format!("no app data folder: {e}")))?;
    std::fs::create_dir_all(&dir).map_err(|source| Error::Write {
        file: dir.display().to_string(),
        source,
    })?;
    Ok(dir)
}

fn open_state<R: Runtime>(
    app: &AppHandle<R>,
    options: &Options,
) -> journey_studio::Result<AppState> {
    let workspace = match &options.workspace {
        Some(path) => path.clone(),
        None => app_data_dir(app)?.join("workspace.db"),
    };
    let store_file = options
        .settings_store
        .clone()
        .unwrap_or_else(|| PathBuf::from(SETTINGS_STORE));
    AppState::open(
        &workspace,
        Box::new(PluginStoreSettings::new(app.clone(), store_file)),
    )
}

/// Adds the shell's plugins, state and commands to a builder. Generic over the runtime so tests
/// can use `tauri::test::mock_builder()`.
pub fn setup<R: Runtime>(builder: Builder<R>, options: Options) -> Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .manage(Workspace {
            options,
            state: Mutex::new(None),
        })
        .setup(|app| {
            // Open the workspace at start-up. If it cannot be opened, say why on stderr and keep
            // the window: every call answers the same core error, which the UI shows.
            if let Err(e) = app.state::<Workspace>().open(app.handle()) {
                eprintln!("journey-studio-desktop: {e}");
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![core_version, call])
}

/// Runs the desktop app (blocks until the last window closes).
pub fn run() {
    let options =
        Options::from_args_and_env(std::env::args().skip(1), std::env::var(WORKSPACE_ENV).ok());
    let app = match setup(Builder::default(), options).build(tauri::generate_context!()) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("journey-studio-desktop: {e}");
            std::process::exit(2);
        }
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            // The editor's edits not yet autosaved are saved before the process ends.
            if let Some(state) = handle.state::<Workspace>().current() {
                if let Err(e) = state.editor().flush() {
                    eprintln!("journey-studio-desktop: {e}");
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_workspace_comes_from_the_argument_then_the_environment() {
        let o = Options::from_args_and_env(
            args(&["--automation", "--workspace", "/w/a.db"]),
            Some("/env.db".into()),
        );
        assert_eq!(o.workspace.as_deref(), Some(Path::new("/w/a.db")));
        let o = Options::from_args_and_env(args(&["--workspace=/w/b.db"]), None);
        assert_eq!(o.workspace.as_deref(), Some(Path::new("/w/b.db")));
        let o = Options::from_args_and_env(args(&["--automation"]), Some("/env.db".into()));
        assert_eq!(o.workspace.as_deref(), Some(Path::new("/env.db")));
        // A dangling flag or an empty value means "not given", not a workspace named "".
        assert_eq!(
            Options::from_args_and_env(args(&["--workspace"]), None).workspace,
            None
        );
        assert_eq!(
            Options::from_args_and_env(args(&[]), Some(String::new())).workspace,
            None
        );
    }
}
