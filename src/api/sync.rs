//! The Sync panel's commands: remotes, connection test, push, pull, conflicts, the outbox. The
//! same services as the CLI's `remote`, `push`, `pull` and `resolve` (src/app, src/sync).

use super::types::*;
use super::AppState;
use crate::app::{self, block_on, remotes};
use crate::editor::DiagnosticEntry;
use crate::error::Result;
use crate::store::Store;
use crate::sync::engine::{self, PullOutcome, PushOptions, PushOutcome};
use crate::sync::secrets::SecretKind;

/// The editor's own connection to the workspace is not for this: sync work opens one of its own,
/// so a slow server never holds the lock the other commands take.
fn sync_store(state: &AppState) -> Result<Store> {
    Store::open(&state.workspace())
}

fn push_outcome(o: PushOutcome) -> SyncOutcome {
    let base = |result, document| SyncOutcome {
        result,
        document,
        remote_id: None,
        revision: None,
        diff: None,
        error: None,
        superseded: None,
        problems: Vec::new(),
    };
    match o {
        PushOutcome::Pushed {
            document,
            remote_id,
            superseded,
            ..
        } => SyncOutcome {
            remote_id: Some(remote_id),
            superseded,
            ..base(SyncResult::Pushed, document)
        },
        PushOutcome::UpToDate {
            document,
            remote_id,
        } => SyncOutcome {
            remote_id: Some(remote_id),
            ..base(SyncResult::UpToDate, document)
        },
        PushOutcome::Queued {
            document, error, ..
        } => SyncOutcome {
            error: Some(error),
            ..base(SyncResult::Queued, document)
        },
        PushOutcome::Conflict { document, diff } => SyncOutcome {
            diff: Some(diff),
            ..base(SyncResult::Conflict, document)
        },
        PushOutcome::Invalid {
            document,
            error,
            diagnostics,
        } => SyncOutcome {
            error: Some(error),
            problems: diagnostics
                .iter()
                .enumerate()
                .map(|(i, d)| DiagnosticEntry::of(d, format!("push-{i}")))
                .collect(),
            ..base(SyncResult::Invalid, document)
        },
    }
}

fn pull_outcome(o: PullOutcome) -> SyncOutcome {
    let base = |result, document| SyncOutcome {
        result,
        document,
        remote_id: None,
        revision: None,
        diff: None,
        error: None,
        superseded: None,
        problems: Vec::new(),
    };
    match o {
        PullOutcome::Created { document, revision } => SyncOutcome {
            revision: Some(revision),
            ..base(SyncResult::Created, document)
        },
        PullOutcome::Updated { document, revision } => SyncOutcome {
            revision: Some(revision),
            ..base(SyncResult::Updated, document)
        },
        PullOutcome::UpToDate { document } => base(SyncResult::UpToDate, document),
        PullOutcome::LocalAhead { document } => base(SyncResult::LocalAhead, document),
        PullOutcome::Conflict { document, diff } => SyncOutcome {
            diff: Some(diff),
            ..base(SyncResult::Conflict, document)
        },
    }
}

pub fn remotes_list(state: &AppState, _: NoArgs) -> Result<RemoteList> {
    Ok(RemoteList {
        remotes: state
            .store()?
            .remotes()?
            .iter()
            .map(remotes::summary)
            .collect(),
    })
}

pub fn sync_status(state: &AppState, _: NoArgs) -> Result<SyncStatus> {
    let store = state.store()?;
    Ok(SyncStatus {
        outbox: store.outbox()?,
        conflicts: conflicts(&store)?,
    })
}

/// Closes (after saving) the editor's session of the document named `name`, if one is open:
/// its head is about to change under it.
fn close_open(state: &AppState, name: &str) -> Result<()> {
    let id = state
        .store()?
        .documents()?
        .into_iter()
        .find(|d| d.name == name)
        .map(|d| d.id);
    if let Some(id) = id {
        state.editor.close_document(id)?;
    }
    Ok(())
}

pub fn remote_add(state: &AppState, args: RemoteAddArgs) -> Result<RemoteSummary> {
    let mut secrets = Vec::new();
    if let Some(key) = args.api_key {
        secrets.push((SecretKind::ApiKey, key));
    }
    if let Some(cookie) = args.session_cookie {
        secrets.push((SecretKind::SessionCookie, cookie));
    }
    let (remote, _) = remotes::add(&*state.store()?, &args.spec, &secrets)?;
    Ok(remotes::summary(&remote))
}

pub fn remote_remove(state: &AppState, args: RemoteNameArgs) -> Result<Message> {
    remotes::remove(&*state.store()?, &args.name)?;
    Ok(Message {
        message: format!("remote `{}` removed", args.name),
    })
}

