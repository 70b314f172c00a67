//! API keys: in the OS keyring (service `journey-studio`, user = remote name). Where no keyring
//! service exists (headless Linux without a kernel keyring, containers, CI), the fallback is,
//! in order of lookup:
//! 1. the environment variable `JOURNEY_STUDIO_<REMOTE>_API_KEY` (remote name upper-cased,
//!    `-` as `_`), never written by Journey Studio;
//! 2. a file `<config dir>/journey-studio/secrets/<remote>.key`, mode 0600, outside any
//!    workspace (`JOURNEY_STUDIO_SECRETS_DIR` overrides the folder).
//!
//! Set `JOURNEY_STUDIO_NO_KEYRING=1` to skip the keyring. Keys are never written to the
//! workspace, exports, logs, or error messages.

use crate::error::{Error, Result};
use std::path::PathBuf;

const SERVICE: &str = "journey-studio";

/// Where a key was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLocation {
    Keyring,
    File(PathBuf),
}

pub fn env_var_name(remote: &str) -> String {
    format!("JOURNEY_STUDIO_{}_API_KEY", remote.to_ascii_uppercase().replace('-', "_"))
}

fn keyring_enabled() -> bool {
    std::env::var("JOURNEY_STUDIO_NO_KEYRING").map(|v| v.is_empty() || v == "0").unwrap_or(true)
}

fn secrets_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("JOURNEY_STUDIO_SECRETS_DIR") {
        return Some(PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))?;
    Some(base.join("journey-studio").join("secrets"))
}

fn key_file(remote: &str) -> Option<PathBuf> {
    secrets_dir().map(|d| d.join(format!("{remote}.key")))
}

fn secret_err(remote: &str, message: String) -> Error {
    Error::Secret { remote: remote.to_string(), message }
}

/// Stores a key: keyring first; the 0600 file when no keyring works here.
pub fn store_api_key(remote: &str, key: &str) -> Result<KeyLocation> {
    crate::store::remotes_check(remote)?;
    if key.trim().is_empty() {
        return Err(secret_err(remote, "the API key is empty".into()));
    }
    if keyring_enabled() {
        if let Ok(entry) = keyring::Entry::new(SERVICE, remote) {
            // Read back: some backends accept a write they cannot keep.
            if entry.set_password(key).is_ok() && entry.get_password().ok().as_deref() == Some(key) {
                return Ok(KeyLocation::Keyring);
            }
        }
    }
    let path = key_file(remote).ok_or_else(|| secret_err(remote, "no keyring and no config folder (set JOURNEY_STUDIO_SECRETS_DIR)".into()))?;
    write_private(&path, key).map_err(|e| secret_err(remote, format!("cannot write {}: {e}", path.display())))?;
    Ok(KeyLocation::File(path))
}

fn write_private(path: &std::path::Path, key: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("key.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(key.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// The key for a remote, if one is set anywhere (env var, keyring, file).
pub fn api_key(remote: &str) -> Result<Option<String>> {
    if let Ok(key) = std::env::var(env_var_name(remote)) {
        if !key.is_empty() {
            return Ok(Some(key));
        }
    }
    if keyring_enabled() {
        if let Ok(entry) = keyring::Entry::new(SERVICE, remote) {
            if let Ok(key) = entry.get_password() {
                return Ok(Some(key));
            }
        }
    }
    if let Some(path) = key_file(remote) {
        match std::fs::read_to_string(&path) {
            Ok(key) => return Ok(Some(key.trim().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(secret_err(remote, format!("cannot read {}: {e}", path.display()))),
        }
    }
    Ok(None)
}

/// Removes a stored key from the keyring and the file (the env var is the user's).
pub fn delete_api_key(remote: &str) -> Result<()> {
    if keyring_enabled() {
        if let Ok(entry) = keyring::Entry::new(SERVICE, remote) {
            let _ = entry.delete_credential();
        }
    }
    if let Some(path) = key_file(remote) {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}
