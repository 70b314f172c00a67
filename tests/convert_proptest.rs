//! Random valid workflows and journeys survive both round trips.

mod common;

use journey_studio::convert::{
    journey_to_workflow, strip_sim_metadata, workflow_to_journey, ConvertOptions, FAILED, SUCCEEDED,
};
use journey_studio::parlant::JourneyDocument;
use journey_studio::sim::SimDocument;
use proptest::prelude::*;
use serde_json::{json, Value};

const TYPES: [&str; 10] = [
    "agent",
    "function",
    "api",
    "condition",
    "router_v2",
    "response",
    "human_in_the_loop",
    "note",
    "slack",
    "loop",
];
const NAMES: [&str; 6] = ["Agent", "lookup", "وكيل", "סוכן", "step 😀", "Start"];
const TEXTS: [&str; 5] = [
    "the customer is happy",
    "the order shipped",
    "مرحبا",
    "<agent.content> === 'x'",
    "",
];

#[derive(Debug, Clone)]
struct BlockSpec {
    kind: usize,
    enabled: bool,
    name: usize,
    parent: Option<usize>,
    x: i32,
}

fn block_spec() -> impl Strategy<Value = BlockSpec> {
    (
        0..TYPES.len(),
        prop::bool::weighted(0.9),
        0..NAMES.len(),
        prop::option::weighted(0.2, 0usize..12),
        -500i32..500,
    )
        .prop_map(|(kind, enabled, name, parent, x)| BlockSpec {
            kind,
            enabled,
            name,
            parent,
            x,
        })
}

fn workflow_from(trigger: bool, blocks: &[BlockSpec], edges: &[(usize, usize, u8)]) -> String {
    let id = |i: usize| format!("blk-{i}");
    let mut out = serde_json::Map::new();
    if trigger {
        out.insert("start".into(), json!({"id": "start", "type": "start_trigger", "name": "Start", "position": {"x": 0, "y": 0},
            "subBlocks": {"inputFormat": {"id": "inputFormat", "type": "input-format", "value": [{"id": "f", "name": "input", "type": "string", "value": "hi"}]}},
            "outputs": {}, "enabled": true}));
    }
    for (i, b) in blocks.iter().enumerate() {
        let kind = TYPES[b.kind];
        let sub = match kind {
            "agent" => {
                json!({"messages": {"id": "messages", "type": "messages-input", "value": [{"role": "system", "content": TEXTS[i % TEXTS.len()]}]}})
            }
            "condition" => {
                json!({"conditions": {"id": "conditions", "type": "condition-input", "value": json!([
                {"id": format!("{}-if", id(i)), "title": "if", "value": TEXTS[(i + 3) % TEXTS.len()]},
                {"id": format!("{}-else", id(i)), "title": "else", "value": ""}]).to_string()}})
            }
            "router_v2" => json!({"routes": {"id": "routes", "type": "router-input", "value": [
                {"id": format!("{}-r1", id(i)), "title": "route1", "value": TEXTS[i % TEXTS.len()]},
                {"id": format!("{}-r2", id(i)), "title": "route2", "value": ""}]}}),
            _ => json!({"operation": {"id": "operation", "type": "dropdown", "value": "send"}}),
        };
        // A block may sit in an earlier loop that is not itself inside anything.
        let parent = b.parent.filter(|p| {
            *p < i
                && TYPES[blocks[*p].kind] == "loop"
                && blocks[*p]
                    .parent
                    .is_none_or(|q| q >= *p || TYPES[blocks[q].kind] != "loop")
        });
        let parent = parent.filter(|p| blocks[*p].parent.is_none());
        let mut block = json!({"id": id(i), "type": kind, "name": format!("{} {i}", NAMES[b.name]), "position": {"x": b.x, "y": i * 10},
            "subBlocks": sub, "outputs": {}, "enabled": b.enabled});
        if kind == "loop" {
            block["data"] = json!({"loopType": "forEach", "collection": "<start.input>"});
        }
        if let Some(p) = parent {
            block["data"] = json!({"parentId": id(p), "extent": "parent"});
        }
        out.insert(id(i), block);
    }
    let mut sim_edges = Vec::new();
    for (n, (s, t, h)) in edges.iter().enumerate() {
        if blocks.is_empty() {
            break;
        }
        let (s, t) = (s % blocks.len(), t % blocks.len());
        let source = if *h == 9 && trigger {
            "start".to_string()
        } else {
            id(s)
        };
        let handle = match TYPES[blocks[s].kind] {
            _ if source == "start" => "source".to_string(),
            "condition" => format!(
                "condition-{}-{}",
                id(s),
                if h % 2 == 0 { "if" } else { "else" }
            ),
            "router_v2" => format!("router-{}-{}", id(s), if h % 2 == 0 { "r1" } else { "r2" }),
            "loop" => if h % 2 == 0 {
                "loop-start-source"
            } else {
                "loop-end-source"
            }
            .to_string(),
            _ => if h % 3 == 0 { "error" } else { "source" }.to_string(),
        };
        sim_edges.push(json!({"id": format!("edge-{n}"), "source": source, "target": id(t), "sourceHandle": handle, "targetHandle": "target", "type": "default", "data": {}}));
    }
    json!({"version": "1.0", "state": {"blocks": out, "edges": sim_edges, "loops": {}, "parallels": {}, "variables": {"v1": {"id": "v1", "name": "tier", "type": "string", "value": "gold"}}, "metadata": {"name": "random"}}}).to_string()
}

