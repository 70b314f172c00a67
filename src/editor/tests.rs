//! The editor's model of edits: every edit, undo and redo keeps the UI's mirror equal to a fresh
//! view and a fresh validation, and undo puts the document back byte for byte.

use super::edit::{DocRef, Edit, JOURNEY_TARGET};
use super::open::OpenDocument;
use super::test_fixture as load;
use super::view::{self, Point};
use crate::document::Document;
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

/// A diagnostic as both sides can compare it: code, message, path, nodes, edges.
type Problem = (String, String, String, Vec<String>, Vec<String>);

/// The diagnostics of a fresh, full validation, comparable with the mirror's.
fn fresh_diagnostics(doc: &Document) -> BTreeSet<Problem> {
    let report = crate::validate::validate(doc).unwrap();
    report
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code.to_string(),
                d.message.clone(),
                d.path.to_string(),
                d.node_ids.clone(),
                d.edge_ids.clone(),
            )
        })
        .collect()
}

fn mirrored_diagnostics(open: &OpenDocument) -> BTreeSet<Problem> {
    open.diagnostics()
        .into_iter()
        .map(|d| (d.code, d.message, d.path, d.node_ids, d.edge_ids))
        .collect()
}

/// The mirror (what the UI holds after applying every delta) equals a fresh view and validation.
fn assert_consistent(open: &OpenDocument, context: &str) {
    let doc = open.document();
    let fresh = view::view(&doc);
    let (nodes, edges) = open.mirrored();
    let fresh_nodes: HashMap<String, _> =
        fresh.nodes.into_iter().map(|n| (n.id.clone(), n)).collect();
    let fresh_edges: HashMap<String, _> =
        fresh.edges.into_iter().map(|e| (e.id.clone(), e)).collect();
    assert_eq!(
        nodes, fresh_nodes,
        "{context}: the nodes the UI holds differ from a fresh view"
    );
    assert_eq!(
        edges, fresh_edges,
        "{context}: the edges the UI holds differ from a fresh view"
    );
    assert_eq!(
        mirrored_diagnostics(open),
        fresh_diagnostics(&doc),
        "{context}: the diagnostics the UI holds differ from a full validation"
    );
    let counts = open.counts();
    assert_eq!(
        counts.errors + counts.warnings + counts.infos,
        open.diagnostics().len(),
        "{context}: counts"
    );
}

/// A small deterministic generator (no dependency on the proptest runner's state).
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn random_edit(open: &OpenDocument, rng: &mut Rng, step: usize) -> Edit {
    let v = open.view();
    let nodes: Vec<String> = v
        .nodes
        .iter()
        .filter(|n| n.kind != "end")
        .map(|n| n.id.clone())
        .collect();
    let pick = |rng: &mut Rng| nodes[rng.next(nodes.len())].clone();
    let journey = matches!(open.doc_ref(), DocRef::Journey(_));
    let root = match open.doc_ref() {
        DocRef::Journey(j) => Some(j.journey.root_id.clone()),
        DocRef::Sim(_) => None,
    };
    match rng.next(9) {
        0 => Edit::MoveNode {
            id: pick(rng),
            x: rng.next(2000) as f64,
            y: rng.next(2000) as f64,
        },
        1 => Edit::AddNode {
            kind: if journey {
                ["chat", "tool", "fork"][rng.next(3)].into()
            } else {
                ["agent", "function", "api", "condition"][rng.next(4)].into()
            },
            position: Point { x: 1.0, y: 2.0 },
            name: Some(format!("Added {step}")),
            parent: None,
            from: None,
        },
        2 => Edit::Connect {
            source: pick(rng),
            source_handle: None,
            target: pick(rng),
        },
        3 => {
            let id = pick(rng);
            if Some(&id) == root.as_ref() {
                Edit::SetLabel {
                    target: id,
                    label: format!("Root {step}"),
                }
            } else {
                Edit::Delete {
                    node_ids: vec![id],
                    edge_ids: vec![],
                }
            }
        }
        4 if !v.edges.is_empty() => Edit::Delete {
            node_ids: vec![],
            edge_ids: vec![v.edges[rng.next(v.edges.len())].id.clone()],
        },
        5 => Edit::SetLabel {
            target: pick(rng),
            label: format!("Renamed {step}"),
        },
        6 if journey => Edit::SetField {
            target: JOURNEY_TARGET.into(),
            path: vec!["journey".into(), "title".into()],
            value: json!(format!("Title {step}")),
        },
        6 => Edit::SetField {
            target: pick(rng),
            path: vec!["enabled".into()],
            value: json!(rng.next(2) == 0),
        },
        7 => Edit::Duplicate {
            node_ids: vec![pick(rng)],
            offset: Point { x: 30.0, y: 30.0 },
        },
        _ if !v.edges.is_empty() && journey => {
            let e = v.edges[rng.next(v.edges.len())].id.clone();
            Edit::SetLabel {
                target: e,
                label: if rng.next(3) == 0 {
                    String::new()
                } else {
                    format!("the customer says {step}")
                },
            }
        }
        _ => Edit::MoveNode {
            id: pick(rng),
            x: 5.0,
            y: 5.0,
        },
    }
}

