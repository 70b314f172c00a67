//! The Sync panel's commands through `api::dispatch` against the Sim stand-in (server/sim_standin,
//! which checks every request and response against Sim's spec): add a remote with a key, test
//! the connection, push, list, pull. Skips without the venv of scripts/setup, like tests/sync_sim.rs.

#[path = "common/servers.rs"]
mod servers;
#[path = "common/sim_standin.rs"]
mod sim_standin;
#[path = "common/test_app.rs"]
mod test_app;

use serde_json::{json, Value};
use sim_standin::personal_key;

#[test]
fn remote_add_test_push_list_and_pull_through_the_api() {
    let Some(lease) = sim_standin::standin(1) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "validation";
    let app = test_app::TestApp::open();
    let call = |command: &str, args: Value| app.call(command, args);

    let key = personal_key(ws);
    let added = call(
        "remote_add",
        json!({"name": "sim-api", "kind": "sim", "url": url, "api_key": key, "sim_workspace": ws}),
    );
    assert_eq!(added["has_key"], true);
    assert!(!added.to_string().contains(&key));
    let test = call("remote_test", json!({"name": "sim-api"}));
    assert_eq!(test["ok"], true, "{test}");
    call(
        "remote_add",
        json!({"name": "sim-badkey", "kind": "sim", "url": url, "api_key": "sk-not-a-key", "sim_workspace": ws}),
    );
    let refused = call("remote_test", json!({"name": "sim-badkey"}));
    assert_eq!(refused["ok"], false, "{refused}");
    assert!(
        !refused["message"]
            .as_str()
            .unwrap()
            .contains("sk-not-a-key"),
        "the key leaked into the message: {refused}"
    );

    let text = std::fs::read_to_string(format!(
        "{}/fixtures/sim/support-triage-condition.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let id = call(
        "import_document",
        json!({"name": "triage", "content": text}),
    )["id"]
        .clone();
    let pushed = call("push", json!({"document_id": id, "remote": "sim-api"}));
    assert_eq!(pushed["result"], "pushed", "{pushed}");
    let remote_id = pushed["remote_id"].as_str().unwrap().to_string();
    assert_eq!(
        call("push", json!({"document_id": id, "remote": "sim-api"}))["result"],
        "up_to_date"
    );

    let listed = call("pull", json!({"remote": "sim-api"}));
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == remote_id.as_str()),
        "{listed}"
    );
    // Into the linked document: nothing changed on either side.
    let again = call("pull", json!({"remote": "sim-api", "remote_id": remote_id}));
    assert_eq!(again["outcome"]["result"], "up_to_date", "{again}");
    assert_eq!(again["outcome"]["document"], "triage");
    // Into a new document.
    let copy = call(
        "pull",
        json!({"remote": "sim-api", "remote_id": remote_id, "name": "triage copy"}),
    );
    assert_eq!(copy["outcome"]["result"], "created", "{copy}");
    let docs = call("list_documents", json!({}));
    assert!(
        docs["documents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "triage copy" && d["kind"] == "sim_workflow"),
        "{docs}"
    );
    let pending: Vec<Value> = call("sync_status", json!({}))["outbox"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["state"] != "done")
        .cloned()
        .collect();
    assert_eq!(pending, Vec::<Value>::new());
    lease.server.assert_no_violations();
}
