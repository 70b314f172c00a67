//! Parity: a workflow and its converted journey under one scenario take corresponding steps, or
//! the report says where they first diverged and what each side did.

mod common;

use journey_studio::convert::{workflow_to_journey, ConvertOptions};
use journey_studio::json::Maybe;
use journey_studio::sim::SimDocument;
use journey_studio::simulate::parity::parity;
use journey_studio::simulate::scenario::{parse_scenarios, Scenario};
use std::process::Command;

fn workflow() -> SimDocument {
    let path = common::repo().join("fixtures/sim/refund-router.json");
    SimDocument::parse("refund-router", &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn scenarios() -> Vec<Scenario> {
    let path = common::repo().join("fixtures/scenarios/parity/refund-router.json");
    parse_scenarios("parity", &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn id_of(doc: &SimDocument, name: &str) -> String {
    doc.state()
        .blocks
        .values()
        .find(|b| b.name == name)
        .unwrap()
        .id
        .clone()
}

#[test]
fn the_converted_journey_follows_the_workflow() {
    let w = workflow();
    let report = parity(&w, None, &scenarios()[0]).unwrap();
    assert!(report.parity, "{report:#?}");
    let run = &report.runs[0];
    let names: Vec<&str> = run.workflow_path.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["Start", "orderLookup", "refundRouter", "refundConfirmation"]
    );
    assert_eq!(run.workflow_path, run.journey_path);
    // Steps are matched through the mapping: each names its block and its state.
    assert!(run
        .journey_path
        .iter()
        .all(|s| s.block_id.is_some() && s.state_id.is_some()));
    // Another branch of the same router, with a tool state answering from its block's run.
    let report = parity(&w, None, &scenarios()[1]).unwrap();
    assert!(report.parity, "{report:#?}");
    let names: Vec<&str> = report.runs[0]
        .journey_path
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Start",
            "orderLookup",
            "refundRouter",
            "holdForReturn",
            "notifyWarehouse"
        ]
    );
}

#[test]
fn mocks_that_disagree_with_the_conversation_diverge_at_the_router() {
    let w = workflow();
    let report = parity(&w, None, &scenarios()[2]).unwrap();
    assert!(!report.parity);
    let d = report.runs[0].divergence.as_ref().expect("a divergence");
    assert_eq!(d.step, 4);
    assert_eq!(
        d.after.as_ref().and_then(|s| s.block_id.clone()),
        Some(id_of(&w, "refundRouter"))
    );
    assert_eq!(
        d.workflow_step.as_ref().map(|s| s.name.as_str()),
        Some("managerApproval")
    );
    assert_eq!(
        d.journey_step.as_ref().map(|s| s.name.as_str()),
        Some("refundConfirmation")
    );
    assert!(
        d.journey.contains("scored"),
        "the journey side says how it decided: {}",
        d.journey
    );
}

#[test]
fn an_edited_journey_diverges_where_it_was_edited() {
    let w = workflow();
    let mut j = workflow_to_journey(&w, &ConvertOptions::default())
        .unwrap()
        .output;
    let router = id_of(&w, "refundRouter");
    let confirmation = id_of(&w, "refundConfirmation");
    // The designer rewords the auto-approve branch into something this customer never says.
    let edge = j
        .edges
        .iter_mut()
        .find(|e| e.source == router && e.target == confirmation)
        .unwrap();
    edge.condition = Maybe::Value("the customer asks to speak to a lawyer".into());
    let report = parity(&w, Some(&j), &scenarios()[0]).unwrap();
    assert!(!report.parity);
    let d = report.runs[0].divergence.as_ref().expect("a divergence");
    assert_eq!(d.step, 4, "{d:#?}");
    assert_eq!(
        d.after.as_ref().and_then(|s| s.state_id.clone()),
        Some(router)
    );
    assert_eq!(
        d.workflow_step.as_ref().and_then(|s| s.state_id.clone()),
        Some(confirmation.clone())
    );
    assert_ne!(
        d.journey_step.as_ref().and_then(|s| s.state_id.clone()),
        Some(confirmation)
    );
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn cli_exit_codes_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let wf = common::repo().join("fixtures/sim/refund-router.json");
    let wf = wf.to_str().unwrap();
    let all: serde_json::Value =
        common::read_json(&common::repo().join("fixtures/scenarios/parity/refund-router.json"));
    let mut only_first = all.clone();
    only_first["scenarios"] = serde_json::json!([all["scenarios"][0].clone()]);
    let first = dir.path().join("first.json");
    std::fs::write(&first, only_first.to_string()).unwrap();

    let (code, out, err) = run(&["parity", wf, "--scenario", first.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("PARITY "), "{out}");

    let all_path = common::repo().join("fixtures/scenarios/parity/refund-router.json");
    let (code, out, _) = run(&[
        "parity",
        wf,
        "--scenario",
        all_path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["parity"], false);
    assert_eq!(v["scenarios"][2]["runs"][0]["divergence"]["step"], 4);

    let journey = common::repo().join("fixtures/journeys/refund-request.json");
    let (code, _, err) = run(&[
        "parity",
        journey.to_str().unwrap(),
        "--scenario",
        first.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "a journey is not a workflow: {err}");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"turns": [], "expectations": {}}"#).unwrap();
    let (code, _, err) = run(&["parity", wf, "--scenario", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("expectations"), "{err}");
}