/// Reaches the server with the stored credentials: Parlant's `/healthz`, Sim's workflow list.
pub fn remote_test(state: &AppState, args: RemoteNameArgs) -> Result<RemoteTestResult> {
    let remote = state.store()?.remote(&args.name)?;
    Ok(match remotes::test(&remote) {
        Ok(message) => RemoteTestResult { ok: true, message },
        Err(e) => RemoteTestResult {
            ok: false,
            message: e.to_string(),
        },
    })
}

pub fn push(state: &AppState, args: PushArgs) -> Result<SyncOutcome> {
    // What the designer sees is what goes: unsaved edits are saved first.
    if let Some(session) = state.editor.session_of_document(args.document_id) {
        state.editor.save_now(&session.id)?;
    }
    let mut store = sync_store(state)?;
    let name = app::documents::name_of(&store, args.document_id)?;
    let options = PushOptions {
        force: args.force.unwrap_or(false),
        as_new: args.as_new.unwrap_or(false),
        allow_invalid: args.allow_invalid.unwrap_or(false),
    };
    let result = block_on(engine::push_with(&mut store, &name, &args.remote, options))??;
    Ok(push_outcome(result))
}

/// Retries what is due in the outbox now (`now`: everything waiting, due or not).
pub fn sync_retry(state: &AppState, args: SyncRetryArgs) -> Result<SyncRetried> {
    let mut store = sync_store(state)?;
    let outcomes = block_on(engine::flush(
        &mut store,
        args.remote.as_deref(),
        args.now.unwrap_or(false),
    ))??;
    Ok(SyncRetried {
        outcomes: outcomes.into_iter().map(push_outcome).collect(),
    })
}

pub fn pull(state: &AppState, args: PullArgs) -> Result<PullResult> {
    let Some(id) = args.remote_id.filter(|i| !i.is_empty()) else {
        let remote = state.store()?.remote(&args.remote)?;
        return Ok(PullResult {
            outcome: None,
            items: remotes::list(&remote)?,
        });
    };
    let name =
        app::documents::pull_target(&*state.store()?, &args.remote, &id, args.name.as_deref())?;
    close_open(state, &name)?;
    let mut store = sync_store(state)?;
    let result = block_on(engine::pull(&mut store, &args.remote, &id, &name))??;
    Ok(PullResult {
        outcome: Some(pull_outcome(result)),
        items: Vec::new(),
    })
}

pub fn resolve_conflict(state: &AppState, args: ResolveConflictArgs) -> Result<Message> {
    close_open(state, &args.document)?;
    let message = engine::resolve(&mut *state.store()?, &args.document, &args.remote, args.how)?;
    Ok(Message { message })
}

