//! Push and pull against a REAL Parlant 3.3.2 server (started once for this binary), with
//! faults injected by a proxy in front of it.

#[path = "common/servers.rs"]
mod servers;

use journey_studio::parlant::JourneyDocument;
use journey_studio::store::{OutboxState, Remote, RemoteKind, Store};
use journey_studio::sync::engine::{self, PullOutcome, PushOutcome, Resolution};
use journey_studio::sync::parlant::{projection_hash, ParlantClient};
use journey_studio::Document;
use servers::{fault_proxy, Fault};
use std::time::Duration;

/// Tests in this file that use the server (the last one to finish stops it).
const USERS: usize = 7;

fn journey_json(title: &str) -> String {
    format!(
        r#"{{
  "format": "parlant-journey", "version": 1,
  "journey": {{ "title": "{title}", "description": "Helps the customer book a flight",
    "conditions": ["The customer wants to book a flight"], "root_id": "root", "tags": [] }},
  "nodes": [
    {{ "id": "root", "action": null, "tools": [], "metadata": {{}} }},
    {{ "id": "ask", "action": "Ask where they want to fly", "tools": [], "metadata": {{ "journey_node": {{ "kind": "chat" }} }} }},
    {{ "id": "search", "action": "Use the tool search_flights",
      "tools": [{{ "service_name": "flights", "tool_name": "search_flights" }}],
      "metadata": {{ "journey_node": {{ "kind": "tool" }}, "sim": {{ "block": "b1" }} }} }},
    {{ "id": "check", "action": null, "tools": [], "metadata": {{ "journey_node": {{ "kind": "fork" }} }} }},
    {{ "id": "offer", "action": "Offer the cheapest \"direct\" flight & ask to confirm", "tools": [], "metadata": {{ "journey_node": {{ "kind": "chat" }} }} }}
  ],
  "edges": [
    {{ "id": "e1", "source": "root", "target": "ask", "condition": null, "metadata": {{}} }},
    {{ "id": "e2", "source": "ask", "target": "search", "condition": "the customer named a destination", "metadata": {{}} }},
    {{ "id": "e3", "source": "search", "target": "check", "condition": null, "metadata": {{}} }},
    {{ "id": "e4", "source": "check", "target": "offer", "condition": "flights were found", "metadata": {{}} }},
    {{ "id": "e5", "source": "check", "target": "end", "condition": "no flights were found", "metadata": {{}} }},
    {{ "id": "e6", "source": "offer", "target": "end", "condition": null, "metadata": {{}} }}
  ],
  "editor": {{ "positions": {{ "root": {{ "x": 0, "y": 0 }} }} }}
}}"#
    )
}

fn journey(title: &str) -> JourneyDocument {
    JourneyDocument::parse("test", &journey_json(title)).unwrap()
}

fn workspace(url: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("ws.db")).unwrap();
    add_remote(&store, "parlant", url);
    (dir, store)
}

