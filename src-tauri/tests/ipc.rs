//! Calls the shell's commands through Tauri's IPC layer with the mock runtime (no window,
//! no WebKitGTK process).

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

fn invoke(cmd: &str) -> Result<tauri::ipc::InvokeResponseBody, serde_json::Value> {
    invoke_with(cmd, InvokeBody::default())
}

/// One workspace for the whole test binary (the shell reads its path from the environment).
fn workspace() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder")).path()
}

fn invoke_with(cmd: &str, body: InvokeBody) -> Result<tauri::ipc::InvokeResponseBody, serde_json::Value> {
    std::env::set_var("JOURNEY_STUDIO_WORKSPACE", workspace().join("workspace.db"));
    let app = journey_studio_desktop::setup(mock_builder())
        .build(mock_context(noop_assets()))
        .expect("build the mock app");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("create the mock webview");
    get_ipc_response(
        &webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // On Linux the IPC origin is tauri://localhost (http://tauri.localhost is Windows').
            url: "tauri://localhost".parse().unwrap(),
            body,
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
}

#[test]
fn core_version_returns_the_core_crate_version() {
    let body = invoke("core_version").expect("core_version succeeds");
    let version: String = body.deserialize().expect("a JSON string");
    assert_eq!(version, journey_studio::VERSION);
    assert!(!version.is_empty());
}

#[test]
fn unknown_commands_are_rejected() {
    let err = invoke("no_such_command").expect_err("an unknown command must fail");
    assert!(err.to_string().contains("not found"), "unexpected error: {err}");
}

fn call(command: &str, args: serde_json::Value) -> Result<serde_json::Value, serde_json::Value> {
    let body = InvokeBody::Json(serde_json::json!({ "command": command, "args": args }));
    invoke_with("call", body).map(|b| b.deserialize().expect("a JSON result"))
}

#[test]
fn call_reaches_the_core_command_set() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/journeys/book-flight.json")).unwrap();
    let imported = call("import_document", serde_json::json!({ "content": text })).expect("import succeeds");
    assert_eq!(imported["kind"], "journey");
    let list = call("list_documents", serde_json::json!({})).expect("list succeeds");
    assert!(list["documents"].as_array().unwrap().iter().any(|d| d["id"] == imported["id"]));
    let info = call("workspace_info", serde_json::Value::Null).expect("workspace_info succeeds");
    assert!(info["path"].as_str().unwrap().ends_with("workspace.db"));
}

#[test]
fn call_rejects_with_the_core_error() {
    let err = call("get_document", serde_json::json!({ "id": 424242 })).expect_err("no such document");
    assert_eq!(err["kind"], "not_found", "{err}");
    let err = call("no_such_command", serde_json::json!({})).expect_err("unknown command");
    assert!(err["message"].as_str().unwrap().contains("no_such_command"), "{err}");
}
