//! The outbox: pushes waiting for a server. An entry is written (committed) before anything is
//! sent, so a push interrupted at any point — server down, process killed — is still there to
//! retry. Retries back off exponentially.

use super::{now_secs, Store};
use crate::error::Result;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting; nothing sent yet.
    Pending,
    /// Writing to the server had begun: the remote may hold part of it.
    Started,
    Done,
    /// Stopped: the remote changed too; resolve the conflict, then push again.
    Conflict,
    /// Stopped: the server refused it for good (not a transient failure).
    Failed,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Started => "started",
            OutboxState::Done => "done",
            OutboxState::Conflict => "conflict",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> OutboxState {
        match s {
            "started" => OutboxState::Started,
            "done" => OutboxState::Done,
            "conflict" => OutboxState::Conflict,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Pending,
        }
    }
}

/// A push waiting in (or done with) the outbox.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct OutboxEntry {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub document_id: i64,
    pub document: String,
    pub remote: String,
    #[ts(type = "number")]
    pub revision_id: i64,
    pub remote_id: String,
    pub state: OutboxState,
    #[ts(type = "number")]
    pub attempts: i64,
    /// Seconds since the Unix epoch.
    #[ts(type = "number")]
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
}

/// Backoff before attempt `attempts + 1`: 2, 4, 8 ... seconds, at most 5 minutes.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 8) as u32;
    (1i64 << (exp + 1)).min(300)
}

const SELECT: &str = "SELECT o.id, o.document_id, d.name, o.remote, o.revision_id, o.remote_id, o.state, o.attempts, o.next_attempt_at, o.last_error
     FROM outbox o JOIN documents d ON d.id = o.document_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: r.get(0)?,
        document_id: r.get(1)?,
        document: r.get(2)?,
        remote: r.get(3)?,
        revision_id: r.get(4)?,
        remote_id: r.get(5)?,
        state: OutboxState::parse(&r.get::<_, String>(6)?),
        attempts: r.get(7)?,
        next_attempt_at: r.get(8)?,
        last_error: r.get(9)?,
    })
}

impl Store {
    /// Queues a push of `revision_id`. An open entry for the same document and remote is
    /// retargeted to the newer revision instead of queueing a second push (keeping its
    /// `started` state: the remote may hold part of the older one).
    pub fn enqueue_push(
        &mut self,
        document_id: i64,
        remote: &str,
        revision_id: i64,
        remote_id: &str,
    ) -> Result<OutboxEntry> {
        let file = self.path.display().to_string();
        let err = |e: rusqlite::Error| crate::Error::Store {
            file: file.clone(),
            message: e.to_string(),
        };
        let tx = self.conn_mut().transaction().map_err(err)?;
        let open: Option<i64> = tx
            .query_row(
                "SELECT id FROM outbox WHERE document_id = ?1 AND remote = ?2 AND state IN ('pending', 'started', 'conflict') ORDER BY id DESC LIMIT 1",
                params![document_id, remote],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        let id = match open {
            Some(id) => {
                tx.execute(
                    "UPDATE outbox SET revision_id = ?2, remote_id = ?3, next_attempt_at = 0,
                       state = CASE state WHEN 'conflict' THEN 'pending' ELSE state END,
                       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1",
                    params![id, revision_id, remote_id],
                )
                .map_err(err)?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO outbox (document_id, remote, revision_id, remote_id, state) VALUES (?1, ?2, ?3, ?4, 'pending')",
                    params![document_id, remote, revision_id, remote_id],
                )
                .map_err(err)?;
                tx.last_insert_rowid()
            }
        };
        tx.commit().map_err(err)?;
        self.outbox_entry(id)
    }

    pub fn outbox_entry(&self, id: i64) -> Result<OutboxEntry> {
        self.conn()
            .query_row(&format!("{SELECT} WHERE o.id = ?1"), [id], row)
            .map_err(|e| self.err(e))
    }

    /// Open entries (pending, started, conflict), oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self
            .conn()
            .prepare(&format!("{SELECT} WHERE o.state IN ('pending', 'started', 'conflict', 'failed') ORDER BY o.id"))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// Entries due now (pending or started, whose backoff has passed).
    pub fn due_pushes(
        &self,
        remote: Option<&str>,
        ignore_backoff: bool,
    ) -> Result<Vec<OutboxEntry>> {
        let now = if ignore_backoff { i64::MAX } else { now_secs() };
        let mut stmt = self
            .conn()
            .prepare(&format!(
                "{SELECT} WHERE o.state IN ('pending', 'started') AND o.next_attempt_at <= ?1 AND (?2 IS NULL OR o.remote = ?2) ORDER BY o.id"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![now, remote], row)
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// Records the id the server gave (Sim's import chooses it), so a retry updates that
    /// workflow instead of importing another.
    pub fn set_outbox_remote_id(&self, id: i64, remote_id: &str) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE outbox SET remote_id = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1",
                params![id, remote_id],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn mark_outbox(&self, id: i64, state: OutboxState, error: Option<&str>) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE outbox SET state = ?2, last_error = ?3, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1",
                params![id, state.as_str(), error],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A transient failure: count the attempt and schedule the next one (the server's
    /// `Retry-After` when it gave one, else exponential backoff).
    pub fn retry_later(
        &self,
        id: i64,
        error: &str,
        retry_after: Option<i64>,
    ) -> Result<OutboxEntry> {
        let entry = self.outbox_entry(id)?;
        let wait = retry_after.unwrap_or_else(|| backoff_secs(entry.attempts));
        self.conn()
            .execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3,
                   updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1",
                params![id, now_secs() + wait, error],
            )
            .map_err(|e| self.err(e))?;
        self.outbox_entry(id)
    }
}
