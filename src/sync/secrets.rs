//! Secrets of a remote: its API key, and for Sim also an editor session cookie (the draft routes
//! refuse API keys). In the OS keyring (service `journey-studio`, user = remote name for the key,
//! `<remote>:session` for the cookie). Where no keyring service exists (headless Linux without a
//! kernel keyring, containers, CI), the fallback is, in order of lookup:
//! 1. the environment variable `JOURNEY_STUDIO_<REMOTE>_API_KEY` (or `..._SESSION_COOKIE`;
//!    remote name upper-cased, `-` as `_`), never written by Journey Studio;
//! 2. a file `<config dir>/journey-studio/secrets/<remote>.key` (or `<remote>.session`), mode
//!    0600, outside any workspace (`JOURNEY_STUDIO_SECRETS_DIR` overrides the folder).
//!
//! Set `JOURNEY_STUDIO_NO_KEYRING=1` to skip the keyring. Secrets are never written to the
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

/// The kinds of secret a remote can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    ApiKey,
    /// Sim's editor session cookie value (`better-auth.session_token`).
    SessionCookie,
}

impl SecretKind {
    fn env_suffix(self) -> &'static str {
        match self {
            SecretKind::ApiKey => "API_KEY",
            SecretKind::SessionCookie => "SESSION_COOKIE",
        }
    }

    fn file_ext(self) -> &'static str {
        match self {
            SecretKind::ApiKey => "key",
            SecretKind::SessionCookie => "session",
        }
    }

    fn keyring_user(self, remote: &str) -> String {
        match self {
            SecretKind::ApiKey => remote.to_string(),
            SecretKind::SessionCookie => format!("{remote}:session"),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::ApiKey => "API key",
            SecretKind::SessionCookie => "session cookie",
        }
    }
}

pub fn env_var_name(remote: &str) -> String {
    secret_env_var(remote, SecretKind::ApiKey)
}

pub fn secret_env_var(remote: &str, kind: SecretKind) -> String {
    format!(
        "JOURNEY_STUDIO_{}_{}",
        remote.to_ascii_uppercase().replace('-', "_"),
        kind.env_suffix()
    )
}

fn keyring_enabled() -> bool {
    std::env::var("JOURNEY_STUDIO_NO_KEYRING")
        .map(|v| v.is_empty() || v == "0")
        .unwrap_or(true)
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

fn key_file(remote: &str, kind: SecretKind) -> Option<PathBuf> {
    secrets_dir().map(|d| d.join(format!("{remote}.{}", kind.file_ext())))
}

fn secret_err(remote: &str, message: String) -> Error {
    Error::Secret {
        remote: remote.to_string(),
        message,
    }
}

/// Stores a key: keyring first; the 0600 file when no keyring works here.
pub fn store_api_key(remote: &str, key: &str) -> Result<KeyLocation> {
    store_secret(remote, SecretKind::ApiKey, key)
}

/// Stores a secret of `kind`: keyring first; the 0600 file when no keyring works here.
pub fn store_secret(remote: &str, kind: SecretKind, key: &str) -> Result<KeyLocation> {
    crate::store::remotes_check(remote)?;
    if key.trim().is_empty() {
        return Err(secret_err(
            remote,
            format!("the {} is empty", kind.describe()),
        ));
    }
    if keyring_enabled() {
        if let Ok(entry) = keyring::Entry::new(SERVICE, &kind.keyring_user(remote)) {
            // Read back: some backends accept a write they cannot keep.
            if entry.set_password(key).is_ok() && entry.get_password().ok().as_deref() == Some(key)
            {
                return Ok(KeyLocation::Keyring);
            }
        }
    }
    let path = key_file(remote, kind).ok_or_else(|| {
        secret_err(
            remote,
            "no keyring and no config folder (set JOURNEY_STUDIO_SECRETS_DIR)".into(),
        )
    })?;
    write_private(&path, key)
        .map_err(|e| secret_err(remote, format!("cannot write {}: {e}", path.display())))?;
    Ok(KeyLocation::File(path))
}

fn write_private(path: &std::path::Path, key: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
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
    secret(remote, SecretKind::ApiKey)
}

/// A secret of a remote, if one is set anywhere (env var, keyring, file).
pub fn secret(remote: &str, kind: SecretKind) -> Result<Option<String>> {
    if let Ok(key) = std::env::var(secret_env_var(remote, kind)) {
        if !key.is_empty() {
            return Ok(Some(key));
        }
    }
    if keyring_enabled() {
        if let Ok(entry) = keyring::Entry::new(SERVICE, &kind.keyring_user(remote)) {
            if let Ok(key) = entry.get_password() {
                return Ok(Some(key));
            }
        }
    }
    if let Some(path) = key_file(remote, kind) {
        match std::fs::read_to_string(&path) {
            Ok(key) => return Ok(Some(key.trim().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(secret_err(
                    remote,
                    format!("cannot read {}: {e}", path.display()),
                ))
            }
        }
    }
    Ok(None)
}

/// Removes a remote's stored secrets from the keyring and the files (env vars are the user's).
pub fn delete_api_key(remote: &str) -> Result<()> {
    for kind in [SecretKind::ApiKey, SecretKind::SessionCookie] {
        if keyring_enabled() {
            if let Ok(entry) = keyring::Entry::new(SERVICE, &kind.keyring_user(remote)) {
                let _ = entry.delete_credential();
            }
        }
        if let Some(path) = key_file(remote, kind) {
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(())
}
