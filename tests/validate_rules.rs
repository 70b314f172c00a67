//! One case per catalogued rule: a minimal document that breaks it and a twin that does not.

mod common;

use journey_studio::validate::{validate, Report, CATALOGUE};
use journey_studio::Document;
use serde_json::{json, Value};

fn doc(value: Value) -> Document {
    Document::parse("case.json", &value.to_string())
        .unwrap_or_else(|e| panic!("case does not parse: {e}\n{value:#}"))
}

// ---- journeys -----------------------------------------------------------------------------

fn chat(id: &str) -> Value {
    json!({"id": id, "action": format!("say {id}"), "tools": [], "metadata": {"journey_node": {"kind": "chat"}}})
}
fn tool(id: &str) -> Value {
    json!({"id": id, "action": format!("Use the tool {id}"), "tools": [{"service_name": "svc", "tool_name": id}], "metadata": {"journey_node": {"kind": "tool"}}})
}
fn fork(id: &str) -> Value {
    json!({"id": id, "action": null, "tools": [], "metadata": {"journey_node": {"kind": "fork"}}})
}
fn root() -> Value {
    json!({"id": "root", "action": null, "tools": [], "metadata": {}})
}
fn tr(id: &str, source: &str, target: &str, condition: Option<&str>) -> Value {
    json!({"id": id, "source": source, "target": target, "condition": condition, "metadata": {}})
}
fn journey_with(header: Value, nodes: Vec<Value>, edges: Vec<Value>) -> Document {
    let mut journey = json!({"title": "Order help", "description": "d", "conditions": ["the customer asks"], "root_id": "root", "tags": []});
    if let (Some(j), Value::Object(h)) = (journey.as_object_mut(), header) {
        j.extend(h);
    }
    doc(
        json!({"format": "parlant-journey", "version": 1, "journey": journey, "nodes": nodes, "edges": edges}),
    )
}
fn journey(nodes: Vec<Value>, edges: Vec<Value>) -> Document {
    journey_with(json!({}), nodes, edges)
}
/// root -> a -> end
fn simple_journey() -> Document {
    journey(
        vec![root(), chat("a")],
        vec![tr("e1", "root", "a", None), tr("e2", "a", "end", None)],
    )
}

// ---- workflows ----------------------------------------------------------------------------

fn block(id: &str, kind: &str, name: &str, subs: Value, outputs: Value) -> (String, Value) {
    let sub_blocks: serde_json::Map<String, Value> = subs
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.clone(),
                json!({"id": k, "type": "short-input", "value": v}),
            )
        })
        .collect();
    (
        id.to_string(),
        json!({"id": id, "type": kind, "name": name, "position": {"x": 0, "y": 0}, "subBlocks": sub_blocks, "outputs": outputs, "enabled": true}),
    )
}
fn start() -> (String, Value) {
    block(
        "s",
        "start_trigger",
        "Start",
        json!({}),
        json!({"input": {"type": "string"}, "files": {"type": "file[]"}}),
    )
}
fn agent(id: &str, name: &str, prompt: &str) -> (String, Value) {
    block(
        id,
        "agent",
        name,
        json!({"messages": [{"role": "user", "content": prompt}]}),
        json!({"content": {"type": "string"}, "model": {"type": "string"}}),
    )
}
fn edge(id: &str, source: &str, target: &str, handle: &str) -> Value {
    json!({"id": id, "source": source, "target": target, "sourceHandle": handle, "targetHandle": "target"})
}
fn with(mut b: (String, Value), key: &str, value: Value) -> (String, Value) {
    b.1[key] = value;
    b
}
fn child_of(b: (String, Value), parent: &str) -> (String, Value) {
    with(b, "data", json!({"parentId": parent, "extent": "parent"}))
}
fn workflow(blocks: Vec<(String, Value)>, edges: Vec<Value>) -> Document {
    let blocks: serde_json::Map<String, Value> = blocks.into_iter().collect();
    doc(
        json!({"version": "1.0", "state": {"blocks": blocks, "edges": edges, "loops": {}, "parallels": {}}}),
    )
}
/// Start -> Agent
fn simple_workflow() -> Document {
    workflow(
        vec![start(), agent("a", "Agent", "<start.input>")],
        vec![edge("e1", "s", "a", "source")],
    )
}
fn condition(branches: Value) -> (String, Value) {
    let text = if branches.is_string() {
        branches
    } else {
        Value::String(branches.to_string())
    };
    block(
        "c",
        "condition",
        "Check",
        json!({"conditions": text}),
        json!({"selectedOption": {"type": "string"}}),
    )
}
fn branched(branches: Value, handle: &str) -> Document {
    workflow(
        vec![start(), condition(branches), agent("a", "Agent", "hi")],
        vec![edge("e1", "s", "c", "source"), edge("e2", "c", "a", handle)],
    )
}
fn if_else(expr: &str) -> Value {
    json!([{"id": "c-if", "title": "if", "value": expr}, {"id": "c-else", "title": "else", "value": ""}])
}
fn a_loop(id: &str, name: &str) -> (String, Value) {
    with(
        block(id, "loop", name, json!({}), json!({})),
        "data",
        json!({"loopType": "for", "count": 3}),
    )
}