#[test]
fn random_edits_undo_and_redo_keep_the_mirror_true_and_undo_restores_bytes() {
    let fixtures = [
        "fixtures/journeys/book-flight.json",
        "fixtures/journeys/refund-request.json",
        "fixtures/sim/support-triage-condition.json",
        "fixtures/sim/order-loop.json",
        "fixtures/sim/lead-parallel-nested.json",
        "fixtures/sim-real/lead-enricher-6ed8dede-1df6-4962-95f4-887abf524b38.json",
    ];
    for (f, path) in fixtures.iter().enumerate() {
        let original = load(path);
        let original_text = original.to_json();
        let mut open = OpenDocument::new(original).unwrap();
        assert_consistent(&open, &format!("{path} opened"));
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (f as u64 + 1));
        let mut applied = 0;
        let mut texts = vec![open.to_json()];
        for step in 0..40 {
            let edit = random_edit(&open, &mut rng, step);
            let before = open.to_json();
            let version = open.version();
            match open.apply_edits(std::slice::from_ref(&edit)) {
                // An edit that changed nothing is no step: nothing to undo.
                Ok(_) if open.version() == version => assert_eq!(
                    open.to_json(),
                    before,
                    "{path}: {edit:?} changed the document without a step"
                ),
                Ok(_) => {
                    applied += 1;
                    texts.push(open.to_json());
                }
                // A refused edit (a duplicate connection, an edge into the root) changes nothing.
                Err(_) => assert_eq!(
                    open.to_json(),
                    before,
                    "{path}: a refused edit {edit:?} changed the document"
                ),
            }
            assert_consistent(&open, &format!("{path} after {edit:?}"));
            // Now and then, undo and redo the last step.
            if step % 7 == 3 && open.can_undo() {
                open.undo().unwrap();
                assert_eq!(
                    &open.to_json(),
                    &texts[texts.len() - 2],
                    "{path}: undo of one step"
                );
                assert_consistent(&open, &format!("{path} after an undo"));
                open.redo().unwrap();
                assert_eq!(
                    &open.to_json(),
                    texts.last().unwrap(),
                    "{path}: redo of one step"
                );
            }
        }
        assert!(
            applied >= 20,
            "{path}: only {applied} of 40 random edits applied"
        );
        let last = open.to_json();
        while open.can_undo() {
            open.undo().unwrap().unwrap();
        }
        assert_eq!(
            open.to_json(),
            original_text,
            "{path}: undoing every step restores the document byte for byte"
        );
        assert_consistent(&open, &format!("{path} after undoing everything"));
        while open.can_redo() {
            open.redo().unwrap().unwrap();
        }
        assert_eq!(open.to_json(), last, "{path}: redoing every step");
        assert_consistent(&open, &format!("{path} after redoing everything"));
    }
}

