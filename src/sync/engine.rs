//! Push and pull between the workspace and a remote, through the outbox.
//!
//! Push: the outbox entry and the journey's remote id are committed before anything is sent,
//! so a push killed at any moment is retried with the same id and never creates a second
//! journey. Before writing, base/local/remote are compared: a remote changed since the last
//! sync is a conflict (recorded, nothing sent). An entry whose writes began (`started`) and
//! could not be undone resumes without that check: the difference is its own partial write.
//!
//! Pull: three-way against the base of the last sync; fast-forwards when only one side
//! changed, records a conflict when both did.

use super::{parlant_sync, sim_sync};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::json::Maybe;
use crate::store::{OutboxEntry, OutboxState, RemoteKind, Store};

pub use super::outcome::{PullOutcome, PushOptions, PushOutcome, Resolution};
pub use super::parlant_sync::parlant_client;

/// The validation errors that stop a push (none when the document may be pushed).
pub fn push_blockers(doc: &Document) -> Result<Vec<crate::validate::Diagnostic>> {
    let report = crate::validate::validate(doc)?;
    Ok(report
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == crate::validate::Severity::Error)
        .collect())
}

/// Queues the head of `document` for `remote` and tries to send it now.
pub async fn push(
    store: &mut Store,
    document: &str,
    remote_name: &str,
    force: bool,
) -> Result<PushOutcome> {
    push_with(
        store,
        document,
        remote_name,
        PushOptions {
            force,
            ..PushOptions::default()
        },
    )
    .await
}

/// `push` with every option.
pub async fn push_with(
    store: &mut Store,
    document: &str,
    remote_name: &str,
    options: PushOptions,
) -> Result<PushOutcome> {
    let force = options.force;
    let remote = store.remote(remote_name)?;
    let info = store.document(document)?;
    let head = store.head(document)?;
    if options.as_new && remote.kind != RemoteKind::Sim {
        return Err(Error::Unsupported(format!(
            "`--as-new` is for Sim remotes; `{remote_name}` is a {} remote",
            remote.kind.as_str()
        )));
    }
    // Validate first: a document with errors is refused before anything is queued or sent.
    if !options.allow_invalid {
        let errors = push_blockers(&head.document(document)?)?;
        if !errors.is_empty() {
            let error = errors
                .iter()
                .map(|d| format!("{}: error[{}]: {}", d.path, d.code, d.message))
                .collect::<Vec<_>>()
                .join("\n");
            return Ok(PushOutcome::Invalid {
                document: document.to_string(),
                error,
                diagnostics: errors,
            });
        }
    }
    let mut superseded = None;
    let remote_id = match (store.sync_state(info.id, remote_name)?, remote.kind) {
        (Some(state), RemoteKind::Sim) if options.as_new => {
            // A fresh import placeholder, committed with the outbox entry: retries keep
            // importing (idempotently) instead of touching the linked workflow.
            if !state.remote_id.starts_with(sim_sync::IMPORT_PREFIX) {
                superseded = Some(state.remote_id);
            }
            sim_sync::initial_remote_id(store, document, head.info.id)?
        }
        (Some(state), _) => state.remote_id,
        (None, RemoteKind::Sim) => {
            // Check the kind now: a journey cannot go to Sim.
            if !matches!(head.document(document)?, Document::Sim(_)) {
                return Err(Error::Unsupported(format!(
                    "`{document}` is a journey; a Sim remote takes Sim workflows"
                )));
            }
            sim_sync::initial_remote_id(store, document, head.info.id)?
        }
        (None, RemoteKind::Parlant) => {
            parlant_sync::initial_remote_id(store, document, head.info.id)?
        }
    };
    store.claim_remote_id(info.id, remote_name, &remote_id)?;
    let entry = store.enqueue_push(info.id, remote_name, head.info.id, &remote_id)?;
    let outcome = process(store, &entry, force).await?;
    Ok(match outcome {
        PushOutcome::Pushed {
            document,
            remote_id,
            created,
            requests,
            superseded: None,
        } if superseded.is_some() => PushOutcome::Pushed {
            document,
            remote_id,
            created,
            requests,
            superseded,
        },
        other => other,
    })
}

/// Retries what is due in the outbox (all of it with `now`).
pub async fn flush(store: &mut Store, remote: Option<&str>, now: bool) -> Result<Vec<PushOutcome>> {
    let mut out = Vec::new();
    for entry in store.due_pushes(remote, now)? {
        out.push(process(store, &entry, false).await?);
    }
    Ok(out)
}

/// Pushes under way in this process, by workspace, document and remote: the app's background
/// retry of the outbox and a push from the Sync panel must never send the same document to the
/// same remote at once (two concurrent graph writes of one journey conflict on the server).
type InFlightKey = (std::path::PathBuf, i64, String);
static IN_FLIGHT: std::sync::Mutex<std::collections::BTreeSet<InFlightKey>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// A claim on sending a document to a remote; released when dropped.
struct InFlight(InFlightKey);

impl InFlight {
    fn claim(workspace: &std::path::Path, document_id: i64, remote: &str) -> Option<InFlight> {
        let key = (workspace.to_path_buf(), document_id, remote.to_string());
        // `then`, not `then_some`: a refused claim must never be built, or its drop would release
        // the claim it lost to (and deadlock on the lock held here).
        let claimed = IN_FLIGHT
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.clone());
        claimed.then(|| InFlight(key))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.0);
    }
}

