//! Push and pull of journeys with a Parlant server, through the outbox (`engine`): the journey,
//! its graph (the graph module), guidelines, context variables and tags.

use super::outcome::{queue_or_fail, PullOutcome, PushOutcome};
use super::parlant::{projection_hash, ParlantClient};
use super::secrets;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::json::Maybe;
use crate::parlant::JourneyDocument;
use crate::store::{content_hash, OutboxEntry, OutboxState, Remote, Store};

/// The agent a Parlant remote scopes journeys to (`agent` option; default "Journey Studio").
fn agent_name(remote: &Remote) -> String {
    remote
        .option("agent")
        .unwrap_or("Journey Studio")
        .to_string()
}

pub fn parlant_client(remote: &Remote) -> Result<ParlantClient> {
    ParlantClient::new(&remote.name, &remote.url, secrets::api_key(&remote.name)?)
}

pub fn journey_of(store: &Store, revision: i64, name: &str) -> Result<JourneyDocument> {
    match store.revision(revision)?.document(name)? {
        Document::Journey(j) => Ok(j),
        Document::Sim(_) => Err(Error::Unsupported(format!(
            "`{name}` is a Sim workflow; a Parlant remote takes journeys"
        ))),
    }
}

/// A stable journey id for a document that has none yet: derived from the workspace and the
/// document, so every retry of the first push uses the same one.
pub fn new_journey_id(store: &Store, document: &str) -> Result<String> {
    let h = content_hash(&format!("{}:{document}", store.workspace_id()?));
    Ok(format!("js-{}", &h[..20]))
}

/// The remote id a journey gets on its first push: its own id when it has one, else one derived
/// from the workspace and the document.
pub fn initial_remote_id(store: &Store, document: &str, revision: i64) -> Result<String> {
    let local = journey_of(store, revision, document)?;
    match local.journey.id.get() {
        Some(id) if !id.is_empty() => Ok(id.clone()),
        _ => new_journey_id(store, document),
    }
}

