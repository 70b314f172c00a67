//! The Sync panel's commands: remotes, connection test, push, pull, conflicts. Each calls
//! src/store and src/sync as the CLI's `remote`, `push`, `pull` and `resolve` do.

use super::documents::name_of;
use super::types::*;
use super::AppState;
use crate::error::{Error, Result};
use crate::store::{Remote, RemoteKind, Store};
use crate::sync::engine;
use crate::sync::{secrets, sim_sync};

/// Runs a future to completion on a runtime of its own, on a thread of its own, so it works
/// whether or not the caller (the serve bridge, the Tauri shell) is inside a runtime.
fn block_on<T: Send>(future: impl std::future::Future<Output = Result<T>> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| Error::Unsupported(format!("cannot start the async runtime: {e}")))?;
                rt.block_on(future)
            })
            .join()
            .unwrap_or_else(|_| Err(Error::Unsupported("the sync task stopped unexpectedly".into())))
    })
}

/// A push/pull outcome as the UI's typed `SyncOutcome` (same field names as src/sync's).
fn outcome<T: serde::Serialize>(value: &T) -> Result<SyncOutcome> {
    let value = serde_json::to_value(value).map_err(|e| Error::Unsupported(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| Error::Unsupported(format!("unexpected sync outcome: {e}")))
}

pub fn remotes_list(state: &AppState, _: NoArgs) -> Result<RemoteList> {
    Ok(RemoteList { remotes: state.store()?.remotes()?.iter().map(entry).collect() })
}

pub fn sync_status(state: &AppState, _: NoArgs) -> Result<SyncStatus> {
    let store = state.store()?;
    let outbox = store.outbox()?.iter().map(|e| serde_json::to_value(e).map_err(|e| Error::Unsupported(e.to_string()))).collect::<Result<_>>()?;
    Ok(SyncStatus { outbox, conflicts: conflicts(&store)? })
}

/// Closes (after saving) the editor's session of the document named `name`, if one is open:
/// its head is about to change under it.
fn close_open(state: &AppState, name: &str) -> Result<()> {
    let id = state.store()?.documents()?.into_iter().find(|d| d.name == name).map(|d| d.id);
    if let Some(id) = id {
        state.editor.close_document(id)?;
    }
    Ok(())
}

pub fn entry(remote: &Remote) -> RemoteEntry {
    RemoteEntry {
        name: remote.name.clone(),
        kind: remote.kind,
        url: remote.url.clone(),
        has_key: secrets::api_key(&remote.name).ok().flatten().is_some(),
    }
}

pub fn remote_add(state: &AppState, args: RemoteAddArgs) -> Result<RemoteEntry> {
    let kind = args.kind;
    reqwest::Url::parse(&args.url).map_err(|e| Error::Unsupported(format!("remote `{}`: url `{}` is not a URL: {e}", args.name, args.url)))?;
    let mut options = serde_json::Map::new();
    if let Some(agent) = args.agent.filter(|a| !a.trim().is_empty()) {
        options.insert("agent".into(), agent.into());
    }
    if let Some(ws) = args.sim_workspace.filter(|w| !w.trim().is_empty()) {
        options.insert("workspace_id".into(), ws.into());
    }
    let remote = Remote { name: args.name, kind, url: args.url, options };
    state.store()?.add_remote(&remote)?;
    if let Some(key) = args.api_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        secrets::store_secret(&remote.name, secrets::SecretKind::ApiKey, key)?;
    }
    Ok(entry(&remote))
}

pub fn remote_remove(state: &AppState, args: RemoteNameArgs) -> Result<Message> {
    if !state.store()?.remove_remote(&args.name)? {
        return Err(Error::NotFound(format!("no remote named `{}`", args.name)));
    }
    secrets::delete_api_key(&args.name)?;
    Ok(Message { message: format!("remote `{}` removed", args.name) })
}

/// Reaches the server with the stored credentials: Parlant's `/healthz`, Sim's workflow list.
pub fn remote_test(state: &AppState, args: RemoteNameArgs) -> Result<RemoteTestResult> {
    let remote = state.store()?.remote(&args.name)?;
    let answer = match remote.kind {
        RemoteKind::Parlant => {
            let client = engine::parlant_client(&remote)?;
            block_on(async move { client.health().await.map(|h| format!("Parlant answered /healthz: {h}")) })
        }
        RemoteKind::Sim => {
            let client = sim_sync::sim_client(&remote)?;
            let ws = sim_sync::workspace_id(&remote)?;
            block_on(async move { client.list_page(&ws, None, Some(1), None).await.map(|_| format!("Sim listed the workflows of workspace {ws}")) })
        }
    };
    Ok(match answer {
        Ok(message) => RemoteTestResult { ok: true, message },
        Err(e) => RemoteTestResult { ok: false, message: e.to_string() },
    })
}

