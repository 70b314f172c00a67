//! `journey-studio simulate` as a user runs it: exit codes, JSON output, the REPL on a pipe.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn path(rel: &str) -> String {
    common::repo().join(rel).display().to_string()
}

#[test]
fn scenarios_pass_with_0_and_fail_with_1() {
    let journey = path("fixtures/journeys/refund-request.json");
    let (code, out, err) = run(
        &[
            "simulate",
            &journey,
            "--scenario",
            &path("fixtures/scenarios/refund-request.json"),
        ],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 passed, 0 failed"), "{out}");

    let dir = tempfile::tempdir().unwrap();
    let failing = dir.path().join("s.json");
    std::fs::write(
        &failing,
        r#"{"name": "wrong", "turns": ["SW-1"], "expect": {"final_state": "end"}}"#,
    )
    .unwrap();
    let (code, out, _) = run(
        &[
            "simulate",
            &journey,
            "--scenario",
            failing.to_str().unwrap(),
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(code, 1, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["passed"], false);
    assert!(report["scenarios"][0]["failures"][0]
        .as_str()
        .unwrap()
        .contains("final state"));
}

#[test]
fn bad_input_exits_2_with_a_located_error() {
    let journey = path("fixtures/journeys/refund-request.json");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"turns\": [\n  {\"choose\": 3}\n]}").unwrap();
    let (code, _, err) = run(
        &["simulate", &journey, "--scenario", bad.to_str().unwrap()],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("bad.json") && err.contains("turns"), "{err}");
    let unknown_edge = dir.path().join("edge.json");
    std::fs::write(&unknown_edge, r#"{"turns": [{"choose": "t99"}]}"#).unwrap();
    let (code, _, err) = run(
        &[
            "simulate",
            &journey,
            "--scenario",
            unknown_edge.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("t99") && err.contains("turn 1"), "{err}");
}

#[test]
fn the_repl_reads_a_pipe() {
    let journey = path("fixtures/journeys/faq-escalation.json");
    let (code, out, err) = run(
        &["simulate", &journey],
        "that did not help, I want a human\nthanks\n/state\n/quit\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("agent [answer]"), "{out}");
    assert!(out.contains("took f4"), "{out}");
    assert!(out.contains("state: end"), "{out}");

    let (code, out, _) = run(&["simulate", &journey, "--format", "json"], "/choose f2\n");
    assert_eq!(code, 0);
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "transition" && e["edge"] == "f2" && e["forced"] == true),
        "{out}"
    );

    let workflow = path("fixtures/sim/support-triage-condition.json");
    let (code, out, _) = run(&["simulate", &workflow], "where is my order?\n");
    assert_eq!(code, 0);
    assert!(out.contains("routeTicket (condition)"), "{out}");
    assert!(out.contains("status: Completed"), "{out}");
}

/// A paused workflow run resumes from the CLI: a scenario `resume` turn, or `/resume` in the REPL.
#[test]
fn a_paused_workflow_resumes_from_the_cli() {
    let workflow = path("fixtures/scenarios/sim-executor/hitl-pause-and-resume.workflow.json");
    let (code, out, err) = run(
        &[
            "simulate",
            &workflow,
            "--scenario",
            &path("fixtures/scenarios/sim-executor/hitl-pause-and-resume.json"),
        ],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 scenario(s), 3 passed"), "{out}");

    let (code, out, err) = run(
        &["simulate", &workflow, "--format", "json"],
        "{}\n/resume Approve {\"approved\": true}\n/resume Approve {}\n/quit\n",
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let paused: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(paused["status"], "paused");
    assert_eq!(paused["pauses"][0]["context_id"], "approve");
    let resumed: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(resumed["status"], "completed", "{resumed}");
    assert_eq!(resumed["output"]["result"]["approved"], true);
    assert_eq!(resumed["resumed"], 1);
    assert!(
        lines[2].starts_with("error: ") && lines[2].contains("no open pause"),
        "a second answer has nothing to resume: {}",
        lines[2]
    );
}

/// The ported Sim cases run from the CLI too, child workflows found next to the scenarios file.
#[test]
fn a_ported_case_with_child_workflows_runs_from_the_cli() {
    let (code, out, err) = run(
        &[
            "simulate",
            &path("fixtures/scenarios/sim-executor/workflow-block-chain.workflow.json"),
            "--scenario",
            &path("fixtures/scenarios/sim-executor/workflow-block-chain.json"),
        ],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 passed, 0 failed"), "{out}");
}

/// The preview's options reach the CLI's session through the app's own type: the settings file
/// `serve` writes (its `preview`), then flags over it; out of range is exit 2.
#[test]
fn preview_options_come_from_the_settings_file_and_flags() {
    let journey = path("fixtures/journeys/book-flight.json");
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    std::fs::write(
        &settings,
        r#"{"theme": "dark", "preview": {"matcher": "keywords", "threshold": 0.9}}"#,
    )
    .unwrap();
    let settings = settings.display().to_string();
    let (code, out, err) = run(
        &["simulate", &journey, "--settings", &settings],
        "Paris, please\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("keywords: chosen in the session's options"),
        "{out}"
    );
    assert!(out.contains("no transition reached 0.90"), "{out}");
    // A flag over the file: the threshold is the flag's, the matcher the file's.
    let (code, out, err) = run(
        &[
            "simulate",
            &journey,
            "--settings",
            &settings,
            "--threshold",
            "0.3",
            "--format",
            "json",
        ],
        "I have a destination in mind\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("reached the threshold 0.30"), "{out}");
    assert!(out.contains(r#""matcher":"keywords""#), "{out}");
    let (code, _, err) = run(&["simulate", &journey, "--threshold", "2"], "");
    assert_eq!(code, 2);
    assert!(err.contains("options.threshold is 2"), "{err}");
    let (code, _, err) = run(&["simulate", &journey, "--matcher", "llm"], "");
    assert_eq!(code, 2);
    assert!(
        err.contains("--matcher llm: expected `auto` or `keywords`"),
        "{err}"
    );
    let (code, _, err) = run(
        &["simulate", &journey, "--settings", "/nonexistent/s.json"],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/s.json"), "{err}");
}
