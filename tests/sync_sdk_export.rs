//! `export-sdk`: the generated Python compiles, imports the REAL parlant package, and builds
//! the same graph through the SDK's own call signatures.

#[path = "common/servers.rs"]
mod servers;

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
    { "id": "offer", "action": "Offer the cheapest flight", "tools": [], "metadata": { "journey_node": { "kind": "chat" }, "sim": { "block": "b1" } } },
    { "id": "orphan", "action": "Never reached", "tools": [], "metadata": { "journey_node": { "kind": "chat" } } }
  ],
  "edges": [
    { "id": "e1", "source": "root", "target": "ask", "condition": null },
    { "id": "e2", "source": "ask", "target": "search", "condition": "the customer named a destination" },
    { "id": "e3", "source": "search", "target": "check", "condition": null },
    { "id": "e4", "source": "check", "target": "offer", "condition": "flights were found" },
    { "id": "e5", "source": "check", "target": "end", "condition": "no flights were found" },
    { "id": "e6", "source": "offer", "target": "ask", "condition": "the customer wants another date" },
    { "id": "e7", "source": "offer", "target": "end", "condition": "the customer booked" }
  ]
}"#;

#[test]
fn exported_sdk_code_runs_against_the_real_parlant_package() {
    let Some(python) = servers::parlant_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("flight.json");
    std::fs::write(&input, JOURNEY).unwrap();
    let output = dir.path().join("flight_journey.py");
    let out = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args(["export-sdk", input.to_str().unwrap(), "-o", output.to_str().unwrap()])
        .env("JOURNEY_STUDIO_WORKSPACE", dir.path().join("w.db"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let code = std::fs::read_to_string(&output).unwrap();
    assert!(code.contains("# Not exported (the root cannot reach them): orphan"), "{code}");

    let check = Command::new(python)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/check_sdk_export.py"))
        .arg(&output)
        .current_dir(dir.path()) // importing parlant creates ./parlant-data
        .output()
        .unwrap();
    assert!(check.status.success(), "generated code rejected:\n{}\n{code}", String::from_utf8_lossy(&check.stderr));
    let graph: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(graph["journey"]["title"], "Book a \"flight\"");
    assert_eq!(graph["journey"]["description"], "Helps book flights\nfast");
    assert_eq!(graph["journey"]["conditions"][0], "The customer wants to book a flight");
    let kinds: Vec<&str> = graph["nodes"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["root", "chat", "tool", "fork", "chat"]);
    assert_eq!(graph["nodes"][2]["tools"][0], serde_json::json!(["flights", "search_flights"]));
    let edges = graph["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 7, "every edge of the reachable graph, the loop back included");
    let to_end = edges.iter().filter(|e| e["target"] == "end").count();
    assert_eq!(to_end, 2);
    let loop_back = edges.iter().find(|e| e["condition"] == "the customer wants another date").unwrap();
    assert_eq!(loop_back["target"], "s1", "links to the existing `ask` state, no copy");
}
