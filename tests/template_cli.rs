//! `journey-studio template ...` as a user runs it: output, files written, exit codes.

mod common;

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args(args)
        .env_remove("JOURNEY_STUDIO_TEMPLATES")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn list_and_show() {
    let (code, out, err) = run(&["template", "list"]);
    assert_eq!(code, 0, "{err}");
    let triage: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("support-triage "))
        .collect();
    assert_eq!(triage.len(), 1, "only the newest version: {out}");
    assert!(triage[0].contains("1.1.0"), "{out}");
    let (code, out, _) = run(&[
        "template",
        "list",
        "--category",
        "sales",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["id"], "lead-qualification");
    let (_, out, _) = run(&["template", "list", "--tag", "callback", "triage"]);
    assert!(
        out.contains("vip-support-triage") && !out.contains("\nsupport-triage"),
        "{out}"
    );

    let (code, out, _) = run(&["template", "show", "vip-support-triage"]);
    assert_eq!(code, 0);
    assert!(out.contains("extends:  support-triage@1.1.0"), "{out}");
    assert!(
        out.contains("sla_hours") && out.contains("default 4"),
        "{out}"
    );
    let (code, out, _) = run(&[
        "template",
        "show",
        "support-triage@~1.0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["version"], "1.0.0");
    assert_eq!(shown["versions"], serde_json::json!(["1.1.0", "1.0.0"]));

    let (code, _, err) = run(&["template", "show", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no template `nope`"), "{err}");
}

#[test]
fn instantiate_with_set_params_file_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let params = dir.path().join("p.json");
    std::fs::write(&params, r#"{"company": "Contoso Energy", "sla_hours": 48}"#).unwrap();
    let out_file = dir.path().join("journey.json");
    let (code, _, err) = run(&[
        "template",
        "instantiate",
        "support-triage@^1.1",
        "--params",
        params.to_str().unwrap(),
        "--set",
        "sla_hours=8",
        "--set",
        "ask_order_number=yes",
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let doc = journey_studio::Document::load(&out_file).unwrap();
    let journey_studio::Document::Journey(j) = doc else {
        panic!()
    };
    assert!(j
        .node("greet")
        .unwrap()
        .action_text()
        .unwrap()
        .contains("Contoso Energy"));
    assert!(
        j.node("confirm")
            .unwrap()
            .action_text()
            .unwrap()
            .contains("within 8 hours"),
        "--set wins over --params"
    );
    assert!(j.node("ask-order-number").is_some());
    let provenance = j.editor.get().unwrap().extra.get("template").unwrap();
    assert_eq!(provenance["id"], "support-triage@1.1.0");
    assert_eq!(provenance["parameters"]["sla_hours"], 8);

    // Every parameter problem at once, exit 2.
    let (code, out, err) = run(&[
        "template",
        "instantiate",
        "support-triage",
        "--set",
        "sla_hours=500",
        "--set",
        "priority=asap",
        "--set",
        "colour=red",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("3 problems")
            && err.contains("sla_hours")
            && err.contains("priority")
            && err.contains("colour"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "template",
        "instantiate",
        "support-triage",
        "--set",
        "novalue",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("NAME=VALUE"), "{err}");
    let (code, _, err) = run(&["template", "instantiate", "support-triage@^9"]);
    assert_eq!(code, 2);
    assert!(err.contains("none matches the range `^9`"), "{err}");
}

#[test]
fn lint_a_template_file_and_save_a_journey_as_a_template() {
    let dir = tempfile::tempdir().unwrap();
    let journey = common::repo().join("fixtures/journeys/book-flight.json");
    let saved = dir.path().join("flight.json");
    let (code, _, err) = run(&[
        "template",
        "save",
        journey.to_str().unwrap(),
        "--id",
        "flight-booking",
        "--category",
        "travel",
        "--tag",
        "flights",
        "--param",
        "title=Book Flight",
        "-o",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = run(&["template", "lint", saved.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("flight-booking@1.0.0 is sound"), "{out}");
    // The saved template is usable from a user folder.
    let (code, out, err) = run(&[
        "template",
        "--templates",
        dir.path().to_str().unwrap(),
        "instantiate",
        "flight-booking",
        "--set",
        "title=Book a train",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"title\": \"Book a train\""), "{out}");

    // A template with problems: exit 1, one line per problem.
    let mut value: serde_json::Value = common::read_json(&saved);
    value["parameters"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "unused", "type": "string"}));
    value["body"]["journey"]["description"] = serde_json::json!("{{undeclared}}");
    std::fs::write(&saved, value.to_string()).unwrap();
    let (code, out, _) = run(&["template", "lint", saved.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("`undeclared` is not a declared parameter")
            && out.contains("parameters.unused: declared but never used"),
        "{out}"
    );
    let (code, out, _) = run(&[
        "template",
        "lint",
        "--format",
        "json",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Every built-in passes lint as a file.
    for file in common::fixtures("templates") {
        let (code, out, err) = run(&["template", "lint", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{}: {out}{err}", file.display());
    }
    let (code, _, err) = run(&["template", "lint", "/nonexistent.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}