#[derive(Debug, Clone)]
struct NodeSpec {
    kind: u8,
    action: usize,
    description: Option<usize>,
    extra_meta: bool,
}

fn journey_from(nodes: &[NodeSpec], edges: &[(usize, usize, u8, bool)], positions: bool) -> String {
    let id = |i: usize| format!("state-{i}");
    let mut out = vec![json!({"id": "root", "action": null, "tools": [], "metadata": {}})];
    for (i, n) in nodes.iter().enumerate() {
        let kind = ["chat", "tool", "fork"][n.kind as usize % 3];
        let mut node = json!({"id": id(i), "action": if kind == "fork" { Value::Null } else { json!(TEXTS[n.action % TEXTS.len()]) },
            "tools": if kind == "tool" { json!([{"service_name": "svc", "tool_name": format!("tool_{i}")}]) } else { json!([]) },
            "metadata": {"journey_node": {"kind": kind}}});
        if let Some(d) = n.description {
            node["description"] = json!(NAMES[d % NAMES.len()]);
        }
        if n.extra_meta {
            node["metadata"]["canned_response"] = json!(["Hello!"]);
        }
        out.push(node);
    }
    let ids: Vec<String> = std::iter::once("root".to_string())
        .chain((0..nodes.len()).map(id))
        .collect();
    let mut journey_edges = Vec::new();
    for (n, (s, t, c, meta)) in edges.iter().enumerate() {
        let source = ids[s % ids.len()].clone();
        let target = if t % 5 == 4 || nodes.is_empty() {
            "end".to_string()
        } else {
            id(t % nodes.len())
        };
        let condition = match c % 5 {
            0 => Value::Null,
            1 => json!(FAILED),
            2 => json!(SUCCEEDED),
            k => json!(TEXTS[(k as usize + n) % TEXTS.len()]),
        };
        let mut edge = json!({"id": format!("t-{n}"), "source": source, "target": target, "condition": condition, "metadata": {}});
        if *meta {
            edge["metadata"]["loop_back"] = json!(true);
        }
        journey_edges.push(edge);
    }
    let mut doc = json!({"format": "parlant-journey", "version": 1,
        "journey": {"title": "Random", "description": "d", "conditions": ["the customer wants something"], "root_id": "root", "tags": []},
        "nodes": out, "edges": journey_edges,
        "context_variables": [{"name": "tier", "description": "the tier", "value": "gold"}]});
    if positions {
        let pos: serde_json::Map<String, Value> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), json!({"x": i * 300, "y": 40})))
            .collect();
        doc["editor"] = json!({"positions": pos});
    }
    doc.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_workflows_come_back_exactly(
        trigger in any::<bool>(),
        blocks in prop::collection::vec(block_spec(), 0..12),
        edges in prop::collection::vec((0usize..12, 0usize..12, 0u8..10), 0..20),
    ) {
        let text = workflow_from(trigger, &blocks, &edges);
        let sim = SimDocument::parse("random", &text).unwrap();
        let opts = ConvertOptions::default();
        let j = workflow_to_journey(&sim, &opts).unwrap().output;
        let j = JourneyDocument::parse("j", &j.to_json()).unwrap();
        let back = journey_to_workflow(&j, &opts).unwrap().output;
        let diff = common::json_diff(&serde_json::from_str(&back.to_json()).unwrap(), &serde_json::from_str(&text).unwrap(), 5);
        prop_assert!(diff.is_empty(), "{:#?}", diff);
    }

    #[test]
    fn random_journeys_come_back_as_the_same_graph(
        nodes in prop::collection::vec((0u8..3, 0usize..5, prop::option::of(0usize..6), any::<bool>()).prop_map(|(kind, action, description, extra_meta)| NodeSpec { kind, action, description, extra_meta }), 0..10),
        edges in prop::collection::vec((0usize..11, 0usize..11, 0u8..5, any::<bool>()), 0..16),
        positions in any::<bool>(),
    ) {
        let text = journey_from(&nodes, &edges, positions);
        let journey = JourneyDocument::parse("random", &text).unwrap();
        let opts = ConvertOptions::default();
        let w = journey_to_workflow(&journey, &opts).unwrap().output;
        let w = SimDocument::parse("w", &w.to_json()).unwrap();
        let mut back = workflow_to_journey(&w, &opts).unwrap().output;
        strip_sim_metadata(&mut back);
        let diff = common::json_diff(&serde_json::to_value(&back).unwrap(), &serde_json::from_str(&text).unwrap(), 5);
        prop_assert!(diff.is_empty(), "{:#?}", diff);
    }
}
