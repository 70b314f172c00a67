//! Push and pull of Sim workflows, through the same outbox, conflict and secret machinery as
//! Parlant (`engine` dispatches to this backend and to `parlant_sync`).
//!
//! Push: the workflow's draft is replaced in place (`PUT /api/workflows/{id}/state`, session
//! cookie) when it exists on the server; without a cookie that push is refused (never silently
//! turned into an import), unless `--as-new` asked for a new workflow. A workflow never pushed
//! (or gone from the server) is imported as a new one (`POST /api/v2/workflows/import`), into
//! the remote's folder when it has one. Sim chooses the new workflow's id and
//! gives its blocks new ids, so:
//! - idempotency: before importing, the entry's id is a placeholder `import:<token>` committed
//!   with the outbox entry, and the token travels in the imported workflow's description; a
//!   retry whose earlier import landed (answer lost) finds it by listing the workspace (all
//!   pages) instead of importing twice;
//! - the base of the three-way comparison is what the server holds after the push (its export),
//!   and "local changed" means a revision other than the base revision.
//!
//! Sides are compared by a projection of the state: blocks, edges (by id), loops, parallels
//! and variables, keys sorted; not `metadata`, `lastSaved`, `isDeployed`, `deployedAt`.

use super::outcome::{queue_or_fail, PullOutcome, PushOutcome};
use super::secrets::{self, SecretKind};
use super::sim::{SimClient, SESSION_COOKIE as SESSION_COOKIE_NAME};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::sim::SimDocument;
use crate::store::{content_hash, OutboxEntry, OutboxState, Remote, Store};
use serde_json::{json, Map, Value};

/// Prefix of the placeholder remote id of a workflow not imported yet.
pub const IMPORT_PREFIX: &str = "import:";

pub fn sim_client(remote: &Remote) -> Result<SimClient> {
    SimClient::new(
        &remote.name,
        &remote.url,
        secrets::secret(&remote.name, SecretKind::ApiKey)?,
        secrets::secret(&remote.name, SecretKind::SessionCookie)?,
    )
}

/// The Sim workspace new workflows go to (`--sim-workspace` of `remote add`).
pub fn workspace_id(remote: &Remote) -> Result<String> {
    remote.option("workspace_id").map(str::to_string).ok_or_else(|| {
        Error::Rejected(format!("remote `{}` has no Sim workspace id: `journey-studio remote add {} --kind sim --url ... --sim-workspace <id>`", remote.name, remote.name))
    })
}

/// The folder new workflows go to (`--sim-folder` of `remote add`), as Sim's canonical path
/// (`/Operations/New%20folder`); None = the workspace root.
pub fn folder_path(remote: &Remote) -> Result<Option<String>> {
    match remote.option("folder") {
        None => Ok(None),
        Some(f) => canonical_folder_path(f)
            .map(|p| (p != "/").then_some(p))
            .map_err(|why| {
                Error::Rejected(format!(
                    "remote `{}`: Sim folder `{f}` is not valid: {why}",
                    remote.name
                ))
            }),
    }
}

/// Sim's folder path rules (FolderPathInput): a leading `/` (added when missing), segments
/// percent-encoded except `A-Z a-z 0-9 - _ . ~` (a segment given already encoded is kept), no
/// empty, `.` or `..` segment, no trailing `/`, at most 64 segments and 4096 bytes.
pub fn canonical_folder_path(given: &str) -> std::result::Result<String, String> {
    let trimmed = given.trim();
    if trimmed.is_empty() || trimmed == "/" {
        return Ok("/".into());
    }
    let body = trimmed.strip_prefix('/').unwrap_or(trimmed);
    let mut out = String::new();
    let mut count = 0;
    for seg in body.split('/') {
        count += 1;
        if seg.is_empty() {
            return Err("an empty segment (or a trailing `/`)".into());
        }
        let decoded = percent_decode(seg).unwrap_or_else(|| seg.to_string());
        if decoded == "." || decoded == ".." {
            return Err("a `.` or `..` segment".into());
        }
        out.push('/');
        for b in decoded.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if count > 64 {
        return Err(format!("{count} segments (Sim allows 64)"));
    }
    if out.len() > 4096 {
        return Err(format!("{} bytes encoded (Sim allows 4096)", out.len()));
    }
    Ok(out)
}

/// `%XX` sequences decoded; None when the text is not a valid encoding of UTF-8.
fn percent_decode(seg: &str) -> Option<String> {
    let bytes = seg.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = seg.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&m[k])))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// The part of a workflow state both sides must agree on, canonical.
