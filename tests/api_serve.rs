//! `journey-studio serve`: started on port 0, called over HTTP with and without its token, and
//! stopped by PID.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

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

fn serve() -> Served {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html><title>Journey Studio</title>").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args(["serve", "--port", "0", "--workspace"])
        .arg(dir.path().join("w.db"))
        .arg("--ui")
        .arg(&ui)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("Journey Studio at http://127.0.0.1:").unwrap_or_else(|| panic!("unexpected banner: {line}"));
    let (port, token) = url.split_once("/#token=").unwrap();
    Served { child, port: port.parse().unwrap(), token: token.to_string(), _dir: dir }
}

/// One HTTP/1.1 request; returns the status and the body.
fn request(port: u16, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn call(s: &Served, command: &str, args: serde_json::Value) -> serde_json::Value {
    let (status, body) = request(s.port, "POST", &format!("/api/{command}"), Some(&s.token), &args.to_string());
    assert_eq!(status, 200, "{command}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[test]
fn commands_need_the_token_and_reach_the_core() {
    let s = serve();
    let (status, body) = request(s.port, "POST", "/api/workspace_info", None, "{}");
    assert_eq!(status, 401, "{body}");
    let (status, _) = request(s.port, "POST", "/api/workspace_info", Some("wrong"), "{}");
    assert_eq!(status, 401);

    let info = call(&s, "workspace_info", serde_json::json!({}));
    assert_eq!(info["ok"]["documents"], 0);

    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/journeys/book-flight.json")).unwrap();
    let imported = call(&s, "import_document", serde_json::json!({"content": text}));
    let id = imported["ok"]["id"].as_i64().unwrap();
    assert_eq!(imported["ok"]["kind"], "journey");
    let doc = call(&s, "get_document", serde_json::json!({"id": id}));
    let view = call(&s, "canvas_view", serde_json::json!({"content": doc["ok"]["content"]}));
    assert!(view["ok"]["nodes"].as_array().unwrap().iter().any(|n| n["kind"] == "root"));
    let step = call(&s, "sim_start", serde_json::json!({"content": doc["ok"]["content"]}));
    assert!(step["ok"]["active_node"].is_string(), "{step}");

    // Core errors come back as {error: {kind, message}}.
    let missing = call(&s, "get_document", serde_json::json!({"id": 999}));
    assert_eq!(missing["error"]["kind"], "not_found", "{missing}");
    let (status, _) = request(s.port, "POST", "/api/no_such_command", Some(&s.token), "{}");
    assert_eq!(status, 404);
    let (status, _) = request(s.port, "GET", "/api/workspace_info", Some(&s.token), "");
    assert_eq!(status, 405);
}

#[test]
fn serves_the_ui_and_refuses_paths_outside_it() {
    let s = serve();
    let (status, body) = request(s.port, "GET", "/", None, "");
    assert_eq!(status, 200);
    assert!(body.contains("Journey Studio"));
    let (status, body) = request(s.port, "GET", "/../../etc/passwd", None, "");
    assert_eq!(status, 200);
    assert!(!body.contains("root:"), "served a file outside the UI folder");
}
