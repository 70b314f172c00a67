//! Issue 6 "done when": every built-in template instantiates with its defaults into a journey
//! with no validation errors, converts to a Sim workflow, and its scenario
//! (fixtures/scenarios/templates/<id>.json) passes in the journey simulator. Instantiation runs
//! the validator: errors fail it with the diagnostics listed.

mod common;

use journey_studio::convert::{journey_to_workflow, ConvertOptions};
use journey_studio::simulate::scenario::{parse_scenarios, run_journey};
use journey_studio::template::{self, Library, Source, Template};
use journey_studio::validate::{validate, Severity};
use journey_studio::{Document, Error};
use serde_json::{json, Map};
use std::collections::BTreeSet;

#[test]
fn every_builtin_instantiates_validates_and_converts_to_a_workflow() {
    let lib = Library::builtin().unwrap();
    assert!(lib.entries().len() >= 8);
    for entry in lib.entries() {
        let t = &entry.template;
        let instance = template::instantiate(&lib, t, &Map::new())
            .unwrap_or_else(|e| panic!("{}: {e}", t.key()));
        assert!(
            instance
                .diagnostics
                .iter()
                .all(|d| d.severity != Severity::Error),
            "{}",
            t.key()
        );
        let Document::Journey(journey) = &instance.document else {
            panic!("{}: not a journey", t.key())
        };
        let report = validate(&instance.document).unwrap();
        assert_eq!(report.errors, 0, "{}: {:#?}", t.key(), report.diagnostics);
        let workflow = journey_to_workflow(journey, &ConvertOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", t.key()))
            .output;
        // A real Sim document: it reads back, and a Sim trigger starts it.
        let back = Document::parse("converted", &workflow.to_json()).unwrap();
        assert!(matches!(back, Document::Sim(_)), "{}", t.key());
        assert!(
            !validate(&back).unwrap().has_code("W001"),
            "{}: the workflow has a trigger",
            t.key()
        );
        assert!(
            workflow.state().blocks.len() >= journey.nodes.len(),
            "{}: every state became a block",
            t.key()
        );
    }
}

#[test]
fn every_builtin_scenario_passes_in_the_simulator() {
    let lib = Library::builtin().unwrap();
    let ids: BTreeSet<String> = lib
        .entries()
        .iter()
        .map(|e| e.template.id.clone())
        .collect();
    let files: BTreeSet<String> = common::fixtures("scenarios/templates")
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(ids, files, "one scenario file per built-in template id");
    for path in common::fixtures("scenarios/templates") {
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        // The newest version, with its defaults: what `template instantiate <id>` gives.
        let entry = lib.find(&id).unwrap();
        let instance = template::instantiate(&lib, &entry.template, &Map::new()).unwrap();
        let Document::Journey(journey) = &instance.document else {
            panic!("{id}: not a journey")
        };
        let scenarios = parse_scenarios(
            &path.display().to_string(),
            &std::fs::read_to_string(&path).unwrap(),
        )
        .unwrap();
        assert!(!scenarios.is_empty());
        for s in &scenarios {
            let result =
                run_journey(journey, s).unwrap_or_else(|e| panic!("{id} / {}: {e}", s.name));
            assert!(
                result.passed,
                "{id} / {}: {:#?}\npath: {}",
                s.name,
                result.failures,
                result.path.join(" -> ")
            );
        }
    }
}

fn user_template(edges: serde_json::Value, conditions: serde_json::Value) -> Template {
    let body = json!({
        "format": template::TEMPLATE_FORMAT, "id": "broken-fork", "version": "1.0.0", "name": "Broken fork", "description": "d",
        "category": "test", "tags": ["t"], "parameters": [{"name": "who", "type": "string", "default": "Ada"}],
        "body": {"format": "parlant-journey", "version": 1,
            "journey": {"title": "Help {{who}}", "description": "", "conditions": conditions, "root_id": "root"},
            "nodes": [{"id": "root", "action": null},
                      {"id": "pick", "action": null, "metadata": {"journey_node": {"kind": "fork"}}},
                      {"id": "a", "action": "Say A", "metadata": {"journey_node": {"kind": "chat"}}}],
            "edges": edges}
    });
    Template::parse("broken.json", &body.to_string()).unwrap()
}

#[test]
fn validation_errors_fail_instantiation_and_warnings_travel_with_the_instance() {
    let mut lib = Library::builtin().unwrap();
    let broken = user_template(
        json!([{"id": "e1", "source": "root", "target": "pick"}, {"id": "e2", "source": "pick", "target": "a"}, {"id": "e3", "source": "a", "target": "end"}]),
        json!(["the customer needs help"]),
    );
    lib.add(broken.clone(), Source::File("broken.json".into()));
    let err = template::instantiate(&lib, &broken, &Map::new()).unwrap_err();
    let Error::Template { problems, .. } = &err else {
        panic!("{err}")
    };
    assert!(
        problems
            .iter()
            .any(|p| p.message.starts_with("error[J006]") && p.at.contains("edges[1]")),
        "{problems:#?}"
    );
    assert!(
        problems.iter().all(|p| p.message.contains("hint:")),
        "{problems:#?}"
    );

    // A warning (no journey condition: it never activates) does not fail; it is reported.
    let quiet = user_template(
        json!([{"id": "e1", "source": "root", "target": "pick"}, {"id": "e2", "source": "pick", "target": "a", "condition": "the customer wants A"},
               {"id": "e3", "source": "a", "target": "end"}]),
        json!([]),
    );
    let instance = template::instantiate(&lib, &quiet, &Map::new()).unwrap();
    assert!(
        instance
            .diagnostics
            .iter()
            .any(|d| d.code == "J014" && d.severity == Severity::Warning),
        "{:#?}",
        instance.diagnostics
    );
}
