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

use super::parlant::{projection_hash, ParlantClient};
use super::secrets;
use super::sim_sync;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::json::Maybe;
use crate::parlant::JourneyDocument;
use crate::store::{content_hash, OutboxEntry, OutboxState, Remote, RemoteKind, Store};
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
    Queued { document: String, error: String, next_attempt_at: i64 },
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
    Created { document: String, revision: i64 },
    Updated { document: String, revision: i64 },
    UpToDate { document: String },
    /// Local edits not pushed yet; the remote did not change.
    LocalAhead { document: String },
    Conflict { document: String, diff: String },
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

/// The agent a Parlant remote scopes journeys to (`agent` option; default "Journey Studio").
fn agent_name(remote: &Remote) -> String {
    remote.option("agent").unwrap_or("Journey Studio").to_string()
}

pub fn parlant_client(remote: &Remote) -> Result<ParlantClient> {
    ParlantClient::new(&remote.name, &remote.url, secrets::api_key(&remote.name)?)
}

fn journey_of(store: &Store, revision: i64, name: &str) -> Result<JourneyDocument> {
    match store.revision(revision)?.document(name)? {
        Document::Journey(j) => Ok(j),
        Document::Sim(_) => Err(Error::Unsupported(format!("`{name}` is a Sim workflow; a Parlant remote takes journeys"))),
    }
}

/// A stable journey id for a document that has none yet: derived from the workspace and the
/// document, so every retry of the first push uses the same one.
fn new_journey_id(store: &Store, document: &str) -> Result<String> {
    let h = content_hash(&format!("{}:{document}", store.workspace_id()?));
    Ok(format!("js-{}", &h[..20]))
}

