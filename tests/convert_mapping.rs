//! What each block family, edge handle and container becomes, and the approximations reported.

mod common;

use journey_studio::convert::{
    codes, workflow_to_journey, Conversion, ConvertOptions, ELSE, FAILED, SUCCEEDED,
};
use journey_studio::parlant::{JourneyDocument, JourneyEdge, NodeKind};
use journey_studio::sim::{Block, SimDocument};
use serde_json::Value;

fn load(name: &str) -> SimDocument {
    let path = common::repo().join("fixtures/sim").join(name);
    SimDocument::parse(name, &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn convert(doc: &SimDocument) -> Conversion<JourneyDocument> {
    workflow_to_journey(doc, &ConvertOptions::default()).unwrap()
}

fn block<'a>(doc: &'a SimDocument, name: &str) -> &'a Block {
    doc.state()
        .blocks
        .values()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("no block {name}"))
}

fn out_edges<'a>(j: &'a JourneyDocument, id: &str) -> Vec<&'a JourneyEdge> {
    j.edges.iter().filter(|e| e.source == id).collect()
}

fn branches(block: &Block, key: &str) -> Vec<Value> {
    let raw = block.sub_value(key).unwrap();
    match raw {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        other => other.as_array().unwrap().clone(),
    }
}

#[test]
fn condition_branches_read_in_order_with_the_code_kept() {
    let sim = load("support-triage-condition.json");
    let c = convert(&sim);
    let j = &c.output;
    let cond = block(&sim, "routeTicket");
    assert_eq!(j.kind_of(&cond.id), Some(NodeKind::Fork));
    let list = branches(cond, "conditions");
    let edges = out_edges(j, &cond.id);
    assert_eq!(edges.len(), 3);
    for (edge, branch) in edges.iter().zip(&list) {
        let sim_meta = edge.meta("sim").unwrap();
        assert_eq!(
            sim_meta["expression"], branch["value"],
            "the exact expression is kept"
        );
        let handle = common::carried(sim_meta, "edge")["sourceHandle"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            handle,
            format!("condition-{}", branch["id"].as_str().unwrap()),
            "else-if order is the branch order"
        );
    }
    let texts: Vec<&str> = edges.iter().map(|e| e.condition_text().unwrap()).collect();
    assert_eq!(
        texts[0],
        "triageAgent's content is 'order_status' and Start's order id is not ''"
    );
    assert!(texts[1].starts_with("triageAgent's content is 'billing' and Start's plan is one of 'business', 'enterprise'"), "{}", texts[1]);
    assert!(texts[1].ends_with("(and no earlier condition holds)"));
    assert_eq!(texts[2], ELSE);
}

#[test]
fn families_become_root_chat_tool_and_final_states() {
    let sim = load("support-triage-condition.json");
    let c = convert(&sim);
    let j = &c.output;
    let start = block(&sim, "Start");
    assert_eq!(j.journey.root_id, start.id);
    let agent = block(&sim, "triageAgent");
    let node = j.node(&agent.id).unwrap();
    assert_eq!(j.kind_of(&agent.id), Some(NodeKind::Chat));
    let system = &agent.sub_value("messages").unwrap()[0]["content"];
    assert_eq!(
        node.action_text(),
        system.as_str(),
        "the agent's system prompt is the action"
    );
    let api = block(&sim, "orderStatusLookup");
    assert_eq!(j.kind_of(&api.id), Some(NodeKind::Tool));
    assert_eq!(
        j.node(&api.id).unwrap().tool_ids()[0].to_string(),
        "sim:api"
    );
    // An error path: both transitions need a condition.
    let conds: Vec<&str> = out_edges(j, &api.id)
        .iter()
        .map(|e| e.condition_text().unwrap())
        .collect();
    assert_eq!(conds, vec![SUCCEEDED, FAILED]);
    // The response block is a final chat state: the journey ends there, with no transition
    // (Parlant's own form), and the mapping says so.
    let response = block(&sim, "replyToCustomer");
    assert_eq!(j.kind_of(&response.id), Some(NodeKind::Chat));
    assert!(out_edges(j, &response.id).is_empty());
    assert!(
        c.mapping
            .ends
            .iter()
            .any(|e| e.state_id == response.id && e.block_id == response.id),
        "{:?}",
        c.mapping.ends
    );
    // Start inputs are context variables.
    let inputs: Vec<&str> = start
        .sub_value("inputFormat")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    let vars: Vec<&str> = j
        .context_variables()
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(vars, inputs);
    assert!(c
        .mapping
        .variables
        .iter()
        .all(|v| v.origin == "start_input" && v.sim_reference.starts_with("<start.")));
}

#[test]
fn router_routes_are_conditions_and_variables_are_mapped() {
    let sim = load("refund-router.json");
    let c = convert(&sim);
    let j = &c.output;
    let router = block(&sim, "refundRouter");
    assert_eq!(j.kind_of(&router.id), Some(NodeKind::Fork));
    let routes = branches(router, "routes");
    for edge in out_edges(j, &router.id) {
        let handle = common::carried(edge.meta("sim").unwrap(), "edge")["sourceHandle"]
            .as_str()
            .unwrap()
            .to_string();
        let route = routes
            .iter()
            .find(|r| handle == format!("router-{}", r["id"].as_str().unwrap()))
            .unwrap();
        assert_eq!(
            edge.condition_text(),
            route["value"].as_str().map(str::trim)
        );
    }
    let ask = block(&sim, "managerApproval");
    assert!(j
        .node(&ask.id)
        .unwrap()
        .action_text()
        .unwrap()
        .starts_with("Ask the customer"));
    let variables: Vec<&str> = c
        .mapping
        .variables
        .iter()
        .filter(|v| v.origin == "workflow_variable")
        .map(|v| v.context_variable.as_str())
        .collect();
    let expected: Vec<&str> = sim
        .state()
        .variables
        .get()
        .unwrap()
        .values()
        .filter_map(|v| v.name.get().map(String::as_str))
        .collect();
    assert_eq!(variables, expected);
}