pub fn conflicts(store: &Store) -> Result<Vec<ConflictEntry>> {
    Ok(store
        .open_conflicts()?
        .into_iter()
        .map(|c| ConflictEntry {
            diff: crate::store::unified_diff(
                &c.remote_content,
                &c.local_content,
                "remote (theirs)",
                "local (mine)",
            ),
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
            let d = std::env::temp_dir()
                .join(format!("journey-studio-api-secrets-{}", std::process::id()));
            std::env::set_var("JOURNEY_STUDIO_NO_KEYRING", "1");
            std::env::set_var("JOURNEY_STUDIO_SECRETS_DIR", &d);
            d
        });
        assert!(std::env::var_os("JOURNEY_STUDIO_SECRETS_DIR")
            .is_some_and(|d| d == secrets.as_os_str()));
        AppState::open(
            &dir.join("w.db"),
            Box::new(JsonFileSettings::new(dir.join("s.json"))),
        )
        .unwrap()
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
        let text =
            std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        call(
            state,
            "import_document",
            json!({"name": name, "content": text}),
        )["id"]
            .as_i64()
            .unwrap()
    }

    /// A stored document's head, parsed.
    fn content(state: &AppState, id: &Value) -> Value {
        let text = call(state, "export_document", json!({"id": id}))["text"]
            .as_str()
            .unwrap()
            .to_string();
        serde_json::from_str(&text).unwrap()
    }

    fn journey_fixture() -> String {
        let dir = format!("{}/fixtures/journeys", env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files[0]
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_string_lossy()
            .trim_start_matches('/')
            .to_string()
    }

    #[test]
    fn remote_add_keeps_the_key_secret_and_validates_input() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        let key = format!("sk-test-{}", std::process::id());
        let added = call(
            &s,
            "remote_add",
            json!({"name": "par-key", "kind": "parlant", "url": "http://127.0.0.1:9", "api_key": key}),
        );
        assert_eq!(added["has_key"], true);
        assert!(!added.to_string().contains(&key));
        let list = call(&s, "remotes_list", json!({}));
        assert_eq!(list["remotes"][0]["name"], "par-key");
        assert_eq!(list["remotes"][0]["has_key"], true);
        assert!(
            !list.to_string().contains(&key),
            "the key leaked into remotes_list"
        );
        drop(s);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(&key),
                "the key was written into the workspace folder"
            );
        }
        let s = state(dir.path());
        let err = dispatch(
            &s,
            "remote_add",
            json!({"name": "x", "kind": "ftp", "url": "http://a"}),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("ftp") && err.to_string().contains("parlant"),
            "{err}"
        );
        assert!(dispatch(
            &s,
            "remote_add",
            json!({"name": "bad name!", "kind": "sim", "url": "http://a"})
        )
        .is_err());
        let err = dispatch(
            &s,
            "remote_add",
            json!({"name": "x", "kind": "sim", "url": "not a url"}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("not a URL"), "{err}");
        call(&s, "remote_remove", json!({"name": "par-key"}));
        assert_eq!(call(&s, "remotes_list", json!({}))["remotes"], json!([]));
        assert_eq!(
            dispatch(&s, "remote_remove", json!({"name": "par-key"}))
                .unwrap_err()
                .kind(),
            "not_found"
        );
    }

    #[test]
    fn remote_test_reports_an_unreachable_server_and_unknown_remotes() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        call(
            &s,
            "remote_add",
            json!({"name": "down", "kind": "parlant", "url": closed_url()}),
        );
        let r = call(&s, "remote_test", json!({"name": "down"}));
        assert_eq!(r["ok"], false);
        assert!(r["message"].as_str().unwrap().contains("down"), "{r}");
        call(
            &s,
            "remote_add",
            json!({"name": "sim-nows", "kind": "sim", "url": closed_url()}),
        );
        let r = call(&s, "remote_test", json!({"name": "sim-nows"}));
        assert_eq!(r["ok"], false);
        assert!(
            r["message"].as_str().unwrap().contains("workspace id"),
            "{r}"
        );
        assert_eq!(
            dispatch(&s, "remote_test", json!({"name": "nope"}))
                .unwrap_err()
                .kind(),
            "not_found"
        );
    }

    #[test]
    fn push_to_an_unreachable_remote_waits_in_the_outbox_and_delete_clears_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        let id = import(&s, &journey_fixture(), "to push");
        call(
            &s,
            "remote_add",
            json!({"name": "offline", "kind": "parlant", "url": closed_url()}),
        );
        match dispatch(&s, "push", json!({"document_id": id, "remote": "offline"})) {
            Ok(outcome) => {
                assert_eq!(outcome["result"], "queued", "{outcome}");
                assert!(
                    outcome["error"].as_str().is_some_and(|e| !e.is_empty()),
                    "{outcome}"
                );
            }
            Err(e) => assert_eq!(e.kind(), "remote", "{e}"),
        }
        let status = call(&s, "sync_status", json!({}));
        let outbox = status["outbox"].as_array().unwrap();
        assert_eq!(outbox.len(), 1, "{status}");
        assert_eq!(outbox[0]["document"], "to push");
        assert_eq!(outbox[0]["remote"], "offline");
        assert_eq!(
            dispatch(&s, "push", json!({"document_id": 999, "remote": "offline"}))
                .unwrap_err()
                .kind(),
            "not_found"
        );
        assert_eq!(
            dispatch(&s, "push", json!({"document_id": id, "remote": "none"}))
                .unwrap_err()
                .kind(),
            "not_found"
        );
        // Deleting the document takes its outbox entry with it.
        assert_eq!(
            call(&s, "delete_document", json!({"id": id}))["name"],
            "to push"
        );
        assert_eq!(call(&s, "sync_status", json!({}))["outbox"], json!([]));
        assert_eq!(
            call(&s, "list_documents", json!({}))["documents"],
            json!([])
        );
        assert_eq!(
            dispatch(&s, "open_document", json!({"id": id}))
                .unwrap_err()
                .kind(),
            "not_found"
        );
        assert_eq!(
            dispatch(&s, "delete_document", json!({"id": id}))
                .unwrap_err()
                .kind(),
            "not_found"
        );
    }

    #[test]
    fn pull_errors_name_the_remote() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        assert_eq!(
            dispatch(&s, "pull", json!({"remote": "nope"}))
                .unwrap_err()
                .kind(),
            "not_found"
        );
        call(
            &s,
            "remote_add",
            json!({"name": "gone", "kind": "parlant", "url": closed_url()}),
        );
        let err = dispatch(&s, "pull", json!({"remote": "gone"})).unwrap_err();
        assert!(err.to_string().contains("gone"), "{err}");
        let err = dispatch(&s, "pull", json!({"remote": "gone", "remote_id": "j1"})).unwrap_err();
        assert!(err.to_string().contains("gone"), "{err}");
        assert_eq!(
            call(&s, "list_documents", json!({}))["documents"],
            json!([]),
            "a failed pull created a document"
        );
    }

    #[test]
    fn conflicts_show_a_diff_and_resolve_three_ways() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        let id = import(&s, &journey_fixture(), "mine");
        call(
            &s,
            "remote_add",
            json!({"name": "par", "kind": "parlant", "url": closed_url()}),
        );
        let mut theirs = content(&s, &json!(id));
        theirs["journey"]["title"] = json!("Changed on the server");
        let theirs_text = theirs.to_string();
        {
            let store = s.store().unwrap();
            let head = store.head("mine").unwrap();
            store
                .set_synced(
                    id,
                    "par",
                    "j-1",
                    Some(head.info.id),
                    "base-hash",
                    &head.content,
                )
                .unwrap();
            store
                .record_conflict(id, "par", Some(&head.content), &head.content, &theirs_text)
                .unwrap();
        }
        let status = call(&s, "sync_status", json!({}));
        let conflict = &status["conflicts"][0];
        assert_eq!(
            (conflict["document"].as_str(), conflict["remote"].as_str()),
            (Some("mine"), Some("par"))
        );
        assert!(
            conflict["diff"]
                .as_str()
                .unwrap()
                .contains("+++ local (mine)"),
            "{conflict}"
        );
        assert!(
            conflict["diff"]
                .as_str()
                .unwrap()
                .contains("Changed on the server"),
            "{conflict}"
        );
        let err = dispatch(
            &s,
            "resolve_conflict",
            json!({"document": "mine", "remote": "par", "how": "merge"}),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("merge") && err.to_string().contains("keep_mine"),
            "{err}"
        );
        // both: theirs becomes a copy, mine stays.
        call(
            &s,
            "resolve_conflict",
            json!({"document": "mine", "remote": "par", "how": "both"}),
        );
        assert_eq!(call(&s, "sync_status", json!({}))["conflicts"], json!([]));
        let docs = call(&s, "list_documents", json!({}));
        let copy = docs["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] != "mine")
            .unwrap()
            .clone();
        assert_eq!(
            content(&s, &copy["id"])["journey"]["title"],
            "Changed on the server"
        );
        assert_eq!(
            dispatch(
                &s,
                "resolve_conflict",
                json!({"document": "mine", "remote": "par", "how": "both"})
            )
            .unwrap_err()
            .kind(),
            "not_found"
        );
        // take_theirs: the remote becomes the head.
        {
            let store = s.store().unwrap();
            let head = store.head("mine").unwrap();
            store
                .record_conflict(id, "par", Some(&head.content), &head.content, &theirs_text)
                .unwrap();
        }
        call(
            &s,
            "resolve_conflict",
            json!({"document": "mine", "remote": "par", "how": "take_theirs"}),
        );
        assert_eq!(
            content(&s, &json!(id))["journey"]["title"],
            "Changed on the server"
        );
    }

    #[test]
    fn restore_and_diff_revisions() {
        let dir = tempfile::tempdir().unwrap();
        let s = state(dir.path());
        let id = import(&s, &journey_fixture(), "doc");
        let first = content(&s, &json!(id));
        let from = call(&s, "document_history", json!({"id": id}))["revisions"][0]["id"]
            .as_i64()
            .unwrap();
        // An edit in the editor, saved when the document is closed.
        let session = call(&s, "open_document", json!({"id": id}))["session"].clone();
        call(
            &s,
            "apply_edits",
            json!({"session": session, "edits": [{"op": "set_field", "target": "journey", "path": ["journey", "title"], "value": "Second title"}]}),
        );
        let second = call(&s, "close_document", json!({"session": session}))["revision"]
            .as_i64()
            .unwrap();
        assert!(second > from);
        let diff = call(&s, "revision_diff", json!({"from": from, "to": second}))["diff"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            diff.contains("+") && diff.contains("Second title"),
            "{diff}"
        );
        let restored = call(&s, "restore_revision", json!({"id": id, "revision": from}));
        assert!(restored["revision"].as_i64().unwrap() > second);
        assert_eq!(content(&s, &json!(id)), first);
        assert_eq!(
            call(&s, "document_history", json!({"id": id}))["revisions"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            dispatch(&s, "restore_revision", json!({"id": id, "revision": 9999}))
                .unwrap_err()
                .kind(),
            "not_found"
        );
    }
}