/// Sends one outbox entry to its remote (unless a push of the same document to it is under way:
/// then it stays queued, untouched).
async fn process(store: &mut Store, entry: &OutboxEntry, force: bool) -> Result<PushOutcome> {
    let Some(_claim) = InFlight::claim(store.path(), entry.document_id, &entry.remote) else {
        return Ok(PushOutcome::Queued {
            document: entry.document.clone(),
            error: format!(
                "a push of `{}` to `{}` is under way",
                entry.document, entry.remote
            ),
            next_attempt_at: entry.next_attempt_at,
        });
    };
    let remote = store.remote(&entry.remote)?;
    match remote.kind {
        RemoteKind::Sim => sim_sync::process(store, entry, &remote, force).await,
        RemoteKind::Parlant => parlant_sync::process(store, entry, &remote, force).await,
    }
}

/// Pulls journey (or Sim workflow) `remote_id` into `document` (created when absent).
pub async fn pull(
    store: &mut Store,
    remote_name: &str,
    remote_id: &str,
    document: &str,
) -> Result<PullOutcome> {
    let remote = store.remote(remote_name)?;
    match remote.kind {
        RemoteKind::Sim => sim_sync::pull(store, &remote, remote_id, document).await,
        RemoteKind::Parlant => parlant_sync::pull(store, &remote, remote_id, document).await,
    }
}

/// Resolves the open conflict of `document` with `remote_name`.
pub fn resolve(
    store: &mut Store,
    document: &str,
    remote_name: &str,
    how: Resolution,
) -> Result<String> {
    let conflict = store
        .open_conflicts()?
        .into_iter()
        .find(|c| c.document == document && c.remote == remote_name)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no open conflict for `{document}` with `{remote_name}`"
            ))
        })?;
    let info = store.document(document)?;
    let state = store.sync_state(info.id, remote_name)?.ok_or_else(|| {
        Error::NotFound(format!(
            "`{document}` was never synced with `{remote_name}`"
        ))
    })?;
    let theirs = Document::parse("remote copy", &conflict.remote_content)?;
    let theirs_hash = match &theirs {
        Document::Journey(j) => parlant_sync::conflict_hash(j),
        Document::Sim(_) => sim_sync::content_projection_hash(&conflict.remote_content)?,
    };
    let message = match how {
        Resolution::KeepMine => {
            // The remote becomes the base: the next push overwrites it with mine.
            store.set_synced(
                info.id,
                remote_name,
                &state.remote_id,
                state.base_revision,
                &theirs_hash,
                &conflict.remote_content,
            )?;
            "kept mine: `journey-studio push` now replaces the remote copy".to_string()
        }
        Resolution::TakeTheirs => {
            let mut theirs = theirs.clone();
            if let (Document::Journey(t), Ok(Document::Journey(local))) = (
                &mut theirs,
                Document::parse(document, &conflict.local_content),
            ) {
                t.editor = local.editor;
            }
            let saved = store.save(
                document,
                &theirs,
                &format!("take theirs from {remote_name}"),
            )?;
            store.set_synced(
                info.id,
                remote_name,
                &state.remote_id,
                Some(saved.revision),
                &theirs_hash,
                &theirs.to_json(),
            )?;
            format!("took theirs: revision {}", saved.revision)
        }
        Resolution::Both => {
            let mut copy_name = format!("{document} (from {remote_name})");
            let mut n = 2;
            while store.documents()?.iter().any(|d| d.name == copy_name) {
                copy_name = format!("{document} (from {remote_name} {n})");
                n += 1;
            }
            let mut copy = theirs.clone();
            if let Document::Journey(j) = &mut copy {
                j.journey.id = Maybe::Absent;
            }
            store.save(
                &copy_name,
                &copy,
                &format!("remote copy from {remote_name}"),
            )?;
            store.set_synced(
                info.id,
                remote_name,
                &state.remote_id,
                state.base_revision,
                &theirs_hash,
                &conflict.remote_content,
            )?;
            format!("kept both: theirs saved as `{copy_name}`; `journey-studio push` replaces the remote with mine")
        }
    };
    store.resolve_conflict(
        conflict.id,
        match how {
            Resolution::KeepMine => "mine",
            Resolution::TakeTheirs => "theirs",
            Resolution::Both => "both",
        },
    )?;
    for e in store.outbox()? {
        if e.document_id == info.id && e.remote == remote_name && e.state == OutboxState::Conflict {
            let next = if how == Resolution::TakeTheirs {
                OutboxState::Done
            } else {
                OutboxState::Pending
            };
            store.mark_outbox(e.id, next, None)?;
        }
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::InFlight;
    use std::path::Path;

    #[test]
    fn one_push_of_a_document_to_a_remote_at_a_time() {
        let (a, b) = (Path::new("a.db"), Path::new("b.db"));
        let first = InFlight::claim(a, 7, "par").expect("free");
        assert!(
            InFlight::claim(a, 7, "par").is_none(),
            "a second push of the same document to the same remote waits"
        );
        let other = InFlight::claim(a, 7, "sim").expect("another remote is free");
        let elsewhere = InFlight::claim(b, 7, "par")
            .expect("document 7 of another workspace is another document");
        drop(first);
        assert!(
            InFlight::claim(a, 7, "par").is_some(),
            "free again once the first is done"
        );
        drop((other, elsewhere));
    }
}
