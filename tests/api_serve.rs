//! `journey-studio serve`: started on port 0, called over HTTP with and without its token, and
//! stopped by PID.

mod common;

use common::serve::{request, serve};
use serde_json::json;

#[test]
fn commands_need_the_token_and_reach_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path(), &dir.path().join("w.db"));
    let (status, body) = request(s.port, "POST", "/api/workspace_info", None, "{}");
    assert_eq!(status, 401, "{body}");
    let (status, _) = request(s.port, "POST", "/api/workspace_info", Some("wrong"), "{}");
    assert_eq!(status, 401);

    let info = s.call("workspace_info", json!({}));
    assert_eq!(info["documents"], 0);

    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/journeys/book-flight.json"
    ))
    .unwrap();
    let imported = s.call("import_document", json!({"content": text}));
    let id = imported["id"].as_i64().unwrap();
    assert_eq!(imported["kind"], "parlant_journey");
    let opened = s.call("open_document", json!({"id": id}));
    assert!(opened["view"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "root"));
    let step = s.call("sim_start", json!({"session": opened["session"]}));
    assert!(step["active_node"].is_string(), "{step}");

    // Core errors come back as {error: {kind, message}}.
    let missing = s.answer("open_document", json!({"id": 999}));
    assert_eq!(missing["error"]["kind"], "not_found", "{missing}");
    let (status, _) = request(s.port, "POST", "/api/no_such_command", Some(&s.token), "{}");
    assert_eq!(status, 404);
    let (status, _) = request(s.port, "GET", "/api/workspace_info", Some(&s.token), "");
    assert_eq!(status, 405);
}

#[test]
fn serves_the_ui_and_refuses_paths_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path(), &dir.path().join("w.db"));
    let (status, body) = request(s.port, "GET", "/", None, "");
    assert_eq!(status, 200);
    assert!(body.contains("Journey Studio"));
    let (status, body) = request(s.port, "GET", "/../../etc/passwd", None, "");
    assert_eq!(status, 200);
    assert!(
        !body.contains("root:"),
        "served a file outside the UI folder"
    );
}
