//! The journeys of Parlant's own documentation (fixtures/parlant-docs: built with the real SDK
//! by tests/python/docs_journeys.py and dumped from Parlant's stores) are what Parlant accepts:
//! they validate with no error and no warning, and the committed files are exactly what
//! parlant 3.3.2 stores for that SDK code, synthetic `end` node and generated ids included.

mod common;
#[path = "common/servers.rs"]
mod servers;

use journey_studio::parlant::{JourneyDocument, END_NODE_ID};
use journey_studio::validate::{validate, Severity};
use journey_studio::Document;
use std::process::Command;

const NAMES: &[&str] = &["book-flight", "schedule-appointment", "lab-results"];

#[test]
fn parlant_docs_journeys_validate_with_no_errors_or_warnings() {
    let files = common::fixtures("parlant-docs");
    assert_eq!(files.len(), NAMES.len(), "{files:?}");
    for file in files {
        let raw = common::read_json(&file);
        // As Parlant's store lists them: the virtual end is among the nodes ...
        assert!(
            raw["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["id"] == END_NODE_ID),
            "{}",
            file.display()
        );
        let doc = Document::load(&file).unwrap_or_else(|e| panic!("{e}"));
        let Document::Journey(journey) = &doc else {
            panic!("{}", file.display())
        };
        // ... and reading takes it as the virtual end; every id Parlant generated is kept.
        assert!(journey.nodes.iter().all(|n| n.id != END_NODE_ID));
        assert_eq!(
            journey.nodes.len() + 1,
            raw["nodes"].as_array().unwrap().len()
        );
        assert_eq!(
            journey.journey.root_id,
            raw["journey"]["root_id"].as_str().unwrap()
        );
        let report = validate(&doc).unwrap();
        let serious: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .collect();
        assert!(
            serious.is_empty(),
            "{}: Parlant's own journey is flagged: {serious:#?}",
            file.display()
        );
    }
    // Book Flight ends in a chat state without a transition, as the docs write it.
    let text =
        std::fs::read_to_string(common::repo().join("fixtures/parlant-docs/book-flight.json"))
            .unwrap();
    let book = JourneyDocument::parse("book-flight", &text).unwrap();
    let last = book
        .nodes
        .iter()
        .find(|n| n.action_text() == Some("Provide ticket details"))
        .unwrap();
    assert!(book.edges.iter().all(|e| e.source != last.id));
}

#[test]
fn the_fixtures_are_what_parlant_stores_for_the_docs_sdk_code() {
    let Some(python) = servers::parlant_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = format!(
        "{}:{}",
        common::repo().join("server/parlant").display(),
        common::repo().join("tests/python").display()
    );
    let out = Command::new(&python)
        .arg(common::repo().join("tests/python/docs_journeys.py"))
        .args(NAMES)
        .env("PYTHONPATH", &path)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for name in NAMES {
        let built = &all[*name];
        let committed =
            common::read_json(&common::repo().join(format!("fixtures/parlant-docs/{name}.json")));
        let diff = common::json_diff(built, &committed, 8);
        assert!(
            diff.is_empty(),
            "{name}: fixtures/parlant-docs/{name}.json is not what Parlant stores: {diff:#?}"
        );
    }
}
