//! Every fixture, and every real Sim export, goes through read + write JSON-equal.

mod common;

use common::*;
use journey_studio::Document;
use std::path::Path;

fn assert_round_trip(path: &Path) {
    let doc = Document::load(path).unwrap_or_else(|e| panic!("{e}"));
    let written = doc.to_json();
    let original = decode_string_shape(read_json(path));
    let rewritten = decode_string_shape(serde_json::from_str(&written).unwrap());
    assert_eq!(
        original,
        rewritten,
        "{} changed on a read/write round trip",
        path.display()
    );
    // And writing is stable: a second pass gives the same text.
    let again = Document::parse("again", &written).unwrap().to_json();
    assert_eq!(
        written,
        again,
        "{} is not stable under repeated formatting",
        path.display()
    );
}

#[test]
fn real_sim_exports_round_trip_losslessly() {
    let files = fixtures("sim-real");
    assert!(files.len() >= 7);
    for path in files.iter().chain(shared_sim_real().iter()) {
        assert_round_trip(path);
    }
}

#[test]
fn hand_written_workflows_round_trip_losslessly() {
    for path in fixtures("sim") {
        assert_round_trip(&path);
    }
}

#[test]
fn journeys_round_trip_losslessly() {
    for path in fixtures("journeys") {
        assert!(
            matches!(Document::load(&path).unwrap(), Document::Journey(_)),
            "{}",
            path.display()
        );
        assert_round_trip(&path);
    }
}

#[test]
fn unknown_fields_and_explicit_nulls_survive_at_every_level() {
    let text = r#"{
      "version": "1.0", "exportedAt": "2026-01-01T00:00:00.000Z", "envelopeExtra": {"a": [1, 2.5]},
      "state": {
        "blocks": {
          "b1": {
            "id": "b1", "type": "agent", "name": "Agent", "position": {"x": 1, "y": 2.25, "z": "extra"},
            "subBlocks": {"model": {"id": "model", "type": "dropdown", "value": null, "hint": true}},
            "outputs": {}, "enabled": true, "height": null, "futureFlag": {"nested": [null]},
            "data": {"parentId": null, "someNewKnob": 3}
          }
        },
        "edges": [{"id": "e", "source": "b1", "target": "b1", "sourceHandle": null, "weight": 0.5}],
        "loops": {}, "parallels": {}, "stateExtra": "kept",
        "variables": {"v1": {"id": "v1", "name": "n", "type": "plain", "value": null, "scope": "global"}}
      }
    }"#;
    let doc = Document::parse("inline", text).unwrap();
    let back: serde_json::Value = serde_json::from_str(&doc.to_json()).unwrap();
    let original: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(back, original);
    // `null` stays null and absent stays absent.
    assert!(back["state"]["blocks"]["b1"]["height"].is_null());
    assert!(back["state"]["blocks"]["b1"].get("errorEnabled").is_none());
    // Integers stay integers and floats stay floats.
    assert!(back["state"]["blocks"]["b1"]["position"]["x"].is_u64());
    assert!(back["state"]["blocks"]["b1"]["position"]["y"].is_f64());
}

#[test]
fn the_three_sim_import_shapes_are_read_and_kept() {
    let state = r#"{"blocks": {"s": {"id": "s", "type": "start_trigger", "name": "Start", "position": {"x": 0, "y": 0}, "subBlocks": {}, "outputs": {}, "enabled": true}}, "edges": []}"#;
    let envelope = format!(r#"{{"version": "1.0", "state": {state}}}"#);
    let as_string = serde_json::to_string(&envelope).unwrap();
    for (text, expect_envelope, expect_string) in [
        (state.to_string(), false, false),
        (envelope.clone(), true, false),
        (as_string, true, true),
    ] {
        let Document::Sim(doc) = Document::parse("inline", &text).unwrap() else {
            panic!("not sim")
        };
        assert_eq!(
            doc.shape == journey_studio::sim::SimShape::Envelope,
            expect_envelope
        );
        assert_eq!(doc.json_string, expect_string);
        assert_eq!(doc.state().blocks["s"].name, "Start");
        let written = doc.to_json();
        assert_eq!(written.trim_start().starts_with('"'), expect_string);
        let reread = Document::parse("again", &written).unwrap();
        assert_eq!(reread, Document::Sim(doc));
    }
}