fn add_remote(store: &Store, name: &str, url: &str) {
    let mut options = serde_json::Map::new();
    options.insert("agent".into(), "Test agent".into());
    store
        .add_remote(&Remote {
            name: name.into(),
            kind: RemoteKind::Parlant,
            url: url.into(),
            options,
        })
        .unwrap();
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn count_journeys(url: &str, id: &str) -> usize {
    let client = ParlantClient::new("check", url, None).unwrap();
    client
        .list_journeys()
        .await
        .unwrap()
        .iter()
        .filter(|(j, _)| j == id)
        .count()
}

async fn remote_hash(url: &str, id: &str) -> String {
    let client = ParlantClient::new("check", url, None).unwrap();
    let agent = client.ensure_agent("Test agent").await.unwrap();
    let r = client
        .fetch(id)
        .await
        .unwrap()
        .expect("journey on the server");
    assert!(r.exact, "the graph module answered");
    projection_hash(&r.doc, &[format!("agent:{agent}")])
}

fn local_hash(store: &Store, name: &str, agent_tag: &str) -> String {
    match store.head(name).unwrap().document(name).unwrap() {
        Document::Journey(j) => projection_hash(&j, &[agent_tag.to_string()]),
        _ => unreachable!(),
    }
}

#[test]
fn push_creates_then_updates_in_place_and_pull_round_trips() {
    let Some(lease) = servers::parlant(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let rt = rt();
    let (_dir, mut store) = workspace(&url);
    store
        .save(
            "flight",
            &Document::Journey(journey("Book a flight")),
            "first",
        )
        .unwrap();

    let first = rt
        .block_on(engine::push(&mut store, "flight", "parlant", false))
        .unwrap();
    let PushOutcome::Pushed {
        remote_id,
        created: true,
        ..
    } = first
    else {
        panic!("{first:?}")
    };
    assert_eq!(rt.block_on(count_journeys(&url, &remote_id)), 1);
    let client = ParlantClient::new("check", &url, None).unwrap();
    let agent = rt.block_on(client.ensure_agent("Test agent")).unwrap();
    let agent_tag = format!("agent:{agent}");
    assert_eq!(
        rt.block_on(remote_hash(&url, &remote_id)),
        local_hash(&store, "flight", &agent_tag)
    );
    // The journey is scoped to the agent, and Parlant's own mermaid view shows the graph.
    let pulled = rt.block_on(client.fetch(&remote_id)).unwrap().unwrap();
    assert!(pulled.doc.journey.tags.get().unwrap().contains(&agent_tag));
    let chart = rt
        .block_on(reqwest::get(format!("{url}/journeys/{remote_id}/mermaid")))
        .unwrap();
    let chart = rt.block_on(chart.text()).unwrap();
    assert!(chart.contains("Ask where they want to fly"), "{chart}");

    // Same content again: nothing sent.
    let again = rt
        .block_on(engine::push(&mut store, "flight", "parlant", false))
        .unwrap();
    assert!(matches!(again, PushOutcome::UpToDate { .. }), "{again:?}");

    // Edit: change an action, drop a node, add one, retarget an edge, change a condition.
    let mut doc = journey("Book a flight (v2)");
    doc.nodes.retain(|n| n.id != "search");
    doc.edges.retain(|e| e.id != "e2" && e.id != "e3");
    doc.nodes.iter_mut().find(|n| n.id == "ask").unwrap().action =
        journey_studio::json::Maybe::Value("Ask for the destination and dates".into());
    doc.nodes.push(journey_studio::parlant::JourneyNode::new(
        "confirm",
        &journey_studio::parlant::NodeKind::Chat,
        Some("Confirm the booking".into()),
    ));
    doc.edges.push(journey_studio::parlant::JourneyEdge::new(
        "e7",
        "ask",
        "check",
        Some("the customer gave dates".into()),
    ));
    doc.edges.iter_mut().find(|e| e.id == "e6").unwrap().target = "confirm".into();
    doc.edges.push(journey_studio::parlant::JourneyEdge::new(
        "e8", "confirm", "end", None,
    ));
    doc.journey.conditions = vec!["The customer wants to fly somewhere".into()];
    store
        .save("flight", &Document::Journey(doc), "edit")
        .unwrap();
    let update = rt
        .block_on(engine::push(&mut store, "flight", "parlant", false))
        .unwrap();
    let PushOutcome::Pushed {
        created: false,
        requests,
        ..
    } = update
    else {
        panic!("{update:?}")
    };
    assert!(
        requests > 0 && requests < 20,
        "minimal changes, got {requests} requests"
    );
    assert_eq!(rt.block_on(count_journeys(&url, &remote_id)), 1);
    assert_eq!(
        rt.block_on(remote_hash(&url, &remote_id)),
        local_hash(&store, "flight", &agent_tag)
    );

    // Pull into a second workspace: the same journey, node and edge ids included.
    let (_dir2, mut other) = workspace(&url);
    let got = rt
        .block_on(engine::pull(&mut other, "parlant", &remote_id, "copy"))
        .unwrap();
    assert!(matches!(got, PullOutcome::Created { .. }), "{got:?}");
    assert_eq!(
        local_hash(&other, "copy", &agent_tag),
        local_hash(&store, "flight", &agent_tag)
    );

    // The stock mermaid chart (what a server without the module offers) parses to the same shape.
    let chart = rt
        .block_on(
            rt.block_on(reqwest::get(format!("{url}/journeys/{remote_id}/mermaid")))
                .unwrap()
                .text(),
        )
        .unwrap();
    let parsed = journey_studio::sync::mermaid::parse(&chart);
    let Document::Journey(local) = store.head("flight").unwrap().document("flight").unwrap() else {
        unreachable!()
    };
    assert_eq!(parsed.nodes.len(), local.nodes.len());
    assert_eq!(parsed.edges.len(), local.edges.len());
    let mut actions: Vec<_> = parsed
        .nodes
        .iter()
        .filter_map(|n| n.action_text())
        .collect();
    let mut expected: Vec<_> = local.nodes.iter().filter_map(|n| n.action_text()).collect();
    actions.sort();
    expected.sort();
    assert_eq!(actions, expected);
}

#[test]
fn remote_change_is_a_conflict_resolved_three_ways() {
    let Some(lease) = servers::parlant(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let rt = rt();
    let (_a_dir, mut a) = workspace(&url);
    a.save("j", &Document::Journey(journey("Conflict test")), "")
        .unwrap();
    let PushOutcome::Pushed { remote_id, .. } = rt
        .block_on(engine::push(&mut a, "j", "parlant", false))
        .unwrap()
    else {
        panic!()
    };

    // Someone else changes the remote.
    let (_b_dir, mut b) = workspace(&url);
    rt.block_on(engine::pull(&mut b, "parlant", &remote_id, "j"))
        .unwrap();
    let mut theirs = journey("Conflict test (theirs)");
    theirs.journey.id = journey_studio::json::Maybe::Value(remote_id.clone());
    b.save("j", &Document::Journey(theirs), "their edit")
        .unwrap();
    assert!(matches!(
        rt.block_on(engine::push(&mut b, "j", "parlant", false))
            .unwrap(),
        PushOutcome::Pushed { .. }
    ));

    // Ours changes too: push stops with a conflict, nothing sent.
    a.save(
        "j",
        &Document::Journey(journey("Conflict test (mine)")),
        "my edit",
    )
    .unwrap();
    let out = rt
        .block_on(engine::push(&mut a, "j", "parlant", false))
        .unwrap();
    let PushOutcome::Conflict { diff, .. } = out else {
        panic!("{out:?}")
    };
    assert!(
        diff.contains("(theirs)") && diff.contains("(mine)"),
        "{diff}"
    );
    assert_eq!(a.open_conflicts().unwrap().len(), 1);
    assert_eq!(a.outbox().unwrap()[0].state, OutboxState::Conflict);
    let client = ParlantClient::new("c", &url, None).unwrap();
    assert_eq!(
        rt.block_on(client.fetch(&remote_id))
            .unwrap()
            .unwrap()
            .doc
            .journey
            .title,
        "Conflict test (theirs)"
    );

    // Both: theirs kept as a copy, mine stays linked and then wins.
    engine::resolve(&mut a, "j", "parlant", Resolution::Both).unwrap();
    assert!(a
        .documents()
        .unwrap()
        .iter()
        .any(|d| d.name == "j (from parlant)"));
    assert!(matches!(
        rt.block_on(engine::push(&mut a, "j", "parlant", false))
            .unwrap(),
        PushOutcome::Pushed { .. }
    ));
    assert_eq!(
        rt.block_on(client.fetch(&remote_id))
            .unwrap()
            .unwrap()
            .doc
            .journey
            .title,
        "Conflict test (mine)"
    );

    // Take theirs: b pulls... b is now behind; b edits -> conflict on b; b takes theirs.
    let mut b_doc = journey("Conflict test (b again)");
    b_doc.journey.id = journey_studio::json::Maybe::Value(remote_id.clone());
    b.save("j", &Document::Journey(b_doc), "").unwrap();
    assert!(matches!(
        rt.block_on(engine::push(&mut b, "j", "parlant", false))
            .unwrap(),
        PushOutcome::Conflict { .. }
    ));
    engine::resolve(&mut b, "j", "parlant", Resolution::TakeTheirs).unwrap();
    let Document::Journey(head) = b.head("j").unwrap().document("j").unwrap() else {
        unreachable!()
    };
    assert_eq!(head.journey.title, "Conflict test (mine)");
    assert!(b.open_conflicts().unwrap().is_empty());

    // Keep mine: a changes again, b changes, b keeps mine and overwrites.
    a.save("j", &Document::Journey(journey("Conflict test (a2)")), "")
        .unwrap();
    assert!(matches!(
        rt.block_on(engine::push(&mut a, "j", "parlant", false))
            .unwrap(),
        PushOutcome::Pushed { .. }
    ));
    let mut b2 = journey("Conflict test (b wins)");
    b2.journey.id = journey_studio::json::Maybe::Value(remote_id.clone());
    b.save("j", &Document::Journey(b2), "").unwrap();
    assert!(matches!(
        rt.block_on(engine::push(&mut b, "j", "parlant", false))
            .unwrap(),
        PushOutcome::Conflict { .. }
    ));
    engine::resolve(&mut b, "j", "parlant", Resolution::KeepMine).unwrap();
    assert!(matches!(
        rt.block_on(engine::push(&mut b, "j", "parlant", false))
            .unwrap(),
        PushOutcome::Pushed { .. }
    ));
    assert_eq!(
        rt.block_on(client.fetch(&remote_id))
            .unwrap()
            .unwrap()
            .doc
            .journey
            .title,
        "Conflict test (b wins)"
    );
    assert_eq!(rt.block_on(count_journeys(&url, &remote_id)), 1);
}

#[test]
fn server_down_queues_then_retry_pushes_once() {
    let Some(lease) = servers::parlant(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let rt = rt();
    let dead = format!("http://127.0.0.1:{}", servers::free_port());
    let (_dir, mut store) = workspace(&dead);
    store
        .save("offline", &Document::Journey(journey("Made offline")), "")
        .unwrap();
    let out = rt
        .block_on(engine::push(&mut store, "offline", "parlant", false))
        .unwrap();
    let PushOutcome::Queued { error, .. } = out else {
        panic!("{out:?}")
    };
    assert!(error.contains("cannot connect"), "{error}");
    let entry = store.outbox().unwrap().remove(0);
    assert_eq!((entry.state, entry.attempts), (OutboxState::Pending, 1));
    // Not due yet (backoff), so a plain flush does nothing.
    assert!(rt
        .block_on(engine::flush(&mut store, None, false))
        .unwrap()
        .is_empty());

    // The server is back.
    add_remote(&store, "parlant", &url);
    let done = rt.block_on(engine::flush(&mut store, None, true)).unwrap();
    assert!(
        matches!(done.as_slice(), [PushOutcome::Pushed { created: true, .. }]),
        "{done:?}"
    );
    assert_eq!(rt.block_on(count_journeys(&url, &entry.remote_id)), 1);
    assert!(store.outbox().unwrap().is_empty());
    // Retrying a done push changes nothing.
    assert!(matches!(
        rt.block_on(engine::push(&mut store, "offline", "parlant", false))
            .unwrap(),
        PushOutcome::UpToDate { .. }
    ));
}

#[test]
fn http_500_429_and_timeouts_are_retried_later_and_never_duplicate() {
    let Some(lease) = servers::parlant(USERS) else {
        return;
    };
    let port = lease.server.port;
    let url = lease.server.url.clone();
    let rt = rt();
    // 429 with Retry-After on the very first request.
    let proxy = fault_proxy(port, |n, _| {
        if n == 1 {
            Fault::Status(429, Some(7))
        } else {
            Fault::Forward
        }
    });
    let (_dir, mut store) = workspace(&proxy.url);
    store
        .save("rl", &Document::Journey(journey("Rate limited")), "")
        .unwrap();
    let out = rt
        .block_on(engine::push(&mut store, "rl", "parlant", false))
        .unwrap();
    let PushOutcome::Queued {
        error,
        next_attempt_at,
        ..
    } = out
    else {
        panic!("{out:?}")
    };
    assert!(error.contains("rate limited"), "{error}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        next_attempt_at >= now + 5 && next_attempt_at <= now + 8,
        "Retry-After honoured: {next_attempt_at} vs {now}"
    );
    assert!(matches!(
        rt.block_on(engine::flush(&mut store, None, true))
            .unwrap()
            .as_slice(),
        [PushOutcome::Pushed { .. }]
    ));

    // A 500 in the middle of writing the graph: the created journey is deleted again.
    let proxy = fault_proxy(port, |_, what| {
        if what.starts_with("POST /journey-studio/journeys/") && what.ends_with("/edges") {
            Fault::Status(500, None)
        } else {
            Fault::Forward
        }
    });
    let (_dir2, mut s2) = workspace(&proxy.url);
    s2.save("boom", &Document::Journey(journey("Server error")), "")
        .unwrap();
    let out = rt
        .block_on(engine::push(&mut s2, "boom", "parlant", false))
        .unwrap();
    let PushOutcome::Queued { error, .. } = out else {
        panic!("{out:?}")
    };
    assert!(error.contains("500"), "{error}");
    let id = s2.outbox().unwrap()[0].remote_id.clone();
    assert_eq!(
        rt.block_on(count_journeys(&url, &id)),
        0,
        "compensated: no half-pushed journey left"
    );
    assert!(proxy
        .requests
        .lock()
        .unwrap()
        .iter()
        .any(|r| r == &format!("DELETE /journeys/{id}")));
    // Retried through a healthy path: created once.
    add_remote(&s2, "parlant", &url);
    assert!(matches!(
        rt.block_on(engine::flush(&mut s2, None, true))
            .unwrap()
            .as_slice(),
        [PushOutcome::Pushed { .. }]
    ));
    assert_eq!(rt.block_on(count_journeys(&url, &id)), 1);

    // A timeout (the server holds a write longer than the client waits).
    std::env::set_var("JOURNEY_STUDIO_HTTP_TIMEOUT_SECS", "2");
    let proxy = fault_proxy(port, |_, what| {
        if what.starts_with("POST /journeys") {
            Fault::Delay(Duration::from_secs(4))
        } else {
            Fault::Forward
        }
    });
    let (_dir3, mut s3) = workspace(&proxy.url);
    s3.save("slow", &Document::Journey(journey("Timeout")), "")
        .unwrap();
    let out = rt
        .block_on(engine::push(&mut s3, "slow", "parlant", false))
        .unwrap();
    std::env::remove_var("JOURNEY_STUDIO_HTTP_TIMEOUT_SECS");
    let PushOutcome::Queued { error, .. } = out else {
        panic!("{out:?}")
    };
    assert!(error.contains("timed out"), "{error}");
    // The delayed create still landed on the server after the client gave up; the retry finds
    // it by its id and completes it instead of creating a second one.
    std::thread::sleep(Duration::from_secs(3));
    add_remote(&s3, "parlant", &url);
    let id = s3.outbox().unwrap()[0].remote_id.clone();
    let done = rt.block_on(engine::flush(&mut s3, None, true)).unwrap();
    assert!(
        matches!(done.as_slice(), [PushOutcome::Pushed { .. }]),
        "{done:?}"
    );
    assert_eq!(rt.block_on(count_journeys(&url, &id)), 1);
    assert_eq!(rt.block_on(remote_hash(&url, &id)), {
        let client = ParlantClient::new("c", &url, None).unwrap();
        let agent = rt.block_on(client.ensure_agent("Test agent")).unwrap();
        local_hash(&s3, "slow", &format!("agent:{agent}"))
    });
}

#[test]
fn connection_reset_mid_push_then_resume_completes_without_duplicates() {
    let Some(lease) = servers::parlant(USERS) else {
        return;
    };
    let port = lease.server.port;
    let url = lease.server.url.clone();
    let rt = rt();
    // Reset the connection at the 3rd graph write and on everything after it (the undo too).
    let writes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let w = writes.clone();
    let proxy = fault_proxy(port, move |_, what| {
        if what.starts_with("GET ") && w.load(std::sync::atomic::Ordering::SeqCst) < 3 {
            return Fault::Forward;
        }
        if w.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 3 {
            Fault::Reset
        } else {
            Fault::Forward
        }
    });
    let (_dir, mut store) = workspace(&proxy.url);
    store
        .save("reset", &Document::Journey(journey("Reset mid-push")), "")
        .unwrap();
    let out = rt
        .block_on(engine::push(&mut store, "reset", "parlant", false))
        .unwrap();
    let PushOutcome::Queued { error, .. } = out else {
        panic!("{out:?}")
    };
    assert!(
        error.contains("undoing the partial push also failed"),
        "{error}"
    );
    let entry = store.outbox().unwrap().remove(0);
    assert_eq!(
        entry.state,
        OutboxState::Started,
        "the remote holds part of the push"
    );
    assert_eq!(
        rt.block_on(count_journeys(&url, &entry.remote_id)),
        1,
        "half-pushed journey exists"
    );

    add_remote(&store, "parlant", &url);
    let done = rt.block_on(engine::flush(&mut store, None, true)).unwrap();
    assert!(
        matches!(
            done.as_slice(),
            [PushOutcome::Pushed { created: false, .. }]
        ),
        "{done:?}"
    );
    assert_eq!(rt.block_on(count_journeys(&url, &entry.remote_id)), 1);
    let client = ParlantClient::new("c", &url, None).unwrap();
    let agent = rt.block_on(client.ensure_agent("Test agent")).unwrap();
    assert_eq!(
        rt.block_on(remote_hash(&url, &entry.remote_id)),
        local_hash(&store, "reset", &format!("agent:{agent}"))
    );
    let graph = rt
        .block_on(client.fetch(&entry.remote_id))
        .unwrap()
        .unwrap();
    assert_eq!(graph.doc.edges.len(), 6, "no duplicated edges");
}

#[test]
fn sigkill_of_the_cli_mid_push_loses_and_duplicates_nothing() {
    let Some(lease) = servers::parlant(USERS) else {
        return;
    };
    let port = lease.server.port;
    let url = lease.server.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.db");
    let file = dir.path().join("killed.json");
    std::fs::write(&file, journey_json("Killed mid-push")).unwrap();
    // Every write is slowed so the kill lands in the middle of the push.
    let proxy = fault_proxy(port, |_, what| {
        if what.starts_with("GET ") {
            Fault::Forward
        } else {
            Fault::Delay(Duration::from_millis(300))
        }
    });
    let bin = env!("CARGO_BIN_EXE_journey-studio");
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .args(args)
            .env("JOURNEY_STUDIO_WORKSPACE", &ws)
            .env("JOURNEY_STUDIO_NO_KEYRING", "1")
            .output()
            .unwrap()
    };
    let out = run(&[
        "remote",
        "add",
        "parlant",
        "--kind",
        "parlant",
        "--url",
        &proxy.url,
        "--agent",
        "Test agent",
    ]);
    assert!(out.status.success(), "{out:?}");
    let mut child = std::process::Command::new(bin)
        .args(["push", "parlant", file.to_str().unwrap()])
        .env("JOURNEY_STUDIO_WORKSPACE", &ws)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until writes have begun (the outbox says `started`), let a few land, then SIGKILL.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let started = Store::open(&ws)
            .ok()
            .and_then(|s| s.outbox().ok())
            .is_some_and(|o| o.iter().any(|e| e.state == OutboxState::Started));
        if started {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "push never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1000));
    child.kill().unwrap();
    child.wait().unwrap();
    let writes_seen = proxy
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| !r.starts_with("GET "))
        .count();
    assert!(
        writes_seen >= 2,
        "killed mid-push, after {writes_seen} writes"
    );

    let store = Store::open(&ws).unwrap();
    let entry = store.outbox().unwrap().remove(0);
    assert_eq!(entry.state, OutboxState::Started);
    drop(store);
    // Resume directly against the server.
    let out = run(&[
        "remote",
        "add",
        "parlant",
        "--kind",
        "parlant",
        "--url",
        &url,
        "--agent",
        "Test agent",
    ]);
    assert!(out.status.success());
    let out = run(&["push", "parlant", "--now"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("pushed `killed`"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let rt = rt();
    assert_eq!(rt.block_on(count_journeys(&url, &entry.remote_id)), 1);
    let store = Store::open(&ws).unwrap();
    assert!(store.outbox().unwrap().is_empty());
    let client = ParlantClient::new("c", &url, None).unwrap();
    let agent = rt.block_on(client.ensure_agent("Test agent")).unwrap();
    assert_eq!(
        rt.block_on(remote_hash(&url, &entry.remote_id)),
        local_hash(&store, "killed", &format!("agent:{agent}"))
    );
}

/// The journey as the server's stock REST API returns it (`GET /journeys/{id}`).
async fn journey_dto(url: &str, id: &str) -> serde_json::Value {
    reqwest::get(format!("{url}/journeys/{id}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[test]
fn composition_mode_labels_and_priority_are_pushed_pulled_and_compared() {
    let Some(lease) = servers::parlant(USERS) else {
        return;
    };
    let url = lease.server.url.clone();
    let rt = rt();
    let (_dir, mut store) = workspace(&url);
    // Its own agent (the other tests share "Test agent").
    let mut options = serde_json::Map::new();
    options.insert("agent".into(), "Fields agent".into());
    store
        .add_remote(&Remote {
            name: "parlant".into(),
            kind: RemoteKind::Parlant,
            url: url.clone(),
            options,
        })
        .unwrap();
    let mut doc = journey("Priority booking");
    doc.journey.composition_mode = journey_studio::json::Maybe::Value("strict_canned".into());
    doc.journey.labels = journey_studio::json::Maybe::Value(vec!["vip".into(), "flights".into()]);
    doc.journey.priority = journey_studio::json::Maybe::Value(5.into());
    store
        .save("prio", &Document::Journey(doc.clone()), "first")
        .unwrap();

    // Created with all three (Parlant's own GET shows them).
    let out = rt
        .block_on(engine::push(&mut store, "prio", "parlant", false))
        .unwrap();
    let PushOutcome::Pushed {
        remote_id,
        created: true,
        ..
    } = out
    else {
        panic!("{out:?}")
    };
    let dto = rt.block_on(journey_dto(&url, &remote_id));
    assert_eq!(
        dto["composition_mode"],
        serde_json::json!("strict_canned"),
        "{dto}"
    );
    let mut labels: Vec<String> = serde_json::from_value(dto["labels"].clone()).unwrap();
    labels.sort();
    assert_eq!(labels, ["flights", "vip"]);
    assert_eq!(dto["priority"], serde_json::json!(5));

    // Updated in place: one label swapped, priority changed, mode changed.
    doc.journey.composition_mode = journey_studio::json::Maybe::Value("fluid".into());
    doc.journey.labels = journey_studio::json::Maybe::Value(vec!["vip".into(), "urgent".into()]);
    doc.journey.priority = journey_studio::json::Maybe::Value(9.into());
    store
        .save("prio", &Document::Journey(doc.clone()), "edit")
        .unwrap();
    let out = rt
        .block_on(engine::push(&mut store, "prio", "parlant", false))
        .unwrap();
    assert!(
        matches!(out, PushOutcome::Pushed { created: false, .. }),
        "{out:?}"
    );
    let dto = rt.block_on(journey_dto(&url, &remote_id));
    let mut labels: Vec<String> = serde_json::from_value(dto["labels"].clone()).unwrap();
    labels.sort();
    assert_eq!(
        (
            dto["composition_mode"].clone(),
            labels,
            dto["priority"].clone()
        ),
        (
            serde_json::json!("fluid"),
            vec!["urgent".to_string(), "vip".to_string()],
            serde_json::json!(9)
        )
    );

    // Cleared: no mode (Parlant's PATCH cannot; the graph module does), no labels, priority 0.
    doc.journey.composition_mode = journey_studio::json::Maybe::Absent;
    doc.journey.labels = journey_studio::json::Maybe::Absent;
    doc.journey.priority = journey_studio::json::Maybe::Absent;
    store
        .save("prio", &Document::Journey(doc.clone()), "clear")
        .unwrap();
    let out = rt
        .block_on(engine::push(&mut store, "prio", "parlant", false))
        .unwrap();
    assert!(
        matches!(out, PushOutcome::Pushed { created: false, .. }),
        "{out:?}"
    );
    let dto = rt.block_on(journey_dto(&url, &remote_id));
    assert_eq!(
        (
            dto["composition_mode"].clone(),
            dto["labels"].clone(),
            dto["priority"].clone()
        ),
        (
            serde_json::Value::Null,
            serde_json::json!([]),
            serde_json::json!(0)
        ),
        "{dto}"
    );
    let again = rt
        .block_on(engine::push(&mut store, "prio", "parlant", false))
        .unwrap();
    assert!(matches!(again, PushOutcome::UpToDate { .. }), "{again:?}");

    // A change made on the server to just these fields is seen: pull fast-forwards it into an
    // unchanged local copy, with the values.
    let patch = serde_json::json!({"priority": 3, "labels": {"upsert": ["ops"], "remove": []}, "composition_mode": "canned_fluid"});
    let resp = rt
        .block_on(
            reqwest::Client::new()
                .patch(format!("{url}/journeys/{remote_id}"))
                .json(&patch)
                .send(),
        )
        .unwrap();
    assert!(resp.status().is_success());
    let pulled = rt
        .block_on(engine::pull(&mut store, "parlant", &remote_id, "prio"))
        .unwrap();
    assert!(matches!(pulled, PullOutcome::Updated { .. }), "{pulled:?}");
    let Document::Journey(now) = store.head("prio").unwrap().document("prio").unwrap() else {
        unreachable!()
    };
    assert_eq!(
        now.journey.composition_mode.get().map(String::as_str),
        Some("canned_fluid")
    );
    assert_eq!(
        now.journey.labels.get().cloned(),
        Some(vec!["ops".to_string()])
    );
    assert_eq!(now.journey.priority.get().and_then(|p| p.as_i64()), Some(3));

    // Both sides change only the priority: a conflict, and the diff shows it.
    let resp = rt
        .block_on(
            reqwest::Client::new()
                .patch(format!("{url}/journeys/{remote_id}"))
                .json(&serde_json::json!({"priority": 7}))
                .send(),
        )
        .unwrap();
    assert!(resp.status().is_success());
    let mut mine = now.clone();
    mine.journey.priority = journey_studio::json::Maybe::Value(1.into());
    store
        .save("prio", &Document::Journey(mine), "mine")
        .unwrap();
    let out = rt
        .block_on(engine::push(&mut store, "prio", "parlant", false))
        .unwrap();
    let PushOutcome::Conflict { diff, .. } = out else {
        panic!("{out:?}")
    };
    assert!(
        diff.contains("\"priority\": 7") && diff.contains("\"priority\": 1"),
        "{diff}"
    );

    // Values Parlant would reject are refused before anything is sent.
    let mut bad = journey("Bad mode");
    bad.journey.composition_mode = journey_studio::json::Maybe::Value("loud".into());
    store.save("bad", &Document::Journey(bad), "first").unwrap();
    let err = rt
        .block_on(engine::push(&mut store, "bad", "parlant", false))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("journey.composition_mode") && err.contains("strict_canned"),
        "{err}"
    );
}
