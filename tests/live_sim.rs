//! The app's streamed Sim run (`sim_run_stream`, the Live panel) through `api::dispatch`
//! against the Sim stand-in (server/sim_standin, which checks every request and response
//! against Sim's spec): a workflow pushed and deployed, run with `stream: true`, its chunks
//! gathered per block with the block's name, the `final` output and the run id.

#[path = "common/servers.rs"]
mod servers;
#[path = "common/sim_standin.rs"]
mod sim_standin;
#[path = "common/test_app.rs"]
mod test_app;

use journey_studio::api::dispatch;
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
    let app = test_app::TestApp::open();
    let call = |command: &str, args: Value| app.call(command, args);
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

    // Followed live, beside the open document: each block shows up (and is lit on the canvas)
    // as its chunk arrives, while the run is still going (the stand-in sends its frames 0.2 s
    // apart, as a stream comes).
    let open = call("open_document", json!({"id": doc["id"]}));
    let started = call(
        "sim_stream_start",
        json!({"remote": "sim-live", "workflow": doc["name"], "input": {"name": "Cy"},
               "selected_outputs": ["Greet.result", "Reply.data"], "session": open["session"]}),
    );
    assert_eq!(started["document"], true, "{started}");
    assert_eq!(started["done"], false, "{started}");
    let stream = started["stream"].as_str().unwrap().to_string();
    let mut seen = 0;
    let mut snapshots: Vec<Value> = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        assert!(std::time::Instant::now() < deadline, "{snapshots:?}");
        let p = call(
            "sim_stream_poll",
            json!({"stream": stream, "seen": seen, "wait_secs": 5}),
        );
        seen = p["version"].as_u64().unwrap();
        let done = p["done"] == true;
        snapshots.push(p);
        if done {
            break;
        }
    }
    let last = snapshots.last().unwrap();
    assert!(last.get("error").is_none(), "{last}");
    assert_eq!(last["run"]["status"], "completed", "{last}");
    let names: Vec<&str> = last["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Greet", "Reply"], "{last}");
    // Mid-run: Greet had arrived (streaming, lit `running`) before Reply and before the end.
    let mid = snapshots
        .iter()
        .find(|p| p["done"] == false && p["blocks"].as_array().unwrap().len() == 1)
        .unwrap_or_else(|| panic!("no snapshot with one block while running: {snapshots:?}"));
    assert_eq!(mid["blocks"][0]["name"], "Greet", "{mid}");
    assert_eq!(mid["blocks"][0]["state"], "streaming", "{mid}");
    assert_eq!(
        mid["marks"]["blocks"],
        json!([{"block": "f1", "state": "running", "runs": 1, "order": 1}]),
        "{mid}"
    );
    // At the end both are done and lit `ran`, on the document's ids (Sim gave them new ones).
    assert_eq!(
        last["marks"]["blocks"],
        json!([{"block": "f1", "state": "ran", "runs": 1, "order": 1},
               {"block": "r1", "state": "ran", "runs": 1, "order": 2}]),
        "{last}"
    );
    assert_ne!(last["blocks"][0]["block_id"], "f1");
    let (a, b) = (
        last["blocks"][0]["first_ms"].as_u64().unwrap(),
        last["blocks"][1]["first_ms"].as_u64().unwrap(),
    );
    assert!(
        b >= a + 150,
        "Reply's chunk came a frame after Greet's: {a} ms, {b} ms"
    );
    call("sim_stream_forget", json!({"stream": stream}));
    let gone = dispatch(
        &app.state,
        "sim_stream_poll",
        json!({"stream": stream, "seen": 0}),
    )
    .unwrap_err()
    .to_string();
    assert!(gone.contains("no streamed run"), "{gone}");

    // Errors name what is wrong, never the key.
    let bad = dispatch(
        &app.state,
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
        &app.state,
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
