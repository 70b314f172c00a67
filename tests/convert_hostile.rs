//! Hostile inputs convert or fail with a clear error; nothing panics.

mod common;

use journey_studio::convert::{
    codes, journey_to_workflow, strip_sim_metadata, workflow_to_journey, ConvertOptions,
};
use journey_studio::parlant::{JourneyDocument, JourneyEdge, JourneyNode, NodeKind};
use journey_studio::sim::SimDocument;
use serde_json::{json, Value};

fn block(id: &str, kind: &str, name: &str, sub_blocks: Value) -> Value {
    json!({"id": id, "type": kind, "name": name, "position": {"x": 0, "y": 0}, "subBlocks": sub_blocks, "outputs": {}, "enabled": true})
}

fn edge(id: &str, source: &str, target: &str, handle: &str) -> Value {
    json!({"id": id, "source": source, "target": target, "sourceHandle": handle, "targetHandle": "target"})
}

fn workflow(blocks: Vec<Value>, edges: Vec<Value>) -> SimDocument {
    let blocks: serde_json::Map<String, Value> = blocks
        .into_iter()
        .map(|b| (b["id"].as_str().unwrap().to_string(), b))
        .collect();
    let text = json!({"version": "1.0", "state": {"blocks": blocks, "edges": edges, "loops": {}, "parallels": {}}}).to_string();
    SimDocument::parse("hostile", &text).unwrap()
}

fn agent(id: &str, name: &str, prompt: &str) -> Value {
    block(
        id,
        "agent",
        name,
        json!({"messages": {"id": "messages", "type": "messages-input", "value": [{"role": "system", "content": prompt}]}}),
    )
}

fn start(id: &str) -> Value {
    block(
        id,
        "start_trigger",
        "Start",
        json!({"inputFormat": {"id": "inputFormat", "type": "input-format", "value": []}}),
    )
}

/// Both ways, and back exactly.
fn round_trip(sim: &SimDocument) -> JourneyDocument {
    let opts = ConvertOptions::default();
    let j = workflow_to_journey(sim, &opts).unwrap().output;
    let j = JourneyDocument::parse("j", &j.to_json()).unwrap();
    let back = journey_to_workflow(&j, &opts).unwrap().output;
    let (a, b): (Value, Value) = (
        serde_json::from_str(&back.to_json()).unwrap(),
        serde_json::from_str(&sim.to_json()).unwrap(),
    );
    let diff = common::json_diff(&a, &b, 5);
    assert!(diff.is_empty(), "{diff:#?}");
    j
}

#[test]
fn a_cycle_with_no_exit_converts_and_lays_out() {
    let sim = workflow(
        vec![
            start("s"),
            agent("a", "Ask", "ask"),
            agent("b", "Answer", "answer"),
        ],
        vec![
            edge("e1", "s", "a", "source"),
            edge("e2", "a", "b", "source"),
            edge("e3", "b", "a", "source"),
        ],
    );
    let j = round_trip(&sim);
    assert_eq!(j.edges.len(), 3);
    // The same cycle as a journey without positions: laid out left to right, deterministically.
    let mut bare = j.clone();
    strip_sim_metadata(&mut bare);
    bare.editor = journey_studio::json::Maybe::Absent;
    let w1 = journey_to_workflow(&bare, &ConvertOptions::default())
        .unwrap()
        .output;
    let w2 = journey_to_workflow(&bare, &ConvertOptions::default())
        .unwrap()
        .output;
    assert_eq!(w1, w2);
    let x = |id: &str| w1.state().blocks.get(id).unwrap().position.xy().0;
    assert!(
        x("s") < x("a") && x("a") < x("b"),
        "layers follow the flow, the back edge is ignored"
    );
}

#[test]
fn edges_to_missing_blocks_or_states_are_dropped_and_reported() {
    let sim = workflow(
        vec![start("s"), agent("a", "A", "x")],
        vec![
            edge("e1", "s", "a", "source"),
            edge("ghost", "a", "nowhere", "source"),
        ],
    );
    let c = workflow_to_journey(&sim, &ConvertOptions::default()).unwrap();
    assert!(c
        .mapping
        .with_code(codes::DANGLING_EDGE)
        .any(|a| a.edges == vec!["ghost".to_string()]));
    round_trip(&sim);

    let mut j = JourneyDocument::new("t", "d", vec!["c".into()]);
    j.nodes
        .push(JourneyNode::new("a", &NodeKind::Chat, Some("hi".into())));
    j.edges.push(JourneyEdge::new("ok", "root", "a", None));
    j.edges.push(JourneyEdge::new("bad", "a", "missing", None));
    let c = journey_to_workflow(&j, &ConvertOptions::default()).unwrap();
    assert!(c
        .mapping
        .with_code(codes::DANGLING_EDGE)
        .any(|a| a.edges == vec!["bad".to_string()]));
    assert_eq!(c.output.state().edges.len(), 1);
}

