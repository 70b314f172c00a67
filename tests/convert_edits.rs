//! Edits made on the converted side flow back: the carried original is a base the edits
//! override, never a snapshot that wins.

mod common;

use journey_studio::convert::{
    codes, journey_to_workflow, strip_sim_metadata, workflow_to_journey, ConvertOptions,
};
use journey_studio::json::Maybe;
use journey_studio::parlant::{JourneyDocument, JourneyEdge, JourneyNode, NodeKind};
use journey_studio::sim::{Block, SimDocument};
use serde_json::Value;

fn opts() -> ConvertOptions {
    ConvertOptions::default()
}

fn sim(name: &str) -> SimDocument {
    let path = common::repo().join("fixtures/sim").join(name);
    SimDocument::parse(name, &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn journey(name: &str) -> JourneyDocument {
    let path = common::repo().join("fixtures/journeys").join(name);
    JourneyDocument::parse(name, &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn by_name<'a>(doc: &'a SimDocument, name: &str) -> &'a Block {
    doc.state()
        .blocks
        .values()
        .find(|b| b.name == name)
        .unwrap()
}

fn as_json(doc: &SimDocument) -> Value {
    serde_json::from_str(&doc.to_json()).unwrap()
}

#[test]
fn an_edited_action_rewrites_the_agent_prompt_and_nothing_else() {
    let original = sim("support-triage-condition.json");
    let agent = by_name(&original, "triageAgent").id.clone();
    let mut j = workflow_to_journey(&original, &opts()).unwrap().output;
    let node = j.nodes.iter_mut().find(|n| n.id == agent).unwrap();
    node.action = Maybe::Value("Classify the message as order_status, billing or other.".into());
    let back = journey_to_workflow(&j, &opts()).unwrap().output;
    let messages = by_name(&back, "triageAgent").sub_value("messages").unwrap();
    assert_eq!(
        messages[0]["content"],
        "Classify the message as order_status, billing or other."
    );
    assert_eq!(
        messages[1],
        by_name(&original, "triageAgent")
            .sub_value("messages")
            .unwrap()[1],
        "the user message stays"
    );
    let diff = common::json_diff(&as_json(&back), &as_json(&original), 10);
    assert_eq!(diff.len(), 1, "{diff:#?}");
    assert!(diff[0].contains("messages"), "{diff:#?}");
}

#[test]
fn edited_conditions_change_the_code_or_the_route() {
    let original = sim("support-triage-condition.json");
    let cond = by_name(&original, "routeTicket").id.clone();
    let mut j = workflow_to_journey(&original, &opts()).unwrap().output;
    let first = j.edges.iter_mut().find(|e| e.source == cond).unwrap();
    first.condition = Maybe::Value("<triageagent.content> === 'shipping'".into());
    let back = journey_to_workflow(&j, &opts()).unwrap().output;
    let list: Value =
        serde_json::from_str(by_name(&back, "routeTicket").sub_str("conditions").unwrap()).unwrap();
    assert_eq!(list[0]["value"], "<triageagent.content> === 'shipping'");
    assert_eq!(list.as_array().unwrap().len(), 3);

    // Prose cannot become code: the branch keeps its code, the text is carried and comes back.
    let first = j.edges.iter_mut().find(|e| e.source == cond).unwrap();
    first.condition = Maybe::Value("the customer asks where the parcel is".into());
    let edge_id = first.id.clone();
    let c = journey_to_workflow(&j, &opts()).unwrap();
    assert!(c
        .mapping
        .with_code(codes::CONDITION_TEXT_NOT_CODE)
        .any(|a| a.edges.contains(&edge_id)));
    let again = workflow_to_journey(&c.output, &opts()).unwrap().output;
    let edge = again.edges.iter().find(|e| e.id == edge_id).unwrap();
    assert_eq!(
        edge.condition_text(),
        Some("the customer asks where the parcel is")
    );

    // A route description is the route's condition.
    let original = sim("refund-router.json");
    let router = by_name(&original, "refundRouter").id.clone();
    let mut j = workflow_to_journey(&original, &opts()).unwrap().output;
    let e = j.edges.iter_mut().find(|e| e.source == router).unwrap();
    e.condition = Maybe::Value("The refund is small".into());
    let handle = common::carried(e.meta("sim").unwrap(), "edge")["sourceHandle"]
        .as_str()
        .unwrap()
        .trim_start_matches("router-")
        .to_string();
    let back = journey_to_workflow(&j, &opts()).unwrap().output;
    let routes: Value =
        serde_json::from_str(by_name(&back, "refundRouter").sub_str("routes").unwrap()).unwrap();
    let route = routes
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == handle.as_str())
        .unwrap();
    assert_eq!(route["value"], "The refund is small");
}

#[test]
fn new_deleted_and_moved_states_reach_the_workflow() {
    let original = sim("support-triage-condition.json");
    let general = by_name(&original, "generalSupport").id.clone();
    let reply = by_name(&original, "replyToCustomer").id.clone();
    let fallback = by_name(&original, "lookupFallback").id.clone();
    let mut j = workflow_to_journey(&original, &opts()).unwrap().output;
    // Insert a state between generalSupport and replyToCustomer.
    let mut added = JourneyNode::new("polish", &NodeKind::Chat, Some("Polish the answer".into()));
    added.description = Maybe::Value("polish".into());
    j.nodes.push(added);
    let link = j
        .edges
        .iter_mut()
        .find(|e| e.source == general && e.target == reply)
        .unwrap();
    link.target = "polish".into();
    j.edges.push(JourneyEdge::new(
        "polish-reply",
        "polish",
        reply.clone(),
        None,
    ));
    // Delete the fallback state and its transitions.
    j.nodes.retain(|n| n.id != fallback);
    j.edges
        .retain(|e| e.source != fallback && e.target != fallback);
    // Move the reply state.
    let editor = j.editor.get_mut().unwrap().positions.get_mut().unwrap();
    editor.get_mut(&reply).unwrap().x = 5000.into();

    let c = journey_to_workflow(&j, &opts()).unwrap();
    let back = &c.output;
    let polish = back.state().blocks.get("polish").unwrap();
    assert_eq!(polish.block_type, "agent");
    assert_eq!(
        polish.sub_value("messages").unwrap()[0]["content"],
        "Polish the answer"
    );
    assert!(back
        .state()
        .edges
        .iter()
        .any(|e| e.source == general && e.target == "polish"));
    assert!(back
        .state()
        .edges
        .iter()
        .any(|e| e.id == "polish-reply" && e.target == reply));
    assert!(!back.state().blocks.contains_key(&fallback));
    assert!(back
        .state()
        .edges
        .iter()
        .all(|e| e.source != fallback && e.target != fallback));
    assert_eq!(
        back.state().blocks.get(&reply).unwrap().position.xy().0,
        5000.0
    );
    // The workflow reads back as a valid Sim document.
    SimDocument::parse("back", &back.to_json()).unwrap();
}

#[test]
fn sim_side_edits_reach_a_journey_that_came_from_parlant() {
    let original = journey("refund-request.json");
    let w = journey_to_workflow(&original, &opts()).unwrap().output;
    let mut w = SimDocument::parse("w", &w.to_json()).unwrap();
    let chat = original
        .nodes
        .iter()
        .find(|n| {
            original.kind_of(&n.id) == Some(NodeKind::Chat) && n.meta("canned_response").is_some()
        })
        .unwrap();
    let block = w.state_mut().blocks.get_mut(&chat.id).unwrap();
    journey_studio_set_prompt(block, "Greet the customer by name");
    let mut back = workflow_to_journey(&w, &opts()).unwrap().output;
    strip_sim_metadata(&mut back);
    let node = back.node(&chat.id).unwrap();
    assert_eq!(
        node.action_text(),
        Some("Greet the customer by name"),
        "the Sim edit wins"
    );
    assert_eq!(
        node.meta("canned_response"),
        chat.meta("canned_response"),
        "journey-only metadata still comes back"
    );
    let mut expected = original.clone();
    expected
        .nodes
        .iter_mut()
        .find(|n| n.id == chat.id)
        .unwrap()
        .action = Maybe::Value("Greet the customer by name".into());
    let diff = common::json_diff(
        &serde_json::to_value(&back).unwrap(),
        &serde_json::to_value(&expected).unwrap(),
        10,
    );
    assert!(diff.is_empty(), "{diff:#?}");
}

fn journey_studio_set_prompt(block: &mut Block, text: &str) {
    let messages = block
        .sub_blocks
        .get_mut("messages")
        .unwrap()
        .value
        .get_mut()
        .unwrap();
    messages[0]["content"] = Value::String(text.into());
}

#[test]
fn natural_language_conditions_become_routes() {
    let original = journey("book-flight.json");
    let c = journey_to_workflow(&original, &opts()).unwrap();
    let w = &c.output;
    let conditional: Vec<&JourneyEdge> = original
        .edges
        .iter()
        .filter(|e| e.condition_text().is_some() && e.target != "end")
        .collect();
    assert!(!conditional.is_empty());
    for edge in conditional {
        let sim_edge = w.state().edges.iter().find(|e| e.id == edge.id).unwrap();
        let handle = sim_edge.source_handle.get().unwrap();
        let router = w.state().blocks.get(&sim_edge.source).unwrap();
        assert_eq!(
            router.block_type, "router_v2",
            "{} leaves a router",
            edge.id
        );
        let routes: Value = serde_json::from_str(router.sub_str("routes").unwrap()).unwrap();
        let route = routes
            .as_array()
            .unwrap()
            .iter()
            .find(|r| format!("router-{}", r["id"].as_str().unwrap()) == *handle)
            .unwrap();
        assert_eq!(route["value"].as_str(), edge.condition_text());
    }
    assert!(c.mapping.with_code(codes::CONDITION_AS_ROUTE).count() > 0);
    // Positions come from the journey's editor data or the layered layout: all distinct.
    let mut positions: Vec<(i64, i64)> = w
        .state()
        .blocks
        .values()
        .map(|b| (b.position.xy().0 as i64, b.position.xy().1 as i64))
        .collect();
    positions.sort();
    positions.dedup();
    assert_eq!(positions.len(), w.state().blocks.len());
}
