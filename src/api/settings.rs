//! The app's settings: one typed struct (every field has a default, so old and partial files
//! read) and where it is kept — a JSON file beside the workspace for `serve`, tauri-plugin-store
//! in the desktop shell (which implements `SettingsBackend` itself).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::PathBuf;
use ts_rs::TS;

/// The colour scheme of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follows the system.
    #[default]
    System,
    Light,
    Dark,
}

/// Which library arranges the graph on auto-layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LayoutEngine {
    #[default]
    Dagre,
    Elk,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    pub theme: Theme,
    /// Save every edit to the store as it happens.
    pub autosave: bool,
    /// Milliseconds of quiet before an autosave.
    #[ts(type = "number")]
    pub autosave_delay_ms: u64,
    pub show_minimap: bool,
    pub snap_to_grid: bool,
    pub layout_engine: LayoutEngine,
    /// Documents opened recently (store ids), newest first.
    #[ts(type = "Array<number>")]
    pub recent_documents: Vec<i64>,
    /// Workspace files opened recently, newest first.
    pub recent_workspaces: Vec<String>,
    /// How the chat preview understands and paces a conversation (matcher, threshold, Parlant's
    /// pace): the options every preview session starts with; `journey-studio simulate` takes the
    /// same (`--settings`, `--threshold`, ...).
    pub preview: crate::simulate::SessionOptions,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: Theme::System,
            autosave: true,
            autosave_delay_ms: 500,
            show_minimap: true,
            snap_to_grid: false,
            layout_engine: LayoutEngine::Dagre,
            recent_documents: Vec::new(),
            recent_workspaces: Vec::new(),
            preview: crate::simulate::SessionOptions::default(),
        }
    }
}

impl Settings {
    /// The settings with `patch`'s fields replaced; a field of the wrong type is an error.
    pub fn patched(&self, patch: &Map<String, Value>) -> Result<Settings> {
        let mut value = serde_json::to_value(self).map_err(|e| Error::Internal(e.to_string()))?;
        if let Value::Object(map) = &mut value {
            for (key, v) in patch {
                if !map.contains_key(key) {
                    return Err(Error::Rejected(format!(
                        "settings: unknown setting `{key}`"
                    )));
                }
                map.insert(key.clone(), v.clone());
            }
        }
        let next: Settings =
            serde_json::from_value(value).map_err(|e| Error::Rejected(format!("settings: {e}")))?;
        if let Err(e) = next.preview.check() {
            let why = match e {
                Error::Simulation(m) => m.replacen("options.", "preview.", 1),
                other => other.to_string(),
            };
            return Err(Error::Rejected(format!("settings: {why}")));
        }
        Ok(next)
    }
}

/// Where settings live. `update` is the one read-modify-save path.
pub trait SettingsBackend: Send + Sync {
    fn load(&self) -> Result<Settings>;
    fn save(&self, settings: &Settings) -> Result<()>;
    fn update(&self, patch: &Map<String, Value>) -> Result<Settings> {
        let next = self.load()?.patched(patch)?;
        self.save(&next)?;
        Ok(next)
    }
}

/// Settings in a JSON file (for `journey-studio serve`).
pub struct JsonFileSettings {
    path: PathBuf,
    lock: std::sync::Mutex<()>,
}

impl JsonFileSettings {
    pub fn new(path: PathBuf) -> JsonFileSettings {
        JsonFileSettings {
            path,
            lock: std::sync::Mutex::new(()),
        }
    }
}

impl SettingsBackend for JsonFileSettings {
    fn load(&self) -> Result<Settings> {
        if !self.path.exists() {
            return Ok(Settings::default());
        }
        let file = self.path.display().to_string();
        let text = crate::json::read_text(&self.path)?;
        crate::json::from_str_located(&file, &text)
    }

    fn save(&self, settings: &Settings) -> Result<()> {
        crate::json::write_atomic(&self.path, &crate::json::to_pretty(settings))
    }

    fn update(&self, patch: &Map<String, Value>) -> Result<Settings> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let next = self.load()?.patched(patch)?;
        self.save(&next)?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_files_read_with_defaults_and_patches_are_typed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, r#"{"theme": "dark"}"#).unwrap();
        let backend = JsonFileSettings::new(path.clone());
        let s = backend.load().unwrap();
        assert_eq!((s.theme, s.autosave), (Theme::Dark, true));
        let patch = serde_json::json!({"show_minimap": false})
            .as_object()
            .unwrap()
            .clone();
        let s = backend.update(&patch).unwrap();
        assert!(!s.show_minimap);
        assert!(!backend.load().unwrap().show_minimap);
        let bad = serde_json::json!({"autosave": "yes"})
            .as_object()
            .unwrap()
            .clone();
        assert!(backend.update(&bad).is_err());
        let colour = serde_json::json!({"theme": "blue"})
            .as_object()
            .unwrap()
            .clone();
        assert!(backend
            .update(&colour)
            .unwrap_err()
            .to_string()
            .contains("blue"));
        let preview = serde_json::json!({"preview": {"threshold": 0.35, "matcher": "keywords"}})
            .as_object()
            .unwrap()
            .clone();
        let s = backend.update(&preview).unwrap();
        assert_eq!(s.preview.threshold, 0.35);
        assert_eq!(
            s.preview.matcher,
            crate::simulate::journey::MatcherSetting::Keywords
        );
        assert_eq!(s.preview.max_skip, 3, "unset options keep their defaults");
        let out_of_range = serde_json::json!({"preview": {"threshold": 1.5}})
            .as_object()
            .unwrap()
            .clone();
        let err = backend.update(&out_of_range).unwrap_err().to_string();
        assert!(err.contains("preview.threshold is 1.5"), "{err}");
        assert_eq!(backend.load().unwrap().preview.threshold, 0.35);
        let unknown = serde_json::json!({"nope": 1}).as_object().unwrap().clone();
        assert!(backend
            .update(&unknown)
            .unwrap_err()
            .to_string()
            .contains("nope"));
    }
}