/// The hash a conflict's remote copy is compared by (the agent's tags left out).
pub fn conflict_hash(theirs: &JourneyDocument) -> String {
    let agent_tags: Vec<String> = theirs
        .journey
        .tags
        .get()
        .map(|t| {
            t.iter()
                .filter(|t| t.starts_with("agent:"))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    projection_hash(theirs, &agent_tags)
}

/// Sends an outbox entry to a Parlant remote: compares base, local and remote first (a remote
/// changed since the last sync is a conflict), then writes the journey through the graph module.
pub async fn process(
    store: &mut Store,
    entry: &OutboxEntry,
    remote: &Remote,
    force: bool,
) -> Result<PushOutcome> {
    let client = parlant_client(remote)?;
    let local = journey_of(store, entry.revision_id, &entry.document)?;
    let state = store.sync_state(entry.document_id, &remote.name)?;
    // A journey under the id this workspace derived for the document, never synced: only an
    // earlier attempt of this push can have written it (e.g. a create that timed out on our
    // side but landed), so it is ours to complete, not a conflict.
    let ours_unsynced = state.as_ref().is_none_or(|s| s.base_hash.is_none())
        && entry.remote_id == new_journey_id(store, &entry.document)?;

    let result = async {
        let agent_id = client.ensure_agent(&agent_name(remote)).await?;
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
        store.set_synced(
            entry.document_id,
            &remote.name,
            &entry.remote_id,
            Some(entry.revision_id),
            &local_hash,
            &local_content,
        )?;
        store.mark_outbox(entry.id, OutboxState::Done, None)?;
        return Ok(PushOutcome::UpToDate {
            document: entry.document.clone(),
            remote_id: entry.remote_id.clone(),
        });
    }
    if let Some(theirs) = conflicting {
        let base = state.as_ref().and_then(|s| s.base_content.clone());
        let theirs_content = theirs.to_json();
        store.record_conflict(
            entry.document_id,
            &remote.name,
            base.as_deref(),
            &local_content,
            &theirs_content,
        )?;
        store.mark_outbox(
            entry.id,
            OutboxState::Conflict,
            Some("the remote changed since the last sync"),
        )?;
        let diff = crate::store::unified_diff(
            &theirs_content,
            &local_content,
            "remote (theirs)",
            "local (mine)",
        );
        return Ok(PushOutcome::Conflict {
            document: entry.document.clone(),
            diff,
        });
    }
    store.mark_outbox(entry.id, OutboxState::Started, None)?;
    match client.push(&local, &entry.remote_id, &[agent_tag]).await {
        Ok(report) => {
            store.set_synced(
                entry.document_id,
                &remote.name,
                &entry.remote_id,
                Some(entry.revision_id),
                &local_hash,
                &local_content,
            )?;
            store.mark_outbox(entry.id, OutboxState::Done, None)?;
            Ok(PushOutcome::Pushed {
                document: entry.document.clone(),
                remote_id: entry.remote_id.clone(),
                created: report.created,
                requests: report.requests,
                superseded: None,
            })
        }
        Err(failure) => queue_or_fail(store, entry, failure.error, failure.dirty),
    }
}

/// Pulls journey `remote_id` of a Parlant remote into `document` (created when absent).
pub async fn pull(
    store: &mut Store,
    remote: &Remote,
    remote_id: &str,
    document: &str,
) -> Result<PullOutcome> {
    let remote_name = remote.name.as_str();
    let client = parlant_client(remote)?;
    let agent_id = client.ensure_agent(&agent_name(remote)).await?;
    let ignore = vec![format!("agent:{agent_id}")];
    let fetched = client.fetch(remote_id).await?.ok_or_else(|| {
        Error::NotFound(format!(
            "remote `{remote_name}` has no journey `{remote_id}`"
        ))
    })?;
    let mut theirs = fetched.doc;
    let remote_hash = projection_hash(&theirs, &ignore);
    let existing = store.documents()?.into_iter().find(|d| d.name == document);
    let Some(info) = existing else {
        let saved = store.save(
            document,
            &Document::Journey(theirs.clone()),
            &format!("pull from {remote_name}"),
        )?;
        store.set_synced(
            saved.document_id,
            remote_name,
            remote_id,
            Some(saved.revision),
            &remote_hash,
            &theirs.to_json(),
        )?;
        return Ok(PullOutcome::Created {
            document: document.into(),
            revision: saved.revision,
        });
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
        store.set_synced(
            info.id,
            remote_name,
            remote_id,
            Some(head.info.id),
            &remote_hash,
            &local.to_json(),
        )?;
        return Ok(PullOutcome::UpToDate {
            document: document.into(),
        });
    }
    if base_hash.as_deref() == Some(local_hash.as_str()) {
        let saved = store.save(
            document,
            &Document::Journey(theirs.clone()),
            &format!("pull from {remote_name}"),
        )?;
        store.set_synced(
            info.id,
            remote_name,
            remote_id,
            Some(saved.revision),
            &remote_hash,
            &theirs.to_json(),
        )?;
        return Ok(PullOutcome::Updated {
            document: document.into(),
            revision: saved.revision,
        });
    }
    if base_hash.as_deref() == Some(remote_hash.as_str()) {
        return Ok(PullOutcome::LocalAhead {
            document: document.into(),
        });
    }
    let base = state.and_then(|s| s.base_content);
    let theirs_content = theirs.to_json();
    super::outcome::record_pull_conflict(
        store,
        info.id,
        document,
        remote_name,
        base.as_deref(),
        &head.content,
        &theirs_content,
    )
}

/// Copies the preview `value` of each context variable of `local` onto `theirs` (by name).
fn keep_preview_values(theirs: &mut JourneyDocument, local: &JourneyDocument) {
    let values: std::collections::HashMap<&str, &Maybe<serde_json::Value>> = local
        .context_variables()
        .iter()
        .map(|v| (v.name.as_str(), &v.value))
        .collect();
    if let Some(variables) = theirs.context_variables.get_mut() {
        for v in variables.iter_mut() {
            if let Some(value) = values.get(v.name.as_str()) {
                v.value = (*value).clone();
            }
        }
    }
}
