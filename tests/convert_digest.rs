//! The way back skips rendering the bases when the journey still has the digest
//! `workflow_to_journey` wrote (docs/convert.md, "Speed"). The shortcut must give exactly what
//! the rendering gives: same workflow, same mapping.

mod common;

use journey_studio::convert::{journey_to_workflow, workflow_to_journey, ConvertOptions};
use journey_studio::parlant::JourneyDocument;
use journey_studio::sim::SimDocument;
use serde_json::Value;

fn journeys() -> Vec<(String, JourneyDocument)> {
    let mut files = common::fixtures("sim-real");
    files.extend(common::fixtures("sim"));
    files.extend(common::shared_sim_real());
    let opts = ConvertOptions::default();
    files
        .iter()
        .map(|file| {
            let name = file.display().to_string();
            let sim = SimDocument::parse(&name, &std::fs::read_to_string(file).unwrap()).unwrap();
            let journey = workflow_to_journey(&sim, &opts).unwrap().output;
            // Through a file, as the CLI and the editor do.
            (
                name,
                JourneyDocument::parse("journey", &journey.to_json()).unwrap(),
            )
        })
        .collect()
}

fn without_digest(journey: &JourneyDocument) -> JourneyDocument {
    let mut j = journey.clone();
    if let Some(Value::Object(sim)) = j.extra.get_mut("sim") {
        sim.shift_remove("digest");
    }
    j
}

fn digest(journey: &JourneyDocument) -> Option<&str> {
    journey.extra.get("sim")?.get("digest")?.as_str()
}

#[test]
fn the_shortcut_gives_what_rendering_the_bases_gives() {
    let opts = ConvertOptions::default();
    let all = journeys();
    let with_digest = all.iter().filter(|(_, j)| digest(j).is_some()).count();
    assert!(
        with_digest * 2 > all.len(),
        "most fixtures should be carried whole: {with_digest} of {}",
        all.len()
    );
    for (name, journey) in &all {
        let fast = journey_to_workflow(journey, &opts).unwrap();
        let slow = journey_to_workflow(&without_digest(journey), &opts).unwrap();
        assert_eq!(fast.output, slow.output, "{name}");
        assert_eq!(fast.mapping, slow.mapping, "{name}");
    }
}

#[test]
fn a_journey_edited_anywhere_no_longer_matches_its_digest() {
    let opts = ConvertOptions::default();
    let (name, journey) = journeys()
        .into_iter()
        .find(|(_, j)| digest(j).is_some() && j.nodes.len() > 2)
        .unwrap();
    // A base edited by hand (the Sim side of the state), a state's action, a position: each
    // must take the slow path, so each gives what the rendering gives.
    let mut edits: Vec<JourneyDocument> = Vec::new();
    let mut base = journey.clone();
    let node = base
        .nodes
        .iter_mut()
        .find(|n| n.meta("sim").is_some_and(|s| s.get("block").is_some()))
        .unwrap();
    if let Some(Value::Object(sim)) = node.metadata.get_mut().and_then(|m| m.get_mut("sim")) {
        let mut block: Value = serde_json::from_str(sim["block"].as_str().unwrap()).unwrap();
        block["name"] = Value::String("Renamed on the Sim side".into());
        block["heightHint"] = Value::from(7);
        sim["block"] = Value::String(block.to_string());
    }
    edits.push(base);
    let mut action = journey.clone();
    action.nodes[1].action = journey_studio::json::Maybe::Value("Say something else".into());
    edits.push(action);
    let mut moved = journey.clone();
    if let Some(p) = moved
        .editor
        .get_mut()
        .and_then(|e| e.positions.get_mut())
        .and_then(|p| p.values_mut().next())
    {
        p.x = serde_json::Number::from(123_456);
    }
    edits.push(moved);
    let unedited = journey_to_workflow(&journey, &opts).unwrap().output;
    for (i, edited) in edits.iter().enumerate() {
        assert_eq!(
            digest(edited),
            digest(&journey),
            "{name}: the edit keeps the old digest"
        );
        let fast = journey_to_workflow(edited, &opts).unwrap();
        let slow = journey_to_workflow(&without_digest(edited), &opts).unwrap();
        assert_eq!(fast.output, slow.output, "{name}: edit {i}");
        assert_eq!(fast.mapping, slow.mapping, "{name}: edit {i}");
        assert_ne!(
            fast.output, unedited,
            "{name}: edit {i} must reach the workflow"
        );
        if i == 0 {
            // The journey's description wins over the renamed base; the unrendered field stays.
            let block = fast
                .output
                .state()
                .blocks
                .values()
                .find(|b| b.extra.contains_key("heightHint"))
                .unwrap();
            assert_ne!(block.name, "Renamed on the Sim side", "{name}");
        }
    }
}

#[test]
fn carried_blocks_and_edges_as_json_objects_still_convert_back() {
    // Journeys written before carried blocks and edges became JSON text hold them as objects.
    let opts = ConvertOptions::default();
    let as_object =
        |metadata: &mut journey_studio::json::Maybe<indexmap::IndexMap<String, Value>>,
         key: &str| {
            if let Some(Value::Object(sim)) = metadata.get_mut().and_then(|m| m.get_mut("sim")) {
                if let Some(Value::String(text)) = sim.get(key) {
                    let element: Value = serde_json::from_str(text).unwrap();
                    sim.insert(key.into(), element);
                }
            }
        };
    for (name, journey) in journeys() {
        let mut old = journey.clone();
        for node in &mut old.nodes {
            as_object(&mut node.metadata, "block");
        }
        for edge in &mut old.edges {
            as_object(&mut edge.metadata, "edge");
        }
        assert_ne!(old, journey, "{name}: some block is carried");
        let back = journey_to_workflow(&old, &opts).unwrap();
        assert_eq!(
            back.output,
            journey_to_workflow(&journey, &opts).unwrap().output,
            "{name}"
        );
    }
}