fn require_parlant(remote: &Remote) -> Result<()> {
    if remote.kind != RemoteKind::Parlant {
        return Err(Error::Unsupported(format!("remote `{}` is a {} remote; this operation needs a Parlant remote", remote.name, remote.kind.as_str())));
    }
    Ok(())
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

/// The validation errors that stop a push (none when the document may be pushed).
pub fn push_blockers(doc: &Document) -> Result<Vec<crate::validate::Diagnostic>> {
    let report = crate::validate::validate(doc)?;
    Ok(report.diagnostics.into_iter().filter(|d| d.severity == crate::validate::Severity::Error).collect())
}

/// Queues the head of `document` for `remote` and tries to send it now.
pub async fn push(store: &mut Store, document: &str, remote_name: &str, force: bool) -> Result<PushOutcome> {
    push_with(store, document, remote_name, PushOptions { force, ..PushOptions::default() }).await
}

/// `push` with every option.
pub async fn push_with(store: &mut Store, document: &str, remote_name: &str, options: PushOptions) -> Result<PushOutcome> {
    let force = options.force;
    let remote = store.remote(remote_name)?;
    let info = store.document(document)?;
    let head = store.head(document)?;
    if options.as_new && remote.kind != RemoteKind::Sim {
        return Err(Error::Unsupported(format!("`--as-new` is for Sim remotes; `{remote_name}` is a {} remote", remote.kind.as_str())));
    }
    // Validate first: a document with errors is refused before anything is queued or sent.
    if !options.allow_invalid {
        let errors = push_blockers(&head.document(document)?)?;
        if !errors.is_empty() {
            let error = errors.iter().map(|d| format!("{}: error[{}]: {}", d.path, d.code, d.message)).collect::<Vec<_>>().join("\n");
            return Ok(PushOutcome::Invalid { document: document.to_string(), error, diagnostics: errors });
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
                return Err(Error::Unsupported(format!("`{document}` is a journey; a Sim remote takes Sim workflows")));
            }
            sim_sync::initial_remote_id(store, document, head.info.id)?
        }
        (None, RemoteKind::Parlant) => {
            let local = journey_of(store, head.info.id, document)?;
            match local.journey.id.get() {
                Some(id) if !id.is_empty() => id.clone(),
                _ => new_journey_id(store, document)?,
            }
        }
    };
    store.claim_remote_id(info.id, remote_name, &remote_id)?;
    let entry = store.enqueue_push(info.id, remote_name, head.info.id, &remote_id)?;
    let outcome = process(store, &entry, force).await?;
    Ok(match outcome {
        PushOutcome::Pushed { document, remote_id, created, requests, superseded: None } if superseded.is_some() => {
            PushOutcome::Pushed { document, remote_id, created, requests, superseded }
        }
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

async fn process(store: &mut Store, entry: &OutboxEntry, force: bool) -> Result<PushOutcome> {
    let remote = store.remote(&entry.remote)?;
    if remote.kind == RemoteKind::Sim {
        return sim_sync::process(store, entry, &remote, force).await;
    }
    let client = parlant_client(&remote)?;
    let local = journey_of(store, entry.revision_id, &entry.document)?;
    let state = store.sync_state(entry.document_id, &remote.name)?;
    // A journey under the id this workspace derived for the document, never synced: only an
    // earlier attempt of this push can have written it (e.g. a create that timed out on our
    // side but landed), so it is ours to complete, not a conflict.
    let ours_unsynced = state.as_ref().is_none_or(|s| s.base_hash.is_none()) && entry.remote_id == new_journey_id(store, &entry.document)?;

    let result = async {
        let agent_id = client.ensure_agent(&agent_name(&remote)).await?;
        let agent_tag = format!("agent:{agent_id}");
        let ignore = vec![agent_tag.clone()];
        let local_hash = projection_hash(&local, &ignore);
        let current = client.fetch(&entry.remote_id).await?;
        if let Some(current) = &current {
            let remote_hash = projection_hash(&current.doc, &ignore);
            if remote_hash == local_hash {
                return Ok((None, agent_tag, local_hash, true));
            }
            let base_hash = state.as_ref().and_then(|s| s.base_hash.clone());
            let changed_remotely = base_hash.as_deref() != Some(remote_hash.as_str());
            if changed_remotely && entry.state != OutboxState::Started && !ours_unsynced && !force {
                return Ok((Some(current.doc.clone()), agent_tag, local_hash, false));
            }
        }
        Ok::<_, Error>((None, agent_tag, local_hash, false))
    }
    .await;

    let (conflicting, agent_tag, local_hash, up_to_date) = match result {
        Ok(v) => v,
        Err(e) => return queue_or_fail(store, entry, e, false),
    };
    let local_content = local.to_json();
    if up_to_date {
        store.set_synced(entry.document_id, &remote.name, &entry.remote_id, Some(entry.revision_id), &local_hash, &local_content)?;
        store.mark_outbox(entry.id, OutboxState::Done, None)?;
        return Ok(PushOutcome::UpToDate { document: entry.document.clone(), remote_id: entry.remote_id.clone() });
    }
    if let Some(theirs) = conflicting {
        let base = state.as_ref().and_then(|s| s.base_content.clone());
        let theirs_content = theirs.to_json();
        store.record_conflict(entry.document_id, &remote.name, base.as_deref(), &local_content, &theirs_content)?;
        store.mark_outbox(entry.id, OutboxState::Conflict, Some("the remote changed since the last sync"))?;
        let diff = crate::store::unified_diff(&theirs_content, &local_content, "remote (theirs)", "local (mine)");
        return Ok(PushOutcome::Conflict { document: entry.document.clone(), diff });
    }
    store.mark_outbox(entry.id, OutboxState::Started, None)?;
    match client.push(&local, &entry.remote_id, &[agent_tag]).await {
        Ok(report) => {
            store.set_synced(entry.document_id, &remote.name, &entry.remote_id, Some(entry.revision_id), &local_hash, &local_content)?;
            store.mark_outbox(entry.id, OutboxState::Done, None)?;
            Ok(PushOutcome::Pushed { document: entry.document.clone(), remote_id: entry.remote_id.clone(), created: report.created, requests: report.requests, superseded: None })
        }
        Err(failure) => queue_or_fail(store, entry, failure.error, failure.dirty),
    }
}

pub(crate) fn queue_or_fail(store: &mut Store, entry: &OutboxEntry, error: Error, dirty: bool) -> Result<PushOutcome> {
    let message = error.to_string();
    match error.retry_hint() {
        Some(retry_after) => {
            store.mark_outbox(entry.id, if dirty || entry.state == OutboxState::Started { OutboxState::Started } else { OutboxState::Pending }, None)?;
            let e = store.retry_later(entry.id, &message, retry_after.map(|s| s as i64))?;
            Ok(PushOutcome::Queued { document: entry.document.clone(), error: message, next_attempt_at: e.next_attempt_at })
        }
        None => {
            store.mark_outbox(entry.id, if dirty || entry.state == OutboxState::Started { OutboxState::Started } else { OutboxState::Failed }, Some(&message))?;
            Err(error)
        }
    }
}

/// Pulls journey (or Sim workflow) `remote_id` into `document` (created when absent).
pub async fn pull(store: &mut Store, remote_name: &str, remote_id: &str, document: &str) -> Result<PullOutcome> {
    let remote = store.remote(remote_name)?;
    if remote.kind == RemoteKind::Sim {
        return sim_sync::pull(store, &remote, remote_id, document).await;
    }
    require_parlant(&remote)?;
    let client = parlant_client(&remote)?;
    let agent_id = client.ensure_agent(&agent_name(&remote)).await?;
    let ignore = vec![format!("agent:{agent_id}")];
    let fetched = client
        .fetch(remote_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("remote `{remote_name}` has no journey `{remote_id}`")))?;
    let mut theirs = fetched.doc;
    let remote_hash = projection_hash(&theirs, &ignore);
    let existing = store.documents()?.into_iter().find(|d| d.name == document);
    let Some(info) = existing else {
        let saved = store.save(document, &Document::Journey(theirs.clone()), &format!("pull from {remote_name}"))?;
        store.set_synced(saved.document_id, remote_name, remote_id, Some(saved.revision), &remote_hash, &theirs.to_json())?;
        return Ok(PullOutcome::Created { document: document.into(), revision: saved.revision });
    };
    let head = store.head(document)?;
    let local = journey_of(store, head.info.id, document)?;
    // Editor-only data never goes to the server: keep ours (layout, and the preview values of
    // context variables, which Parlant does not hold).
    theirs.editor = local.editor.clone();
    if theirs.editor.is_absent() {
        theirs.editor = Maybe::Absent;
    }
    keep_preview_values(&mut theirs, &local);
    let local_hash = projection_hash(&local, &ignore);
    let state = store.sync_state(info.id, remote_name)?;
    let base_hash = state.as_ref().and_then(|s| s.base_hash.clone());
    if local_hash == remote_hash {
        store.set_synced(info.id, remote_name, remote_id, Some(head.info.id), &remote_hash, &local.to_json())?;
        return Ok(PullOutcome::UpToDate { document: document.into() });
    }
    if base_hash.as_deref() == Some(local_hash.as_str()) {
        let saved = store.save(document, &Document::Journey(theirs.clone()), &format!("pull from {remote_name}"))?;
        store.set_synced(info.id, remote_name, remote_id, Some(saved.revision), &remote_hash, &theirs.to_json())?;
        return Ok(PullOutcome::Updated { document: document.into(), revision: saved.revision });
    }
    if base_hash.as_deref() == Some(remote_hash.as_str()) {
        return Ok(PullOutcome::LocalAhead { document: document.into() });
    }
    let base = state.and_then(|s| s.base_content);
    let theirs_content = theirs.to_json();
    store.record_conflict(info.id, remote_name, base.as_deref(), &head.content, &theirs_content)?;
    let diff = crate::store::unified_diff(&theirs_content, &head.content, "remote (theirs)", "local (mine)");
    Ok(PullOutcome::Conflict { document: document.into(), diff })
}

/// Copies the preview `value` of each context variable of `local` onto `theirs` (by name).
fn keep_preview_values(theirs: &mut JourneyDocument, local: &JourneyDocument) {
    let values: std::collections::HashMap<&str, &Maybe<serde_json::Value>> = local.context_variables().iter().map(|v| (v.name.as_str(), &v.value)).collect();
    if let Some(variables) = theirs.context_variables.get_mut() {
        for v in variables.iter_mut() {
            if let Some(value) = values.get(v.name.as_str()) {
                v.value = (*value).clone();
            }
        }
    }
}

/// Resolves the open conflict of `document` with `remote_name`.
pub fn resolve(store: &mut Store, document: &str, remote_name: &str, how: Resolution) -> Result<String> {
    let conflict = store
        .open_conflicts()?
        .into_iter()
        .find(|c| c.document == document && c.remote == remote_name)
        .ok_or_else(|| Error::NotFound(format!("no open conflict for `{document}` with `{remote_name}`")))?;
    let info = store.document(document)?;
    let state = store.sync_state(info.id, remote_name)?.ok_or_else(|| Error::NotFound(format!("`{document}` was never synced with `{remote_name}`")))?;
    let theirs = Document::parse("remote copy", &conflict.remote_content)?;
    let theirs_hash = match &theirs {
        Document::Journey(j) => {
            let agent_tags: Vec<String> = j.journey.tags.get().map(|t| t.iter().filter(|t| t.starts_with("agent:")).cloned().collect()).unwrap_or_default();
            projection_hash(j, &agent_tags)
        }
        Document::Sim(_) => sim_sync::content_projection_hash(&conflict.remote_content)?,
    };
    let message = match how {
        Resolution::KeepMine => {
            // The remote becomes the base: the next push overwrites it with mine.
            store.set_synced(info.id, remote_name, &state.remote_id, state.base_revision, &theirs_hash, &conflict.remote_content)?;
            "kept mine: `journey-studio push` now replaces the remote copy".to_string()
        }
        Resolution::TakeTheirs => {
            let mut theirs = theirs.clone();
            if let (Document::Journey(t), Ok(Document::Journey(local))) = (&mut theirs, Document::parse(document, &conflict.local_content)) {
                t.editor = local.editor;
            }
            let saved = store.save(document, &theirs, &format!("take theirs from {remote_name}"))?;
            store.set_synced(info.id, remote_name, &state.remote_id, Some(saved.revision), &theirs_hash, &theirs.to_json())?;
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
            store.save(&copy_name, &copy, &format!("remote copy from {remote_name}"))?;
            store.set_synced(info.id, remote_name, &state.remote_id, state.base_revision, &theirs_hash, &conflict.remote_content)?;
            format!("kept both: theirs saved as `{copy_name}`; `journey-studio push` replaces the remote with mine")
        }
    };
    store.resolve_conflict(conflict.id, match how {
        Resolution::KeepMine => "mine",
        Resolution::TakeTheirs => "theirs",
        Resolution::Both => "both",
    })?;
    for e in store.outbox()? {
        if e.document_id == info.id && e.remote == remote_name && e.state == OutboxState::Conflict {
            let next = if how == Resolution::TakeTheirs { OutboxState::Done } else { OutboxState::Pending };
            store.mark_outbox(e.id, next, None)?;
        }
    }
    Ok(message)
}