#[test]
fn a_ten_thousand_way_fork_converts_both_ways() {
    let n = 10_000;
    let branches: Vec<Value> = (0..n)
        .map(|i| json!({"id": format!("c-b{i}"), "title": if i == 0 { "if" } else { "else if" }, "value": format!("<start.input> === '{i}'")}))
        .collect();
    let mut blocks = vec![
        start("s"),
        block(
            "c",
            "condition",
            "fork",
            json!({"conditions": {"id": "conditions", "type": "condition-input", "value": serde_json::to_string(&branches).unwrap()}}),
        ),
    ];
    let mut edges = vec![edge("e-s", "s", "c", "source")];
    for i in 0..n {
        blocks.push(agent(&format!("t{i}"), &format!("target{i}"), "x"));
        edges.push(edge(
            &format!("e{i}"),
            "c",
            &format!("t{i}"),
            &format!("condition-c-b{i}"),
        ));
    }
    let j = round_trip(&workflow(blocks, edges));
    assert_eq!(j.edges.iter().filter(|e| e.source == "c").count(), n);
    assert_eq!(j.edges[1].condition_text(), Some("Start's input is '0'"));
}

#[test]
fn empty_conditions_are_reported_and_kept() {
    let branches = json!([{"id": "c-if", "title": "if", "value": ""}, {"id": "c-else", "title": "else", "value": ""}]);
    let sim = workflow(
        vec![
            start("s"),
            block(
                "c",
                "condition",
                "check",
                json!({"conditions": {"id": "conditions", "type": "condition-input", "value": branches.to_string()}}),
            ),
            agent("a", "A", "x"),
            agent("b", "B", "y"),
        ],
        vec![
            edge("e0", "s", "c", "source"),
            edge("e1", "c", "a", "condition-c-if"),
            edge("e2", "c", "b", "condition-c-else"),
        ],
    );
    let c = workflow_to_journey(&sim, &ConvertOptions::default()).unwrap();
    assert!(c
        .mapping
        .with_code(codes::EMPTY_CONDITION)
        .any(|a| a.nodes.contains(&"c".to_string())));
    round_trip(&sim);
    // An empty journey condition is an unconditional transition.
    let mut j = JourneyDocument::new("t", "d", vec![]);
    j.nodes
        .push(JourneyNode::new("a", &NodeKind::Chat, Some("hi".into())));
    j.edges
        .push(JourneyEdge::new("e", "root", "a", Some("   ".into())));
    let w = journey_to_workflow(&j, &ConvertOptions::default())
        .unwrap()
        .output;
    assert_eq!(
        w.state().edges[0].source_handle.get().map(String::as_str),
        Some("source")
    );
}

#[test]
fn unicode_and_rtl_names_survive() {
    let sim = workflow(
        vec![
            start("s"),
            agent("א", "סוכן תמיכה 😀", "أجب باللغة العربية\u{202e}"),
            agent("b", "وكيل", "ok"),
        ],
        vec![
            edge("e1", "s", "א", "source"),
            edge("e2", "א", "b", "source"),
        ],
    );
    let j = round_trip(&sim);
    assert_eq!(
        j.node("א").unwrap().action_text(),
        Some("أجب باللغة العربية\u{202e}")
    );
    assert_eq!(
        j.node("א").unwrap().description.get().map(String::as_str),
        Some("סוכן תמיכה 😀")
    );
}

#[test]
fn a_one_megabyte_prompt_converts() {
    let prompt = "Be helpful. ".repeat(90_000);
    assert!(prompt.len() > 1_000_000);
    let sim = workflow(
        vec![start("s"), agent("a", "Big", &prompt)],
        vec![edge("e", "s", "a", "source")],
    );
    let j = round_trip(&sim);
    assert_eq!(
        j.node("a").unwrap().action_text().map(str::len),
        Some(prompt.len())
    );
}

#[test]
fn corrupt_carriers_fail_with_a_clear_error() {
    let sim = workflow(
        vec![start("s"), agent("a", "A", "x")],
        vec![edge("e", "s", "a", "source")],
    );
    let mut j = workflow_to_journey(&sim, &ConvertOptions::default())
        .unwrap()
        .output;
    let meta = j.nodes[1].metadata.get_mut().unwrap();
    meta.insert("sim".into(), json!({"block": 42}));
    let err = journey_to_workflow(&j, &ConvertOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("state `a`") && err.contains("metadata.sim.block"),
        "{err}"
    );
    j.extra.insert("sim".into(), json!({"export": "nope"}));
    let err = journey_to_workflow(&j, &ConvertOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("sim.export"), "{err}");
}
