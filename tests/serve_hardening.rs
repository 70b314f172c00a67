//! `journey-studio serve` under hostile clients: stalled connections, oversized bodies, a large
//! document on a worker's stack, and hostile session snapshots; the server keeps answering.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Served {
    child: Child,
    port: u16,
    token: String,
    _dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        // Stopped by its own PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

fn serve(read_timeout: &str) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<!doctype html><title>Journey Studio</title>",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args([
            "serve",
            "--port",
            "0",
            "--read-timeout",
            read_timeout,
            "--workspace",
        ])
        .arg(dir.path().join("w.db"))
        .arg("--ui")
        .arg(&ui)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("Journey Studio at http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected banner: {line}"));
    let (port, token) = url.split_once("/#token=").unwrap();
    Served {
        child,
        port: port.parse().unwrap(),
        token: token.to_string(),
        _dir: dir,
    }
}

fn exchange(port: u16, raw: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    stream.write_all(raw).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn call_raw(s: &Served, command: &str, args: &serde_json::Value) -> (u16, serde_json::Value) {
    let body = args.to_string();
    let raw = format!(
        "POST /api/{command} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        s.token,
        body.len()
    );
    let (status, body) = exchange(s.port, raw.as_bytes());
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
    let mut s = serve("1");
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
    let s = serve("5");
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
    let mut s = serve("10");
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
    let mut s = serve("5");
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
