//! Calls the shell's commands through Tauri's IPC layer with the mock runtime (no window,
//! no WebKitGTK process).

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

fn invoke(cmd: &str) -> Result<tauri::ipc::InvokeResponseBody, serde_json::Value> {
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
            body: InvokeBody::default(),
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
