//! The core's `Settings`, kept by tauri-plugin-store under one key. The shape, defaults and
//! patch rules are the core's (`journey_studio::api::settings`); this file only moves the value
//! in and out of the store.

use journey_studio::api::{Settings, SettingsBackend};
use journey_studio::{Error, Result};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::{Store, StoreExt};

/// The store key holding the whole settings object.
const KEY: &str = "settings";

pub struct PluginStoreSettings<R: Runtime> {
    app: AppHandle<R>,
    /// The store file; relative paths are resolved in the app's data folder by the plugin.
    file: PathBuf,
    /// Serialises read-modify-save so two concurrent updates cannot lose one another's change.
    lock: Mutex<()>,
}

impl<R: Runtime> PluginStoreSettings<R> {
    pub fn new(app: AppHandle<R>, file: PathBuf) -> Self {
        PluginStoreSettings {
            app,
            file,
            lock: Mutex::new(()),
        }
    }

    fn failed(&self, what: &str, e: impl std::fmt::Display) -> Error {
        Error::Unsupported(format!(
            "settings store {}: {what}: {e}",
            self.file.display()
        ))
    }

    fn store(&self) -> Result<Arc<Store<R>>> {
        self.app
            .store(&self.file)
            .map_err(|e| self.failed("cannot open", e))
    }

    /// The one read-modify-save path: loads the settings, lets `change` derive the next ones,
    /// writes them to disk, all under the lock.
    fn modify(&self, change: impl FnOnce(Settings) -> Result<Settings>) -> Result<Settings> {
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let next = change(self.load()?)?;
        let store = self.store()?;
        let value = serde_json::to_value(&next).map_err(|e| self.failed("cannot serialise", e))?;
        store.set(KEY, value);
        store.save().map_err(|e| self.failed("cannot save", e))?;
        Ok(next)
    }
}

impl<R: Runtime> SettingsBackend for PluginStoreSettings<R> {
    fn load(&self) -> Result<Settings> {
        match self.store()?.get(KEY) {
            // Fields missing from an older file take their defaults (`#[serde(default)]`).
            Some(value) => serde_json::from_value(value).map_err(|e| {
                self.failed(
                    &format!("key `{KEY}` is not a settings object (fix or delete the file)"),
                    e,
                )
            }),
            None => Ok(Settings::default()),
        }
    }

    fn save(&self, settings: &Settings) -> Result<()> {
        self.modify(|_| Ok(settings.clone())).map(drop)
    }

    fn update(&self, patch: &Map<String, Value>) -> Result<Settings> {
        self.modify(|current| current.patched(patch))
    }
}