#[test]
fn an_edit_that_changes_nothing_is_not_an_undo_step() {
    let mut open = OpenDocument::new(load("fixtures/journeys/book-flight.json")).unwrap();
    let title = match open.doc_ref() {
        DocRef::Journey(j) => j.journey.title.clone(),
        DocRef::Sim(_) => unreachable!(),
    };
    let same = Edit::SetField {
        target: JOURNEY_TARGET.into(),
        path: vec!["journey".into(), "title".into()],
        value: json!(title),
    };
    let (delta, _) = open.apply_edits(&[same]).unwrap();
    assert!(delta.is_empty());
    assert!(
        !open.can_undo(),
        "setting a field to its value is not a step"
    );
    assert_eq!(open.version(), 0, "nothing to save");
    let node = open.view().nodes[1].clone();
    open.apply_edits(&[Edit::MoveNode {
        id: node.id.clone(),
        x: node.position.x,
        y: node.position.y,
    }])
    .unwrap();
    assert!(
        !open.can_undo(),
        "a move to where the node is is not a step"
    );
}

#[test]
fn a_failing_edit_in_a_batch_changes_nothing_and_names_itself() {
    let doc = load("fixtures/sim/support-triage-condition.json");
    let text = doc.to_json();
    let mut open = OpenDocument::new(doc).unwrap();
    let first = open.view().nodes[0].id.clone();
    let err = open
        .apply_edits(&[
            Edit::SetLabel {
                target: first.clone(),
                label: "Renamed".into(),
            },
            Edit::MoveNode {
                id: "ghost".into(),
                x: 0.0,
                y: 0.0,
            },
        ])
        .unwrap_err();
    assert!(
        err.to_string().contains("edit 1") && err.to_string().contains("ghost"),
        "{err}"
    );
    assert_eq!(open.to_json(), text);
    assert!(!open.can_undo());
    assert_consistent(&open, "after a refused batch");
}

#[test]
fn sim_add_connect_move_label_field_delete() {
    let mut open = OpenDocument::new(load("fixtures/sim/support-triage-condition.json")).unwrap();
    let first = open.view().nodes[0].id.clone();
    let (delta, ids) = open
        .apply_edits(&[Edit::AddNode {
            kind: "function".into(),
            position: Point { x: 5.0, y: 6.0 },
            name: None,
            parent: None,
            from: None,
        }])
        .unwrap();
    let new = ids[0].clone();
    assert_eq!(delta.added_nodes.len(), 1);
    assert_eq!(delta.added_nodes[0].id, new);
    let (delta, ids) = open
        .apply_edits(&[
            Edit::Connect {
                source: first.clone(),
                source_handle: None,
                target: new.clone(),
            },
            Edit::MoveNode {
                id: new.clone(),
                x: 10.0,
                y: 20.0,
            },
            Edit::SetLabel {
                target: new.clone(),
                label: "Compute".into(),
            },
            Edit::SetField {
                target: new.clone(),
                path: vec!["subBlocks".into(), "code".into()],
                value: json!({"id": "code", "type": "code", "value": "return 1"}),
            },
        ])
        .unwrap();
    assert_eq!(delta.added_edges.len(), 1);
    let node = delta.changed_nodes.iter().find(|n| n.id == new).unwrap();
    assert_eq!(
        (node.kind.as_str(), node.label.as_str(), node.position),
        ("function", "Compute", Point { x: 10.0, y: 20.0 })
    );
    assert_eq!(node.detail.as_deref(), Some("return 1"));
    assert!(delta
        .added_edges
        .iter()
        .any(|e| e.id == ids[0] && e.source == first && e.target == new));
    let err = open
        .apply_edits(&[Edit::SetLabel {
            target: new.clone(),
            label: open.view().nodes[0].label.clone(),
        }])
        .unwrap_err();
    assert!(err.to_string().contains("already named"), "{err}");
    let (delta, _) = open
        .apply_edits(&[Edit::Delete {
            node_ids: vec![new.clone()],
            edge_ids: vec![],
        }])
        .unwrap();
    assert_eq!(delta.removed_nodes, vec![new.clone()]);
    assert_eq!(delta.removed_edges, vec![ids[0].clone()]);
    Document::parse("x", &open.to_json()).unwrap();
}