fn cases() -> Vec<(&'static str, Document, Document)> {
    vec![
        // Journeys.
        (
            "J001",
            journey(
                vec![
                    root(),
                    chat("a"),
                    json!({"id": "b", "action": null, "tools": [], "metadata": {"journey_node": {"kind": "chat"}}}),
                ],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", None),
                    tr("e3", "b", "end", None),
                ],
            ),
            journey(
                vec![root(), chat("a"), chat("b")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", None),
                    tr("e3", "b", "end", None),
                ],
            ),
        ),
        (
            "J002",
            journey(
                vec![root(), chat("a"), chat("b")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "end", None),
                    tr("e3", "b", "end", None),
                ],
            ),
            journey(
                vec![root(), chat("a"), chat("b")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", None),
                    tr("e3", "b", "end", None),
                ],
            ),
        ),
        (
            // `a` leads only into the closed loop b <-> c.
            "J003",
            journey(
                vec![root(), chat("a"), chat("b"), chat("c")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", None),
                    tr("e3", "b", "c", None),
                    tr("e4", "c", "b", None),
                ],
            ),
            journey(
                vec![root(), chat("a"), chat("b"), chat("c")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", None),
                    tr("e3", "b", "c", None),
                    tr("e4", "c", "b", Some("retry")),
                    tr("e5", "c", "end", Some("done")),
                ],
            ),
        ),
        (
            "J004",
            journey(
                vec![root(), chat("a"), chat("b")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", None),
                    tr("e3", "b", "a", None),
                ],
            ),
            // A leaf ends the journey as `end` does (Parlant's docs end book-flight that way).
            journey(
                vec![root(), chat("a"), chat("b"), chat("c")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", None),
                    tr("e3", "b", "a", Some("retry")),
                    tr("e4", "b", "c", Some("done")),
                ],
            ),
        ),
        (
            "J005",
            journey(
                vec![root(), chat("a"), chat("b")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", Some("")),
                    tr("e3", "a", "end", Some("bye")),
                    tr("e4", "b", "end", None),
                ],
            ),
            journey(
                vec![root(), chat("a"), chat("b")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", Some("more")),
                    tr("e3", "a", "end", Some("bye")),
                    tr("e4", "b", "end", None),
                ],
            ),
        ),
        (
            "J006",
            journey(
                vec![root(), fork("f")],
                vec![tr("e1", "root", "f", None), tr("e2", "f", "end", None)],
            ),
            journey(
                vec![root(), fork("f")],
                vec![
                    tr("e1", "root", "f", None),
                    tr("e2", "f", "end", Some("done")),
                ],
            ),
        ),
        (
            "J007",
            journey(
                vec![root(), chat("a")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "end", None),
                    tr("e3", "end", "a", None),
                ],
            ),
            simple_journey(),
        ),
        (
            "J008",
            journey(
                vec![root(), chat("a")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "other-journey-state", None),
                ],
            ),
            simple_journey(),
        ),
        (
            "J009",
            journey(
                vec![
                    root(),
                    json!({"id": "t", "action": "look up", "tools": [], "metadata": {"journey_node": {"kind": "tool"}}}),
                    chat("a"),
                ],
                vec![
                    tr("e1", "root", "t", None),
                    tr("e2", "t", "a", None),
                    tr("e3", "a", "end", None),
                ],
            ),
            journey(
                vec![root(), tool("t"), chat("a")],
                vec![
                    tr("e1", "root", "t", None),
                    tr("e2", "t", "a", None),
                    tr("e3", "a", "end", None),
                ],
            ),
        ),
        (
            "J010",
            journey(
                vec![root(), tool("t"), tool("u"), chat("a")],
                vec![
                    tr("e1", "root", "t", None),
                    tr("e2", "t", "u", None),
                    tr("e3", "u", "a", None),
                ],
            ),
            journey(
                vec![root(), tool("t"), chat("a"), tool("u")],
                vec![
                    tr("e1", "root", "t", None),
                    tr("e2", "t", "a", None),
                    tr("e3", "a", "u", None),
                ],
            ),
        ),
        (
            "J011",
            journey(
                vec![root(), chat("a")],
                vec![
                    tr("e1", "root", "a", Some("  ")),
                    tr("e2", "a", "end", None),
                ],
            ),
            simple_journey(),
        ),
        (
            "J012",
            journey(
                vec![root(), chat("a"), chat("b")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", Some("They agree")),
                    tr("e3", "a", "end", Some("they  agree")),
                    tr("e4", "b", "end", None),
                ],
            ),
            journey(
                vec![root(), chat("a"), chat("b")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", Some("they agree")),
                    tr("e3", "a", "end", Some("they refuse")),
                    tr("e4", "b", "end", None),
                ],
            ),
        ),
        (
            "J013",
            journey_with(
                json!({"title": ""}),
                vec![root(), chat("a")],
                vec![tr("e1", "root", "a", None), tr("e2", "a", "end", None)],
            ),
            journey_with(
                json!({"title": "x".repeat(100)}),
                vec![root(), chat("a")],
                vec![tr("e1", "root", "a", None), tr("e2", "a", "end", None)],
            ),
        ),
        (
            "J014",
            journey_with(
                json!({"conditions": []}),
                vec![root(), chat("a")],
                vec![tr("e1", "root", "a", None), tr("e2", "a", "end", None)],
            ),
            simple_journey(),
        ),
        (
            "J015",
            journey_with(
                json!({"tags": ["agent: support"]}),
                vec![root(), chat("a")],
                vec![tr("e1", "root", "a", None), tr("e2", "a", "end", None)],
            ),
            journey_with(
                json!({"tags": ["agent:support", "vip"]}),
                vec![root(), chat("a")],
                vec![tr("e1", "root", "a", None), tr("e2", "a", "end", None)],
            ),
        ),
        (
            "J016",
            journey(
                vec![
                    root(),
                    json!({"id": "a", "action": "say a", "tools": [], "metadata": {"journey_node": {"kind": "message"}}}),
                ],
                vec![tr("e1", "root", "a", None)],
            ),
            journey(
                vec![
                    root(),
                    json!({"id": "a", "action": "say a", "tools": [], "metadata": {"journey_node": {"kind": "chat"}}}),
                ],
                vec![tr("e1", "root", "a", None)],
            ),
        ),
        (
            "J017",
            journey(
                vec![root(), chat("a"), chat("b")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", Some("yes")),
                    tr("e3", "a", "b", Some("sure")),
                ],
            ),
            journey(
                vec![root(), chat("a"), chat("b")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "b", Some("yes or sure")),
                    tr("e3", "a", "end", Some("no")),
                ],
            ),
        ),
        (
            "J018",
            journey_with(
                json!({"conditions": ["the customer asks", ""]}),
                vec![root(), chat("a")],
                vec![tr("e1", "root", "a", None)],
            ),
            journey_with(
                json!({"conditions": ["the customer asks", "the customer insists"]}),
                vec![root(), chat("a")],
                vec![tr("e1", "root", "a", None)],
            ),
        ),
        (
            "J019",
            journey(
                vec![root(), tool("t")],
                vec![tr("e1", "root", "t", None), tr("e2", "t", "end", None)],
            ),
            // A tool state without transitions ends the journey cleanly.
            journey(vec![root(), tool("t")], vec![tr("e1", "root", "t", None)]),
        ),
        (
            "J020",
            journey(
                vec![
                    root(),
                    json!({"id": "a", "action": "say a", "tools": [], "metadata": {}}),
                ],
                vec![tr("e1", "root", "a", None)],
            ),
            journey(vec![root(), chat("a")], vec![tr("e1", "root", "a", None)]),
        ),
        (
            "J021",
            journey(
                vec![
                    root(),
                    json!({"id": "f", "action": "Check eligibility", "tools": [], "metadata": {"journey_node": {"kind": "fork"}}}),
                    chat("a"),
                ],
                vec![
                    tr("e1", "root", "f", None),
                    tr("e2", "f", "a", Some("eligible")),
                    tr("e3", "f", "end", Some("not eligible")),
                ],
            ),
            journey(
                vec![root(), fork("f"), chat("a")],
                vec![
                    tr("e1", "root", "f", None),
                    tr("e2", "f", "a", Some("eligible")),
                    tr("e3", "f", "end", Some("not eligible")),
                ],
            ),
        ),
        (
            "J022",
            journey(
                vec![root(), chat("a"), fork("f")],
                vec![tr("e1", "root", "a", None), tr("e2", "a", "f", None)],
            ),
            journey(
                vec![root(), chat("a"), fork("f")],
                vec![
                    tr("e1", "root", "a", None),
                    tr("e2", "a", "f", None),
                    tr("e3", "f", "end", Some("done")),
                ],
            ),
        ),
        (
            "J023",
            journey(vec![root()], vec![]),
            journey(vec![root(), chat("a")], vec![tr("e1", "root", "a", None)]),
        ),
        (
            "J024",
            doc(json!({"format": "parlant-journey", "version": 1,
                "journey": {"title": "t", "description": "d", "conditions": ["c"], "root_id": "root", "tags": ["vip"]},
                "nodes": [root(), chat("a")], "edges": [tr("e1", "root", "a", None)], "tags": [{"id": "vip", "name": "v".repeat(51)}]})),
            doc(json!({"format": "parlant-journey", "version": 1,
                "journey": {"title": "t", "description": "d", "conditions": ["c"], "root_id": "root", "tags": ["vip"]},
                "nodes": [root(), chat("a")], "edges": [tr("e1", "root", "a", None)], "tags": [{"id": "vip", "name": "v".repeat(50)}]})),
        ),
        // Workflows.
        (
            "W001",
            workflow(
                vec![
                    with(start(), "enabled", json!(false)),
                    agent("a", "Agent", "hi"),
                ],
                vec![edge("e1", "s", "a", "source")],
            ),
            simple_workflow(),
        ),
        (
            "W002",
            workflow(
                vec![
                    start(),
                    block("s2", "start_trigger", "Start 2", json!({}), json!({})),
                    agent("a", "Agent", "hi"),
                ],
                vec![
                    edge("e1", "s", "a", "source"),
                    edge("e2", "s2", "a", "source"),
                ],
            ),
            workflow(
                vec![
                    start(),
                    block("s2", "schedule", "Nightly", json!({}), json!({})),
                    agent("a", "Agent", "hi"),
                ],
                vec![
                    edge("e1", "s", "a", "source"),
                    edge("e2", "s2", "a", "source"),
                ],
            ),
        ),
        (
            "W003",
            workflow(
                vec![
                    start(),
                    agent("a", "Agent", "hi"),
                    agent("b", "Lonely", "hi"),
                ],
                vec![edge("e1", "s", "a", "source")],
            ),
            workflow(
                vec![
                    start(),
                    agent("a", "Agent", "hi"),
                    agent("b", "Lonely", "hi"),
                ],
                vec![
                    edge("e1", "s", "a", "source"),
                    edge("e2", "a", "b", "source"),
                ],
            ),
        ),
        (
            "W004",
            workflow(
                vec![
                    start(),
                    with(agent("a", "Agent", "hi"), "enabled", json!(false)),
                ],
                vec![edge("e1", "s", "a", "source")],
            ),
            workflow(
                vec![
                    start(),
                    with(agent("a", "Agent", "hi"), "enabled", json!(false)),
                ],
                vec![],
            ),
        ),
        (
            "W005",
            workflow(
                vec![start(), agent("a", "Agent", "hi")],
                vec![
                    edge("e1", "s", "a", "source"),
                    edge("e2", "a", "ghost", "source"),
                ],
            ),
            simple_workflow(),
        ),
        (
            "W006",
            workflow(
                vec![start(), agent("a", "Agent", "hi")],
                vec![
                    edge("e1", "s", "a", "source"),
                    edge("e2", "a", "s", "source"),
                ],
            ),
            simple_workflow(),
        ),
        (
            "W007",
            workflow(
                vec![
                    start(),
                    agent("a", "Agent", "hi"),
                    block("n", "note", "Read me", json!({"content": "x"}), json!({})),
                ],
                vec![
                    edge("e1", "s", "a", "source"),
                    edge("e2", "a", "n", "source"),
                ],
            ),
            workflow(
                vec![
                    start(),
                    agent("a", "Agent", "hi"),
                    block("n", "note", "Read me", json!({"content": "x"}), json!({})),
                ],
                vec![edge("e1", "s", "a", "source")],
            ),
        ),
        (
            "W008",
            workflow(
                vec![
                    start(),
                    a_loop("l", "Repeat"),
                    child_of(agent("a", "Agent", "<loop.index>"), "l"),
                ],
                vec![
                    edge("e1", "s", "l", "source"),
                    edge("e2", "s", "a", "source"),
                ],
            ),
            workflow(
                vec![
                    start(),
                    a_loop("l", "Repeat"),
                    child_of(agent("a", "Agent", "<loop.index>"), "l"),
                ],
                vec![
                    edge("e1", "s", "l", "source"),
                    edge("e2", "l", "a", "loop-start-source"),
                ],
            ),
        ),
        (
            "W009",
            branched(if_else("<start.input> === "), "condition-c-if"),
            branched(
                if_else("<start.input>.trim() === 'yes' // note"),
                "condition-c-if",
            ),
        ),
        (
            "W010",
            branched(
                json!([{"id": "c-if", "title": "if", "value": "1"}, {"id": "c-else", "title": "else", "value": ""}, {"id": "c-else-if-1", "title": "else if", "value": "2"}]),
                "condition-c-if",
            ),
            branched(
                json!([{"id": "c-if", "title": "if", "value": "1"}, {"id": "c-else-if-1", "title": "else if", "value": "2"}, {"id": "c-else", "title": "else", "value": ""}]),
                "condition-c-if",
            ),
        ),
        (
            "W011",
            branched(
                json!([{"id": "c-if", "title": "if", "value": "1"}, {"id": "c-if", "title": "else if", "value": "2"}]),
                "condition-c-if",
            ),
            branched(
                json!([{"id": "c-if", "title": "if", "value": "1"}, {"id": "c-else-if-1", "title": "else if", "value": "2"}]),
                "condition-c-if",
            ),
        ),
        (
            "W012",
            branched(json!("[{"), "condition-c-if"),
            branched(if_else("true"), "condition-c-if"),
        ),
        (
            "W013",
            workflow(
                vec![
                    start(),
                    block(
                        "r",
                        "router_v2",
                        "Route",
                        json!({"routes": json!([{"id": "r-1", "title": "Sales", "value": ""}]).to_string()}),
                        json!({}),
                    ),
                    agent("a", "Agent", "hi"),
                ],
                vec![
                    edge("e1", "s", "r", "source"),
                    edge("e2", "r", "a", "router-r-1"),
                ],
            ),
            workflow(
                vec![
                    start(),
                    block(
                        "r",
                        "router_v2",
                        "Route",
                        json!({"routes": json!([{"id": "r-1", "title": "Sales", "value": "the customer wants to buy"}]).to_string()}),
                        json!({}),
                    ),
                    agent("a", "Agent", "hi"),
                ],
                vec![
                    edge("e1", "s", "r", "source"),
                    edge("e2", "r", "a", "router-r-1"),
                ],
            ),
        ),
        (
            "W014",
            workflow(
                vec![start(), agent("a", "Agent", "<strat.input>")],
                vec![edge("e1", "s", "a", "source")],
            ),
            simple_workflow(),
        ),
        (
            "W015",
            workflow(
                vec![
                    start(),
                    agent("a", "First", "<second.content>"),
                    agent("b", "Second", "hi"),
                ],
                vec![
                    edge("e1", "s", "a", "source"),
                    edge("e2", "a", "b", "source"),
                ],
            ),
            workflow(
                vec![
                    start(),
                    agent("a", "First", "hi"),
                    agent("b", "Second", "<first.content>"),
                ],
                vec![
                    edge("e1", "s", "a", "source"),
                    edge("e2", "a", "b", "source"),
                ],
            ),
        ),
        (
            "W016",
            workflow(
                vec![start(), agent("a", "Agent", "<start.nothing>")],
                vec![edge("e1", "s", "a", "source")],
            ),
            simple_workflow(),
        ),
        (
            "W017",
            workflow(
                vec![
                    start(),
                    a_loop("l", "Repeat"),
                    agent("a", "Agent", "<loop.index>"),
                ],
                vec![
                    edge("e1", "s", "l", "source"),
                    edge("e2", "l", "a", "loop-end-source"),
                ],
            ),
            workflow(
                vec![
                    start(),
                    a_loop("l", "Repeat"),
                    agent("a", "Agent", "<repeat.results>"),
                ],
                vec![
                    edge("e1", "s", "l", "source"),
                    edge("e2", "l", "a", "loop-end-source"),
                ],
            ),
        ),
        (
            "W018",
            workflow(
                vec![start(), agent("a", "Loop", "hi")],
                vec![edge("e1", "s", "a", "source")],
            ),
            workflow(
                vec![start(), agent("a", "Looper", "hi")],
                vec![edge("e1", "s", "a", "source")],
            ),
        ),
        (
            "W019",
            workflow(
                vec![
                    start(),
                    block(
                        "api",
                        "api",
                        "Fetch",
                        json!({"url": "https://example.com"}),
                        json!({"data": {}}),
                    ),
                ],
                vec![edge("e1", "s", "api", "source")],
            ),
            workflow(
                vec![
                    start(),
                    block(
                        "api",
                        "api",
                        "Fetch",
                        json!({"url": "https://example.com"}),
                        json!({"data": {}}),
                    ),
                    block("fb", "response", "Fallback", json!({}), json!({})),
                ],
                vec![
                    edge("e1", "s", "api", "source"),
                    edge("e2", "api", "fb", "error"),
                ],
            ),
        ),
        (
            "W020",
            workflow(
                vec![
                    start(),
                    block(
                        "k",
                        "slack",
                        "Notify",
                        json!({"botToken": "hunter2", "channel": "#ops"}),
                        json!({"ts": {}}),
                    ),
                ],
                vec![edge("e1", "s", "k", "source")],
            ),
            workflow(
                vec![
                    start(),
                    block(
                        "k",
                        "slack",
                        "Notify",
                        json!({"botToken": "{{SLACK_BOT_TOKEN}}", "channel": "#ops"}),
                        json!({"ts": {}}),
                    ),
                ],
                vec![edge("e1", "s", "k", "source")],
            ),
        ),
        (
            "W021",
            workflow(
                vec![
                    start(),
                    block(
                        "api",
                        "api",
                        "Fetch",
                        json!({"headers": [{"cells": {"Key": "Authorization", "Value": "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz012345"}}]}),
                        json!({"data": {}}),
                    ),
                ],
                vec![edge("e1", "s", "api", "source")],
            ),
            workflow(
                vec![
                    start(),
                    block(
                        "api",
                        "api",
                        "Fetch",
                        json!({"headers": [{"cells": {"Key": "Authorization", "Value": "Bearer {{OPENAI_API_KEY}}"}}]}),
                        json!({"data": {}}),
                    ),
                ],
                vec![edge("e1", "s", "api", "source")],
            ),
        ),
        (
            "W022",
            branched(if_else("true"), "condition-c-else-if-9"),
            branched(if_else("true"), "condition-c-else"),
        ),
        (
            "W023",
            workflow(
                vec![
                    start(),
                    agent("a", "My Agent", "hi"),
                    agent("b", "myagent", "hi"),
                ],
                vec![
                    edge("e1", "s", "a", "source"),
                    edge("e2", "a", "b", "source"),
                ],
            ),
            workflow(
                vec![
                    start(),
                    agent("a", "My Agent", "hi"),
                    agent("b", "Other Agent", "hi"),
                ],
                vec![
                    edge("e1", "s", "a", "source"),
                    edge("e2", "a", "b", "source"),
                ],
            ),
        ),
    ]
}

