//! `export-sdk`: the generated Python is readable (no carried Sim blocks unless
//! `--keep-metadata`), and it BUILDS its journey with the real parlant 3.3.2 package: every
//! exported module runs in an offline in-process Parlant server (tests/python/check_sdk_export.py),
//! and what Parlant's stores then hold is read back (synthetic `end` node included, as its
//! `list_nodes` gives it) and compared with the document it came from.

mod common;
#[path = "common/servers.rs"]
mod servers;

use journey_studio::convert::{workflow_to_journey, ConvertOptions};
use journey_studio::graph::GraphView;
use journey_studio::parlant::{JourneyDocument, NodeKind, END_NODE_ID};
use journey_studio::Document;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const JOURNEY: &str = r#"{
  "format": "parlant-journey", "version": 1,
  "journey": { "title": "Book a \"flight\"", "description": "Helps book flights\nfast",
    "conditions": ["The customer wants to book a flight"], "root_id": "root", "tags": [] },
  "nodes": [
    { "id": "root", "action": null, "tools": [], "metadata": {} },
    { "id": "ask", "action": "Ask where they want to fly", "tools": [], "metadata": { "journey_node": { "kind": "chat" } } },
    { "id": "search", "action": "Use the tool search_flights",
      "tools": [{ "service_name": "flights", "tool_name": "search_flights" }], "metadata": { "journey_node": { "kind": "tool" } } },
    { "id": "check", "action": null, "tools": [], "metadata": { "journey_node": { "kind": "fork" } } },
    { "id": "offer", "action": "Offer the cheapest flight", "tools": [], "metadata": { "journey_node": { "kind": "chat" }, "sim": { "block": "b1" }, "tone": "warm" } },
    { "id": "triage", "action": null, "tools": [], "description": "is it urgent?", "metadata": { "journey_node": { "kind": "fork" } } },
    { "id": "urgent", "action": "Call the duty desk", "tools": [], "metadata": { "journey_node": { "kind": "chat" } } },
    { "id": "orphan", "action": "Never reached", "tools": [], "metadata": { "journey_node": { "kind": "chat" } } }
  ],
  "edges": [
    { "id": "e1", "source": "root", "target": "ask", "condition": null },
    { "id": "e2", "source": "ask", "target": "search", "condition": "the customer named a destination" },
    { "id": "e8", "source": "ask", "target": "triage", "condition": "the customer sounds upset" },
    { "id": "e3", "source": "search", "target": "check", "condition": null },
    { "id": "e4", "source": "check", "target": "offer", "condition": "flights were found" },
    { "id": "e5", "source": "check", "target": "end", "condition": "no flights were found" },
    { "id": "e6", "source": "offer", "target": "ask", "condition": "the customer wants another date" },
    { "id": "e7", "source": "offer", "target": "end", "condition": "the customer booked" },
    { "id": "e9", "source": "triage", "target": "urgent", "condition": "it is urgent" },
    { "id": "e10", "source": "triage", "target": "ask", "condition": "it can wait" }
  ],
  "guidelines": [{ "condition": "The customer asks about baggage", "action": "Explain the allowance", "criticality": "high" }],
  "context_variables": [{ "name": "tier", "description": "Loyalty tier", "tool_id": { "service_name": "crm", "tool_name": "get_tier" }, "value": "gold" }]
}"#;

