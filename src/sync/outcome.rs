//! What a push or a pull did, and how they may go: the vocabulary shared by the sync engine and
//! its backends (Parlant, Sim), so that no backend depends on the engine.

use crate::error::{Error, Result};
use crate::store::{OutboxEntry, OutboxState, Store};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum PushOutcome {
    /// The remote now equals the local revision.
    Pushed {
        document: String,
        remote_id: String,
        created: bool,
        requests: usize,
        /// Sim without a session cookie: the workflow this push replaced by importing a new
        /// one (left unchanged on the server).
        #[serde(skip_serializing_if = "Option::is_none")]
        superseded: Option<String>,
    },
    /// Nothing to send: the remote already equals the local revision.
    UpToDate { document: String, remote_id: String },
    /// Kept in the outbox; retried later.
    Queued {
        document: String,
        error: String,
        next_attempt_at: i64,
    },
    /// Stopped: resolve with `journey-studio resolve`.
    Conflict { document: String, diff: String },
    /// Refused before anything was queued or sent: the document has validation errors (what
    /// Parlant or Sim would refuse or run wrongly). `PushOptions::allow_invalid` pushes anyway.
    Invalid {
        document: String,
        /// The errors, one per line (`path: error[CODE]: message`).
        error: String,
        diagnostics: Vec<crate::validate::Diagnostic>,
    },
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum PullOutcome {
    Created {
        document: String,
        revision: i64,
    },
    Updated {
        document: String,
        revision: i64,
    },
    UpToDate {
        document: String,
    },
    /// Local edits not pushed yet; the remote did not change.
    LocalAhead {
        document: String,
    },
    Conflict {
        document: String,
        diff: String,
    },
}

/// How an open conflict is resolved: keep the local copy (the next push overwrites the remote),
/// take the remote's as a new local revision, or keep both (theirs saved as a copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    KeepMine,
    TakeTheirs,
    Both,
}

/// How a push may go.
#[derive(Debug, Clone, Copy, Default)]
pub struct PushOptions {
    /// Overwrite the remote even when it changed since the last sync.
    pub force: bool,
    /// Sim: import the document as a NEW workflow even though it is linked to one (the way to
    /// publish an edit without an editor session cookie; the linked workflow stays unchanged
    /// and the document relinks to the new one).
    pub as_new: bool,
    /// Push even when the document has validation errors (the CLI's `--allow-invalid`, the app's
    /// confirm step). Without it a document with errors is refused before any request
    /// (`PushOutcome::Invalid`).
    pub allow_invalid: bool,
}

/// A failed send: a transient failure (server down, timeout, 5xx, 429) keeps the entry queued for
/// a retry; anything else marks it failed. A partial write (`dirty`) keeps it `started`.
pub(crate) fn queue_or_fail(
    store: &mut Store,
    entry: &OutboxEntry,
    error: Error,
    dirty: bool,
) -> Result<PushOutcome> {
    let message = error.to_string();
    match error.retry_hint() {
        Some(retry_after) => {
            store.mark_outbox(
                entry.id,
                if dirty || entry.state == OutboxState::Started {
                    OutboxState::Started
                } else {
                    OutboxState::Pending
                },
                None,
            )?;
            let e = store.retry_later(entry.id, &message, retry_after.map(|s| s as i64))?;
            Ok(PushOutcome::Queued {
                document: entry.document.clone(),
                error: message,
                next_attempt_at: e.next_attempt_at,
            })
        }
        None => {
            store.mark_outbox(
                entry.id,
                if dirty || entry.state == OutboxState::Started {
                    OutboxState::Started
                } else {
                    OutboxState::Failed
                },
                Some(&message),
            )?;
            Err(error)
        }
    }
}

/// Records a pull's conflict (base, mine, theirs) and answers it with the diff to show.
pub(crate) fn record_pull_conflict(
    store: &mut crate::store::Store,
    document_id: i64,
    document: &str,
    remote: &str,
    base: Option<&str>,
    mine: &str,
    theirs: &str,
) -> crate::Result<PullOutcome> {
    store.record_conflict(document_id, remote, base, mine, theirs)?;
    Ok(PullOutcome::Conflict {
        document: document.into(),
        diff: crate::store::unified_diff(theirs, mine, "remote (theirs)", "local (mine)"),
    })
}