fn run(doc: &Document) -> Report {
    validate(doc).expect("validation runs")
}

#[test]
fn every_rule_fires_on_its_failing_case_and_not_on_its_twin() {
    for (code, failing, passing) in cases() {
        let bad = run(&failing);
        let found: Vec<_> = bad.with_code(code).collect();
        assert!(
            !found.is_empty(),
            "{code}: not reported on its failing case; got {:#?}",
            bad.diagnostics
        );
        let rule = CATALOGUE.iter().find(|r| r.code == code).unwrap();
        for d in &found {
            assert_eq!(
                d.severity, rule.severity,
                "{code}: severity differs from the catalogue"
            );
            assert!(
                !d.message.is_empty() && !d.hint.is_empty(),
                "{code}: empty message or hint"
            );
            assert!(
                !d.path.0.is_empty(),
                "{code}: the path should point inside the document"
            );
        }
        let good = run(&passing);
        assert!(
            !good.has_code(code),
            "{code}: reported on its passing twin: {:#?}",
            good.with_code(code).collect::<Vec<_>>()
        );
    }
}

#[test]
fn every_journey_and_workflow_code_has_a_case() {
    let covered: Vec<&str> = cases().iter().map(|(c, _, _)| *c).collect();
    for rule in CATALOGUE.iter().filter(|r| !r.code.starts_with('C')) {
        assert!(
            covered.contains(&rule.code),
            "{} has no test case",
            rule.code
        );
    }
}

