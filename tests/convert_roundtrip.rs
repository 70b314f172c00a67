//! Round trips through conversion: every Sim fixture and real export comes back JSON-equal,
//! every journey fixture comes back as the same document; both through files on disk.

mod common;

use journey_studio::convert::{journey_to_workflow, strip_sim_metadata, workflow_to_journey, ConvertOptions};
use journey_studio::parlant::JourneyDocument;
use journey_studio::sim::SimDocument;
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
        let journey = JourneyDocument::parse("journey", &journey.output.to_json()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = journey_to_workflow(&journey, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back_text = back.output.to_json();
        let diff = common::json_diff(&json_of(&back_text), &json_of(&text), 8);
        assert!(diff.is_empty(), "{name} changed in a round trip: {diff:#?}");
        assert_eq!(back.output.json_string, sim.json_string, "{name}");
        assert!(back.mapping.approximations.iter().all(|a| a.code != "C010"), "{name}: nothing should need carrying: {:?}", back.mapping.approximations);
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
        let sim = SimDocument::parse("workflow", &sim.output.to_json()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut back = workflow_to_journey(&sim, &opts).unwrap_or_else(|e| panic!("{name}: {e}")).output;
        strip_sim_metadata(&mut back);
        let back_value: Value = serde_json::from_str(&back.to_json()).unwrap();
        let diff = common::json_diff(&back_value, &json_of(&text), 8);
        assert!(diff.is_empty(), "{name} changed in a round trip: {diff:#?}");
    }
}

