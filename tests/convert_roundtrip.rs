//! Round trips through conversion: every Sim fixture and real export comes back JSON-equal,
//! every journey fixture comes back as the same document; both through files on disk.

mod common;

use journey_studio::convert::{
    journey_to_workflow, strip_sim_metadata, workflow_to_journey, ConvertOptions,
};
use journey_studio::parlant::JourneyDocument;
use journey_studio::sim::SimDocument;
use journey_studio::validate::{validate, Severity};
use journey_studio::Document;
use serde_json::Value;
use std::path::PathBuf;

fn sim_files() -> Vec<PathBuf> {
    let mut files = common::fixtures("sim-real");
    files.extend(common::fixtures("sim"));
    files.extend(common::shared_sim_real());
    files
}

fn json_of(text: &str) -> Value {
    common::decode_string_shape(serde_json::from_str(text).unwrap())
}

#[test]
fn workflows_survive_workflow_journey_workflow() {
    let opts = ConvertOptions::default();
    for file in sim_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.display().to_string();
        let sim = SimDocument::parse(&name, &text).unwrap();
        let journey = workflow_to_journey(&sim, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Through a file, as the CLI and the editor do.
        let journey = JourneyDocument::parse("journey", &journey.output.to_json())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = journey_to_workflow(&journey, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back_text = back.output.to_json();
        let diff = common::json_diff(&json_of(&back_text), &json_of(&text), 8);
        assert!(diff.is_empty(), "{name} changed in a round trip: {diff:#?}");
        assert_eq!(back.output.json_string, sim.json_string, "{name}");
        assert!(
            back.mapping.approximations.iter().all(|a| a.code != "C010"),
            "{name}: nothing should need carrying: {:?}",
            back.mapping.approximations
        );
    }
}

#[test]
fn journeys_survive_journey_workflow_journey() {
    let opts = ConvertOptions::default();
    for file in common::fixtures("journeys") {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.display().to_string();
        let journey = JourneyDocument::parse(&name, &text).unwrap();
        let sim = journey_to_workflow(&journey, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let sim = SimDocument::parse("workflow", &sim.output.to_json())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut back = workflow_to_journey(&sim, &opts)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .output;
        strip_sim_metadata(&mut back);
        let back_value: Value = serde_json::from_str(&back.to_json()).unwrap();
        let diff = common::json_diff(&back_value, &json_of(&text), 8);
        assert!(diff.is_empty(), "{name} changed in a round trip: {diff:#?}");
    }
}

/// Issue 14: every Sim file in fixtures/ (real exports and hand-written) converts to a journey
/// Parlant accepts: 0 validation errors. Each Sim leaf is a state with no transition (Parlant's
/// own form of "the journey ends here"), recorded in the mapping both ways, and the way back
/// gives those blocks no edge and the whole workflow back JSON-equal.
#[test]
fn every_sim_fixture_converts_to_a_journey_with_no_errors_and_back() {
    let opts = ConvertOptions::default();
    let mut files = common::fixtures("sim-real");
    files.extend(common::fixtures("sim"));
    assert!(files.len() >= 15, "fixtures missing: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.display().to_string();
        let sim = SimDocument::parse(&name, &text).unwrap();
        let c = workflow_to_journey(&sim, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let journey = JourneyDocument::parse("journey", &c.output.to_json()).unwrap();
        let report = validate(&Document::Journey(journey.clone())).unwrap();
        let errors: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(
            errors.is_empty(),
            "{name}: the converted journey has errors: {errors:#?}"
        );
        // Ends: exactly the states without transitions, each a block without an outgoing edge.
        let sources: std::collections::HashSet<&str> =
            journey.edges.iter().map(|e| e.source.as_str()).collect();
        let leaves: Vec<&str> = journey
            .nodes
            .iter()
            .map(|n| n.id.as_str())
            .filter(|id| !sources.contains(id))
            .collect();
        let ends: Vec<&str> = c.mapping.ends.iter().map(|e| e.state_id.as_str()).collect();
        assert_eq!(ends, leaves, "{name}: mapping.ends");
        let block_sources: std::collections::HashSet<&str> = sim
            .state()
            .edges
            .iter()
            .map(|e| e.source.as_str())
            .collect();
        for end in &c.mapping.ends {
            assert!(
                !block_sources.contains(end.block_id.as_str()),
                "{name}: block `{}` has an edge but its state ends the journey",
                end.block_id
            );
        }
        let back = journey_to_workflow(&journey, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            back.mapping.ends, c.mapping.ends,
            "{name}: the way back records the same ends"
        );
        let diff = common::json_diff(&json_of(&back.output.to_json()), &json_of(&text), 8);
        assert!(diff.is_empty(), "{name} changed in a round trip: {diff:#?}");
    }
}
