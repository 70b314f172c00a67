//! Remotes (servers a workspace syncs with), per-document sync state (the remote id and the
//! base the last sync agreed on, for three-way comparison) and recorded conflicts.

use super::Store;
use crate::error::{Error, Result};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RemoteKind {
    Parlant,
    Sim,
}

impl RemoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RemoteKind::Parlant => "parlant",
            RemoteKind::Sim => "sim",
        }
    }

    pub fn parse(s: &str) -> Result<RemoteKind> {
        match s {
            "parlant" => Ok(RemoteKind::Parlant),
            "sim" => Ok(RemoteKind::Sim),
            other => Err(Error::Rejected(format!(
                "unknown remote kind `{other}` (expected `parlant` or `sim`)"
            ))),
        }
    }
}

/// A server. `options` holds non-secret settings (Parlant agent name, Sim workspace id); API
/// keys never live here.
#[derive(Debug, Clone, Serialize)]
pub struct Remote {
    pub name: String,
    pub kind: RemoteKind,
    pub url: String,
    pub options: serde_json::Map<String, serde_json::Value>,
}

impl Remote {
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options.get(key).and_then(|v| v.as_str())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncState {
    pub document_id: i64,
    pub remote: String,
    pub remote_id: String,
    pub base_revision: Option<i64>,
    pub base_hash: Option<String>,
    /// The content both sides agreed on at the last sync (the base of a three-way comparison).
    #[serde(skip)]
    pub base_content: Option<String>,
    pub synced_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub id: i64,
    pub document: String,
    pub remote: String,
    #[serde(skip)]
    pub base_content: Option<String>,
    #[serde(skip)]
    pub local_content: String,
    #[serde(skip)]
    pub remote_content: String,
    pub created_at: String,
}

/// Remote names become env var names and keyring entries: keep them plain.
pub fn check_remote_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::Rejected(format!(
            "remote name `{name}`: use 1-64 letters, digits, `-` or `_`"
        )))
    }
}

impl Store {
    pub fn add_remote(&self, remote: &Remote) -> Result<()> {
        check_remote_name(&remote.name)?;
        let options = serde_json::Value::Object(remote.options.clone()).to_string();
        self.conn()
            .execute(
                "INSERT INTO remotes (name, kind, url, options) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, url = excluded.url, options = excluded.options",
                params![remote.name, remote.kind.as_str(), remote.url, options],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn remove_remote(&self, name: &str) -> Result<bool> {
        let n = self
            .conn()
            .execute("DELETE FROM remotes WHERE name = ?1", [name])
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    pub fn remotes(&self) -> Result<Vec<Remote>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT name, kind, url, options FROM remotes ORDER BY name")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(name, kind, url, options)| {
                let options = match serde_json::from_str(&options) {
                    Ok(serde_json::Value::Object(map)) => map,
                    _ => serde_json::Map::new(),
                };
                Ok(Remote {
                    name,
                    kind: RemoteKind::parse(&kind)?,
                    url,
                    options,
                })
            })
            .collect()
    }

    pub fn remote(&self, name: &str) -> Result<Remote> {
        self.remotes()?
            .into_iter()
            .find(|r| r.name == name)
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "no remote named `{name}` (add one with `journey-studio remote add`)"
                ))
            })
    }

    pub fn sync_state(&self, document_id: i64, remote: &str) -> Result<Option<SyncState>> {
        self.conn()
            .query_row(
                "SELECT document_id, remote, remote_id, base_revision, base_hash, base_content, synced_at
                 FROM sync_state WHERE document_id = ?1 AND remote = ?2",
                params![document_id, remote],
                |r| {
                    Ok(SyncState {
                        document_id: r.get(0)?,
                        remote: r.get(1)?,
                        remote_id: r.get(2)?,
                        base_revision: r.get(3)?,
                        base_hash: r.get(4)?,
                        base_content: r.get(5)?,
                        synced_at: r.get(6)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Records the remote id of a document before anything is sent (so a retried push reuses
    /// it), without touching the base.
    pub fn claim_remote_id(&self, document_id: i64, remote: &str, remote_id: &str) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO sync_state (document_id, remote, remote_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT(document_id, remote) DO UPDATE SET remote_id = excluded.remote_id",
                params![document_id, remote, remote_id],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Both sides now agree on `content` (after a push or pull).
    pub fn set_synced(
        &self,
        document_id: i64,
        remote: &str,
        remote_id: &str,
        base_revision: Option<i64>,
        base_hash: &str,
        base_content: &str,
    ) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO sync_state (document_id, remote, remote_id, base_revision, base_hash, base_content, synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
                 ON CONFLICT(document_id, remote) DO UPDATE SET remote_id = excluded.remote_id,
                   base_revision = excluded.base_revision, base_hash = excluded.base_hash,
                   base_content = excluded.base_content, synced_at = excluded.synced_at",
                params![document_id, remote, remote_id, base_revision, base_hash, base_content],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn sync_states(&self, document_id: i64) -> Result<Vec<SyncState>> {
        let remotes = self.remotes()?;
        let mut out = Vec::new();
        for r in remotes {
            if let Some(s) = self.sync_state(document_id, &r.name)? {
                out.push(s);
            }
        }
        Ok(out)
    }

    pub fn record_conflict(
        &self,
        document_id: i64,
        remote: &str,
        base: Option<&str>,
        local: &str,
        remote_content: &str,
    ) -> Result<i64> {
        // One open conflict per document and remote: a newer one replaces it.
        self.conn()
            .execute(
                "DELETE FROM conflicts WHERE document_id = ?1 AND remote = ?2 AND resolved_at IS NULL",
                params![document_id, remote],
            )
            .map_err(|e| self.err(e))?;
        self.conn()
            .execute(
                "INSERT INTO conflicts (document_id, remote, base_content, local_content, remote_content) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![document_id, remote, base, local, remote_content],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn().last_insert_rowid())
    }

    pub fn open_conflicts(&self) -> Result<Vec<Conflict>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT c.id, d.name, c.remote, c.base_content, c.local_content, c.remote_content, c.created_at
                 FROM conflicts c JOIN documents d ON d.id = c.document_id WHERE c.resolved_at IS NULL ORDER BY c.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Conflict {
                    id: r.get(0)?,
                    document: r.get(1)?,
                    remote: r.get(2)?,
                    base_content: r.get(3)?,
                    local_content: r.get(4)?,
                    remote_content: r.get(5)?,
                    created_at: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    pub fn resolve_conflict(&self, id: i64, resolution: &str) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE conflicts SET resolution = ?2, resolved_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1",
                params![id, resolution],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}
