//! The way back skips rendering the bases when the journey still has the digest
//! `workflow_to_journey` wrote, and skips rendering each state and transition that still has its
//! own digest while the rendering context is unchanged (docs/convert.md, "Speed"). The shortcuts
//! must give exactly what the rendering gives: same workflow, same mapping.

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

/// The journey without its whole digest: its states and transitions still have theirs.
fn without_digest(journey: &JourneyDocument) -> JourneyDocument {
    let mut j = journey.clone();
    if let Some(Value::Object(sim)) = j.extra.get_mut("sim") {
        sim.shift_remove("digest");
    }
    j
}

/// The journey without any digest: the way back renders every base.
fn without_digests(journey: &JourneyDocument) -> JourneyDocument {
    let mut j = without_digest(journey);
    if let Some(Value::Object(sim)) = j.extra.get_mut("sim") {
        sim.shift_remove("context");
    }
    let own = |metadata: &mut journey_studio::json::Maybe<indexmap::IndexMap<String, Value>>| {
        if let Some(Value::Object(sim)) = metadata.get_mut().and_then(|m| m.get_mut("sim")) {
            sim.shift_remove("digest");
        }
    };
    for node in &mut j.nodes {
        own(&mut node.metadata);
    }
    for edge in &mut j.edges {
        own(&mut edge.metadata);
    }
    j
}

fn own_digests(journey: &JourneyDocument) -> usize {
    let has = |m: &journey_studio::json::Maybe<indexmap::IndexMap<String, Value>>| {
        m.get()
            .and_then(|m| m.get("sim"))
            .and_then(|s| s.get("digest"))
            .is_some()
    };
    journey.nodes.iter().filter(|n| has(&n.metadata)).count()
        + journey.edges.iter().filter(|e| has(&e.metadata)).count()
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
        let per_element = journey_to_workflow(&without_digest(journey), &opts).unwrap();
        let slow = journey_to_workflow(&without_digests(journey), &opts).unwrap();
        assert_eq!(fast.output, slow.output, "{name}");
        assert_eq!(fast.mapping, slow.mapping, "{name}");
        assert_eq!(per_element.output, slow.output, "{name}");
        assert_eq!(per_element.mapping, slow.mapping, "{name}");
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
        let slow = journey_to_workflow(&without_digests(edited), &opts).unwrap();
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

/// Edits of every kind, alone and together, on every fixture: the way back with the digests of
/// the untouched states and transitions (rendering only the rest) gives what rendering every
/// base gives. Some edits change the rendering context of elements they do not touch (a rename
/// read by another state's condition, a deleted error path that made a sibling "succeeded", a
/// deleted state): the digests must not be trusted then.
#[test]
fn per_element_digests_give_what_rendering_every_base_gives() {
    let opts = ConvertOptions::default();
    let mut checked = 0;
    for (name, journey) in journeys() {
        if digest(&journey).is_none() || journey.nodes.len() < 3 {
            continue;
        }
        assert_eq!(
            own_digests(&journey),
            journey
                .nodes
                .iter()
                .filter(|n| n.meta("sim").is_some())
                .count()
                + journey
                    .edges
                    .iter()
                    .filter(|e| e.metadata.get().is_some_and(|m| m.contains_key("sim")))
                    .count(),
            "{name}: every carried element has its own digest"
        );
        let with_action: Vec<usize> = (0..journey.nodes.len())
            .filter(|&i| journey.nodes[i].action.get().is_some())
            .collect();
        let mut edits: Vec<(&str, JourneyDocument)> = Vec::new();
        let mut reworded = journey.clone();
        for &i in with_action.iter().step_by(2) {
            reworded.nodes[i].action =
                journey_studio::json::Maybe::Value(format!("Reworded step {i}"));
        }
        edits.push(("reworded", reworded.clone()));
        let mut renamed = reworded.clone();
        for node in renamed.nodes.iter_mut().step_by(3) {
            node.description = journey_studio::json::Maybe::Value(format!("Renamed {}", node.id));
        }
        edits.push(("renamed", renamed));
        let mut failed_path_gone = reworded.clone();
        failed_path_gone
            .edges
            .retain(|e| e.condition.get().map(String::as_str) != Some("the step failed"));
        edits.push(("failed path deleted", failed_path_gone));
        let mut state_gone = reworded.clone();
        let gone = state_gone.nodes.remove(state_gone.nodes.len() / 2).id;
        state_gone
            .edges
            .retain(|e| e.source != gone && e.target != gone);
        edits.push(("state deleted", state_gone));
        let mut rerouted = reworded.clone();
        if let Some(edge) = rerouted
            .edges
            .iter_mut()
            .find(|e| e.condition.get().is_some())
        {
            edge.condition = journey_studio::json::Maybe::Value("the customer asks again".into());
        }
        edits.push(("condition reworded", rerouted));
        let mut moved = reworded.clone();
        if let Some(p) = moved
            .editor
            .get_mut()
            .and_then(|e| e.positions.get_mut())
            .and_then(|p| p.values_mut().nth(1))
        {
            p.y = serde_json::Number::from(-4321);
        }
        edits.push(("moved", moved));
        let mut added = reworded.clone();
        let mut new = journey_studio::parlant::JourneyNode::new(
            "added-state",
            &journey_studio::parlant::NodeKind::Chat,
            Some("Thank the customer".into()),
        );
        new.description = journey_studio::json::Maybe::Value("Thanks".into());
        added.nodes.push(new);
        let from = added.nodes[1].id.clone();
        added.edges.push(journey_studio::parlant::JourneyEdge::new(
            "to-added",
            from,
            "added-state",
            Some("the customer is happy".into()),
        ));
        edits.push(("state added", added));
        let mut variable = reworded.clone();
        if let Some(v) = variable
            .context_variables
            .get_mut()
            .and_then(|v| v.first_mut())
        {
            v.value = journey_studio::json::Maybe::Value(Value::String("changed".into()));
        }
        edits.push(("context variable", variable));
        for (what, edited) in &edits {
            let fast = journey_to_workflow(edited, &opts).unwrap();
            let slow = journey_to_workflow(&without_digests(edited), &opts).unwrap();
            assert_eq!(fast.output, slow.output, "{name}: {what}");
            assert_eq!(fast.mapping, slow.mapping, "{name}: {what}");
            // What came back gives the edited journey again (the carriers kept for untouched
            // elements are still the right ones).
            let mut again = workflow_to_journey(&fast.output, &opts).unwrap().output;
            let mut wanted = edited.clone();
            for j in [&mut again, &mut wanted] {
                journey_studio::convert::strip_sim_metadata(j);
                // A container's repeat transitions are the conversion's own, derived from the
                // body's last blocks (a deleted state makes another one last); the way there
                // writes them after the others. Neither is what this compares.
                j.edges.retain(|e| !e.id.ends_with(":repeat"));
                j.edges.sort_by(|a, b| a.id.cmp(&b.id));
            }
            assert_eq!(
                serde_json::to_value(&again).unwrap(),
                serde_json::to_value(&wanted).unwrap(),
                "{name}: {what}: the way there again"
            );
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked} edited journeys compared");
}