#[test]
fn simple_documents_are_clean() {
    assert_eq!(run(&simple_journey()).diagnostics, vec![]);
    let report = run(&simple_workflow());
    assert_eq!(
        report.errors + report.warnings,
        0,
        "{:#?}",
        report.diagnostics
    );
}

#[test]
fn diagnostics_name_what_they_are_about() {
    let report = run(&workflow(
        vec![start(), agent("a", "Agent", "hi")],
        vec![
            edge("e1", "s", "a", "source"),
            edge("e2", "a", "ghost", "source"),
        ],
    ));
    let d = report.with_code("W005").next().unwrap();
    assert_eq!(d.edge_ids, vec!["e2"]);
    assert_eq!(d.path.to_string(), "state.edges[1].target");
    assert!(d.message.contains("ghost"));

    let report = run(&branched(if_else("<start.input> === "), "condition-c-if"));
    let d = report.with_code("W009").next().unwrap();
    assert_eq!(d.node_ids, vec!["c"]);
    assert_eq!(
        d.path.to_string(),
        "state.blocks.c.subBlocks.conditions.value"
    );
    assert!(d.message.contains("syntax"), "{}", d.message);

    let report = run(&journey(
        vec![root(), chat("a")],
        vec![
            tr("e1", "root", "a", None),
            tr("e2", "a", "elsewhere", None),
        ],
    ));
    let d = report.with_code("J008").next().unwrap();
    assert_eq!(
        (d.edge_ids.as_slice(), d.path.to_string().as_str()),
        (&["e2".to_string()][..], "edges[1].target")
    );
}

