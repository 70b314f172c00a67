//! A reader that goes away early (`journey-studio validate big.json | head -1`) ends the command
//! quietly with success, as `ripgrep` does: no panic, no "Broken pipe" message.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_journey-studio"));
    c.env_remove("JOURNEY_STUDIO_WORKSPACE")
        .env("RUST_BACKTRACE", "0");
    c
}

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
        .display()
        .to_string()
}

/// Runs the command with its standard output already closed by the reader; returns the exit code
/// and what it wrote to standard error.
fn with_stdout_closed(args: &[&str]) -> (Option<i32>, String) {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_quiet(args: &[&str]) {
    let (code, stderr) = with_stdout_closed(args);
    assert!(
        !stderr.contains("panicked") && !stderr.to_lowercase().contains("broken pipe"),
        "{args:?}: {stderr}"
    );
    assert_eq!(code, Some(0), "{args:?} did not exit quietly: {stderr}");
}

/// A straight chain of `n` function blocks: `validate` prints a line per block.
fn chain_file(dir: &Path, n: usize) -> String {
    let mut blocks = vec![r#""start": {"id": "start", "type": "starter", "name": "Start", "position": {"x": 0, "y": 0}, "subBlocks": {}, "outputs": {}, "enabled": true}"#.to_string()];
    let mut edges = Vec::new();
    for i in 0..n {
        blocks.push(format!(r#""b{i}": {{"id": "b{i}", "type": "function", "name": "F{i}", "position": {{"x": {i}, "y": 0}}, "subBlocks": {{"code": {{"id": "code", "type": "code", "value": "return 1"}}}}, "outputs": {{}}, "enabled": true}}"#));
        let source = if i == 0 {
            "start".to_string()
        } else {
            format!("b{}", i - 1)
        };
        edges.push(format!(
            r#"{{"id": "e{i}", "source": "{source}", "target": "b{i}"}}"#
        ));
    }
    let path = dir.join("chain.json");
    std::fs::write(
        &path,
        format!(
            r#"{{"state": {{"blocks": {{{}}}, "edges": [{}]}}}}"#,
            blocks.join(","),
            edges.join(",")
        ),
    )
    .unwrap();
    path.display().to_string()
}

#[test]
fn head_reads_one_line_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    let file = chain_file(dir.path(), 3_000);
    for args in [
        vec!["validate", "--no-readiness", file.as_str()],
        vec!["convert", file.as_str(), "--to", "journey"],
    ] {
        let mut child = bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty(), "{args:?} printed nothing");
        // The reader is dropped here, with most of the output (well over a pipe buffer) unread.
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn every_printing_command_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.db");
    let ws = ws.to_str().unwrap();
    let journey = fixture("journeys/refund-request.json");
    let workflow = fixture("sim/refund-router.json");
    let scenario = fixture("scenarios/refund-request.json");
    let parity = fixture("scenarios/parity/refund-router.json");
    let saved = bin()
        .args(["save", &journey, "--name", "refund", "--workspace", ws])
        .output()
        .unwrap();
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );

    let commands: Vec<Vec<&str>> = vec![
        vec!["--help"],
        vec!["inspect", &workflow],
        vec!["format", &workflow],
        vec!["convert", &workflow, "--to", "journey"],
        vec!["convert", &journey, "--to", "workflow"],
        vec!["validate", &workflow],
        vec!["validate", "--format", "json", &journey],
        vec!["simulate", &journey, "--scenario", &scenario],
        vec!["parity", &workflow, "--scenario", &parity],
        vec!["template", "list"],
        vec!["template", "show", "refund-request"],
        vec![
            "template",
            "instantiate",
            "refund-request",
            "--set",
            "company=Acme",
        ],
        vec!["export-sdk", &journey],
        vec!["history", "refund", "--workspace", ws],
        vec!["status", "--workspace", ws],
        vec!["remote", "list", "--workspace", ws],
    ];
    for args in &commands {
        assert_quiet(args);
    }
}

/// A closed standard error (the converter reports approximations there) is quiet too.
#[test]
fn a_closed_stderr_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let mut child = bin()
        .args([
            "convert",
            &fixture("journeys/refund-request.json"),
            "--to",
            "workflow",
            "-o",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(out.exists());
}
