//! Sim sync against the stand-in (server/sim_standin): every request and response it sees is
//! checked against Sim's OpenAPI spec, and each test asserts it recorded no violation.

#[path = "common/servers.rs"]
mod servers;
#[path = "common/sim_standin.rs"]
mod sim_standin;

use journey_studio::store::{OutboxState, Remote, RemoteKind, Store};
use journey_studio::sync::engine::{self, PullOutcome, PushOutcome, Resolution};
use journey_studio::sync::sim::{ExecuteOptions, Execution, SimClient, StreamEvent};
use journey_studio::sync::sim_sync::projection_hash;
use journey_studio::Document;
use serde_json::{json, Value};
use sim_standin::{personal_key, session, workspace_key, SLOW_KEY};
use std::time::{Duration, Instant};

/// Tests in this file that use the stand-in (the last one to finish stops it).
const USERS: usize = 11;

fn workflow_json(greeting: &str) -> String {
    json!({"version": "1.0", "exportedAt": "2026-11-01T00:00:00.000Z", "state": {
        "blocks": {
            "s1": {"id": "s1", "type": "start_trigger", "name": "Start", "position": {"x": 0, "y": 0}, "enabled": true, "outputs": {},
                   "subBlocks": {"inputFormat": {"id": "inputFormat", "type": "input-format",
                                 "value": [{"id": "f1", "name": "name", "type": "string", "value": "", "collapsed": false}]}}},
            "f1": {"id": "f1", "type": "function", "name": "Greet", "position": {"x": 200, "y": 0}, "enabled": true, "outputs": {},
                   "subBlocks": {"language": {"id": "language", "type": "dropdown", "value": "javascript"},
                                 "code": {"id": "code", "type": "code", "value": format!("return '{greeting}, ' + <start.name> + '!';")}}},
            "r1": {"id": "r1", "type": "response", "name": "Reply", "position": {"x": 400, "y": 0}, "enabled": true, "outputs": {},
                   "subBlocks": {"dataMode": {"id": "dataMode", "type": "dropdown", "value": "json"},
                                 "data": {"id": "data", "type": "code", "value": "<greet.result>"},
                                 "status": {"id": "status", "type": "short-input", "value": "200"}}}
        },
        "edges": [
            {"id": "e1", "source": "s1", "target": "f1", "sourceHandle": "source", "targetHandle": "target"},
            {"id": "e2", "source": "f1", "target": "r1", "sourceHandle": "source", "targetHandle": "target"}
        ],
        "loops": {}, "parallels": {}, "variables": {}
    }})
    .to_string()
}

fn workflow(greeting: &str) -> Document {
    Document::parse("test", &workflow_json(greeting)).unwrap()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A workspace with a Sim remote `name` for Sim workspace `ws`; secrets through env vars (the
/// documented fallback), unique per remote name.
fn workspace(
    url: &str,
    name: &str,
    ws: &str,
    key: Option<&str>,
    cookie: Option<&str>,
) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("ws.db")).unwrap();
    add_remote(&store, name, url, ws);
    let upper = name.to_ascii_uppercase().replace('-', "_");
    match key {
        Some(k) => std::env::set_var(format!("JOURNEY_STUDIO_{upper}_API_KEY"), k),
        None => std::env::remove_var(format!("JOURNEY_STUDIO_{upper}_API_KEY")),
    }
    match cookie {
        Some(c) => std::env::set_var(format!("JOURNEY_STUDIO_{upper}_SESSION_COOKIE"), c),
        None => std::env::remove_var(format!("JOURNEY_STUDIO_{upper}_SESSION_COOKIE")),
    }
    (dir, store)
}

fn add_remote(store: &Store, name: &str, url: &str, ws: &str) {
    let mut options = serde_json::Map::new();
    options.insert("workspace_id".into(), ws.into());
    store
        .add_remote(&Remote {
            name: name.into(),
            kind: RemoteKind::Sim,
            url: url.into(),
            options,
        })
        .unwrap();
}

fn client(url: &str, ws: &str, with_session: bool) -> SimClient {
    SimClient::new(
        "check",
        url,
        Some(personal_key(ws)),
        with_session.then(|| session(ws)),
    )
    .unwrap()
}

fn state_hash_of(store: &Store, name: &str) -> String {
    match store.head(name).unwrap().document(name).unwrap() {
        Document::Sim(w) => projection_hash(&serde_json::to_value(w.state()).unwrap()),
        _ => unreachable!(),
    }
}

