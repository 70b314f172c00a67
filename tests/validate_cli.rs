//! `journey-studio validate`: compiler-style text, JSON, exit codes, and the documented catalogue.

mod common;

use journey_studio::validate::catalogue::markdown_table;
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

fn journey_file(
    dir: &tempfile::TempDir,
    name: &str,
    conditions: &str,
    tail_target: &str,
) -> String {
    let text = format!(
        r#"{{"format": "parlant-journey", "version": 1,
        "journey": {{"title": "Help", "description": "", "conditions": {conditions}, "root_id": "root"}},
        "nodes": [{{"id": "root", "action": null}}, {{"id": "ask", "action": "Ask", "metadata": {{"journey_node": {{"kind": "chat"}}}}}}],
        "edges": [{{"id": "e1", "source": "root", "target": "ask"}}, {{"id": "e2", "source": "ask", "target": "{tail_target}"}}]}}"#
    );
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn clean_documents_exit_zero() {
    for file in common::fixtures("journeys")
        .into_iter()
        .chain(common::fixtures("sim-real"))
    {
        let (code, out, err) = run(&["validate", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{}: {out}{err}", file.display());
        assert!(out.contains("0 errors"), "{out}");
    }
}

#[test]
fn errors_print_like_a_compiler_and_exit_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = journey_file(
        &dir,
        "bad.json",
        r#"["the customer needs help"]"#,
        "nowhere",
    );
    let (code, out, _) = run(&["validate", &file]);
    assert_eq!(code, 1, "{out}");
    let line = format!("{file}:edges[1].target: error[J008]: ");
    assert!(out.contains(&line), "{out}");
    let after = out.split(&line).nth(1).unwrap();
    assert!(
        after.lines().nth(1).unwrap().starts_with("  hint: "),
        "{out}"
    );
    assert!(
        out.trim_end().ends_with("infos") || out.contains("errors,"),
        "{out}"
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = tempfile::tempdir().unwrap();
    // No condition: J014 (a warning) and nothing else.
    let file = journey_file(&dir, "warn.json", "[]", "end");
    let (code, out, _) = run(&["validate", &file]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[J014]"), "{out}");
    let (code, _, _) = run(&["validate", "--deny", "warnings", &file]);
    assert_eq!(code, 1);
}

#[test]
fn json_output_carries_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = journey_file(&dir, "bad.json", "[]", "nowhere");
    let (code, out, _) = run(&["validate", "--format", "json", &file]);
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["kind"], "parlant_journey");
    let diagnostics = value["report"]["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"J008") && codes.contains(&"J014"),
        "{codes:?}"
    );
    let j008 = diagnostics.iter().find(|d| d["code"] == "J008").unwrap();
    assert_eq!(j008["path"], "edges[1].target");
    assert_eq!(j008["edge_ids"][0], "e2");
    assert_eq!(j008["severity"], "error");
}

#[test]
fn unreadable_input_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&[
        "validate",
        dir.path().join("missing.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"format\": \"parlant-journey\", ").unwrap();
    let (code, _, err) = run(&["validate", broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("broken.json"), "{err}");
    let (code, _, _) = run(&["validate", "--format", "yaml", broken.to_str().unwrap()]);
    assert_eq!(code, 2);
}

/// docs/validation.md's catalogue table is the code's catalogue. `UPDATE_DOCS=1` rewrites it.
#[test]
fn documented_catalogue_matches_the_code() {
    let path = common::repo().join("docs/validation.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- catalogue:start -->\n", "<!-- catalogue:end -->");
    let (Some(a), Some(b)) = (text.find(start), text.find(end)) else {
        panic!("docs/validation.md lacks the catalogue markers")
    };
    let documented = &text[a + start.len()..b];
    let expected = markdown_table();
    if documented != expected && std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(
            &path,
            format!("{}{expected}{}", &text[..a + start.len()], &text[b..]),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        documented, expected,
        "docs/validation.md is out of date: run UPDATE_DOCS=1 cargo test --test validate_cli"
    );
}

#[test]
fn readiness_notes_are_listed_by_default_and_can_be_left_out() {
    let loop_fixture = common::repo().join("fixtures/sim/order-loop.json");
    let file = loop_fixture.to_str().unwrap();
    let (code, out, _) = run(&["validate", file]);
    assert_eq!(code, 0, "readiness never fails a document: {out}");
    let line = out
        .lines()
        .find(|l| l.contains("info[C003]: "))
        .unwrap_or_else(|| panic!("no loop note: {out}"));
    assert!(line.starts_with(&format!("{file}:state.blocks.")), "{line}");
    let (code, out, _) = run(&["validate", file, "--no-readiness"]);
    assert_eq!(code, 0);
    assert!(!out.contains("[C0"), "{out}");
    // The journey side: a tool state becomes a placeholder function block in Sim.
    let (_, out, _) = run(&[
        "validate",
        common::repo()
            .join("fixtures/journeys/refund-request.json")
            .to_str()
            .unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = v["report"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"C012"), "{codes:?}");
}
