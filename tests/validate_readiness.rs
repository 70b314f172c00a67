//! Conversion readiness: every approximation the converter makes shows up as a catalogued `C###`
//! diagnostic on a minimal input, with the source document's node/edge ids, a path into that
//! document and the catalogue's hint; a document with nothing approximated has none.

mod common;

use journey_studio::convert::{codes, workflow_to_journey, ConvertOptions};
use journey_studio::json::Maybe;
use journey_studio::parlant::{JourneyDocument, JourneyEdge, JourneyNode, NodeKind};
use journey_studio::sim::SimDocument;
use journey_studio::validate::{catalogue, validate, validate_with, Diagnostic, Options, Report};
use journey_studio::Document;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn block(id: &str, kind: &str, name: &str, sub_blocks: Value) -> Value {
    json!({"id": id, "type": kind, "name": name, "position": {"x": 0, "y": 0}, "subBlocks": sub_blocks, "outputs": {}, "enabled": true})
}

fn agent(id: &str, name: &str) -> Value {
    block(
        id,
        "agent",
        name,
        json!({"messages": {"id": "messages", "type": "messages-input", "value": [{"role": "system", "content": format!("You are {name}")}]}}),
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

fn child(mut b: Value, parent: &str) -> Value {
    b["data"] = json!({"parentId": parent, "extent": "parent"});
    b
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
    SimDocument::parse("readiness", &text).unwrap()
}

fn report(doc: Document) -> Report {
    validate_with(&doc, Options { readiness: true }).unwrap()
}

fn readiness_of(doc: Document) -> Vec<Diagnostic> {
    report(doc)
        .diagnostics
        .into_iter()
        .filter(|d| d.code.starts_with('C'))
        .collect()
}

/// The one diagnostic with `code`, checked against the catalogue.
fn only(diags: &[Diagnostic], code: &str) -> Diagnostic {
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "{code}: {diags:#?}");
    let d = found[0].clone();
    let rule = catalogue::rule(code).unwrap();
    assert_eq!(d.severity, rule.severity);
    assert_eq!(d.hint, rule.fix, "{code}: the hint is the catalogue's fix");
    assert!(!d.message.is_empty());
    d
}

/// A journey converted from `sim` (so it carries `metadata.sim`), for edits on the journey side.
fn converted(sim: &SimDocument) -> JourneyDocument {
    let j = workflow_to_journey(sim, &ConvertOptions::default())
        .unwrap()
        .output;
    JourneyDocument::parse("j", &j.to_json()).unwrap()
}

/// A state with a description (a state without one gets its block's default name, and the
/// absence is carried: `C010`).
fn state(id: &str, kind: &NodeKind, action: &str) -> JourneyNode {
    let mut n = JourneyNode::new(id, kind, Some(action.into()));
    n.description = Maybe::Value(id.into());
    n
}

fn plain_journey() -> JourneyDocument {
    let mut j = JourneyDocument::new(
        "Order help",
        "Helps with orders",
        vec!["the customer asks about an order".into()],
    );
    let root = j.journey.root_id.clone();
    j.nodes[0].description = Maybe::Value("Start".into());
    j.nodes
        .push(state("ask", &NodeKind::Chat, "Ask for the order number"));
    j.edges.push(JourneyEdge::new("r-ask", root, "ask", None));
    j
}

#[test]
fn a_plain_journey_has_no_readiness_notes() {
    assert_eq!(readiness_of(Document::Journey(plain_journey())), vec![]);
}

#[test]
fn workflow_approximations_are_diagnostics_on_the_workflow() {
    let mut seen = BTreeSet::new();
    let mut check = |sim: SimDocument, code: &str, nodes: &[&str], edges: &[&str], path: &str| {
        let d = only(&readiness_of(Document::Sim(sim)), code);
        assert_eq!(d.node_ids, nodes, "{code}");
        assert_eq!(d.edge_ids, edges, "{code}");
        assert_eq!(d.path.to_string(), path, "{code}");
        seen.insert(code.to_string());
    };

    let mut disabled = agent("d", "Dormant");
    disabled["enabled"] = json!(false);
    check(
        workflow(
            vec![start("s"), agent("a", "A"), disabled],
            vec![edge("e1", "s", "a", "source")],
        ),
        codes::DISABLED_BLOCK,
        &["d"],
        &[],
        "state.blocks.d",
    );

    let note = block(
        "n",
        "note",
        "Policy",
        json!({"content": {"id": "content", "type": "long-input", "value": "see wiki"}}),
    );
    check(
        workflow(
            vec![start("s"), agent("a", "A"), note],
            vec![edge("e1", "s", "a", "source")],
        ),
        codes::NOTE_KEPT,
        &["n"],
        &[],
        "state.blocks.n",
    );

    let mut lp = block("L", "loop", "orderLoop", json!({}));
    lp["data"] = json!({"loopType": "for", "count": 3});
    check(
        workflow(
            vec![start("s"), lp, child(agent("in", "Inner"), "L")],
            vec![
                edge("e1", "s", "L", "source"),
                edge("e2", "L", "in", "loop-start-source"),
            ],
        ),
        codes::LOOP_AS_CYCLE,
        &["L"],
        &[],
        "state.blocks.L",
    );

    let mut par = block("P", "parallel", "fanOut", json!({}));
    par["data"] = json!({"parallelType": "count", "count": 2});
    check(
        workflow(
            vec![start("s"), par, child(agent("in", "Inner"), "P")],
            vec![
                edge("e1", "s", "P", "source"),
                edge("e2", "P", "in", "parallel-start-source"),
            ],
        ),
        codes::PARALLEL_AS_SEQUENCE,
        &["P"],
        &[],
        "state.blocks.P",
    );

    let hook = block("h", "generic_webhook", "Webhook", json!({}));
    check(
        workflow(
            vec![start("s"), hook, agent("a", "A")],
            vec![
                edge("e1", "s", "a", "source"),
                edge("e2", "h", "a", "source"),
            ],
        ),
        codes::EXTRA_TRIGGER,
        &["h"],
        &[],
        "state.blocks.h",
    );

    check(
        workflow(
            vec![agent("a", "A"), agent("b", "B")],
            vec![edge("e1", "a", "b", "source")],
        ),
        codes::SYNTHETIC_ROOT,
        &["a"],
        &[],
        "state.blocks.a",
    );

    check(
        workflow(
            vec![start("s"), agent("a", "A"), agent("b", "B")],
            vec![
                edge("e1", "s", "a", "source"),
                edge("e2", "s", "b", "source"),
            ],
        ),
        codes::CONCURRENT_FANOUT,
        &["s"],
        &["e1", "e2"],
        "state.blocks.s",
    );

    check(
        workflow(
            vec![start("s"), agent("a", "A")],
            vec![
                edge("e1", "s", "a", "source"),
                edge("e2", "a", "ghost", "source"),
            ],
        ),
        codes::DANGLING_EDGE,
        &[],
        &["e2"],
        "state.edges[1]",
    );

    let branches = json!([{"id": "c-if", "title": "if", "value": ""}, {"id": "c-else", "title": "else", "value": ""}]);
    let cond = block(
        "c",
        "condition",
        "check",
        json!({"conditions": {"id": "conditions", "type": "condition-input", "value": branches.to_string()}}),
    );
    check(
        workflow(
            vec![start("s"), cond, agent("a", "A"), agent("b", "B")],
            vec![
                edge("e0", "s", "c", "source"),
                edge("e1", "c", "a", "condition-c-if"),
                edge("e2", "c", "b", "condition-c-else"),
            ],
        ),
        codes::EMPTY_CONDITION,
        &["c"],
        &["e1"],
        "state.blocks.c",
    );

    let workflow_codes: BTreeSet<String> = codes::ALL[..9].iter().map(|c| c.to_string()).collect();
    assert_eq!(
        seen, workflow_codes,
        "every workflow -> journey approximation is exercised"
    );
}

#[test]
fn journey_approximations_are_diagnostics_on_the_journey() {
    let mut seen = BTreeSet::new();
    let mut check = |j: JourneyDocument, code: &str, nodes: &[&str], edges: &[&str], path: &str| {
        let d = only(&readiness_of(Document::Journey(j)), code);
        assert_eq!(d.node_ids, nodes, "{code}");
        assert_eq!(d.edge_ids, edges, "{code}");
        assert_eq!(d.path.to_string(), path, "{code}");
        seen.insert(code.to_string());
    };

    // A state with something Sim has no field for.
    let mut j = plain_journey();
    j.nodes[1].metadata.get_or_insert_default().insert(
        "canned_response".into(),
        json!("Your order number, please?"),
    );
    check(j, codes::CARRIED_IN_DATA, &["ask"], &[], "nodes[1]");

    // A natural-language condition out of a chat state.
    let mut j = plain_journey();
    j.nodes
        .push(state("refund", &NodeKind::Chat, "Offer a refund"));
    j.edges.push(JourneyEdge::new(
        "ask-refund",
        "ask",
        "refund",
        Some("the order arrived damaged".into()),
    ));
    check(
        j,
        codes::CONDITION_AS_ROUTE,
        &["ask"],
        &["ask-refund"],
        "edges[1]",
    );

    // A tool state with no Sim block behind it.
    let mut j = plain_journey();
    let mut tool = state("lookup", &NodeKind::Tool, "Look up the order");
    tool.tools = Maybe::Value(vec![journey_studio::parlant::ToolId::new(
        "crm",
        "get_order",
    )]);
    j.nodes.push(tool);
    j.edges
        .push(JourneyEdge::new("ask-lookup", "ask", "lookup", None));
    check(j, codes::TOOL_PLACEHOLDER, &["lookup"], &[], "nodes[2]");

    // A transition to `end` from a chat state.
    let mut j = plain_journey();
    j.edges
        .push(JourneyEdge::new("ask-end", "ask", "end", None));
    check(
        j,
        codes::END_TRANSITION_CARRIED,
        &["ask"],
        &["ask-end"],
        "edges[1]",
    );

    // Prose on a Condition block's branch.
    let branches = json!([{"id": "c-if", "title": "if", "value": "<start.input> === 'x'"}, {"id": "c-else", "title": "else", "value": ""}]);
    let cond = block(
        "c",
        "condition",
        "check",
        json!({"conditions": {"id": "conditions", "type": "condition-input", "value": branches.to_string()}}),
    );
    let sim = workflow(
        vec![start("s"), cond, agent("a", "A"), agent("b", "B")],
        vec![
            edge("e0", "s", "c", "source"),
            edge("e1", "c", "a", "condition-c-if"),
            edge("e2", "c", "b", "condition-c-else"),
        ],
    );
    let mut j = converted(&sim);
    let at = j.edges.iter().position(|e| e.id == "e1").unwrap();
    j.edges[at].condition = Maybe::Value("the customer sounds upset".into());
    check(
        j,
        codes::CONDITION_TEXT_NOT_CODE,
        &["c"],
        &["e1"],
        &format!("edges[{at}]"),
    );

    // An edited transition the conversion added (a loop body's transition back to the loop).
    let mut lp = block("L", "loop", "orderLoop", json!({}));
    lp["data"] = json!({"loopType": "for", "count": 3});
    let sim = workflow(
        vec![start("s"), lp, child(agent("in", "Inner"), "L")],
        vec![
            edge("e1", "s", "L", "source"),
            edge("e2", "L", "in", "loop-start-source"),
        ],
    );
    let mut j = converted(&sim);
    let at = j
        .edges
        .iter()
        .position(|e| e.id.ends_with(":repeat"))
        .unwrap();
    j.edges[at].condition = Maybe::Value("the customer is satisfied".into());
    let id = j.edges[at].id.clone();
    check(
        j,
        codes::SYNTHETIC_EDITED,
        &[],
        &[&id],
        &format!("edges[{at}]"),
    );

    // A state whose kind changed.
    let sim = workflow(
        vec![start("s"), agent("a", "A")],
        vec![edge("e1", "s", "a", "source")],
    );
    let mut j = converted(&sim);
    let at = j.nodes.iter().position(|n| n.id == "a").unwrap();
    j.nodes[at]
        .metadata
        .get_or_insert_default()
        .insert("journey_node".into(), json!({"kind": "tool"}));
    check(j, codes::KIND_CHANGED, &["a"], &[], &format!("nodes[{at}]"));

    // Transitions to missing states are dropped on the way to Sim.
    let mut j = plain_journey();
    j.edges
        .push(JourneyEdge::new("ask-ghost", "ask", "ghost", None));
    check(j, codes::DANGLING_EDGE, &[], &["ask-ghost"], "edges[1]");

    let journey_codes: BTreeSet<String> = codes::ALL[9..].iter().map(|c| c.to_string()).collect();
    seen.remove(codes::DANGLING_EDGE);
    assert_eq!(
        seen, journey_codes,
        "every journey -> workflow approximation is exercised"
    );
}

#[test]
fn a_conversion_that_fails_is_reported_not_raised() {
    let sim = workflow(
        vec![start("s"), agent("a", "A")],
        vec![edge("e", "s", "a", "source")],
    );
    let mut j = converted(&sim);
    j.nodes[1]
        .metadata
        .get_mut()
        .unwrap()
        .insert("sim".into(), json!({"block": 42}));
    let d = only(&readiness_of(Document::Journey(j)), "C017");
    assert!(d.message.contains("state `a`"), "{}", d.message);
}

#[test]
fn nothing_approximated_means_no_readiness_diagnostics() {
    let sim = workflow(
        vec![start("s"), agent("a", "A"), agent("b", "B")],
        vec![
            edge("e1", "s", "a", "source"),
            edge("e2", "a", "b", "source"),
        ],
    );
    assert_eq!(
        readiness_of(Document::Sim(sim.clone())),
        vec![],
        "a plain chain converts exactly"
    );
    // ... and its journey converts back exactly too.
    assert_eq!(readiness_of(Document::Journey(converted(&sim))), vec![]);
    // Readiness is opt-in in the library: `validate` keeps to the document's own rules.
    let mut disabled = agent("d", "Dormant");
    disabled["enabled"] = json!(false);
    let sim = workflow(
        vec![start("s"), agent("a", "A"), disabled],
        vec![edge("e1", "s", "a", "source")],
    );
    assert!(!validate(&Document::Sim(sim.clone()))
        .unwrap()
        .has_code("C001"));
    assert!(report(Document::Sim(sim)).has_code("C001"));
}

#[test]
fn real_exports_get_readiness_notes_but_never_errors() {
    for path in common::fixtures("sim-real") {
        let doc = Document::load(&path).unwrap();
        let r = report(doc);
        assert_eq!(r.errors, 0, "{}: {:#?}", path.display(), r.diagnostics);
    }
}

/// Issue 17: readiness on large journeys is linear-ish. Before: naming unnamed states
/// ("Agent 2" ... "Agent n") tried every number from 2, each approximation looked its element
/// up by a scan of the document, and each new route re-parsed and re-wrote the router's whole
/// route list: 5,000 states took 26 s, 10,000 110 s, a fork with 5,000 branches > 120 s.
#[test]
fn readiness_of_10000_unnamed_states_and_a_5000_way_fork_is_fast() {
    // A 10,000-state chain is deep for the graph passes' recursion (src/graph, issue 17 item 1
    // is making them iterative): the test thread gets the main thread's stack size.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(large_readiness)
        .unwrap()
        .join()
        .unwrap();
}

fn large_readiness() {
    let node = |id: String, kind: &str, action: Option<String>| json!({"id": id, "action": action, "tools": [], "metadata": {"journey_node": {"kind": kind}}});
    let doc = |nodes: Vec<Value>, edges: Vec<Value>| {
        let text = json!({"format": "parlant-journey", "version": 1,
            "journey": {"title": "Big", "description": "", "conditions": ["c"], "root_id": "root"},
            "nodes": nodes, "edges": edges})
        .to_string();
        Document::Journey(JourneyDocument::parse("big.json", &text).unwrap())
    };
    let root = json!({"id": "root", "action": null, "tools": [], "metadata": {}});
    // A chain of 10,000 chat states without a description: each becomes an agent named "Agent n".
    let n = 10_000;
    let mut nodes = vec![root.clone()];
    let mut edges = vec![json!({"id": "e0", "source": "root", "target": "s0", "condition": null})];
    for i in 0..n {
        nodes.push(node(format!("s{i}"), "chat", Some(format!("say {i}"))));
        if i + 1 < n {
            edges.push(json!({"id": format!("e{}", i + 1), "source": format!("s{i}"), "target": format!("s{}", i + 1), "condition": null}));
        }
    }
    let chain = doc(nodes, edges);
    // A fork with 5,000 conditional transitions: 5,000 routes of one router.
    let branches = 5_000;
    let mut nodes = vec![root, node("f".into(), "fork", None)];
    let mut edges = vec![json!({"id": "e0", "source": "root", "target": "f", "condition": null})];
    for i in 0..branches {
        nodes.push(node(format!("s{i}"), "chat", Some(format!("say {i}"))));
        edges.push(json!({"id": format!("e{}", i + 1), "source": "f", "target": format!("s{i}"), "condition": format!("the customer picks option {i}")}));
    }
    let fork = doc(nodes, edges);

    for (what, doc, limit_s) in [
        ("10,000 unnamed states", &chain, 60.0),
        ("a 5,000-way fork", &fork, 60.0),
    ] {
        let started = std::time::Instant::now();
        let report = validate_with(doc, Options { readiness: true }).unwrap();
        let took = started.elapsed().as_secs_f64();
        assert_eq!(
            report.errors,
            0,
            "{what}: {:#?}",
            report.diagnostics.iter().take(5).collect::<Vec<_>>()
        );
        assert!(
            took < limit_s,
            "{what}: readiness took {took:.1} s (limit {limit_s} s)"
        );
        eprintln!("{what}: validate with readiness in {took:.2} s");
    }

    // The names are still Sim-unique and in order; the routes are all there, in order.
    let Document::Journey(chain) = &chain else {
        unreachable!()
    };
    let sim = journey_studio::convert::journey_to_workflow(chain, &ConvertOptions::default())
        .unwrap()
        .output;
    let names: Vec<&str> = sim
        .state()
        .blocks
        .values()
        .filter(|b| b.block_type == "agent")
        .map(|b| b.name.as_str())
        .collect();
    assert_eq!(names.len(), n);
    assert_eq!(
        (names[0], names[1], names[n - 1]),
        ("Agent", "Agent 2", "Agent 10000")
    );
    assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), n);
    let Document::Journey(fork) = &fork else {
        unreachable!()
    };
    let sim = journey_studio::convert::journey_to_workflow(fork, &ConvertOptions::default())
        .unwrap()
        .output;
    let router = sim.state().blocks.get("f").unwrap();
    let routes: Vec<Value> =
        serde_json::from_str(router.sub_value("routes").unwrap().as_str().unwrap()).unwrap();
    assert_eq!(routes.len(), branches);
    assert_eq!(routes[4_999]["value"], "the customer picks option 4999");
    assert_eq!(routes[4_999]["title"], "route5000");
}
