//! The app's state for a test that calls its commands through `api::dispatch`: a workspace and
//! settings in a temporary folder, and secrets (remotes' keys) in a private folder of the test,
//! never the developer's keyring.

use journey_studio::api::{dispatch, AppState, JsonFileSettings};
use serde_json::Value;

pub struct TestApp {
    pub state: AppState,
    /// Kept for the test's length: the workspace, settings and secrets live in it.
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn open() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var("JOURNEY_STUDIO_NO_KEYRING", "1");
        std::env::set_var("JOURNEY_STUDIO_SECRETS_DIR", dir.path().join("secrets"));
        let state = AppState::open(
            &dir.path().join("w.db"),
            Box::new(JsonFileSettings::new(dir.path().join("s.json"))),
        )
        .unwrap();
        TestApp { state, _dir: dir }
    }

    /// The command's answer; a failure panics with the command's name and the error.
    pub fn call(&self, command: &str, args: Value) -> Value {
        dispatch(&self.state, command, args).unwrap_or_else(|e| panic!("{command}: {e}"))
    }
}