pub fn push(state: &AppState, args: PushArgs) -> Result<SyncOutcome> {
    // What the designer sees is what goes: unsaved edits are saved first.
    if let Some(session) = state.editor.session_of_document(args.document_id) {
        state.editor.save_now(&session.id)?;
    }
    let mut store = state.store()?;
    let name = name_of(&store, args.document_id)?;
    let result = block_on(engine::push(&mut store, &name, &args.remote, args.force.unwrap_or(false)))?;
    outcome(&result)
}

pub fn pull(state: &AppState, args: PullArgs) -> Result<PullResult> {
    let store = state.store()?;
    let Some(id) = args.remote_id.filter(|i| !i.is_empty()) else {
        let remote = store.remote(&args.remote)?;
        let list = match remote.kind {
            RemoteKind::Parlant => {
                let client = engine::parlant_client(&remote)?;
                block_on(async move { client.list_journeys().await })?
            }
            RemoteKind::Sim => {
                let client = sim_sync::sim_client(&remote)?;
                let ws = sim_sync::workspace_id(&remote)?;
                let all = block_on(async move { client.list_all(&ws, None, Some(100)).await })?;
                let field = |w: &serde_json::Value, k: &str| w.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                all.iter().map(|w| (field(w, "id"), field(w, "name"))).collect()
            }
        };
        return Ok(PullResult { outcome: None, items: list.into_iter().map(|(id, title)| RemoteItem { id, title }).collect() });
    };
    let name = match args.name.filter(|n| !n.trim().is_empty()) {
        Some(n) => n,
        None => linked_document(&store, &args.remote, &id)?.unwrap_or_else(|| id.clone()),
    };
    drop(store);
    close_open(state, &name)?;
    let mut store = state.store()?;
    let result = block_on(engine::pull(&mut store, &args.remote, &id, &name))?;
    Ok(PullResult { outcome: Some(outcome(&result)?), items: Vec::new() })
}

fn linked_document(store: &Store, remote: &str, id: &str) -> Result<Option<String>> {
    for d in store.documents()? {
        if store.sync_state(d.id, remote)?.is_some_and(|s| s.remote_id == id) {
            return Ok(Some(d.name));
        }
    }
    Ok(None)
}

pub fn resolve_conflict(state: &AppState, args: ResolveConflictArgs) -> Result<Message> {
    let how = args.how;
    close_open(state, &args.document)?;
    let message = engine::resolve(&mut *state.store()?, &args.document, &args.remote, how)?;
    Ok(Message { message })
}

