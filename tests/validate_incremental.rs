//! The incremental validator must always agree with a full run: random documents, random
//! one-node edits (content, names, kinds, enabled flags, containers) and graph edits.

use journey_studio::parlant::{JourneyDocument, JourneyEdge, JourneyNode, NodeKind, ToolId};
use journey_studio::sim::{Block, Edge, SimDocument};
use journey_studio::validate::{validate, Edit, IncrementalValidator};
use journey_studio::Document;
use proptest::prelude::*;
use serde_json::json;

/// A tiny deterministic generator driven by the proptest-chosen numbers.
struct Pick(u64);
impl Pick {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

const NAMES: [&str; 6] = ["Alpha", "Beta", "Gamma", "alpha", "Loop", "Delta"];
const TYPES: [&str; 5] = ["agent", "api", "function", "condition", "note"];
const TEXTS: [&str; 8] = [
    "<alpha.content>",
    "<beta.data> and <start.input>",
    "<gamma.nothing>",
    "<loop.index>",
    "<repeat.results>",
    "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz0123",
    "plain",
    "<delta.content> {{KEY}}",
];

fn block(
    id: &str,
    kind: &str,
    name: &str,
    text: &str,
    parent: Option<&str>,
    enabled: bool,
) -> Block {
    let sub = if kind == "condition" {
        let expr = if text.len().is_multiple_of(2) {
            format!("{text} === 1")
        } else {
            format!("{text} ===")
        };
        json!({"conditions": {"id": "conditions", "type": "condition-input", "value": json!([{"id": format!("{id}-if"), "title": "if", "value": expr}, {"id": format!("{id}-else"), "title": "else", "value": ""}]).to_string()}})
    } else {
        json!({"prompt": {"id": "prompt", "type": "long-input", "value": text}})
    };
    let mut value = json!({"id": id, "type": kind, "name": name, "position": {"x": 0, "y": 0}, "subBlocks": sub,
        "outputs": {"content": {"type": "string"}, "data": {"type": "json"}}, "enabled": enabled});
    if let Some(p) = parent {
        value["data"] = json!({"parentId": p, "extent": "parent"});
    }
    serde_json::from_value(value).unwrap()
}

fn random_block(p: &mut Pick, id: &str) -> Block {
    let kind = TYPES[p.next(TYPES.len())];
    let parent = if p.next(4) == 0 { Some("l") } else { None };
    block(
        id,
        kind,
        NAMES[p.next(NAMES.len())],
        TEXTS[p.next(TEXTS.len())],
        parent,
        p.next(6) != 0,
    )
}

fn random_edge(p: &mut Pick, ids: &[String], n: usize) -> Edge {
    let handles = [
        "source",
        "error",
        "loop-start-source",
        "condition-b1-if",
        "condition-b2-else",
        "router-x",
    ];
    let target = if p.next(15) == 0 {
        "ghost".to_string()
    } else {
        ids[p.next(ids.len())].clone()
    };
    Edge::new(
        format!("e{n}"),
        ids[p.next(ids.len())].clone(),
        target,
        handles[p.next(handles.len())],
    )
}

fn workflow(p: &mut Pick, size: usize) -> SimDocument {
    let mut text = json!({"version": "1.0", "state": {"blocks": {}, "edges": []}});
    let blocks = &mut text["state"]["blocks"];
    blocks["s"] = json!({"id": "s", "type": "start_trigger", "name": "Start", "position": {"x": 0, "y": 0}, "subBlocks": {}, "outputs": {"input": {}}, "enabled": true});
    blocks["l"] = json!({"id": "l", "type": "loop", "name": "Repeat", "position": {"x": 0, "y": 0}, "subBlocks": {}, "outputs": {}, "enabled": true, "data": {"loopType": "for"}});
    for i in 0..size {
        let id = format!("b{i}");
        blocks[&id] = serde_json::to_value(random_block(p, &id)).unwrap();
    }
    let mut doc = SimDocument::parse("gen.json", &text.to_string()).unwrap();
    let ids: Vec<String> = doc.state().blocks.keys().cloned().collect();
    for n in 0..size * 2 {
        let e = random_edge(p, &ids, n);
        doc.state_mut().edges.push(e);
    }
    doc
}

fn workflow_edit(p: &mut Pick, doc: &Document, n: usize) -> Edit {
    let Document::Sim(sim) = doc else {
        unreachable!()
    };
    let ids: Vec<String> = sim.state().blocks.keys().cloned().collect();
    if ids.is_empty() {
        return Edit::UpsertBlock(random_block(p, &format!("new{n}")));
    }
    match p.next(10) {
        0..=4 => {
            // The common case: one existing block changes (content, name, kind, enabled, container).
            let id = ids[p.next(ids.len())].clone();
            if id == "s" || id == "l" {
                let mut b = sim.state().blocks[&id].clone();
                b.enabled = !b.enabled;
                return Edit::UpsertBlock(b);
            }
            // Change one thing at a time, so content-only edits (the cheap path) are common.
            let mut b = sim.state().blocks[&id].clone();
            let parent = b.parent_id().map(str::to_string);
            let text = TEXTS[p.next(TEXTS.len())];
            match p.next(6) {
                0 | 1 => b.name = NAMES[p.next(NAMES.len())].to_string(),
                2 => {
                    b = block(
                        &id,
                        &b.block_type,
                        &b.name,
                        text,
                        parent.as_deref(),
                        b.enabled,
                    )
                }
                3 => b.enabled = !b.enabled,
                4 => {
                    b = block(
                        &id,
                        TYPES[p.next(TYPES.len())],
                        &b.name,
                        text,
                        parent.as_deref(),
                        b.enabled,
                    )
                }
                _ => b = random_block(p, &id),
            }
            Edit::UpsertBlock(b)
        }
        5 => Edit::UpsertBlock(random_block(p, &format!("new{n}"))),
        6 => Edit::RemoveBlock(ids[p.next(ids.len())].clone()),
        7 | 8 => Edit::UpsertEdge(random_edge(p, &ids, 1000 + n)),
        _ => match sim
            .state()
            .edges
            .get(p.next(sim.state().edges.len().max(1)))
        {
            Some(e) => Edit::RemoveEdge(e.id.clone()),
            None => Edit::RemoveBlock("none".into()),
        },
    }
}

fn journey_node(p: &mut Pick, id: &str) -> JourneyNode {
    let kind = [NodeKind::Chat, NodeKind::Tool, NodeKind::Fork][p.next(3)].clone();
    let mut node = JourneyNode::new(id, &kind, Some(format!("do {id}")));
    if kind == NodeKind::Tool && p.next(3) != 0 {
        node.tools = journey_studio::json::Maybe::Value(vec![ToolId::new("svc", "t")]);
    }
    if p.next(8) == 0 {
        node = JourneyNode::new(id, &NodeKind::Root, None);
    }
    node
}

fn journey_edge(p: &mut Pick, ids: &[String], n: usize) -> JourneyEdge {
    let conditions = [None, Some("yes"), Some("no"), Some(" "), Some("Yes")];
    let mut targets: Vec<&str> = ids.iter().map(String::as_str).collect();
    targets.extend(["end", "end", "elsewhere"]);
    let source = if p.next(20) == 0 {
        "end".to_string()
    } else {
        ids[p.next(ids.len())].clone()
    };
    JourneyEdge::new(
        format!("t{n}"),
        source,
        targets[p.next(targets.len())],
        conditions[p.next(conditions.len())].map(str::to_string),
    )
}

fn journey(p: &mut Pick, size: usize) -> JourneyDocument {
    let mut doc = JourneyDocument::new("Gen", "d", vec!["c".into()]);
    for i in 0..size {
        let node = journey_node(p, &format!("n{i}"));
        doc.nodes.push(node);
    }
    let ids: Vec<String> = doc.nodes.iter().map(|n| n.id.clone()).collect();
    for n in 0..size * 2 {
        let e = journey_edge(p, &ids, n);
        doc.edges.push(e);
    }
    doc
}

fn journey_edit(p: &mut Pick, doc: &Document, n: usize) -> Edit {
    let Document::Journey(j) = doc else {
        unreachable!()
    };
    let ids: Vec<String> = j.nodes.iter().map(|n| n.id.clone()).collect();
    if ids.is_empty() {
        return Edit::UpsertState(journey_node(p, &format!("new{n}")));
    }
    match p.next(10) {
        0..=4 => {
            let id = ids[p.next(ids.len())].clone();
            if id == j.journey.root_id {
                return Edit::UpsertState(JourneyNode::new(id, &NodeKind::Root, None));
            }
            Edit::UpsertState(journey_node(p, &id))
        }
        5 => Edit::UpsertState(journey_node(p, &format!("new{n}"))),
        6 => {
            let id = ids[p.next(ids.len())].clone();
            if id == j.journey.root_id {
                Edit::RemoveTransition("none".into())
            } else {
                Edit::RemoveState(id)
            }
        }
        7 | 8 => Edit::UpsertTransition(journey_edge(p, &ids, 1000 + n)),
        _ => {
            let mut header = j.journey.clone();
            header.title = if p.next(2) == 0 {
                String::new()
            } else {
                "Title".into()
            };
            Edit::SetJourney(header)
        }
    }
}

fn check_agreement(
    start: Document,
    seed: u64,
    steps: usize,
    edit: fn(&mut Pick, &Document, usize) -> Edit,
) {
    let mut p = Pick(seed | 1);
    let mut inc = IncrementalValidator::new(start).unwrap();
    for n in 0..steps {
        let e = edit(&mut p, &inc.document(), n);
        let described = format!("{e:?}");
        inc.apply(e).unwrap();
        let full = validate(&inc.document()).unwrap();
        let incremental = inc.report();
        assert_eq!(incremental, full, "after edit {n}: {described}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn incremental_workflow_matches_full_run(seed in any::<u64>(), size in 2usize..14) {
        let mut p = Pick(seed | 1);
        let doc = Document::Sim(workflow(&mut p, size));
        check_agreement(doc, seed.rotate_left(7), 20, workflow_edit);
    }

    #[test]
    fn incremental_journey_matches_full_run(seed in any::<u64>(), size in 1usize..12) {
        let mut p = Pick(seed | 1);
        let doc = Document::Journey(journey(&mut p, size));
        check_agreement(doc, seed.rotate_left(7), 12, journey_edit);
    }
}

#[test]
fn the_starting_report_is_the_full_report() {
    let mut p = Pick(99);
    let doc = Document::Sim(workflow(&mut p, 20));
    let inc = IncrementalValidator::new(doc.clone()).unwrap();
    assert_eq!(inc.report(), validate(&doc).unwrap());
    assert!(
        inc.report().diagnostics.len() > 5,
        "the generator should produce findings"
    );
}

#[test]
fn edits_of_the_wrong_kind_are_refused() {
    let mut inc =
        IncrementalValidator::new(Document::Journey(JourneyDocument::new("t", "d", vec![])))
            .unwrap();
    let err = inc.apply(Edit::RemoveBlock("x".into())).unwrap_err();
    assert!(
        err.to_string().contains("not an edit of a journey"),
        "{err}"
    );
}

#[test]
fn a_rename_revalidates_the_blocks_that_reference_it() {
    let mut p = Pick(5);
    let mut doc = workflow(&mut p, 0);
    doc.state_mut()
        .blocks
        .insert("a".into(), block("a", "agent", "Writer", "hi", None, true));
    doc.state_mut().blocks.insert(
        "b".into(),
        block("b", "agent", "Reader", "<writer.content>", None, true),
    );
    doc.state_mut().edges = vec![
        Edge::new("e1", "s", "a", "source"),
        Edge::new("e2", "a", "b", "source"),
    ];
    let mut inc = IncrementalValidator::new(Document::Sim(doc)).unwrap();
    assert!(!inc.report().has_code("W014"));
    inc.apply(Edit::UpsertBlock(block(
        "a", "agent", "Author", "hi", None, true,
    )))
    .unwrap();
    let d = inc
        .report()
        .with_code("W014")
        .next()
        .cloned()
        .expect("the reader's reference is now unknown");
    assert_eq!(d.node_ids, vec!["b"]);
    inc.apply(Edit::UpsertBlock(block(
        "a", "agent", "Writer", "hi", None, true,
    )))
    .unwrap();
    assert!(!inc.report().has_code("W014"));
}