#[test]
fn diagnostics_serialise_for_the_ui() {
    let report = run(&branched(if_else("1 +"), "condition-c-if"));
    let value = serde_json::to_value(&report).unwrap();
    let first = &value["diagnostics"][0];
    for key in [
        "code", "severity", "message", "node_ids", "edge_ids", "path", "hint",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert!(value["errors"].as_u64().unwrap() >= 1);
}

#[test]
fn real_sim_exports_have_no_errors() {
    let mut files = common::fixtures("sim-real");
    files.extend(common::shared_sim_real());
    for file in files {
        let report = run(&Document::load(&file).unwrap());
        let errors: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == journey_studio::validate::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn hand_written_fixtures_have_no_errors() {
    for dir in ["sim", "journeys"] {
        for file in common::fixtures(dir) {
            let report = run(&Document::load(&file).unwrap());
            assert_eq!(
                report.errors,
                0,
                "{}: {:#?}",
                file.display(),
                report.diagnostics
            );
        }
    }
}

#[test]
fn hostile_values_do_not_panic() {
    // Branches of the wrong shapes, a huge expression, references everywhere.
    let weird = [
        json!(42),
        json!("null"),
        json!("[1, 2]"),
        json!([{"id": 5}]),
        json!([{"id": "x", "title": null, "value": {"a": 1}}]),
    ];
    for branches in weird {
        let d = workflow(
            vec![
                start(),
                block(
                    "c",
                    "condition",
                    "Check",
                    json!({"conditions": branches}),
                    json!({}),
                ),
            ],
            vec![edge("e1", "s", "c", "source")],
        );
        run(&d);
    }
    let long = format!("{} === 1", "(".repeat(5000));
    let report = run(&branched(if_else(&long), "condition-c-if"));
    assert!(report.has_code("W009"));
    let refs = "<a.b> <<<>>> <.> <loop.> {{}} {{ }} <start.input[x]>".repeat(200);
    run(&workflow(
        vec![start(), agent("a", "Agent", &refs)],
        vec![edge("e1", "s", "a", "source")],
    ));
}
