//! The local workspace: one SQLite file (bundled SQLite, WAL) holding documents and their
//! revision history, conversion mappings, remotes, per-document sync state, the outbox of
//! pending pushes, conflicts, and simulation scenarios/transcripts. See docs/store-and-sync.md.
//!
//! Every write is one transaction: a crash at any moment leaves the last committed save intact
//! (SQLite's WAL gives that; `synchronous=FULL` makes a returned save durable). Secrets are never
//! stored here (see `crate::sync::secrets`).

mod documents;
mod outbox;
mod remotes;
mod scenarios;
mod schema;

pub use documents::{
    content_hash, unified_diff, DocumentInfo, Revision, RevisionInfo, SaveOutcome,
};
pub use outbox::{OutboxEntry, OutboxState};
pub use remotes::{check_remote_name as remotes_check, Conflict, Remote, RemoteKind, SyncState};
pub use scenarios::{Scenario, Transcript};

use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};

/// An open workspace. Cheap to open; one per thread.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the workspace at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let file = path.display().to_string();
        let err = |e: rusqlite::Error| Error::Store {
            file: file.clone(),
            message: e.to_string(),
        };
        let mut conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        // WAL: readers never block the writer and a torn write is rolled back on open.
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Store {
                file,
                message: format!("cannot switch to WAL journal mode (got `{mode}`)"),
            });
        }
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .map_err(err)?;
        match schema::migrate(&mut conn).map_err(err)? {
            Ok(()) => {}
            Err(message) => return Err(Error::Store { file, message }),
        }
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.ensure_workspace_id()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version this workspace is at.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// A random id given to the workspace when it was created; part of the deterministic ids
    /// given to what it pushes, so two workspaces never claim each other's journeys.
    pub fn workspace_id(&self) -> Result<String> {
        self.conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'workspace_id'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    fn ensure_workspace_id(&self) -> Result<()> {
        let existing: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'workspace_id'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if existing.is_none() {
            let seed = format!(
                "{:?}:{}:{}",
                std::time::SystemTime::now(),
                std::process::id(),
                self.path.display()
            );
            let id = content_hash(&seed)[..16].to_string();
            self.conn
                .execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('workspace_id', ?1)",
                    [id],
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> Error {
        Error::Store {
            file: self.path.display().to_string(),
            message: e.to_string(),
        }
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// Seconds since the Unix epoch (outbox scheduling).
pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