fn block_ids(export: &Value) -> Vec<String> {
    let mut ids: Vec<String> = export["state"]["blocks"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    ids.sort();
    ids
}

/// The code of the Greet block, whatever its id.
fn greet_code(export: &Value) -> String {
    export["state"]["blocks"]
        .as_object()
        .unwrap()
        .values()
        .find(|b| b["name"] == "Greet")
        .unwrap()["subBlocks"]["code"]["value"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn push_imports_new_then_updates_in_place_pull_and_conflicts() {
    let Some(lease) = sim_standin::standin(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "roundtrip";
    let rt = rt();
    let (_d, mut store) = workspace(
        &url,
        "sim-rt",
        ws,
        Some(&personal_key(ws)),
        Some(&session(ws)),
    );
    store.save("greet", &workflow("Hello"), "first").unwrap();

    // First push: an import, which creates a NEW workflow with new block ids.
    let first = rt
        .block_on(engine::push(&mut store, "greet", "sim-rt", false))
        .unwrap();
    let PushOutcome::Pushed {
        remote_id,
        created: true,
        ..
    } = first.clone()
    else {
        panic!("{first:?}")
    };
    let sim = client(&url, ws, true);
    let export = rt.block_on(sim.export(&remote_id)).unwrap().unwrap();
    assert!(
        !block_ids(&export).contains(&"f1".to_string()),
        "import gives new block ids: {:?}",
        block_ids(&export)
    );
    assert_eq!(
        greet_code(&export),
        "return 'Hello, ' + <start.name> + '!';"
    );
    let listed = rt.block_on(sim.list_all(ws, None, None)).unwrap();
    assert_eq!(listed.len(), 1);

    // Nothing changed: nothing sent.
    let again = rt
        .block_on(engine::push(&mut store, "greet", "sim-rt", false))
        .unwrap();
    assert!(matches!(again, PushOutcome::UpToDate { .. }), "{again:?}");

    // An edit goes in place (session cookie): same id, the draft now equals the local state.
    store.save("greet", &workflow("Howdy"), "edit").unwrap();
    let update = rt
        .block_on(engine::push(&mut store, "greet", "sim-rt", false))
        .unwrap();
    let PushOutcome::Pushed {
        remote_id: id2,
        created: false,
        requests: 1,
        ..
    } = update.clone()
    else {
        panic!("{update:?}")
    };
    assert_eq!(id2, remote_id);
    let export = rt.block_on(sim.export(&remote_id)).unwrap().unwrap();
    assert_eq!(
        projection_hash(&export["state"]),
        state_hash_of(&store, "greet")
    );
    assert_eq!(
        rt.block_on(sim.list_all(ws, None, None)).unwrap().len(),
        1,
        "no second workflow"
    );
    // The draft route reads the same state.
    let draft = rt.block_on(sim.draft(&remote_id)).unwrap().unwrap();
    assert_eq!(
        projection_hash(&draft["state"]),
        state_hash_of(&store, "greet")
    );

    // Pull into a second workspace: the same state.
    let (_d2, mut other) = workspace(
        &url,
        "sim-rt2",
        ws,
        Some(&personal_key(ws)),
        Some(&session(ws)),
    );
    let got = rt
        .block_on(engine::pull(&mut other, "sim-rt2", &remote_id, "copy"))
        .unwrap();
    assert!(matches!(got, PullOutcome::Created { .. }), "{got:?}");
    assert_eq!(
        state_hash_of(&other, "copy"),
        state_hash_of(&store, "greet")
    );

    // The other side changes it; an unchanged local copy fast-forwards on pull.
    let Document::Sim(mut theirs) = workflow("Hi there") else {
        unreachable!()
    };
    theirs.state_mut().metadata = journey_studio::json::Maybe::Absent;
    rt.block_on(sim.put_state(&remote_id, &serde_json::to_value(theirs.state()).unwrap()))
        .unwrap();
    let pulled = rt
        .block_on(engine::pull(&mut other, "sim-rt2", &remote_id, "copy"))
        .unwrap();
    assert!(matches!(pulled, PullOutcome::Updated { .. }), "{pulled:?}");

    // Both sides changed: a push stops with a conflict (nothing sent) and a diff.
    store.save("greet", &workflow("Greetings"), "mine").unwrap();
    let before = lease
        .server
        .requests()
        .iter()
        .filter(|r| r.starts_with("PUT "))
        .count();
    let conflict = rt
        .block_on(engine::push(&mut store, "greet", "sim-rt", false))
        .unwrap();
    let PushOutcome::Conflict { diff, .. } = conflict else {
        panic!("{conflict:?}")
    };
    assert!(
        diff.contains("Hi there") && diff.contains("Greetings"),
        "{diff}"
    );
    assert_eq!(
        lease
            .server
            .requests()
            .iter()
            .filter(|r| r.starts_with("PUT "))
            .count(),
        before,
        "a conflict sends nothing"
    );
    assert_eq!(store.open_conflicts().unwrap().len(), 1);

    // Keep mine: the next push overwrites the remote.
    engine::resolve(&mut store, "greet", "sim-rt", Resolution::KeepMine).unwrap();
    let after = rt
        .block_on(engine::flush(&mut store, Some("sim-rt"), true))
        .unwrap();
    assert!(
        matches!(
            after.as_slice(),
            [PushOutcome::Pushed { created: false, .. }]
        ),
        "{after:?}"
    );
    let export = rt.block_on(sim.export(&remote_id)).unwrap().unwrap();
    assert!(greet_code(&export).contains("Greetings"));
    lease.server.assert_no_violations();
}

#[test]
fn deploy_versions_rollback_and_execute_with_the_simulator() {
    let Some(lease) = sim_standin::standin(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "deploy";
    let rt = rt();
    let sim = client(&url, ws, true);
    rt.block_on(async {
        let envelope: Value = serde_json::from_str(&workflow_json("Hello")).unwrap();
        let imported = sim
            .import(ws, &envelope, Some("Greeter"), None)
            .await
            .unwrap();
        let id = imported["id"].as_str().unwrap().to_string();
        assert_eq!(imported["name"], "Greeter");

        // Not deployed: execute is refused clearly.
        let err = sim
            .execute(&id, &ExecuteOptions::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("not deployed"), "{err}");

        let v1 = sim.deploy(&id, Some("first")).await.unwrap();
        assert_eq!(v1["version"], 1);
        let input = json!({"name": "Ada"}).as_object().unwrap().clone();
        let run = |input: serde_json::Map<String, Value>| {
            let sim = &sim;
            let id = id.clone();
            async move {
                match sim
                    .execute(
                        &id,
                        &ExecuteOptions {
                            input,
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap()
                {
                    Execution::Finished(run) => run,
                    other => panic!("{other:?}"),
                }
            }
        };
        let out = run(input.clone()).await;
        assert_eq!(out["status"], "completed", "{out}");
        assert_eq!(
            out["output"]["data"], "Hello, Ada!",
            "the simulator ran the deployed state: {out}"
        );

        // Change the draft and deploy again: version 2 answers differently.
        let Document::Sim(doc) = workflow("Bonjour") else {
            unreachable!()
        };
        let draft = sim.draft(&id).await.unwrap().unwrap();
        let mut state = serde_json::to_value(doc.state()).unwrap();
        // Keep the server's block ids (its draft) and change only the code.
        let mut server_state = draft["state"].clone();
        for b in server_state["blocks"].as_object_mut().unwrap().values_mut() {
            if b["name"] == "Greet" {
                b["subBlocks"]["code"]["value"] =
                    state["blocks"]["f1"]["subBlocks"]["code"]["value"].take();
            }
        }
        sim.put_state(&id, &server_state).await.unwrap();
        // Executions run the DEPLOYED version, not the draft.
        assert_eq!(run(input.clone()).await["output"]["data"], "Hello, Ada!");
        let v2 = sim.deploy(&id, None).await.unwrap();
        assert_eq!(v2["version"], 2);
        assert_eq!(run(input.clone()).await["output"]["data"], "Bonjour, Ada!");

        // Versions, one per page: the cursor walks both.
        let p1 = sim.versions_page(&id, Some(1), None).await.unwrap();
        assert_eq!(p1.items.len(), 1);
        let p2 = sim
            .versions_page(&id, Some(1), p1.next_cursor.as_deref())
            .await
            .unwrap();
        assert_eq!(p2.items.len(), 1);
        assert!(p2.next_cursor.is_none());
        let all = sim.versions(&id).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(sim.version(&id, 1).await.unwrap()["name"], "first");

        // Roll back to version 1.
        let back = sim.rollback(&id, None).await.unwrap();
        assert_eq!(back["version"], 1);
        assert_eq!(run(input.clone()).await["output"]["data"], "Hello, Ada!");
        let dep = sim.deployment(&id).await.unwrap();
        assert_eq!(dep["activeDeployment"]["version"], 1);
        assert_eq!(dep["needsRedeployment"], true);

        // Async: 202 with a status URL; the run is then readable, listed and not cancellable.
        let queued = sim
            .execute(
                &id,
                &ExecuteOptions {
                    input: input.clone(),
                    run_async: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let Execution::Queued { run_id, status_url } = queued else {
            panic!("{queued:?}")
        };
        assert!(status_url.ends_with(&run_id));
        let status = sim.run(&id, &run_id, true).await.unwrap();
        assert_eq!(status["status"], "completed");
        assert_eq!(status["output"]["data"], "Hello, Ada!");
        let mut runs = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = sim
                .runs_page(&id, None, Some(2), cursor.as_deref())
                .await
                .unwrap();
            assert!(page.items.len() <= 2);
            runs.extend(page.items);
            pages += 1;
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!((runs.len(), pages), (5, 3), "five runs in three pages");
        assert_eq!(runs[0]["runId"], run_id.as_str(), "newest first");
        let cancel = sim.cancel(&id, &run_id).await.unwrap();
        assert_eq!(cancel["reason"], "already_completed");

        // Undeploy: executing is refused again.
        sim.undeploy(&id).await.unwrap();
        assert!(sim.execute(&id, &ExecuteOptions::default()).await.is_err());
    });
    lease.server.assert_no_violations();
}

#[test]
fn listing_follows_cursors_over_pages() {
    let Some(lease) = sim_standin::standin(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "cursor";
    let rt = rt();
    let sim = client(&url, ws, false);
    rt.block_on(async {
        for i in 0..7 {
            sim.create(ws, &format!("wf {i}"), None).await.unwrap();
        }
        let all = sim.list_all(ws, None, Some(3)).await.unwrap();
        let mut names: Vec<&str> = all.iter().map(|w| w["name"].as_str().unwrap()).collect();
        names.sort();
        assert_eq!(
            names,
            (0..7)
                .map(|i| format!("wf {i}"))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
        );
        let first = sim.list_page(ws, None, Some(3), None).await.unwrap();
        assert_eq!(first.items.len(), 3);
        assert!(first.next_cursor.is_some());
        // A cursor sent with other filters is refused (400 in Sim's envelope), not misread.
        let err = sim
            .list_page(ws, Some("wf"), Some(3), first.next_cursor.as_deref())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("400") && err.contains("cursor"), "{err}");
    });
    let pages = lease
        .server
        .requests()
        .iter()
        .filter(|r| r.starts_with("GET /api/v2/workflows ") && r.ends_with(" 200"))
        .count();
    assert!(pages >= 4, "3 pages for list_all + 1: {pages}");
    lease.server.assert_no_violations();
}

#[test]
fn rate_limits_are_honoured_with_retry_after() {
    let Some(lease) = sim_standin::standin(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let rt = rt();
    let slow = SimClient::new("slow", &url, Some(SLOW_KEY.into()), None).unwrap();
    let started = Instant::now();
    rt.block_on(async {
        for _ in 0..7 {
            slow.list_page("limits", None, None, None).await.unwrap();
        }
    });
    // 3 requests per 2 s: 7 requests need at least two waits of the server's Retry-After.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let limited = lease
        .server
        .requests()
        .iter()
        .filter(|r| r.ends_with(" 429"))
        .count();
    assert!(limited >= 2, "the server rate limited: {limited}");

    // Through the outbox: a push that meets a 429 is queued until Retry-After.
    let (_d, mut store) = workspace(&url, "sim-slow", "limits", Some(SLOW_KEY), None);
    store.save("greet", &workflow("Hello"), "first").unwrap();
    // Use up the window first, then push with no in-place waiting left.
    rt.block_on(async {
        for _ in 0..3 {
            let _ = SimClient::new("slow", &url, Some(SLOW_KEY.into()), None)
                .unwrap()
                .list_page("limits", None, None, None)
                .await;
        }
    });
    let out = rt
        .block_on(engine::push(&mut store, "greet", "sim-slow", false))
        .unwrap();
    // Either the in-place waits absorbed it (pushed), or it is queued with the server's time.
    match out {
        PushOutcome::Pushed { created: true, .. } => {}
        PushOutcome::Queued { error, .. } => assert!(error.contains("429"), "{error}"),
        other => panic!("{other:?}"),
    }
    lease.server.assert_no_violations();
}

#[test]
fn a_locked_workflow_is_refused_clearly() {
    let Some(lease) = sim_standin::standin(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "locked";
    let rt = rt();
    let (_d, mut store) = workspace(
        &url,
        "sim-lock",
        ws,
        Some(&personal_key(ws)),
        Some(&session(ws)),
    );
    store.save("greet", &workflow("Hello"), "first").unwrap();
    let PushOutcome::Pushed { remote_id, .. } = rt
        .block_on(engine::push(&mut store, "greet", "sim-lock", false))
        .unwrap()
    else {
        panic!()
    };
    lease.server.lock(&remote_id, true);
    store.save("greet", &workflow("Howdy"), "edit").unwrap();
    let err = rt
        .block_on(engine::push(&mut store, "greet", "sim-lock", false))
        .unwrap_err()
        .to_string();
    assert!(err.contains("locked") && err.contains("423"), "{err}");
    let entry = store
        .outbox()
        .unwrap()
        .into_iter()
        .find(|e| e.document == "greet")
        .unwrap();
    assert_eq!(
        entry.state,
        OutboxState::Failed,
        "a lock is not retried blindly"
    );
    let deploy = rt
        .block_on(client(&url, ws, false).deploy(&remote_id, None))
        .unwrap_err()
        .to_string();
    assert!(deploy.contains("423"), "{deploy}");
    // Unlocked, the same push goes through.
    lease.server.lock(&remote_id, false);
    let again = rt
        .block_on(engine::push(&mut store, "greet", "sim-lock", false))
        .unwrap();
    assert!(
        matches!(again, PushOutcome::Pushed { created: false, .. }),
        "{again:?}"
    );
    lease.server.assert_no_violations();
}

#[test]
fn forbidden_and_editor_only_routes() {
    let Some(lease) = sim_standin::standin(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "forbidden";
    let rt = rt();
    rt.block_on(async {
        let personal = client(&url, ws, false);
        let created = personal.create(ws, "wf", None).await.unwrap();
        let id = created["id"].as_str().unwrap();
        // Workspace keys may not deploy.
        let wskey = SimClient::new("wskey", &url, Some(workspace_key(ws)), None).unwrap();
        let err = wskey.deploy(id, None).await.unwrap_err().to_string();
        assert!(
            err.contains("403") && err.contains("personal API key"),
            "{err}"
        );
        // Another workspace's key: 403, never the data.
        let stranger = client(&url, "cursor", false);
        let err = stranger.export(id).await.unwrap_err().to_string();
        assert!(err.contains("403"), "{err}");
        // No key at all: 401.
        let anonymous = SimClient::new("anon", &url, None, None).unwrap();
        assert!(anonymous
            .get(id)
            .await
            .unwrap_err()
            .to_string()
            .contains("401"));
        // In-place update without a session cookie: a clear message, nothing sent.
        let err = personal
            .put_state(id, &json!({"blocks": {}, "edges": []}))
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("session cookie"), "{err}");
        // The editor route refuses an API key even when sent by hand.
        let resp = reqwest::Client::new()
            .put(format!("{url}/api/workflows/{id}/state"))
            .header("X-API-Key", personal_key(ws))
            .json(&json!({"blocks": {}, "edges": []}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
        // The draft read takes an API key.
        assert!(personal.draft(id).await.unwrap().is_some());
        // Absent workflows are None, not errors.
        assert!(personal.get("no-such-workflow").await.unwrap().is_none());
    });
    lease.server.assert_no_violations();
}

#[test]
fn server_down_queues_then_retries_and_a_lost_answer_never_duplicates() {
    let Some(lease) = sim_standin::standin(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "offline";
    let rt = rt();
    let down = format!("http://127.0.0.1:{}", servers::free_port());
    let (_d, mut store) = workspace(&down, "sim-off", ws, Some(&personal_key(ws)), None);
    store.save("greet", &workflow("Hello"), "first").unwrap();
    let out = rt
        .block_on(engine::push(&mut store, "greet", "sim-off", false))
        .unwrap();
    let PushOutcome::Queued { error, .. } = out else {
        panic!("{out:?}")
    };
    assert!(error.contains("cannot connect"), "{error}");
    assert_eq!(store.outbox().unwrap().len(), 1);

    // The server is back (same remote, now reachable): the outbox sends it once.
    add_remote(&store, "sim-off", &url, ws);
    let sent = rt
        .block_on(engine::flush(&mut store, Some("sim-off"), true))
        .unwrap();
    assert!(
        matches!(sent.as_slice(), [PushOutcome::Pushed { created: true, .. }]),
        "{sent:?}"
    );
    assert!(store.outbox().unwrap().is_empty());

    // An import that lands but whose answer is lost (503): the retry finds it, no duplicate.
    store.save("other", &workflow("Salut"), "first").unwrap();
    lease.server.lose_next_import_answer();
    let out = rt
        .block_on(engine::push(&mut store, "other", "sim-off", false))
        .unwrap();
    assert!(matches!(out, PushOutcome::Queued { .. }), "{out:?}");
    let sim = client(&url, ws, false);
    assert_eq!(
        rt.block_on(sim.list_all(ws, None, None)).unwrap().len(),
        2,
        "the import landed"
    );
    let retried = rt
        .block_on(engine::flush(&mut store, Some("sim-off"), true))
        .unwrap();
    assert!(
        matches!(
            retried.as_slice(),
            [PushOutcome::Pushed { created: true, .. }]
        ),
        "{retried:?}"
    );
    let again = rt
        .block_on(engine::flush(&mut store, Some("sim-off"), true))
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(
        rt.block_on(sim.list_all(ws, None, None)).unwrap().len(),
        2,
        "no second import"
    );

    // Without a session cookie an edited workflow cannot be updated in place: the push is
    // refused (no request that writes), naming the remote, the workflow, the missing cookie
    // and the two ways out; the workflow on the server is untouched.
    let linked = store
        .sync_state(store.document("other").unwrap().id, "sim-off")
        .unwrap()
        .unwrap()
        .remote_id;
    let before = rt.block_on(sim.export(&linked)).unwrap().unwrap();
    store.save("other", &workflow("Ciao"), "edit").unwrap();
    let writes_before = writes(&lease.server.requests());
    let err = rt
        .block_on(engine::push(&mut store, "other", "sim-off", false))
        .unwrap_err()
        .to_string();
    for needle in [
        "sim-off",
        linked.as_str(),
        "session cookie",
        "better-auth.session_token",
        "--session-cookie-stdin",
        "--as-new",
    ] {
        assert!(err.contains(needle), "`{needle}` missing from: {err}");
    }
    assert_eq!(
        writes(&lease.server.requests()),
        writes_before,
        "a refused push writes nothing"
    );
    assert_eq!(
        greet_code(&rt.block_on(sim.export(&linked)).unwrap().unwrap()),
        greet_code(&before)
    );
    assert_eq!(rt.block_on(sim.list_all(ws, None, None)).unwrap().len(), 2);
    let failed = store.outbox().unwrap();
    assert!(
        matches!(failed.as_slice(), [e] if e.state == OutboxState::Failed),
        "{failed:?}"
    );

    // `--as-new` imports it on purpose: a NEW workflow, the document relinks, the old one stays.
    let options = engine::PushOptions {
        force: false,
        as_new: true,
        ..Default::default()
    };
    let out = rt
        .block_on(engine::push_with(&mut store, "other", "sim-off", options))
        .unwrap();
    let PushOutcome::Pushed {
        superseded: Some(old),
        remote_id,
        created: true,
        ..
    } = out.clone()
    else {
        panic!("{out:?}")
    };
    assert_eq!(old, linked);
    assert_ne!(remote_id, linked);
    assert_eq!(
        greet_code(&rt.block_on(sim.export(&remote_id)).unwrap().unwrap()),
        "return 'Ciao, ' + <start.name> + '!';"
    );
    assert_eq!(
        greet_code(&rt.block_on(sim.export(&linked)).unwrap().unwrap()),
        greet_code(&before),
        "the old one is unchanged"
    );
    assert_eq!(
        store
            .sync_state(store.document("other").unwrap().id, "sim-off")
            .unwrap()
            .unwrap()
            .remote_id,
        remote_id
    );
    assert_eq!(rt.block_on(sim.list_all(ws, None, None)).unwrap().len(), 3);
    // Linked to the new one and unchanged since: nothing more to send.
    let again = rt
        .block_on(engine::push(&mut store, "other", "sim-off", false))
        .unwrap();
    assert!(matches!(again, PushOutcome::UpToDate { .. }), "{again:?}");

    // The same through the CLI: refused (exit 2, what to do), then `--as-new` (exit 0, says so).
    store.save("other", &workflow("Hej"), "edit").unwrap();
    let db = _d.path().join("ws.db");
    let out = cli(&db, &["push", "sim-off", "other"]).output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("session cookie") && text.contains("--as-new"),
        "{text}"
    );
    let out = cli(&db, &["push", "sim-off", "other", "--as-new"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("imported as a NEW workflow") && text.contains(&remote_id),
        "{text}"
    );
    assert_eq!(rt.block_on(sim.list_all(ws, None, None)).unwrap().len(), 4);
    lease.server.assert_no_violations();
}

/// Requests that write (`POST`/`PUT`/`PATCH`/`DELETE`) in the stand-in's log.
fn writes(log: &[String]) -> usize {
    log.iter()
        .filter(|l| {
            ["POST ", "PUT ", "PATCH ", "DELETE "]
                .iter()
                .any(|m| l.starts_with(m))
        })
        .count()
}

#[test]
fn requests_outside_the_spec_get_sims_error_envelope() {
    let Some(lease) = sim_standin::standin(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "validation";
    let rt = rt();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let bad = |body: Value| {
            let http = http.clone();
            let url = url.clone();
            async move {
                let resp = http
                    .post(format!("{url}/api/v2/workflows"))
                    .header("X-API-Key", personal_key(ws))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
            }
        };
        let (status, body) = bad(json!({"workspaceId": ws, "name": "x", "colour": "red"})).await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "VALIDATION_ERROR");
        assert!(
            body["error"]["details"].to_string().contains("colour"),
            "{body}"
        );
        let (status, _) = bad(json!({"workspaceId": ws})).await;
        assert_eq!(status, 400, "a missing required field");
        let (status, _) = bad(json!({"workspaceId": ws, "name": ""})).await;
        assert_eq!(status, 400, "minLength");
        let resp = http
            .get(format!("{url}/api/v2/workflows?workspaceId={ws}&limit=500"))
            .header("X-API-Key", personal_key(ws))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "limit is at most 100");
        let resp = http
            .get(format!("{url}/api/v2/workflows?workspaceId={ws}"))
            .header("X-API-Key", personal_key(ws))
            .send()
            .await
            .unwrap();
        for h in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ] {
            assert!(resp.headers().contains_key(h), "{h}");
        }
    });
    lease.server.assert_no_violations();
}

#[test]
fn secrets_never_reach_the_workspace_or_any_output() {
    let Some(lease) = sim_standin::standin(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "secrets";
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    let secrets_dir = dir.path().join("secrets");
    let key = personal_key(ws);
    let cookie = session(ws);
    let run = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_journey-studio"));
        c.args(args)
            .env("JOURNEY_STUDIO_WORKSPACE", &db)
            .env("JOURNEY_STUDIO_NO_KEYRING", "1")
            .env("JOURNEY_STUDIO_SECRETS_DIR", &secrets_dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.unwrap_or("").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let mut outputs = Vec::new();
    let add = [
        "remote",
        "add",
        "prod",
        "--kind",
        "sim",
        "--url",
        &url,
        "--sim-workspace",
        ws,
    ];
    let (code, out) = run(&[&add[..], &["--api-key-stdin"]].concat(), Some(&key));
    assert_eq!(code, Some(0), "{out}");
    outputs.push(out);
    let (code, out) = run(
        &[&add[..], &["--session-cookie-stdin"]].concat(),
        Some(&cookie),
    );
    assert_eq!(code, Some(0), "{out}");
    outputs.push(out);
    let file = dir.path().join("greet.json");
    std::fs::write(&file, workflow_json("Hello")).unwrap();
    let (code, out) = run(&["push", "prod", file.to_str().unwrap()], None);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("created"), "{out}");
    outputs.push(out);
    std::fs::write(&file, workflow_json("Howdy")).unwrap();
    let (code, out) = run(&["push", "prod", file.to_str().unwrap()], None);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("updated"),
        "in place with the stored cookie: {out}"
    );
    outputs.push(out);
    let (code, out) = run(&["pull", "prod"], None);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("greet"), "{out}");
    outputs.push(out);
    let (_, out) = run(&["sim", "prod", "deploy", "greet"], None);
    outputs.push(out);
    let (code, out) = run(
        &[
            "sim",
            "prod",
            "execute",
            "greet",
            "--input",
            r#"{"name": "Ada"}"#,
        ],
        None,
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("Howdy, Ada!"), "{out}");
    outputs.push(out);
    let (_, out) = run(&["remote", "list", "--format", "json"], None);
    assert!(out.contains("\"has_session_cookie\":true"), "{out}");
    outputs.push(out);
    // An error path: a wrong workspace gives a 403 whose message names no secret.
    let (_, out) = run(
        &[
            "remote",
            "add",
            "prod",
            "--kind",
            "sim",
            "--url",
            &url,
            "--sim-workspace",
            "cursor",
        ],
        None,
    );
    outputs.push(out);
    let (code, out) = run(&["pull", "prod"], None);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("403"), "{out}");
    outputs.push(out);
    let (_, out) = run(&["status", "--format", "json"], None);
    outputs.push(out);

    for out in &outputs {
        assert!(
            !out.contains(&key) && !out.contains(&cookie),
            "a secret leaked into output:\n{out}"
        );
    }
    let mut bytes = std::fs::read(&db).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("ws.db-wal")) {
        bytes.extend(wal);
    }
    for secret in [&key, &cookie] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "a secret is in the workspace file"
        );
    }
    // The fallback files hold them, mode 0600.
    #[cfg(unix)]
    for name in ["prod.key", "prod.session"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(secrets_dir.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    lease.server.assert_no_violations();
}

/// The stand-in's response validation is not vacuous: answers that break the spec are caught.
#[test]
fn the_standin_detects_responses_outside_the_spec() {
    let Some(python) = servers::parlant_python() else {
        return;
    };
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new(python)
        .arg(format!("{root}/tests/python/check_sim_standin.py"))
        .arg(root)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("violations detected: 2"), "{text}");
}

/// Greet, then wait for a human (`Approve`, human_in_the_loop), then a function that reads the
/// approver's answer, then the response.
fn approval_workflow_json() -> String {
    let mut v: Value = serde_json::from_str(&workflow_json("Hello")).unwrap();
    let state = &mut v["state"];
    state["blocks"]["h1"] = json!({"id": "h1", "type": "human_in_the_loop", "name": "Approve", "position": {"x": 300, "y": 0},
        "enabled": true, "outputs": {}, "subBlocks": {}});
    state["blocks"]["f2"] = json!({"id": "f2", "type": "function", "name": "Finish", "position": {"x": 400, "y": 0}, "enabled": true, "outputs": {},
        "subBlocks": {"language": {"id": "language", "type": "dropdown", "value": "javascript"},
                      "code": {"id": "code", "type": "code", "value": "return <greet.result> + ' approved=' + <approve.resumeInput.approved>;"}}});
    state["blocks"]["r1"]["subBlocks"]["data"]["value"] = json!("<finish.result>");
    state["edges"] = json!([
        {"id": "e1", "source": "s1", "target": "f1", "sourceHandle": "source", "targetHandle": "target"},
        {"id": "e2", "source": "f1", "target": "h1", "sourceHandle": "source", "targetHandle": "target"},
        {"id": "e3", "source": "h1", "target": "f2", "sourceHandle": "source", "targetHandle": "target"},
        {"id": "e4", "source": "f2", "target": "r1", "sourceHandle": "source", "targetHandle": "target"}
    ]);
    v.to_string()
}

/// The CLI with a workspace and the env-var secrets of remote `sim-stream`.
fn cli(db: &std::path::Path, args: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_journey-studio"));
    c.args(args)
        .env("JOURNEY_STUDIO_WORKSPACE", db)
        .env("JOURNEY_STUDIO_NO_KEYRING", "1");
    c
}

#[test]
fn streamed_execution_arrives_event_by_event_and_a_paused_run_resumes() {
    let Some(lease) = sim_standin::standin(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "stream";
    let rt = rt();
    let (dir, mut store) = workspace(
        &url,
        "sim-stream",
        ws,
        Some(&personal_key(ws)),
        Some(&session(ws)),
    );
    store.save("greet", &workflow("Hello"), "first").unwrap();
    store
        .save(
            "approval",
            &Document::parse("approval", &approval_workflow_json()).unwrap(),
            "first",
        )
        .unwrap();
    let sim = client(&url, ws, true);
    let mut ids = std::collections::HashMap::new();
    for doc in ["greet", "approval"] {
        let PushOutcome::Pushed { remote_id, .. } = rt
            .block_on(engine::push(&mut store, doc, "sim-stream", false))
            .unwrap()
        else {
            panic!()
        };
        rt.block_on(sim.deploy(&remote_id, None)).unwrap();
        ids.insert(doc, remote_id);
    }
    let greet = ids["greet"].clone();
    let greet_block = rt.block_on(sim.export(&greet)).unwrap().unwrap()["state"]["blocks"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, b)| b["name"] == "Greet")
        .map(|(id, _)| id.clone())
        .unwrap();
    let input: serde_json::Map<String, Value> = json!({"name": "Ada"}).as_object().unwrap().clone();

    // Streamed: the selected output as a chunk when its block completes, then `final`, then
    // `[DONE]`; each frame is sent apart, and the client hands them over as they come.
    let mut seen = Vec::new();
    let run = rt
        .block_on(sim.execute_stream(
            &greet,
            &input,
            &["Greet.result".to_string()],
            Duration::from_secs(60),
            |e| seen.push(e.clone()),
        ))
        .unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        seen[0],
        StreamEvent::Chunk {
            block_id: greet_block.clone(),
            chunk: "Hello, Ada!".into()
        }
    );
    let StreamEvent::Final(data) = &seen[1] else {
        panic!("{seen:?}")
    };
    assert_eq!(data["success"], json!(true), "{data}");
    assert!(
        run.done && run.events == 2 && run.status() == "completed",
        "{run:?}"
    );
    assert!(
        run.reads >= 3,
        "the frames came in separate reads, not one body: {run:?}"
    );
    // The run is recorded like any other, under the id the stream's header gave.
    let run_id = run.run_id.clone().unwrap();
    assert_eq!(
        rt.block_on(sim.run(&greet, &run_id, true)).unwrap()["status"],
        json!("completed")
    );
    // Without selected outputs: only `final`, carrying the run's output.
    let mut finals = Vec::new();
    rt.block_on(
        sim.execute_stream(&greet, &input, &[], Duration::from_secs(60), |e| {
            finals.push(e.clone())
        }),
    )
    .unwrap();
    assert!(
        matches!(finals.as_slice(), [StreamEvent::Final(d)] if d["output"].to_string().contains("Hello, Ada!")),
        "{finals:?}"
    );
    // Sim's mode rules: stream and async together is a 400 in Sim's envelope.
    let resp = rt
        .block_on(
            reqwest::Client::new()
                .post(format!("{url}/api/v2/workflows/{greet}/execute"))
                .header("X-API-Key", personal_key(ws))
                .json(&json!({"input": {}, "stream": true, "async": true}))
                .send(),
        )
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = rt.block_on(resp.json()).unwrap();
    assert_eq!(
        body["error"]["message"],
        json!("async and stream cannot be combined"),
        "{body}"
    );

    // The CLI prints each event as it arrives: the first line is out while the run still streams.
    let db = dir.path().join("ws.db");
    let mut child = cli(
        &db,
        &[
            "sim",
            "sim-stream",
            "execute",
            "greet",
            "--stream",
            "--select",
            "Greet.result",
            "--input",
            r#"{"name": "Bo"}"#,
        ],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert!(
        child.try_wait().unwrap().is_none(),
        "the first event printed before the stream ended"
    );
    assert_eq!(
        first,
        json!({"blockId": greet_block, "chunk": "Hello, Bo!"})
    );
    let rest: Vec<Value> = lines
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert!(child.wait().unwrap().success());
    assert_eq!(rest[0]["event"], json!("final"));
    assert_eq!(rest[1]["status"], json!("completed"));
    assert_eq!(rest[1]["events"], json!(2));

    // Human in the loop: the run pauses at `Approve`; its pause context resumes it as a new
    // run whose input reaches the blocks after the pause.
    let approval = ids["approval"].clone();
    let Execution::Finished(paused) = rt
        .block_on(sim.execute(
            &approval,
            &ExecuteOptions {
                input: input.clone(),
                ..Default::default()
            },
        ))
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(paused["status"], json!("paused"), "{paused}");
    let paused_id = paused["runId"].as_str().unwrap().to_string();
    let detail = rt.block_on(sim.run(&approval, &paused_id, false)).unwrap();
    let context = detail["paused"]["contextId"].as_str().unwrap().to_string();
    let approve_block = rt.block_on(sim.export(&approval)).unwrap().unwrap()["state"]["blocks"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, b)| b["name"] == "Approve")
        .map(|(id, _)| id.clone())
        .unwrap();
    assert_eq!(
        detail["paused"]["blockedOnBlockId"],
        json!(approve_block),
        "{detail}"
    );
    assert_eq!(detail["paused"]["pauseKind"], json!("human"));
    let err = rt
        .block_on(sim.resume(&approval, &paused_id, "ctx_wrong", None))
        .unwrap_err()
        .to_string();
    assert!(err.contains("404"), "{err}");
    let Execution::Finished(resumed) = rt
        .block_on(sim.resume(
            &approval,
            &paused_id,
            &context,
            Some(json!({"approved": true})),
        ))
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(resumed["status"], json!("completed"), "{resumed}");
    assert_ne!(
        resumed["runId"],
        json!(paused_id),
        "a resumed attempt has a new run id"
    );
    assert!(
        resumed["output"]
            .to_string()
            .contains("Hello, Ada! approved=true"),
        "{resumed}"
    );
    let err = rt
        .block_on(sim.resume(&approval, &paused_id, &context, None))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("409") && err.contains("already resumed"),
        "{err}"
    );
    // A streamed run that pauses says so in `final`.
    let paused_stream = rt
        .block_on(sim.execute_stream(&approval, &input, &[], Duration::from_secs(60), |_| {}))
        .unwrap();
    assert_eq!(paused_stream.status(), "paused", "{paused_stream:?}");
    // Through the CLI: `run` shows the context, `resume` answers it.
    let out = cli(
        &db,
        &[
            "sim",
            "sim-stream",
            "run",
            "approval",
            paused_stream.run_id.as_deref().unwrap(),
        ],
    )
    .output()
    .unwrap();
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    let context = shown["paused"]["contextId"].as_str().unwrap().to_string();
    let out = cli(
        &db,
        &[
            "sim",
            "sim-stream",
            "resume",
            "approval",
            paused_stream.run_id.as_deref().unwrap(),
            "--context",
            &context,
            "--input",
            r#"{"approved": false}"#,
        ],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let resumed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        resumed["output"]
            .to_string()
            .contains("Hello, Ada! approved=false"),
        "{resumed}"
    );
    lease.server.assert_no_violations();
}

#[test]
fn pushes_land_in_the_remotes_folder_created_when_missing() {
    let Some(lease) = sim_standin::standin(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "folders";
    let rt = rt();
    let (_d, mut store) = workspace(
        &url,
        "sim-folder",
        ws,
        Some(&personal_key(ws)),
        Some(&session(ws)),
    );
    let mut remote = store.remote("sim-folder").unwrap();
    remote
        .options
        .insert("folder".into(), json!("/Journey%20Studio/Drafts"));
    store.add_remote(&remote).unwrap();
    store.save("greet", &workflow("Hello"), "first").unwrap();
    store.save("other", &workflow("Salut"), "first").unwrap();
    let sim = client(&url, ws, true);
    for doc in ["greet", "other"] {
        let PushOutcome::Pushed {
            remote_id,
            created: true,
            ..
        } = rt
            .block_on(engine::push(&mut store, doc, "sim-folder", false))
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(
            rt.block_on(sim.get(&remote_id)).unwrap().unwrap()["folderPath"],
            json!("/Journey%20Studio/Drafts")
        );
    }
    let folders: Vec<Value> = rt.block_on(sim.folders(ws)).unwrap();
    let paths: Vec<&str> = folders
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/Journey%20Studio", "/Journey%20Studio/Drafts"]);
    assert_eq!(folders[0]["name"], json!("Journey Studio"));
    let created = lease
        .server
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST /api/v2/workflows/folders"))
        .count();
    assert_eq!(created, 2, "each folder created once, parents first");
    // Sim refuses an import into a folder that does not exist: 404 "Folder not found".
    let err = rt
        .block_on(sim.import(
            ws,
            &serde_json::from_str(&workflow_json("x")).unwrap(),
            None,
            Some("/Nowhere"),
        ))
        .unwrap_err()
        .to_string();
    assert!(err.contains("404"), "{err}");
    // An invalid folder setting is a clear error before anything is sent.
    remote.options.insert("folder".into(), json!("/a/../b"));
    store.add_remote(&remote).unwrap();
    store.save("third", &workflow("Hola"), "first").unwrap();
    let err = rt
        .block_on(engine::push(&mut store, "third", "sim-folder", false))
        .unwrap_err()
        .to_string();
    assert!(err.contains("sim-folder") && err.contains("`..`"), "{err}");
    lease.server.assert_no_violations();
}