pub fn projection(state: &Value) -> Value {
    let mut out = Map::new();
    for key in ["blocks", "loops", "parallels", "variables"] {
        let v = state.get(key).cloned().unwrap_or_else(|| json!({}));
        out.insert(key.into(), sorted(&v));
    }
    let mut edges: Vec<Value> = state
        .get("edges")
        .and_then(|e| e.as_array())
        .cloned()
        .unwrap_or_default();
    edges.sort_by(|a, b| {
        a.get("id")
            .and_then(|x| x.as_str())
            .cmp(&b.get("id").and_then(|x| x.as_str()))
    });
    out.insert("edges".into(), sorted(&Value::Array(edges)));
    Value::Object(out)
}

pub fn projection_hash(state: &Value) -> String {
    content_hash(&projection(state).to_string())
}

fn state_value(doc: &SimDocument) -> Value {
    serde_json::to_value(doc.state()).unwrap_or(Value::Null)
}

fn sim_of(store: &Store, revision: i64, name: &str) -> Result<SimDocument> {
    match store.revision(revision)?.document(name)? {
        Document::Sim(w) => Ok(w),
        Document::Journey(_) => Err(Error::Unsupported(format!(
            "`{name}` is a journey; a Sim remote takes Sim workflows"
        ))),
    }
}

/// The token that marks this workspace's import of a revision of `document`.
pub fn import_token(store: &Store, document: &str, revision: i64) -> Result<String> {
    Ok(content_hash(&format!(
        "sim-import:{}:{document}:{revision}",
        store.workspace_id()?
    ))[..20]
        .to_string())
}

fn marker(token: &str) -> String {
    format!("[journey-studio:{token}]")
}

/// The remote id a first push of `document` starts with (a placeholder until Sim names it).
pub fn initial_remote_id(store: &Store, document: &str, revision: i64) -> Result<String> {
    Ok(format!(
        "{IMPORT_PREFIX}{}",
        import_token(store, document, revision)?
    ))
}

/// An export as a workspace document (the envelope Sim's export gives).
fn document_of_export(remote: &str, export: &Value) -> Result<SimDocument> {
    SimDocument::parse(&format!("export from {remote}"), &export.to_string())
}

/// What the server holds for `id`: (export envelope, state hash); None when absent.
async fn fetch(client: &SimClient, id: &str) -> Result<Option<(Value, String)>> {
    if id.starts_with(IMPORT_PREFIX) {
        return Ok(None);
    }
    Ok(client.export(id).await?.map(|e| {
        let hash = projection_hash(e.get("state").unwrap_or(&Value::Null));
        (e, hash)
    }))
}

/// The workflow an earlier import of this workspace marked with `token`, if one landed.
async fn find_import(client: &SimClient, workspace: &str, token: &str) -> Result<Option<String>> {
    let wanted = marker(token);
    let all = client.list_all(workspace, None, Some(100)).await?;
    Ok(all
        .iter()
        .find(|w| {
            w.get("description")
                .and_then(|d| d.as_str())
                .is_some_and(|d| d.contains(&wanted))
        })
        .and_then(|w| w.get("id"))
        .and_then(|i| i.as_str())
        .map(str::to_string))
}

fn remote_err(remote: &Remote, message: String, retryable: bool) -> Error {
    Error::Remote {
        remote: remote.name.clone(),
        message,
        retryable,
        retry_after: None,
    }
}

