//! `journey-studio convert` as a user runs it.

mod common;

use std::process::Command;

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
fn converts_both_ways_through_files_with_a_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let input = common::repo().join("fixtures/sim/support-triage-condition.json");
    let journey = dir.path().join("j.json");
    let mapping = dir.path().join("map.json");
    let (code, _, err) = run(&[
        "convert",
        input.to_str().unwrap(),
        "--to",
        "journey",
        "-o",
        journey.to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("C002"), "approximations are reported: {err}");
    let j = common::read_json(&journey);
    assert_eq!(j["format"], "parlant-journey");
    let m = common::read_json(&mapping);
    assert_eq!(m["direction"], "workflow_to_journey");
    assert!(m["nodes"].as_array().unwrap().len() >= 8);

    let (code, out, err) = run(&["convert", journey.to_str().unwrap(), "--to", "workflow"]);
    assert_eq!(code, 0, "{err}");
    let back: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        back,
        common::read_json(&input),
        "the round trip through the CLI is exact"
    );
}

#[test]
fn bad_input_and_wrong_direction_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"state\": {\"blocks\": [}").unwrap();
    let (code, _, err) = run(&["convert", bad.to_str().unwrap(), "--to", "journey"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json"), "{err}");
    let journey = common::fixtures("journeys").remove(0);
    let (code, _, err) = run(&["convert", journey.to_str().unwrap(), "--to", "journey"]);
    assert_eq!(code, 2);
    assert!(err.contains("already a journey"), "{err}");
    let out = dir.path().join("never.json");
    let (code, _, _) = run(&[
        "convert",
        bad.to_str().unwrap(),
        "--to",
        "journey",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(!out.exists(), "nothing is written on failure");
}
