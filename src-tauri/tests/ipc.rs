//! Calls the shell's commands through Tauri's IPC layer with the mock runtime (no window, no
//! WebKitGTK process), on a temporary workspace and settings store.

use journey_studio_desktop::Options;
use serde_json::{json, Value};
use std::path::Path;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/sim-real/email-triage-57e84f83-c583-4e74-b73a-080d25f2074d.json"
);

/// A mock app on `dir`'s workspace and settings store, with its main webview.
struct Shell {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
}

impl Shell {
    fn open(dir: &Path) -> Shell {
        Shell::with_workspace(dir, &dir.join("workspace.db"))
    }

    fn with_workspace(dir: &Path, workspace: &Path) -> Shell {
        let options = Options {
            workspace: Some(workspace.to_path_buf()),
            settings_store: Some(dir.join("settings.json")),
        };
        let app = journey_studio_desktop::setup(mock_builder(), options)
            .build(mock_context(noop_assets()))
            .expect("build the mock app");
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("create the mock webview");
        Shell { _app: app, webview }
    }

    fn invoke(&self, cmd: &str, body: InvokeBody) -> Result<tauri::ipc::InvokeResponseBody, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                // On Linux the IPC origin is tauri://localhost (http://tauri.localhost is Windows').
                url: "tauri://localhost".parse().expect("a URL"),
                body,
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
    }

    /// `invoke("call", { command, args })`, as ui/src/api/client.ts sends it.
    fn call(&self, command: &str, args: Value) -> Result<Value, Value> {
        self.invoke(
            "call",
            InvokeBody::Json(json!({ "command": command, "args": args })),
        )
        .map(|body| body.deserialize().expect("a JSON result"))
    }
}

#[test]
fn core_version_returns_the_core_crate_version() {
    let dir = tempfile::tempdir().unwrap();
    let body = Shell::open(dir.path())
        .invoke("core_version", InvokeBody::default())
        .expect("core_version succeeds");
    let version: String = body.deserialize().expect("a JSON string");
    assert_eq!(version, journey_studio::VERSION);
}

#[test]
fn unknown_tauri_commands_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let err = Shell::open(dir.path())
        .invoke("no_such_command", InvokeBody::default())
        .expect_err("must fail");
    assert!(
        err.to_string().contains("not found"),
        "unexpected error: {err}"
    );
}

#[test]
fn call_imports_then_reads_back_a_real_sim_export() {
    let dir = tempfile::tempdir().unwrap();
    let shell = Shell::open(dir.path());
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let original: Value = serde_json::from_str(&text).unwrap();
    let blocks = original["state"]["blocks"]
        .as_object()
        .expect("the fixture has blocks")
        .len();

    let imported = shell
        .call(
            "import_document",
            json!({ "name": "email triage", "content": text }),
        )
        .expect("import succeeds");
    let id = imported["id"].as_i64().expect("a numeric id");
    assert_eq!(imported["name"], "email triage");

    let opened = shell
        .call("open_document", json!({ "id": id }))
        .expect("open_document succeeds");
    assert_eq!(opened["id"], id);
    assert_eq!(opened["name"], "email triage");
    assert_eq!(opened["kind"], imported["kind"]);
    assert_eq!(
        opened["view"]["nodes"].as_array().map(Vec::len),
        Some(blocks),
        "one canvas node per block"
    );
    let exported = shell
        .call("export_document", json!({ "id": id }))
        .expect("export succeeds");
    let stored: Value = serde_json::from_str(exported["text"].as_str().unwrap()).unwrap();
    assert_eq!(
        stored, original,
        "the stored document reads back JSON-equal"
    );

    let list = shell
        .call("list_documents", json!({}))
        .expect("list succeeds");
    let ids: Vec<&Value> = list["documents"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| &d["id"])
        .collect();
    assert_eq!(ids, vec![&json!(id)]);

    // An edit through the shell answers what changed and is saved when the document closes.
    let block = opened["view"]["nodes"][0]["id"].clone();
    let edited = shell
        .call("apply_edits", json!({ "session": opened["session"], "edits": [{ "op": "set_label", "target": block, "label": "Renamed in the shell" }] }))
        .expect("apply_edits succeeds");
    assert_eq!(
        edited["delta"]["changed_nodes"][0]["label"],
        "Renamed in the shell"
    );
    shell
        .call("close_document", json!({ "session": opened["session"] }))
        .expect("close succeeds");
    let exported = shell
        .call("export_document", json!({ "id": id }))
        .expect("export succeeds");
    assert!(exported["text"]
        .as_str()
        .unwrap()
        .contains("Renamed in the shell"));

    // Commands without arguments accept `args` left out (JSON.stringify drops `undefined`).
    let info = shell
        .invoke(
            "call",
            InvokeBody::Json(json!({ "command": "workspace_info" })),
        )
        .expect("workspace_info");
    let info: Value = info.deserialize().unwrap();
    assert_eq!(
        info["path"],
        dir.path().join("workspace.db").display().to_string()
    );
    assert_eq!(info["documents"], 1);
}

