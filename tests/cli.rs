//! The CLI as a user runs it: output, files written, exit codes.

mod common;

use std::process::Command;

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_journey-studio"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = cli().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn inspect_reports_kind_counts_and_block_types() {
    let file = common::repo()
        .join("fixtures/sim-real/lead-enricher-6ed8dede-1df6-4962-95f4-887abf524b38.json");
    let (code, out, _) = run(&["inspect", file.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("Sim workflow (export envelope)"), "{out}");
    assert!(out.contains("blocks:      5"), "{out}");
    assert!(out.contains("google_sheets_v2 ×1"), "{out}");
    assert!(out.contains("parallel-start-source ×1"), "{out}");

    let (code, out, _) = run(&["inspect", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(code, 0);
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["kind"], "sim_workflow");
    assert_eq!(summary["parallels"], 1);
    assert_eq!(summary["block_types"]["agent"], 1);
}

#[test]
fn inspect_reads_journeys() {
    for file in common::fixtures("journeys") {
        let (code, out, err) = run(&["inspect", "--format", "json", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(summary["kind"], "parlant_journey");
        assert!(summary["states"].as_u64().unwrap() >= 2);
    }
}

#[test]
fn format_writes_a_json_equal_file() {
    let dir = tempfile::tempdir().unwrap();
    for file in common::fixtures("sim-real") {
        let out = dir.path().join("out.json");
        let (code, stdout, err) = run(&[
            "format",
            file.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(stdout.is_empty());
        assert_eq!(common::read_json(&out), common::read_json(&file));
        assert!(
            std::fs::read_dir(dir.path()).unwrap().count() == 1,
            "no temporary file left behind"
        );
    }
}

#[test]
fn format_to_stdout_and_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let src = common::fixtures("sim-real")[0].clone();
    let copy = dir.path().join("copy.json");
    std::fs::copy(&src, &copy).unwrap();
    let (code, stdout, _) = run(&["format", copy.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap(),
        common::read_json(&src)
    );
    let (code, _, _) = run(&["format", "--in-place", copy.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(common::read_json(&copy), common::read_json(&src));
}

#[test]
fn bad_input_exits_2_with_a_located_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"state\": {\"blocks\": {},\n \"edges\": [").unwrap();
    let (code, out, err) = run(&["inspect", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("bad.json:2:"), "{err}");
    assert!(err.contains("truncated"), "{err}");

    // A failed format never touches the target.
    let target = dir.path().join("target.json");
    std::fs::write(&target, "precious").unwrap();
    let (code, _, _) = run(&[
        "format",
        bad.to_str().unwrap(),
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, err) = run(&["inspect"]);
    assert_eq!(code, 2);
    assert!(err.contains("Usage"), "{err}");
    let (code, _, _) = run(&["no-such-command"]);
    assert_eq!(code, 2);
    let (code, out, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.contains(journey_studio::VERSION));
}