#[test]
fn loops_become_cycles_with_an_exit() {
    let sim = load("order-loop.json");
    let c = convert(&sim);
    let j = &c.output;
    let loops: Vec<&Block> = sim
        .state()
        .blocks
        .values()
        .filter(|b| b.block_type == "loop")
        .collect();
    assert_eq!(loops.len(), 3);
    for l in loops {
        assert_eq!(j.kind_of(&l.id), Some(NodeKind::Fork));
        let outs = out_edges(j, &l.id);
        assert!(
            outs.iter().all(|e| e.condition_text().is_some()),
            "a fork's transitions are all conditional"
        );
        assert!(outs
            .iter()
            .any(|e| e.condition_text() == Some(&format!("{} has finished", l.name))));
        let repeats: Vec<&JourneyEdge> = j
            .edges
            .iter()
            .filter(|e| {
                e.target == l.id && e.meta("sim").is_some_and(|s| s["synthetic"] == "repeat")
            })
            .collect();
        assert!(!repeats.is_empty(), "the body goes back to {}", l.name);
        assert!(c
            .mapping
            .with_code(codes::LOOP_AS_CYCLE)
            .any(|a| a.nodes == vec![l.id.clone()]));
    }
    let while_loop = block(&sim, "labelPolling");
    let start = out_edges(j, &while_loop.id)
        .into_iter()
        .find(|e| !e.condition_text().unwrap().ends_with("has finished"))
        .unwrap();
    assert!(
        start
            .condition_text()
            .unwrap()
            .starts_with("labelPolling repeats while shipmentStatus's"),
        "{:?}",
        start.condition
    );
}

#[test]
fn parallels_disabled_blocks_and_notes_are_reported() {
    let sim = load("lead-parallel-nested.json");
    let c = convert(&sim);
    let parallels: Vec<String> = sim
        .state()
        .blocks
        .values()
        .filter(|b| b.block_type == "parallel")
        .map(|b| b.id.clone())
        .collect();
    let reported: Vec<String> = c
        .mapping
        .with_code(codes::PARALLEL_AS_SEQUENCE)
        .map(|a| a.nodes[0].clone())
        .collect();
    assert_eq!(reported, parallels);

    let sim = load("disabled-and-notes.json");
    let c = convert(&sim);
    for b in sim.state().blocks.values() {
        let expected_code = match (b.block_type.as_str(), b.enabled) {
            ("note", _) => Some(codes::NOTE_KEPT),
            (_, false) => Some(codes::DISABLED_BLOCK),
            _ => None,
        };
        assert_eq!(
            c.output.node(&b.id).is_none(),
            expected_code.is_some(),
            "{}",
            b.name
        );
        if let Some(code) = expected_code {
            assert!(
                c.mapping
                    .with_code(code)
                    .any(|a| a.nodes == vec![b.id.clone()]),
                "{} not reported",
                b.name
            );
        }
    }
    // The legacy `source-right` handle is the plain output (conditional only beside an error path).
    let legacy: Vec<&JourneyEdge> = c
        .output
        .edges
        .iter()
        .filter(|e| {
            common::carried(e.meta("sim").unwrap(), "edge")["sourceHandle"] == "source-right"
        })
        .collect();
    assert!(!legacy.is_empty());
    assert!(legacy
        .iter()
        .all(|e| e.condition_text().is_none() || e.condition_text() == Some(SUCCEEDED)));
}

#[test]
fn a_workflow_without_trigger_gets_a_root() {
    let mut sim = load("support-triage-condition.json");
    let start = block(&sim, "Start").id.clone();
    sim.state_mut().blocks.shift_remove(&start);
    let c = convert(&sim);
    let root = &c.output.journey.root_id;
    assert!(c.output.node(root).is_some());
    assert!(c.mapping.with_code(codes::SYNTHETIC_ROOT).count() == 1);
    let agent = block(&sim, "triageAgent").id.clone();
    assert!(out_edges(&c.output, root).iter().any(|e| e.target == agent));
    // The edge from the removed trigger dangles.
    assert_eq!(c.mapping.with_code(codes::DANGLING_EDGE).count(), 1);
}

#[test]
fn ids_are_the_documents_own_and_stable() {
    for name in [
        "support-triage-condition.json",
        "order-loop.json",
        "refund-router.json",
    ] {
        let sim = load(name);
        let first = convert(&sim);
        let second = convert(&sim);
        assert_eq!(first, second, "{name}: two conversions differ");
        for m in &first.mapping.nodes {
            assert_eq!(m.block_id, m.state_id);
        }
        for m in first
            .mapping
            .edges
            .iter()
            .filter(|m| m.sim_edge_id.is_some() && m.transition_id.is_some())
        {
            assert_eq!(m.sim_edge_id, m.transition_id);
        }
        let json = serde_json::to_value(&first.mapping).unwrap();
        assert_eq!(
            serde_json::from_value::<journey_studio::convert::Mapping>(json).unwrap(),
            first.mapping
        );
    }
}
