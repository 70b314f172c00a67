//! Runs of a Sim workflow from the editor (`run_form`, `run_start`, `run_resume`, `run_stop`)
//! and parity of a workflow with its converted journey (`parity_check`), through
//! `api::dispatch` as the app calls them: a condition's dead path, a loop's iterations, a
//! human-in-the-loop pause answered and the run going on, bad input named at its field.

use journey_studio::api::{dispatch, AppState, JsonFileSettings};
use serde_json::{json, Value};
use std::path::Path;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn state(dir: &Path) -> AppState {
    AppState::open(
        &dir.join("w.db"),
        Box::new(JsonFileSettings::new(dir.join("settings.json"))),
    )
    .unwrap()
}

fn call(state: &AppState, command: &str, args: Value) -> Value {
    dispatch(state, command, args).unwrap_or_else(|e| panic!("{command}: {e}"))
}

/// Imports a fixture and opens it: its editor session.
fn open(state: &AppState, path: &str) -> String {
    let id = call(
        state,
        "import_document",
        json!({"name": path, "content": fixture(path)}),
    )["id"]
        .clone();
    call(state, "open_document", json!({"id": id}))["session"]
        .as_str()
        .unwrap()
        .to_string()
}

fn mark<'a>(run: &'a Value, block: &str) -> &'a Value {
    run["marks"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["block"] == block)
        .unwrap_or_else(|| panic!("no mark for {block}: {}", run["marks"]))
}

fn edge(run: &Value, id: &str) -> Value {
    run["marks"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["edge"] == id)
        .unwrap_or_else(|| panic!("no mark for edge {id}"))["state"]
        .clone()
}

fn output_of(run: &Value, block: &str) -> Value {
    run["trace"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["block"] == block)
        .unwrap_or_else(|| panic!("{block} did not run"))["output"]
        .clone()
}

const EXPENSES: &str = "fixtures/sim/expense-approval.json";

#[test]
fn the_start_form_has_the_declared_types() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let session = open(&s, EXPENSES);
    let form = call(&s, "run_form", json!({"session": session}));
    assert_eq!(form["block"], "start");
    let fields: Vec<(String, String)> = form["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("employee", "string"),
            ("amount", "number"),
            ("urgent", "boolean"),
            ("items", "array")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(form["fields"][0]["default"], "Ada Lovelace");
}

#[test]
fn a_run_greys_the_dead_branch_and_counts_loop_iterations() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let session = open(&s, EXPENSES);
    let run = call(
        &s,
        "run_start",
        json!({"session": session, "input": {"amount": "120", "urgent": false, "items": "[\"hotel\", \"train\", \"taxi\"]"}}),
    );
    assert_eq!(run["status"], "completed", "{run}");
    // Typed by the form: the number arrives as a number.
    assert_eq!(
        output_of(&run, "autoApprove")["result"]["amount"],
        json!(120)
    );
    assert_eq!(mark(&run, "start")["order"], 1);
    assert_eq!(mark(&run, "autoApprove")["state"], "ran");
    assert_eq!(mark(&run, "managerApproval")["state"], "dead");
    assert_eq!(mark(&run, "recordDecision")["state"], "dead");
    assert_eq!(edge(&run, "e-cond-auto"), "taken");
    assert_eq!(edge(&run, "e-cond-human"), "dead");
    assert_eq!(edge(&run, "e-human-record"), "dead");
    assert_eq!(mark(&run, "itemLoop")["iterations"], 3);
    assert_eq!(mark(&run, "checkItem")["runs"], 3);
    assert_eq!(edge(&run, "e-loop-check"), "taken");
    // Each pass of the loop body is in the log with its own inputs and output.
    let items: Vec<Value> = run["trace"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["block"] == "checkItem")
        .map(|e| e["output"]["result"]["item"].clone())
        .collect();
    assert_eq!(items, [json!("hotel"), json!("train"), json!("taxi")]);
    let order = |b: &str| mark(&run, b)["order"].as_u64().unwrap();
    assert!(order("checkItem") < order("needsApproval"));
    assert!(order("needsApproval") < order("autoApprove"));

    call(&s, "run_stop", json!({"run": run["run"]}));
    let err = dispatch(&s, "run_resume", json!({"run": run["run"], "pause": "x"})).unwrap_err();
    assert_eq!(err.kind(), "not_found");
}

