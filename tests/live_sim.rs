//! The app's streamed Sim run (`sim_run_stream`, the Live panel) through `api::dispatch`
//! against the Sim stand-in (server/sim_standin, which checks every request and response
//! against Sim's spec): a workflow pushed and deployed, run with `stream: true`, its chunks
//! gathered per block with the block's name, the `final` output and the run id.

#[path = "common/servers.rs"]
mod servers;
#[path = "common/sim_standin.rs"]
mod sim_standin;

use journey_studio::api::{dispatch, AppState, JsonFileSettings};
use journey_studio::sync::sim::SimClient;
use serde_json::{json, Value};
use sim_standin::{personal_key, session};

const GREET: &str = r#"{"version": "1.0", "exportedAt": "2026-11-01T00:00:00.000Z", "state": {
  "blocks": {
    "s1": {"id": "s1", "type": "start_trigger", "name": "Start", "position": {"x": 0, "y": 0}, "enabled": true, "outputs": {},
           "subBlocks": {"inputFormat": {"id": "inputFormat", "type": "input-format",
                         "value": [{"id": "f1", "name": "name", "type": "string", "value": "", "collapsed": false}]}}},
    "f1": {"id": "f1", "type": "function", "name": "Greet", "position": {"x": 200, "y": 0}, "enabled": true, "outputs": {},
           "subBlocks": {"language": {"id": "language", "type": "dropdown", "value": "javascript"},
                         "code": {"id": "code", "type": "code", "value": "return 'Hello, ' + <start.name> + '!';"}}},
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
}}"#;

#[test]
fn a_deployed_workflow_streams_per_block_through_the_app_command() {
    let Some(lease) = sim_standin::standin(1) else {
        return;
    };
    let url = lease.server.url.clone();
    let ws = "stream";
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("JOURNEY_STUDIO_NO_KEYRING", "1");
    std::env::set_var("JOURNEY_STUDIO_SECRETS_DIR", dir.path().join("secrets"));
    let state = AppState::open(
        &dir.path().join("w.db"),
        Box::new(JsonFileSettings::new(dir.path().join("s.json"))),
    )
    .unwrap();
    let call = |command: &str, args: Value| {
        dispatch(&state, command, args).unwrap_or_else(|e| panic!("{command}: {e}"))
    };
    let key = personal_key(ws);
    call(
        "remote_add",
        json!({"name": "sim-live", "kind": "sim", "url": url, "api_key": key,
               "session_cookie": session(ws), "sim_workspace": ws}),
    );
    let doc = call(
        "import_document",
        json!({"content": GREET, "name": "greet"}),
    );
    let pushed = call(
        "push",
        json!({"document_id": doc["id"], "remote": "sim-live"}),
    );
    assert_eq!(pushed["result"], "pushed", "{pushed}");
    let remote_id = pushed["remote_id"].as_str().unwrap().to_string();
    // Deploying is the Sim CLI's (`journey-studio sim deploy`); here it is setup.
    let sim = SimClient::new("setup", &url, Some(key.clone()), Some(session(ws))).unwrap();
    journey_studio::app::block_on(sim.deploy(&remote_id, None))
        .unwrap()
        .unwrap();

    // By the document's name (it is synced with the remote), the selected output streamed.
    let run = call(
        "sim_run_stream",
        json!({"remote": "sim-live", "workflow": doc["name"], "input": {"name": "Ada"},
               "selected_outputs": ["Greet.result"]}),
    );
    assert_eq!(run["workflow"], json!(remote_id));
    assert_eq!(run["status"], "completed", "{run}");
    // Sim gives imported blocks new ids: the name comes from the remote's export.
    let blocks = run["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 1, "{run}");
    assert_eq!(blocks[0]["name"], "Greet", "{run}");
    assert_eq!(blocks[0]["chunks"], json!(["Hello, Ada!"]), "{run}");
    assert!(blocks[0]["block_id"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
    assert_eq!(run["events"], 2, "one chunk, then final: {run}");
    // Sim leaves a streamed selected output out of `final`'s output.
    assert!(!run["output"].to_string().contains("Hello, Ada!"), "{run}");
    let run_id = run["run_id"].as_str().unwrap().to_string();
    let recorded = journey_studio::app::block_on(sim.run(&remote_id, &run_id, true))
        .unwrap()
        .unwrap();
    assert_eq!(recorded["status"], "completed");

    // Nothing selected: no block chunks, the output in `final`.
    let plain = call(
        "sim_run_stream",
        json!({"remote": "sim-live", "workflow": remote_id, "input": {"name": "Bo"}}),
    );
    assert_eq!(plain["blocks"], json!([]));
    assert!(
        plain["output"].to_string().contains("Hello, Bo!"),
        "{plain}"
    );

    // Errors name what is wrong, never the key.
    let bad = dispatch(
        &state,
        "sim_run_stream",
        json!({"remote": "sim-live", "workflow": "no-such-workflow"}),
    )
    .unwrap_err()
    .to_string();
    assert!(bad.contains("sim-live"), "{bad}");
    assert!(!bad.contains(&key), "{bad}");
    call(
        "remote_add",
        json!({"name": "parlant", "kind": "parlant", "url": url}),
    );
    let wrong = dispatch(
        &state,
        "sim_run_stream",
        json!({"remote": "parlant", "workflow": "x"}),
    )
    .unwrap_err()
    .to_string();
    assert!(wrong.contains("needs a Sim remote"), "{wrong}");
    assert!(
        lease.server.violations().is_empty(),
        "{:?}",
        lease.server.violations()
    );
}