pub fn conflicts(store: &Store) -> Result<Vec<ConflictEntry>> {
    Ok(store
        .open_conflicts()?
        .into_iter()
        .map(|c| ConflictEntry {
            diff: crate::store::unified_diff(&c.remote_content, &c.local_content, "remote (theirs)", "local (mine)"),
            id: c.id,
            document: c.document,
            remote: c.remote,
            created_at: c.created_at,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use crate::api::{dispatch, AppState, JsonFileSettings};
    use serde_json::{json, Value};

    fn state(dir: &std::path::Path) -> AppState {
        // Keys go to a private folder of this test run, never the developer's keyring.
        static SECRETS: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
        let secrets = SECRETS.get_or_init(|| {
            let d = std::env::temp_dir().join(format!("journey-studio-api-secrets-{}", std::process::id()));
            std::env::set_var("JOURNEY_STUDIO_NO_KEYRING", "1");
            std::env::set_var("JOURNEY_STUDIO_SECRETS_DIR", &d);
            d
        });
        assert!(std::env::var_os("JOURNEY_STUDIO_SECRETS_DIR").is_some_and(|d| d == secrets.as_os_str()));
        AppState::open(&dir.join("w.db"), Box::new(JsonFileSettings::new(dir.join("s.json")))).unwrap()
    }

    fn call(state: &AppState, command: &str, args: Value) -> Value {
        dispatch(state, command, args).unwrap_or_else(|e| panic!("{command}: {e}"))
    }

    /// A loopback port nothing listens on.
    fn closed_url() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        format!("http://127.0.0.1:{port}")
    }

    fn import(state: &AppState, path: &str, name: &str) -> i64 {
        let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        call(state, "import_document", json!({"name": name, "content": text}))["id"].as_i64().unwrap()
    }

    /// A stored document's head, parsed.
    fn content(state: &AppState, id: &Value) -> Value {
        let text = call(state, "export_document", json!({"id": id}))["text"].as_str().unwrap().to_string();
        serde_json::from_str(&text).unwrap()
    }

    fn journey_fixture() -> String {
        let dir = format!("{}/fixtures/journeys", env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
        files.sort();
        files[0].strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().to_string_lossy().trim_start_matches('/').to_string()
    }

    #[test]
    fn remote_add_keeps_the_key_secret_and_validates_input() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        let key = format!("sk-test-{}", std::process::id());
        let added = call(&s, "remote_add", json!({"name": "par-key", "kind": "parlant", "url": "http://127.0.0.1:9", "api_key": key}));
        assert_eq!(added["has_key"], true);
        assert!(!added.to_string().contains(&key));
        let list = call(&s, "remotes_list", json!({}));
        assert_eq!(list["remotes"][0]["name"], "par-key");
        assert_eq!(list["remotes"][0]["has_key"], true);
        assert!(!list.to_string().contains(&key), "the key leaked into remotes_list");
        drop(s);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!String::from_utf8_lossy(&bytes).contains(&key), "the key was written into the workspace folder");
        }
        let s = state(dir.path());
        let err = dispatch(&s, "remote_add", json!({"name": "x", "kind": "ftp", "url": "http://a"})).unwrap_err();
        assert!(err.to_string().contains("ftp") && err.to_string().contains("parlant"), "{err}");
        assert!(dispatch(&s, "remote_add", json!({"name": "bad name!", "kind": "sim", "url": "http://a"})).is_err());
        let err = dispatch(&s, "remote_add", json!({"name": "x", "kind": "sim", "url": "not a url"})).unwrap_err();
        assert!(err.to_string().contains("not a URL"), "{err}");
        call(&s, "remote_remove", json!({"name": "par-key"}));
        assert_eq!(call(&s, "remotes_list", json!({}))["remotes"], json!([]));
        assert_eq!(dispatch(&s, "remote_remove", json!({"name": "par-key"})).unwrap_err().kind(), "not_found");
    }

    #[test]
    fn remote_test_reports_an_unreachable_server_and_unknown_remotes() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        call(&s, "remote_add", json!({"name": "down", "kind": "parlant", "url": closed_url()}));
        let r = call(&s, "remote_test", json!({"name": "down"}));
        assert_eq!(r["ok"], false);
        assert!(r["message"].as_str().unwrap().contains("down"), "{r}");
        call(&s, "remote_add", json!({"name": "sim-nows", "kind": "sim", "url": closed_url()}));
        let err = dispatch(&s, "remote_test", json!({"name": "sim-nows"})).unwrap_err();
        assert!(err.to_string().contains("workspace id"), "{err}");
        assert_eq!(dispatch(&s, "remote_test", json!({"name": "nope"})).unwrap_err().kind(), "not_found");
    }

    #[test]
    fn push_to_an_unreachable_remote_waits_in_the_outbox_and_delete_clears_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        let id = import(&s, &journey_fixture(), "to push");
        call(&s, "remote_add", json!({"name": "offline", "kind": "parlant", "url": closed_url()}));
        match dispatch(&s, "push", json!({"document_id": id, "remote": "offline"})) {
            Ok(outcome) => {
                assert_eq!(outcome["result"], "queued", "{outcome}");
                assert!(outcome["error"].as_str().is_some_and(|e| !e.is_empty()), "{outcome}");
            }
            Err(e) => assert_eq!(e.kind(), "remote", "{e}"),
        }
        let status = call(&s, "sync_status", json!({}));
        let outbox = status["outbox"].as_array().unwrap();
        assert_eq!(outbox.len(), 1, "{status}");
        assert_eq!(outbox[0]["document"], "to push");
        assert_eq!(outbox[0]["remote"], "offline");
        assert_eq!(dispatch(&s, "push", json!({"document_id": 999, "remote": "offline"})).unwrap_err().kind(), "not_found");
        assert_eq!(dispatch(&s, "push", json!({"document_id": id, "remote": "none"})).unwrap_err().kind(), "not_found");
        // Deleting the document takes its outbox entry with it.
        assert_eq!(call(&s, "delete_document", json!({"id": id}))["name"], "to push");
        assert_eq!(call(&s, "sync_status", json!({}))["outbox"], json!([]));
        assert_eq!(call(&s, "list_documents", json!({}))["documents"], json!([]));
        assert_eq!(dispatch(&s, "open_document", json!({"id": id})).unwrap_err().kind(), "not_found");
        assert_eq!(dispatch(&s, "delete_document", json!({"id": id})).unwrap_err().kind(), "not_found");
    }

    #[test]
    fn pull_errors_name_the_remote() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        assert_eq!(dispatch(&s, "pull", json!({"remote": "nope"})).unwrap_err().kind(), "not_found");
        call(&s, "remote_add", json!({"name": "gone", "kind": "parlant", "url": closed_url()}));
        let err = dispatch(&s, "pull", json!({"remote": "gone"})).unwrap_err();
        assert!(err.to_string().contains("gone"), "{err}");
        let err = dispatch(&s, "pull", json!({"remote": "gone", "remote_id": "j1"})).unwrap_err();
        assert!(err.to_string().contains("gone"), "{err}");
        assert_eq!(call(&s, "list_documents", json!({}))["documents"], json!([]), "a failed pull created a document");
    }

    #[test]
    fn conflicts_show_a_diff_and_resolve_three_ways() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        let id = import(&s, &journey_fixture(), "mine");
        call(&s, "remote_add", json!({"name": "par", "kind": "parlant", "url": closed_url()}));
        let mut theirs = content(&s, &json!(id));
        theirs["journey"]["title"] = json!("Changed on the server");
        let theirs_text = theirs.to_string();
        {
            let store = s.store().unwrap();
            let head = store.head("mine").unwrap();
            store.set_synced(id, "par", "j-1", Some(head.info.id), "base-hash", &head.content).unwrap();
            store.record_conflict(id, "par", Some(&head.content), &head.content, &theirs_text).unwrap();
        }
        let status = call(&s, "sync_status", json!({}));
        let conflict = &status["conflicts"][0];
        assert_eq!((conflict["document"].as_str(), conflict["remote"].as_str()), (Some("mine"), Some("par")));
        assert!(conflict["diff"].as_str().unwrap().contains("+++ local (mine)"), "{conflict}");
        assert!(conflict["diff"].as_str().unwrap().contains("Changed on the server"), "{conflict}");
        let err = dispatch(&s, "resolve_conflict", json!({"document": "mine", "remote": "par", "how": "merge"})).unwrap_err();
        assert!(err.to_string().contains("merge") && err.to_string().contains("keep_mine"), "{err}");
        // both: theirs becomes a copy, mine stays.
        call(&s, "resolve_conflict", json!({"document": "mine", "remote": "par", "how": "both"}));
        assert_eq!(call(&s, "sync_status", json!({}))["conflicts"], json!([]));
        let docs = call(&s, "list_documents", json!({}));
        let copy = docs["documents"].as_array().unwrap().iter().find(|d| d["name"] != "mine").unwrap().clone();
        assert_eq!(content(&s, &copy["id"])["journey"]["title"], "Changed on the server");
        assert_eq!(dispatch(&s, "resolve_conflict", json!({"document": "mine", "remote": "par", "how": "both"})).unwrap_err().kind(), "not_found");
        // take_theirs: the remote becomes the head.
        {
            let store = s.store().unwrap();
            let head = store.head("mine").unwrap();
            store.record_conflict(id, "par", Some(&head.content), &head.content, &theirs_text).unwrap();
        }
        call(&s, "resolve_conflict", json!({"document": "mine", "remote": "par", "how": "take_theirs"}));
        assert_eq!(content(&s, &json!(id))["journey"]["title"], "Changed on the server");
    }

    #[test]
    fn restore_and_diff_revisions() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        let id = import(&s, &journey_fixture(), "doc");
        let first = content(&s, &json!(id));
        let from = call(&s, "document_history", json!({"id": id}))["revisions"][0]["id"].as_i64().unwrap();
        // An edit in the editor, saved when the document is closed.
        let session = call(&s, "open_document", json!({"id": id}))["session"].clone();
        call(&s, "apply_edits", json!({"session": session, "edits": [{"op": "set_field", "target": "journey", "path": ["journey", "title"], "value": "Second title"}]}));
        let second = call(&s, "close_document", json!({"session": session}))["revision"].as_i64().unwrap();
        assert!(second > from);
        let diff = call(&s, "revision_diff", json!({"from": from, "to": second}))["diff"].as_str().unwrap().to_string();
        assert!(diff.contains("+") && diff.contains("Second title"), "{diff}");
        let restored = call(&s, "restore_revision", json!({"id": id, "revision": from}));
        assert!(restored["revision"].as_i64().unwrap() > second);
        assert_eq!(content(&s, &json!(id)), first);
        assert_eq!(call(&s, "document_history", json!({"id": id}))["revisions"].as_array().unwrap().len(), 3);
        assert_eq!(dispatch(&s, "restore_revision", json!({"id": id, "revision": 9999})).unwrap_err().kind(), "not_found");
    }
}