#[test]
fn a_human_in_the_loop_pause_is_answered_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let session = open(&s, EXPENSES);
    let run = call(
        &s,
        "run_start",
        json!({"session": session, "input": {"amount": 900, "items": "[\"flight\"]"}}),
    );
    assert_eq!(run["status"], "paused", "{run}");
    assert_eq!(mark(&run, "managerApproval")["state"], "paused");
    assert_eq!(mark(&run, "recordDecision")["state"], "pending");
    assert_eq!(mark(&run, "autoApprove")["state"], "dead");
    assert_eq!(edge(&run, "e-human-record"), "pending");
    let pause = &run["pauses"][0];
    assert_eq!(pause["name"], "Manager Approval");
    assert_eq!(pause["fields"][0]["name"], "approved");
    assert_eq!(pause["fields"][0]["type"], "boolean");
    assert_eq!(pause["fields"][1]["name"], "note");

    // An answer that is not of its field's type is refused, named at the field; the run stays
    // paused and can still be answered.
    let err = dispatch(
        &s,
        "run_resume",
        json!({"run": run["run"], "pause": pause["context_id"], "input": {"approved": "maybe"}}),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("Manager Approval")
            && text.contains("approved")
            && text.contains("\"maybe\" is not true or false"),
        "{text}"
    );
    assert_eq!(err.kind(), "invalid");
    let err = dispatch(
        &s,
        "run_resume",
        json!({"run": run["run"], "pause": "nobody"}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no open pause `nobody`"), "{err}");

    let done = call(
        &s,
        "run_resume",
        json!({"run": run["run"], "pause": "Manager Approval", "input": {"approved": "true", "note": "fine"}}),
    );
    assert_eq!(done["status"], "completed", "{done}");
    assert!(done["pauses"].as_array().unwrap().is_empty());
    assert_eq!(mark(&done, "managerApproval")["state"], "ran");
    assert_eq!(mark(&done, "recordDecision")["state"], "ran");
    assert_eq!(edge(&done, "e-human-record"), "taken");
    assert_eq!(
        output_of(&done, "recordDecision")["result"],
        json!({"employee": "Ada Lovelace", "approved": true, "note": "fine"})
    );
}

#[test]
fn bad_input_is_named_at_its_field() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let session = open(&s, EXPENSES);
    let err = dispatch(
        &s,
        "run_start",
        json!({"session": session, "input": {"amount": "a lot"}}),
    )
    .unwrap_err();
    assert_eq!(err.kind(), "invalid");
    let text = err.to_string();
    assert!(
        text.contains("input of `Start`")
            && text.contains("amount")
            && text.contains("\"a lot\" is not a number"),
        "{text}"
    );
    let located = serde_json::to_value(&err).unwrap();
    assert!(
        located["location"]["path"].to_string().contains("amount"),
        "{located}"
    );

    let err = dispatch(
        &s,
        "run_start",
        json!({"session": session, "input": {"items": "[\"hotel\", "}}),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("items") && err.to_string().contains("not JSON"),
        "{err}"
    );
    let err = dispatch(
        &s,
        "run_start",
        json!({"session": session, "input": {"items": "{\"a\": 1}"}}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("is not an array"), "{err}");
    let err = dispatch(
        &s,
        "run_start",
        json!({"session": session, "mocks": {"block": {}}}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("mocks"), "{err}");

    // A journey is previewed in the chat, not run.
    let journey = open(&s, "fixtures/journeys/book-flight.json");
    let err = dispatch(&s, "run_start", json!({"session": journey})).unwrap_err();
    assert!(err.to_string().contains("Sim workflows"), "{err}");
}

#[test]
fn a_run_sees_the_edits_of_the_open_document() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let session = open(&s, EXPENSES);
    call(
        &s,
        "apply_edits",
        json!({"session": session, "edits": [{"op": "delete", "node_ids": ["autoApprove"], "edge_ids": []}]}),
    );
    let run = call(
        &s,
        "run_start",
        json!({"session": session, "input": {"amount": 10, "items": "[]"}}),
    );
    assert!(run["trace"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["block"] != "autoApprove"));
    assert_eq!(mark(&run, "itemLoop")["iterations"], 0);
}

/// The parity scenario's mocks (file-level and the scenario's own), and its customer message.
fn parity_case(index: usize) -> (Value, String) {
    let file: Value =
        serde_json::from_str(&fixture("fixtures/scenarios/parity/refund-router.json")).unwrap();
    let mut mocks = file["mocks"].clone();
    let scenario = &file["scenarios"][index];
    for (section, entries) in scenario["mocks"].as_object().unwrap() {
        for (k, v) in entries.as_object().unwrap() {
            mocks[section][k] = v.clone();
        }
    }
    (mocks, scenario["turns"][0].as_str().unwrap().to_string())
}

#[test]
fn parity_of_a_workflow_and_its_converted_journey() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(dir.path());
    let session = open(&s, "fixtures/sim/refund-router.json");
    let (mocks, message) = parity_case(0);
    let same = call(
        &s,
        "parity_check",
        json!({"session": session, "message": message, "mocks": mocks}),
    );
    assert_eq!(same["journey"], "converted now");
    assert_eq!(same["report"]["parity"], true, "{same}");
    let run = &same["report"]["runs"][0];
    let names = |p: &Value| {
        p.as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&run["workflow_path"]), names(&run["journey_path"]));
    assert!(names(&run["workflow_path"]).contains(&"refundConfirmation".to_string()));

    // The converted journey saved in the workspace, compared with the workflow: the router is
    // mocked to a path the customer's words do not lead to, so the two part.
    let journey = call(
        &s,
        "save_converted",
        json!({"session": session, "to": "journey"}),
    );
    let (mocks, message) = parity_case(2);
    let parted = call(
        &s,
        "parity_check",
        json!({"session": session, "message": message, "mocks": mocks, "journey_id": journey["id"]}),
    );
    assert_eq!(parted["journey"], journey["name"]);
    assert_eq!(parted["report"]["parity"], false, "{parted}");
    let d = &parted["report"]["runs"][0]["divergence"];
    assert!(
        d["workflow"].as_str().unwrap().contains("managerApproval"),
        "{d}"
    );

    // The CLI's `parity` says the same of the same case (one service).
    let cli = journey_studio::simulate::parity::parity(
        &match journey_studio::Document::parse("w", &fixture("fixtures/sim/refund-router.json"))
            .unwrap()
        {
            journey_studio::Document::Sim(w) => w,
            _ => unreachable!(),
        },
        None,
        &serde_json::from_value(
            json!({"name": message, "mocks": mocks, "input": {}, "turns": [message]}),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(!cli.parity);
    assert_eq!(serde_json::to_value(&cli.runs[0].divergence).unwrap(), *d);

    let err = dispatch(
        &s,
        "parity_check",
        json!({"session": session, "journey_id": 9999}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("9999"), "{err}");
}