#[test]
fn call_rejects_with_the_serialised_core_error() {
    let dir = tempfile::tempdir().unwrap();
    let shell = Shell::open(dir.path());

    let err = shell
        .call("open_document", json!({ "id": 424242 }))
        .expect_err("no such document");
    assert_eq!(err["kind"], "not_found", "{err}");
    assert!(
        err["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{err}"
    );
    assert!(
        err.as_object().is_some_and(|o| o.contains_key("location")),
        "{err}"
    );

    let err = shell
        .call("import_document", json!({ "content": "{ not json" }))
        .expect_err("bad JSON");
    assert_eq!(err["kind"], "parse", "{err}");

    let err = shell
        .call("open_document", json!({ "id": "seven" }))
        .expect_err("bad arguments");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .contains("open_document"),
        "{err}"
    );

    let err = shell
        .call("no_such_command", json!({}))
        .expect_err("unknown command");
    assert_eq!(err["kind"], "not_found", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .contains("no_such_command"),
        "{err}"
    );
}

#[test]
fn a_workspace_that_cannot_be_opened_is_an_error_on_every_call() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let shell = Shell::with_workspace(dir.path(), &file.join("workspace.db"));
    for _ in 0..2 {
        let err = shell
            .call("workspace_info", Value::Null)
            .expect_err("no workspace");
        assert_eq!(err["kind"], "store", "{err}");
        assert!(
            err["message"]
                .as_str()
                .unwrap_or_default()
                .contains("not-a-folder"),
            "{err}"
        );
    }
}

#[test]
fn settings_are_kept_in_the_plugin_store() {
    let dir = tempfile::tempdir().unwrap();
    let store_file = dir.path().join("settings.json");
    {
        let shell = Shell::open(dir.path());
        let defaults = shell
            .call("settings_get", Value::Null)
            .expect("settings_get");
        assert_eq!(defaults["theme"], "system");

        let updated = shell
            .call(
                "settings_update",
                json!({ "patch": { "theme": "dark", "show_minimap": false } }),
            )
            .expect("update");
        assert_eq!(
            (
                &updated["theme"],
                &updated["show_minimap"],
                &updated["autosave"]
            ),
            (&json!("dark"), &json!(false), &json!(true))
        );

        // A wrongly typed or unknown setting is refused and changes nothing.
        let err = shell
            .call("settings_update", json!({ "patch": { "autosave": "yes" } }))
            .expect_err("wrong type");
        assert!(
            err["message"]
                .as_str()
                .unwrap_or_default()
                .contains("settings"),
            "{err}"
        );
        let err = shell
            .call("settings_update", json!({ "patch": { "nope": 1 } }))
            .expect_err("unknown setting");
        assert!(
            err["message"].as_str().unwrap_or_default().contains("nope"),
            "{err}"
        );
        assert_eq!(
            shell.call("settings_get", Value::Null).unwrap()["autosave"],
            true
        );
    }
    // Saved to disk by the plugin, under one key, and read back by a new app.
    let on_disk: Value =
        serde_json::from_str(&std::fs::read_to_string(&store_file).expect("the store file"))
            .unwrap();
    assert_eq!(on_disk["settings"]["theme"], "dark");
    let shell = Shell::open(dir.path());
    assert_eq!(
        shell.call("settings_get", Value::Null).unwrap()["show_minimap"],
        false
    );
}