/// Sends one outbox entry to a Sim remote.
pub async fn process(
    store: &mut Store,
    entry: &OutboxEntry,
    remote: &Remote,
    force: bool,
) -> Result<PushOutcome> {
    let client = sim_client(remote)?;
    let ws = workspace_id(remote)?;
    // A bad folder setting fails the entry before anything is sent.
    let folder = match folder_path(remote) {
        Ok(f) => f,
        Err(e) => return queue_or_fail(store, entry, e, false),
    };
    let local = sim_of(store, entry.revision_id, &entry.document)?;
    let local_state = state_value(&local);
    let local_hash = projection_hash(&local_state);
    let state = store.sync_state(entry.document_id, &remote.name)?;
    let base_hash = state.as_ref().and_then(|s| s.base_hash.clone());
    let never_synced = base_hash.is_none();
    let mut remote_id = entry.remote_id.clone();
    let mut requests = 0usize;

    // Read: find the workflow (an earlier attempt's import may have landed), compare sides.
    let mut finished_import = false;
    if let Some(token) = remote_id.strip_prefix(IMPORT_PREFIX).map(str::to_string) {
        match find_import(&client, &ws, &token).await {
            Ok(Some(id)) => {
                // Ours: adopt its id. If it carried this very revision, the push is done.
                finished_import = token == import_token(store, &entry.document, entry.revision_id)?;
                store.claim_remote_id(entry.document_id, &remote.name, &id)?;
                store.set_outbox_remote_id(entry.id, &id)?;
                remote_id = id;
            }
            Ok(None) => {}
            Err(e) => return queue_or_fail(store, entry, e, false),
        }
    }
    let current = match fetch(&client, &remote_id).await {
        Ok(c) => c,
        Err(e) => return queue_or_fail(store, entry, e, false),
    };
    let entry = &store.outbox_entry(entry.id)?;

    if let Some((export, remote_hash)) = &current {
        let same_as_base = base_hash.as_deref() == Some(remote_hash.as_str());
        let unchanged_locally =
            state.as_ref().and_then(|s| s.base_revision) == Some(entry.revision_id);
        if *remote_hash == local_hash || (same_as_base && unchanged_locally) || finished_import {
            let theirs = document_of_export(&remote.name, export)?;
            store.set_synced(
                entry.document_id,
                &remote.name,
                &remote_id,
                Some(entry.revision_id),
                remote_hash,
                &theirs.to_json(),
            )?;
            store.mark_outbox(entry.id, OutboxState::Done, None)?;
            if finished_import {
                return Ok(PushOutcome::Pushed {
                    document: entry.document.clone(),
                    remote_id,
                    created: true,
                    requests,
                    superseded: None,
                });
            }
            return Ok(PushOutcome::UpToDate {
                document: entry.document.clone(),
                remote_id,
            });
        }
        if !same_as_base && !never_synced && entry.state != OutboxState::Started && !force {
            let theirs = document_of_export(&remote.name, export)?.to_json();
            let mine = local.to_json();
            let base = state.as_ref().and_then(|s| s.base_content.clone());
            store.record_conflict(
                entry.document_id,
                &remote.name,
                base.as_deref(),
                &mine,
                &theirs,
            )?;
            store.mark_outbox(
                entry.id,
                OutboxState::Conflict,
                Some("the remote changed since the last sync"),
            )?;
            let diff =
                crate::store::unified_diff(&theirs, &mine, "remote (theirs)", "local (mine)");
            return Ok(PushOutcome::Conflict {
                document: entry.document.clone(),
                diff,
            });
        }
    }

    // Write: in place (needs the session cookie), else import a new workflow. An existing
    // workflow is never silently replaced by an import: without a cookie the push is refused
    // and says what to do (`--as-new` imports on purpose: the entry then carries a placeholder
    // id, so `current` is None here).
    if current.is_some() && !client.has_session() {
        let message = format!(
            "cannot update workflow `{remote_id}` in place: remote `{}` has no editor session cookie ({SESSION_COOKIE_NAME}), and Sim's only in-place update (PUT /api/workflows/{{id}}/state) refuses API keys. \
             Add the cookie with `journey-studio remote add {} --kind sim --url {} --sim-workspace {ws} --session-cookie-stdin`, \
             or push with `--as-new` to import it as a NEW workflow (`{remote_id}` stays unchanged)",
            remote.name, remote.name, remote.url
        );
        return queue_or_fail(store, entry, remote_err(remote, message, false), false);
    }
    store.mark_outbox(entry.id, OutboxState::Started, None)?;
    let in_place = current.is_some();
    let new_id = if in_place {
        requests += 1;
        if let Err(e) = client.put_state(&remote_id, &local_state).await {
            return queue_or_fail(store, entry, e, false);
        }
        remote_id.clone()
    } else {
        // The placeholder (with this revision's token) is committed before the import is sent,
        // so a retry whose import landed finds it instead of importing twice.
        let token = import_token(store, &entry.document, entry.revision_id)?;
        let placeholder = format!("{IMPORT_PREFIX}{token}");
        store.claim_remote_id(entry.document_id, &remote.name, &placeholder)?;
        store.set_outbox_remote_id(entry.id, &placeholder)?;
        let name = local_name(&local, &entry.document);
        let description = local
            .state()
            .metadata
            .get()
            .and_then(|m| serde_json::to_value(m).ok())
            .and_then(|m| {
                m.get("description")
                    .and_then(|d| d.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let description = if description.is_empty() {
            marker(&token)
        } else {
            format!("{description}\n{}", marker(&token))
        };
        let envelope = json!({"version": "1.0", "workflow": {"name": name, "description": description}, "state": local_state});
        if let Some(folder) = folder.as_deref() {
            if let Err(e) = client.ensure_folder(&ws, folder).await {
                return queue_or_fail(store, entry, e, false);
            }
        }
        requests += 1;
        let imported = match client
            .import(&ws, &envelope, Some(&name), folder.as_deref())
            .await
        {
            Ok(v) => v,
            // A transient failure stays `started`: the import may have landed; the retry
            // looks for it first.
            Err(e) => {
                let dirty = e.retry_hint().is_some();
                return queue_or_fail(store, entry, e, dirty);
            }
        };
        let Some(id) = imported
            .get("id")
            .and_then(|i| i.as_str())
            .map(str::to_string)
        else {
            return queue_or_fail(
                store,
                entry,
                remote_err(
                    remote,
                    "POST /api/v2/workflows/import: the answer has no id".into(),
                    false,
                ),
                true,
            );
        };
        store.claim_remote_id(entry.document_id, &remote.name, &id)?;
        store.set_outbox_remote_id(entry.id, &id)?;
        id
    };
    // The base is what the server now holds (Sim renames blocks on import).
    let after = match fetch(&client, &new_id).await {
        Ok(Some(v)) => v,
        Ok(None) => {
            return queue_or_fail(
                store,
                entry,
                remote_err(
                    remote,
                    format!("workflow `{new_id}` vanished right after the push"),
                    true,
                ),
                true,
            )
        }
        Err(e) => return queue_or_fail(store, entry, e, true),
    };
    let theirs = document_of_export(&remote.name, &after.0)?;
    store.set_synced(
        entry.document_id,
        &remote.name,
        &new_id,
        Some(entry.revision_id),
        &after.1,
        &theirs.to_json(),
    )?;
    store.mark_outbox(entry.id, OutboxState::Done, None)?;
    Ok(PushOutcome::Pushed {
        document: entry.document.clone(),
        remote_id: new_id,
        created: !in_place,
        requests,
        superseded: None,
    })
}

/// The workflow's name: its metadata name, else the document name.
fn local_name(doc: &SimDocument, document: &str) -> String {
    let from_meta = doc
        .export
        .workflow
        .get()
        .and_then(|w| serde_json::to_value(w).ok())
        .and_then(|w| w.get("name").and_then(|n| n.as_str()).map(str::to_string));
    let from_state = doc
        .state()
        .metadata
        .get()
        .and_then(|m| serde_json::to_value(m).ok())
        .and_then(|m| m.get("name").and_then(|n| n.as_str()).map(str::to_string));
    let name = from_meta
        .or(from_state)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| document.to_string());
    name.chars().take(200).collect()
}

/// Pulls (exports) workflow `remote_id` into `document` (created when absent).
pub async fn pull(
    store: &mut Store,
    remote: &Remote,
    remote_id: &str,
    document: &str,
) -> Result<PullOutcome> {
    let client = sim_client(remote)?;
    let (export, remote_hash) = fetch(&client, remote_id).await?.ok_or_else(|| {
        Error::NotFound(format!(
            "remote `{}` has no workflow `{remote_id}`",
            remote.name
        ))
    })?;
    let theirs = document_of_export(&remote.name, &export)?;
    let theirs_content = theirs.to_json();
    let existing = store.documents()?.into_iter().find(|d| d.name == document);
    let Some(info) = existing else {
        let saved = store.save(
            document,
            &Document::Sim(theirs),
            &format!("pull from {}", remote.name),
        )?;
        store.set_synced(
            saved.document_id,
            &remote.name,
            remote_id,
            Some(saved.revision),
            &remote_hash,
            &theirs_content,
        )?;
        return Ok(PullOutcome::Created {
            document: document.into(),
            revision: saved.revision,
        });
    };
    let head = store.head(document)?;
    let local = sim_of(store, head.info.id, document)?;
    let local_hash = projection_hash(&state_value(&local));
    let state = store.sync_state(info.id, &remote.name)?;
    let base_hash = state.as_ref().and_then(|s| s.base_hash.clone());
    let unchanged_locally = state.as_ref().and_then(|s| s.base_revision) == Some(head.info.id);
    let same_as_base = base_hash.as_deref() == Some(remote_hash.as_str());
    if local_hash == remote_hash || (same_as_base && unchanged_locally) {
        store.set_synced(
            info.id,
            &remote.name,
            remote_id,
            Some(head.info.id),
            &remote_hash,
            &theirs_content,
        )?;
        return Ok(PullOutcome::UpToDate {
            document: document.into(),
        });
    }
    if unchanged_locally {
        let saved = store.save(
            document,
            &Document::Sim(theirs),
            &format!("pull from {}", remote.name),
        )?;
        store.set_synced(
            info.id,
            &remote.name,
            remote_id,
            Some(saved.revision),
            &remote_hash,
            &theirs_content,
        )?;
        return Ok(PullOutcome::Updated {
            document: document.into(),
            revision: saved.revision,
        });
    }
    if same_as_base {
        return Ok(PullOutcome::LocalAhead {
            document: document.into(),
        });
    }
    let base = state.and_then(|s| s.base_content);
    super::outcome::record_pull_conflict(
        store,
        info.id,
        document,
        &remote.name,
        base.as_deref(),
        &head.content,
        &theirs_content,
    )
}

/// The hash a resolved conflict's remote copy becomes the base with.
pub fn content_projection_hash(content: &str) -> Result<String> {
    match Document::parse("remote copy", content)? {
        Document::Sim(w) => Ok(projection_hash(&state_value(&w))),
        Document::Journey(_) => Err(Error::Unsupported(
            "conflict copy is not a Sim workflow".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_ignores_key_order_edge_order_and_save_stamps() {
        let a = json!({"blocks": {"b": {"y": 1, "x": 2}}, "edges": [{"id": "2"}, {"id": "1"}], "lastSaved": 1});
        let b = json!({"edges": [{"id": "1"}, {"id": "2"}], "blocks": {"b": {"x": 2, "y": 1}}, "lastSaved": 2, "loops": {}});
        assert_eq!(projection_hash(&a), projection_hash(&b));
        let c = json!({"blocks": {"b": {"x": 3, "y": 1}}, "edges": [{"id": "1"}, {"id": "2"}]});
        assert_ne!(projection_hash(&a), projection_hash(&c));
    }

    #[test]
    fn folder_paths_follow_sims_canonical_form() {
        assert_eq!(
            canonical_folder_path("Operations/New folder").unwrap(),
            "/Operations/New%20folder"
        );
        assert_eq!(
            canonical_folder_path("/Operations/New%20folder").unwrap(),
            "/Operations/New%20folder"
        );
        assert_eq!(
            canonical_folder_path("/Ops/café").unwrap(),
            "/Ops/caf%C3%A9"
        );
        assert_eq!(canonical_folder_path("").unwrap(), "/");
        for bad in ["/a/", "/a//b", "/a/../b", "/%2E%2E"] {
            assert!(canonical_folder_path(bad).is_err(), "{bad}");
        }
        assert!(canonical_folder_path(&"/a".repeat(65)).is_err());
    }
}
