//! `journey-studio serve` under hostile clients: stalled connections, oversized bodies, a large
//! document on a worker's stack, and hostile session snapshots; the server keeps answering.

mod common;

use common::serve::{exchange, request, serve_with, Served};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A server with `--read-timeout SECONDS` on a workspace of its own (kept while the test runs).
fn serve(read_timeout: &str) -> (Served, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_with(
        dir.path(),
        &dir.path().join("w.db"),
        &["--read-timeout", read_timeout],
    );
    (served, dir)
}

fn call_raw(s: &Served, command: &str, args: &serde_json::Value) -> (u16, serde_json::Value) {
    let path = format!("/api/{command}");
    let (status, body) = request(s.port, "POST", &path, Some(&s.token), &args.to_string());
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| {
            panic!(
                "{command}: not JSON ({e}): {}",
                &body[..body.len().min(300)]
            )
        }),
    )
}

fn call(s: &Served, command: &str, args: serde_json::Value) -> serde_json::Value {
    let (status, body) = call_raw(s, command, &args);
    assert_eq!(status, 200, "{command}: {body}");
    body
}

#[test]
fn stalled_connections_do_not_block_the_workers() {
    let (mut s, _dir) = serve("1");
    // Twice as many clients as there are workers send headers (and part of a body) and stall.
    let mut stalled = Vec::new();
    for n in 0..8 {
        let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        let raw = if n % 2 == 0 {
            "POST /api/workspace_info HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_string()
        } else {
            format!("POST /api/workspace_info HTTP/1.1\r\nAuthorization: Bearer {}\r\nContent-Length: 100\r\n\r\n{{", s.token)
        };
        c.write_all(raw.as_bytes()).unwrap();
        stalled.push(c);
    }
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let info = call(&s, "workspace_info", serde_json::json!({}));
    assert_eq!(info["ok"]["documents"], 0);
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "waited behind stalled clients: {:?}",
        started.elapsed()
    );
    for mut c in stalled {
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut response = String::new();
        c.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 408 "), "{response}");
    }
    assert!(s.alive());
}

#[test]
fn bodies_over_the_limit_are_refused_before_they_are_read() {
    let (s, _dir) = serve("5");
    let raw = format!("POST /api/import_document HTTP/1.1\r\nAuthorization: Bearer {}\r\nContent-Length: 200000000\r\n\r\n", s.token);
    let (status, body) = exchange(s.port, raw.as_bytes());
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("200000000 bytes; at most"), "{body}");
    // Without the token the body is not read at all, whatever its size.
    let (status, _) = exchange(
        s.port,
        b"POST /api/import_document HTTP/1.1\r\nContent-Length: 1000\r\n\r\n",
    );
    assert_eq!(status, 401);
    assert_eq!(
        call(&s, "workspace_info", serde_json::json!({}))["ok"]["documents"],
        0
    );
}

/// A 15,000-state chain (a 5,000-state one overflowed a worker's stack and aborted the server).
#[test]
fn a_long_chain_is_validated_on_a_worker() {
    let (mut s, _dir) = serve("10");
    let n = 15_000;
    let mut nodes =
        vec![serde_json::json!({"id": "start", "action": null, "tools": [], "metadata": {}})];
    let mut edges = vec![
        serde_json::json!({"id": "e0", "source": "start", "target": "s0", "condition": null, "metadata": {}}),
    ];
    for i in 0..n {
        nodes.push(serde_json::json!({"id": format!("s{i}"), "description": format!("Step {i}"), "action": format!("Say {i}"), "tools": [], "metadata": {"journey_node": {"kind": "chat"}}}));
        let target = if i + 1 == n {
            "end".to_string()
        } else {
            format!("s{}", i + 1)
        };
        edges.push(serde_json::json!({"id": format!("e{}", i + 1), "source": format!("s{i}"), "target": target, "condition": null, "metadata": {}}));
    }
    let journey = serde_json::json!({
        "format": "parlant-journey", "version": 1,
        "journey": {"id": "chain", "title": "Chain", "description": "", "conditions": ["c"], "root_id": "start", "tags": []},
        "nodes": nodes, "edges": edges,
    });
    // Imported, then opened in the editor: validated in full and drawn on a worker.
    let imported = call(
        &s,
        "import_document",
        serde_json::json!({"content": journey.to_string()}),
    );
    let id = imported["ok"]["id"].clone();
    assert!(
        id.is_i64(),
        "{}",
        &imported.to_string()[..300.min(imported.to_string().len())]
    );
    let opened = call(&s, "open_document", serde_json::json!({"id": id}));
    assert_eq!(
        opened["ok"]["view"]["nodes"].as_array().map(Vec::len),
        Some(n + 2),
        "every state and the end"
    );
    let edit = call(
        &s,
        "apply_edits",
        serde_json::json!({"session": opened["ok"]["session"], "edits": [{"op": "set_label", "target": "s7", "label": "Say seven"}]}),
    );
    assert_eq!(
        edit["ok"]["delta"]["changed_nodes"][0]["label"],
        "Say seven"
    );
    assert!(s.alive());
}

/// Previews live in the core now (a client no longer sends a session snapshot; restoring one is
/// bounded in `simulate::journey`, see tests/simulate_pacing.rs): hostile preview calls (unknown
/// ids, a 1 MB message, an unknown edge) are each answered, and more of them than there are
/// workers leave the server answering.
#[test]
fn hostile_preview_calls_never_take_the_server_down() {
    let (mut s, _dir) = serve("5");
    let journey = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/journeys/refund-request.json"
    ))
    .unwrap();
    let id = call(
        &s,
        "import_document",
        serde_json::json!({"content": journey}),
    )["ok"]["id"]
        .clone();
    let session = call(&s, "open_document", serde_json::json!({"id": id}))["ok"]["session"].clone();
    let sim = call(&s, "sim_start", serde_json::json!({"session": session}))["ok"]["sim"].clone();
    let long = "refund ".repeat(150_000);
    let calls = [
        (
            "sim_send",
            serde_json::json!({"sim": "p-nope", "message": "hi"}),
        ),
        ("sim_send", serde_json::json!({"sim": sim, "message": long})),
        (
            "sim_choose",
            serde_json::json!({"sim": sim, "edge_id": "no-such-edge"}),
        ),
        (
            "sim_send",
            serde_json::json!({"sim": sim, "message": "I want a refund"}),
        ),
        ("sim_back", serde_json::json!({"sim": 12})),
        ("sim_restart", serde_json::json!({"sim": sim})),
    ];
    for (command, args) in calls {
        let (status, body) = call_raw(&s, command, &args);
        assert!(status == 200 || status == 500, "{command} {status}: {body}");
    }
    assert!(s.alive());
    assert_eq!(
        call(&s, "workspace_info", serde_json::json!({}))["ok"]["documents"],
        1,
        "the server still answers, and the imported journey is still there"
    );
}