#[test]
fn deleting_a_container_deletes_the_blocks_inside_it() {
    let mut open = OpenDocument::new(load("fixtures/sim/order-loop.json")).unwrap();
    let container = open
        .view()
        .nodes
        .iter()
        .find(|n| n.kind == "loop")
        .unwrap()
        .id
        .clone();
    let children: Vec<String> = open
        .view()
        .nodes
        .iter()
        .filter(|n| n.parent.as_deref() == Some(container.as_str()))
        .map(|n| n.id.clone())
        .collect();
    assert!(!children.is_empty());
    let (delta, _) = open
        .apply_edits(&[Edit::Delete {
            node_ids: vec![container.clone()],
            edge_ids: vec![],
        }])
        .unwrap();
    for child in &children {
        assert!(
            delta.removed_nodes.contains(child),
            "{child} went with its container"
        );
    }
    // What is left still reads as a Sim workflow (no block names a missing container).
    Document::parse("after.json", &open.to_json()).unwrap();
}

#[test]
fn journey_edits_and_errors_name_what_is_missing() {
    let mut open = OpenDocument::new(load("fixtures/journeys/book-flight.json")).unwrap();
    let DocRef::Journey(j) = open.doc_ref() else {
        panic!("a journey")
    };
    let root = j.journey.root_id.clone();
    let (_, ids) = open
        .apply_edits(&[Edit::AddNode {
            kind: "chat".into(),
            position: Point { x: 1.0, y: 2.0 },
            name: Some("Ask".into()),
            parent: None,
            from: None,
        }])
        .unwrap();
    let (_, eids) = open
        .apply_edits(&[Edit::Connect {
            source: root.clone(),
            source_handle: None,
            target: ids[0].clone(),
        }])
        .unwrap();
    let (delta, _) = open
        .apply_edits(&[Edit::SetLabel {
            target: eids[0].clone(),
            label: "the customer wants it".into(),
        }])
        .unwrap();
    let e = &delta.changed_edges[0];
    assert_eq!(
        (e.kind.as_str(), e.label.as_deref()),
        ("conditional", Some("the customer wants it"))
    );
    let n = open
        .view()
        .nodes
        .into_iter()
        .find(|n| n.id == ids[0])
        .unwrap();
    assert_eq!(
        (n.kind.as_str(), n.label.as_str(), n.position),
        ("chat", "Ask", Point { x: 1.0, y: 2.0 })
    );
    let err = open
        .apply_edits(&[Edit::MoveNode {
            id: "nope".into(),
            x: 0.0,
            y: 0.0,
        }])
        .unwrap_err();
    assert!(err.to_string().contains("`nope`"), "{err}");
    let err = open
        .apply_edits(&[Edit::Delete {
            node_ids: vec![root.clone()],
            edge_ids: vec![],
        }])
        .unwrap_err();
    assert!(err.to_string().contains("root"), "{err}");
    let err = open
        .apply_edits(&[Edit::SetField {
            target: ids[0].clone(),
            path: vec!["tools".into()],
            value: json!(7),
        }])
        .unwrap_err();
    assert!(err.to_string().contains("tools"), "{err}");
    let err = open
        .apply_edits(&[Edit::Connect {
            source: ids[0].clone(),
            source_handle: None,
            target: root.clone(),
        }])
        .unwrap_err();
    assert!(err.to_string().contains("root"), "{err}");
}