fn export(input: &Path, output: &Path, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .arg("export-sdk")
        .arg(input)
        .arg("-o")
        .arg(output)
        .args(extra)
        .env("JOURNEY_STUDIO_WORKSPACE", input.with_extension("db"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(output).unwrap()
}

/// The journey as the SDK can build it, independent of ids: states numbered in breadth-first
/// order from the root (transitions in document order), with what the SDK stores of each.
fn signature(doc: &JourneyDocument) -> Value {
    let view = GraphView::of_journey(doc);
    let root = doc.journey.root_id.as_str();
    let order: Vec<&str> = view
        .bfs_order(root)
        .into_iter()
        .filter(|id| *id != END_NODE_ID)
        .collect();
    let index: HashMap<&str, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut states = Vec::new();
    for id in &order {
        let node = doc.node(id).unwrap();
        let kind = doc.kind_of_node(node);
        let meta: serde_json::Map<String, Value> = node
            .metadata
            .get()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| {
                        !["journey_node", "sim", "journey_studio"].contains(&k.as_str())
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let tools: Vec<String> = node.tool_ids().iter().map(|t| t.to_string()).collect();
        let mut labels: Vec<String> = node.labels.get().cloned().unwrap_or_default();
        labels.sort();
        // A fork made with the SDK's public fork() has no description.
        let description = if kind == NodeKind::Fork {
            None
        } else {
            node.description.get().cloned()
        };
        let action = if kind == NodeKind::Fork {
            None
        } else {
            node.action_text().map(str::to_string)
        };
        states.push(json!({"kind": kind.as_str(), "action": action, "tools": tools, "description": description, "labels": labels, "metadata": meta}));
    }
    let mut transitions: Vec<Value> = doc
        .edges
        .iter()
        .filter(|e| index.contains_key(e.source.as_str()))
        .map(|e| {
            let target = if e.target == END_NODE_ID {
                json!("end")
            } else {
                json!(index.get(e.target.as_str()))
            };
            json!([index[e.source.as_str()], target, e.condition.get()])
        })
        .collect();
    transitions.sort_by_key(|t| t.to_string());
    let mut guidelines: Vec<Value> = doc
        .guidelines
        .get()
        .into_iter()
        .flatten()
        .map(|g| {
            json!([
                g.condition,
                g.action.get(),
                g.criticality.get().map_or("medium", String::as_str)
            ])
        })
        .collect();
    guidelines.sort_by_key(|g| g.to_string());
    let mut variables: Vec<Value> = doc
        .context_variables()
        .iter()
        .map(|v| {
            json!([
                v.name,
                v.description.get(),
                v.tool_id.get().map(|t| t.to_string()),
                v.freshness_rules.get()
            ])
        })
        .collect();
    variables.sort_by_key(|v| v.to_string());
    let j = &doc.journey;
    // Parlant keeps a journey's conditions as a set of guidelines: their order is not kept.
    let mut conditions = j.conditions.clone();
    conditions.sort();
    json!({
        "title": j.title, "description": j.description, "conditions": conditions,
        "labels": j.labels.get().cloned().unwrap_or_default(), "priority": j.priority.get().and_then(|p| p.as_i64()).unwrap_or(0),
        "states": states, "transitions": transitions, "guidelines": guidelines, "variables": variables,
    })
}

fn journey_files() -> Vec<PathBuf> {
    let mut files = common::fixtures("journeys");
    files.extend(common::fixtures("parlant-docs"));
    files
}

#[test]
fn exported_journeys_build_the_same_journey_in_the_real_parlant() {
    let Some(python) = servers::parlant_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let inline = dir.path().join("flight.json");
    std::fs::write(&inline, JOURNEY).unwrap();
    let mut sources = vec![inline];
    sources.extend(journey_files());
    let mut modules = Vec::new();
    for (n, source) in sources.iter().enumerate() {
        let module = dir.path().join(format!("journey_{n}.py"));
        let code = export(source, &module, &[]);
        assert!(
            !code.contains("\"sim\": "),
            "{}: carried Sim blocks are left out by default:\n{code}",
            source.display()
        );
        modules.push(module);
    }
    let check = Command::new(python)
        .arg(common::repo().join("tests/python/check_sdk_export.py"))
        .args(&modules)
        .env(
            "PYTHONPATH",
            format!(
                "{}:{}",
                common::repo().join("server/parlant").display(),
                common::repo().join("tests/python").display()
            ),
        )
        .current_dir(dir.path()) // Parlant writes ./parlant-data
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "the real SDK refused the generated code:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let dumps: Vec<Value> = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(dumps.len(), sources.len());
    for (source, dump) in sources.iter().zip(&dumps) {
        let name = source.display().to_string();
        // What Parlant's store lists: the synthetic `end` node among the nodes, read as the
        // virtual end.
        assert!(
            dump["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["id"] == "end"),
            "{name}: the store lists `end`"
        );
        let built =
            JourneyDocument::parse(&format!("{name} (as Parlant stored it)"), &dump.to_string())
                .unwrap();
        assert!(built.nodes.iter().all(|n| n.id != END_NODE_ID));
        let Document::Journey(original) = Document::load(source).unwrap() else {
            panic!("{name}")
        };
        assert_eq!(
            signature(&built),
            signature(&original),
            "{name}: Parlant built a different journey from the exported code"
        );
    }
    // The inline journey: the orphan is left out, the loop back reuses `ask`, the fork reached
    // under a condition is built through the SDK's own fork call.
    let code = std::fs::read_to_string(&modules[0]).unwrap();
    assert!(
        code.contains("# Not exported (the root cannot reach them): orphan"),
        "{code}"
    );
    assert!(
        code.contains(".fork()).target") && code.contains("fork=True"),
        "{code}"
    );
    let built = JourneyDocument::parse("flight", &dumps[0].to_string()).unwrap();
    assert_eq!(
        built.nodes.len(),
        7,
        "root + 6 reachable states: {:#?}",
        built.nodes
    );
    assert_eq!(
        built
            .nodes
            .iter()
            .find(|n| n.action_text() == Some("Offer the cheapest flight"))
            .unwrap()
            .meta("tone"),
        Some(&json!("warm"))
    );
}

#[test]
fn readable_by_default_and_carried_blocks_only_with_keep_metadata() {
    let dir = tempfile::tempdir().unwrap();
    for file in common::fixtures("sim-real") {
        let Document::Sim(sim) = Document::load(&file).unwrap() else {
            panic!()
        };
        let journey = workflow_to_journey(&sim, &ConvertOptions::default())
            .unwrap()
            .output;
        let input = dir.path().join("converted.json");
        std::fs::write(&input, journey.to_json()).unwrap();
        let plain = export(&input, &dir.path().join("plain.py"), &[]);
        let kept = export(&input, &dir.path().join("kept.py"), &["--keep-metadata"]);
        assert!(
            !plain.contains("\"sim\": ") && !plain.contains("subBlocks"),
            "{}:\n{plain}",
            file.display()
        );
        assert!(
            kept.contains("\"sim\": ") && kept.contains("subBlocks"),
            "{}: --keep-metadata keeps the carried blocks",
            file.display()
        );
        // Every state of the journey is a line of its own, and no line carries a block's JSON.
        let longest = plain.lines().map(str::len).max().unwrap_or(0);
        assert!(
            longest < 2_000,
            "{}: a {longest}-character line:\n{plain}",
            file.display()
        );
        for node in journey
            .nodes
            .iter()
            .filter(|n| n.id != journey.journey.root_id)
        {
            for tool in node.tool_ids() {
                assert!(
                    plain.contains(&format!("tool_name=\"{}\"", tool.tool_name)),
                    "{}: tool of `{}` missing:\n{plain}",
                    file.display(),
                    node.id
                );
            }
            if let Some(action) = node.action_text().filter(|_| node.tool_ids().is_empty()) {
                let literal = serde_json::to_string(action).unwrap();
                let prefix: String = literal.chars().take(40).collect();
                assert!(
                    plain.contains(&prefix),
                    "{}: state `{}` missing:\n{plain}",
                    file.display(),
                    node.id
                );
            }
        }
        assert!(
            plain.len() * 3 < kept.len(),
            "{}: {} vs {} bytes",
            file.display(),
            plain.len(),
            kept.len()
        );
    }
}