#[test]
fn the_journey_target_edits_the_journeys_own_fields() {
    let mut open = OpenDocument::new(load("fixtures/journeys/book-flight.json")).unwrap();
    let (root, title) = match open.doc_ref() {
        DocRef::Journey(j) => (j.journey.root_id.clone(), j.journey.title.clone()),
        DocRef::Sim(_) => unreachable!(),
    };
    let set = |path: &[&str], value: serde_json::Value| Edit::SetField {
        target: JOURNEY_TARGET.into(),
        path: path.iter().map(|s| s.to_string()).collect(),
        value,
    };
    let (delta, _) = open
        .apply_edits(&[
            set(&["journey", "title"], json!("Book a trip")),
            set(
                &["journey", "conditions"],
                json!([
                    "the customer wants to travel",
                    "the customer asks about flights"
                ]),
            ),
            set(&["journey", "composition_mode"], json!("strict_canned")),
            set(&["journey", "priority"], json!(3)),
            set(&["journey", "labels"], json!(["travel"])),
            set(
                &["guidelines"],
                json!([{"condition": "the customer is rude", "action": "stay calm"}]),
            ),
            set(
                &["context_variables"],
                json!([{"name": "loyalty_tier", "description": "the customer's tier"}]),
            ),
            set(&["tags"], json!([{"id": "t1", "name": "travel"}])),
        ])
        .unwrap();
    // The root is drawn with the title: it changed, nothing else on the canvas did.
    assert_eq!(delta.changed_nodes.len(), 1);
    assert_eq!(
        (
            delta.changed_nodes[0].id.as_str(),
            delta.changed_nodes[0].label.as_str()
        ),
        (root.as_str(), "Book a trip")
    );
    let DocRef::Journey(j) = open.doc_ref() else {
        unreachable!()
    };
    assert_eq!(j.journey.conditions.len(), 2);
    assert_eq!(
        j.journey.composition_mode.get().map(String::as_str),
        Some("strict_canned")
    );
    assert_eq!(
        j.guidelines.get().unwrap()[0]
            .action
            .get()
            .map(String::as_str),
        Some("stay calm")
    );
    assert_eq!(j.context_variables.get().unwrap()[0].name, "loyalty_tier");
    assert_eq!(j.tags.get().unwrap()[0].name, "travel");
    let err = open.apply_edits(&[set(&["nodes"], json!([]))]).unwrap_err();
    assert!(err.to_string().contains("starts with one of"), "{err}");
    let err = open
        .apply_edits(&[set(&["journey", "root_id"], json!("other"))])
        .unwrap_err();
    assert!(err.to_string().contains("root_id"), "{err}");
    let err = open
        .apply_edits(&[set(&["guidelines"], json!([{"action": "no condition"}]))])
        .unwrap_err();
    assert!(err.to_string().contains("condition"), "{err}");
    open.undo().unwrap();
    let DocRef::Journey(j) = open.doc_ref() else {
        unreachable!()
    };
    assert_eq!(j.journey.title, title, "undo puts the title back");
}

#[test]
fn duplicate_copies_nodes_with_new_ids_everywhere_and_the_edges_among_them() {
    let doc = load("fixtures/sim/support-triage-condition.json");
    let Document::Sim(sim) = &doc else {
        panic!("a workflow")
    };
    let state = sim.state();
    let cond = state
        .blocks
        .values()
        .find(|b| b.block_type == "condition")
        .unwrap()
        .id
        .clone();
    let targets: Vec<String> = state
        .edges
        .iter()
        .filter(|e| e.source == cond)
        .map(|e| e.target.clone())
        .collect();
    let mut picked = vec![cond.clone()];
    picked.extend(targets.iter().cloned());
    let mut open = OpenDocument::new(doc.clone()).unwrap();
    let (_, created) = open
        .apply_edits(&[Edit::Duplicate {
            node_ids: picked.clone(),
            offset: Point { x: 40.0, y: 0.0 },
        }])
        .unwrap();
    let DocRef::Sim(after) = open.doc_ref() else {
        panic!()
    };
    let new_state = after.state();
    assert_eq!(new_state.blocks.len(), state.blocks.len() + picked.len());
    assert_eq!(
        new_state.edges.len(),
        state.edges.len() + targets.len(),
        "only the edges among the copies are copied"
    );
    let new_cond = &new_state.blocks[created[0].as_str()];
    assert!(new_cond.name.ends_with("(copy)"), "{}", new_cond.name);
    let conditions = new_cond.sub_str("conditions").unwrap();
    assert!(
        conditions.contains(&created[0]) && !conditions.contains(&cond),
        "branch ids follow the new block id"
    );
    assert_eq!(
        new_cond.position.xy().0,
        state.blocks[cond.as_str()].position.xy().0 + 40.0
    );
    for edge in new_state.edges.iter().filter(|e| created.contains(&e.id)) {
        assert_eq!(edge.source, created[0]);
        assert!(edge.source_handle.get().unwrap().contains(&created[0]));
    }
    let before = crate::validate::validate(&doc).unwrap();
    assert_eq!(
        open.counts().errors,
        before.errors,
        "{:?}",
        open.diagnostics()
    );
    let err = open
        .apply_edits(&[Edit::Duplicate {
            node_ids: vec!["ghost".into()],
            offset: Point { x: 0.0, y: 0.0 },
        }])
        .unwrap_err();
    assert!(err.to_string().contains("ghost"), "{err}");
}

#[test]
fn duplicating_journey_states_keeps_one_root() {
    let doc = load("fixtures/journeys/book-flight.json");
    let Document::Journey(j) = &doc else {
        panic!("a journey")
    };
    let mut open = OpenDocument::new(doc.clone()).unwrap();
    let err = open
        .apply_edits(&[Edit::Duplicate {
            node_ids: vec![j.journey.root_id.clone()],
            offset: Point { x: 0.0, y: 0.0 },
        }])
        .unwrap_err();
    assert!(err.to_string().contains("one root"), "{err}");
    let pair: Vec<String> = j
        .edges
        .iter()
        .find(|e| {
            e.source != j.journey.root_id
                && e.target != crate::parlant::END_NODE_ID
                && e.source != e.target
        })
        .map(|e| vec![e.source.clone(), e.target.clone()])
        .unwrap();
    let (_, created) = open
        .apply_edits(&[Edit::Duplicate {
            node_ids: pair,
            offset: Point { x: 10.0, y: 10.0 },
        }])
        .unwrap();
    let DocRef::Journey(after) = open.doc_ref() else {
        panic!()
    };
    assert_eq!(after.nodes.len(), j.nodes.len() + 2);
    let copied = after
        .edges
        .iter()
        .find(|e| created.contains(&e.id))
        .unwrap();
    assert_eq!((&copied.source, &copied.target), (&created[0], &created[1]));
}

#[test]
fn the_inspector_offers_typed_fields_that_set_field_accepts() {
    let mut open = OpenDocument::new(load("fixtures/journeys/book-flight.json")).unwrap();
    let journey = super::inspect::inspect(open.doc_ref(), JOURNEY_TARGET, &[]).unwrap();
    let title = journey.fields.iter().find(|f| f.label == "Title").unwrap();
    assert_eq!(title.kind, super::inspect::FieldKind::Text);
    let mode = journey
        .fields
        .iter()
        .find(|f| f.label == "Composition mode")
        .unwrap();
    assert_eq!(
        mode.options
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        super::inspect::COMPOSITION_MODES.to_vec()
    );
    // Every field's path is one set_field takes, with the value it shows.
    for field in &journey.fields {
        open.apply_edits(&[Edit::SetField {
            target: JOURNEY_TARGET.into(),
            path: field.path.clone(),
            value: field.value.clone(),
        }])
        .unwrap_or_else(|e| panic!("{}: {e}", field.label));
    }
    let state = open
        .view()
        .nodes
        .iter()
        .find(|n| n.kind == "chat")
        .unwrap()
        .id
        .clone();
    let fields = super::inspect::inspect(open.doc_ref(), &state, &[]).unwrap();
    let kind = fields.fields.iter().find(|f| f.label == "Kind").unwrap();
    assert_eq!(kind.value, json!("chat"));
    open.apply_edits(&[Edit::SetField {
        target: state.clone(),
        path: kind.path.clone(),
        value: json!("tool"),
    }])
    .unwrap();
    assert_eq!(
        open.view()
            .nodes
            .iter()
            .find(|n| n.id == state)
            .unwrap()
            .kind,
        "tool"
    );
    assert!(super::inspect::inspect(open.doc_ref(), "ghost", &[])
        .unwrap_err()
        .to_string()
        .contains("ghost"));

    let open = OpenDocument::new(load("fixtures/sim/support-triage-condition.json")).unwrap();
    let block = open
        .view()
        .nodes
        .iter()
        .find(|n| n.kind == "condition")
        .unwrap()
        .id
        .clone();
    let fields = super::inspect::inspect(open.doc_ref(), &block, &[]).unwrap();
    assert_eq!(fields.what, "block");
    assert!(fields
        .fields
        .iter()
        .any(|f| f.path == ["subBlocks", "conditions", "value"]));
}
