//! Generated documents of any size for benchmarks and tests (not part of the product): a Sim
//! workflow shaped like real exports and a journey with every kind of state.
#![doc(hidden)]

use crate::parlant::{JourneyDocument, JourneyEdge, JourneyNode, NodeKind, ToolId};
use serde_json::json;

/// A workflow of `n` blocks shaped like real ones: a start trigger, then a chain of agents,
/// functions and api calls, with a Condition every 10 blocks branching to the next two blocks,
/// a router every 25, and an error path every 7; every block carries Sim's usual sub-blocks.
pub fn realistic_workflow(n: usize) -> String {
    let mut blocks = serde_json::Map::new();
    let mut edges = Vec::new();
    let id = |i: usize| format!("b{i:05}-0000-4000-8000-000000000000");
    for i in 0..n {
        let (kind, sub_blocks) = match i {
            0 => (
                "start_trigger",
                json!({"inputFormat": {"id": "inputFormat", "type": "input-format", "value": [{"id": "f1", "name": "input", "type": "string", "value": "", "collapsed": false}]}}),
            ),
            i if i % 10 == 0 => (
                "condition",
                json!({"conditions": {"id": "conditions", "type": "condition-input", "value": serde_json::to_string(&json!([
                {"id": format!("{}-if", id(i)), "title": "if", "value": format!("<block{}.content> === 'yes' && <start.input>.length > {i}", i - 1)},
                {"id": format!("{}-else", id(i)), "title": "else", "value": ""}])).unwrap()}}),
            ),
            i if i % 25 == 1 => (
                "router_v2",
                json!({"context": {"id": "context", "type": "long-input", "value": "<start.input>"}, "routes": {"id": "routes", "type": "router-input", "value": serde_json::to_string(&json!([
                {"id": format!("{}-route1", id(i)), "title": "route1", "value": "The customer asks about billing"}])).unwrap()}, "model": {"id": "model", "type": "combobox", "value": "claude-sonnet-4-5"}}),
            ),
            i if i % 3 == 0 => (
                "function",
                json!({"language": {"id": "language", "type": "dropdown", "value": "javascript"}, "code": {"id": "code", "type": "code", "value": format!("return {{ step: {i}, input: <start.input> }}")}}),
            ),
            i if i % 3 == 1 => (
                "api",
                json!({"url": {"id": "url", "type": "short-input", "value": "https://example.com/api"}, "method": {"id": "method", "type": "dropdown", "value": "POST"}, "headers": {"id": "headers", "type": "table", "value": [{"id": "h1", "cells": {"Key": "Accept", "Value": "application/json"}}]}, "body": {"id": "body", "type": "code", "value": "{\"q\": \"<start.input>\"}"}}),
            ),
            _ => (
                "agent",
                json!({"messages": {"id": "messages", "type": "messages-input", "value": [{"role": "system", "content": format!("You are step {i}. Summarise the input and answer politely in two sentences.")}, {"role": "user", "content": "<start.input>"}]}, "model": {"id": "model", "type": "combobox", "value": "claude-sonnet-4-5"}, "temperature": {"id": "temperature", "type": "slider", "value": 0.3}, "apiKey": {"id": "apiKey", "type": "short-input", "value": null}}),
            ),
        };
        blocks.insert(id(i), json!({
            "id": id(i), "type": kind, "name": format!("block{i}"),
            "position": {"x": i * 400, "y": (i % 7) * 180},
            "subBlocks": sub_blocks,
            "outputs": {"content": {"type": "string", "description": "Generated response content"}},
            "enabled": true, "horizontalHandles": true, "advancedMode": false, "triggerMode": false, "height": 120, "data": {}, "locked": false
        }));
        if i + 1 < n {
            let handle = match kind {
                "condition" => format!("condition-{}-if", id(i)),
                "router_v2" => format!("router-{}-route1", id(i)),
                _ => "source".to_string(),
            };
            edges.push(json!({"id": format!("e{i:05}-next"), "source": id(i), "target": id(i + 1), "sourceHandle": handle, "targetHandle": "target", "type": "default", "data": {}}));
            if kind == "condition" && i + 2 < n {
                edges.push(json!({"id": format!("e{i:05}-else"), "source": id(i), "target": id(i + 2), "sourceHandle": format!("condition-{}-else", id(i)), "targetHandle": "target", "type": "default", "data": {}}));
            }
            if kind == "api" && i % 7 == 0 && i + 2 < n {
                edges.push(json!({"id": format!("e{i:05}-error"), "source": id(i), "target": id(i + 2), "sourceHandle": "error", "targetHandle": "target", "type": "default", "data": {}}));
            }
        }
    }
    json!({"version": "1.0", "exportedAt": "2026-03-09T21:40:19.010Z", "state": {"blocks": blocks, "edges": edges, "loops": {}, "parallels": {}, "variables": {}, "metadata": {"name": format!("synthetic-{n}"), "description": "benchmark"}}}).to_string()
}

/// A ring of `states` states: chat states that move on when the customer continues (or jump ahead
/// when they skip), every tenth a tool state that branches on its result.
pub fn ring_journey(states: usize) -> JourneyDocument {
    let mut doc = JourneyDocument::new(
        "Benchmark",
        format!("{states} states"),
        vec!["always".into()],
    );
    let id = |i: usize| format!("s{i}");
    for i in 0..states {
        let node = if i % 10 == 9 {
            let mut n = JourneyNode::new(
                id(i),
                &NodeKind::Tool,
                Some("Use the tool check_status".into()),
            );
            n.tools = crate::json::Maybe::Value(vec![ToolId::new("bench", "check_status")]);
            n
        } else {
            JourneyNode::new(
                id(i),
                &NodeKind::Chat,
                Some(format!("Ask the customer about step {i}")),
            )
        };
        doc.nodes.push(node);
    }
    doc.edges
        .push(JourneyEdge::new("e-root", "root", id(0), None));
    for i in 0..states {
        let next = id((i + 1) % states);
        if i % 10 == 9 {
            doc.edges.push(JourneyEdge::new(
                format!("e{i}-ok"),
                id(i),
                next,
                Some("The status check succeeded".into()),
            ));
            doc.edges.push(JourneyEdge::new(
                format!("e{i}-fail"),
                id(i),
                id(0),
                Some("The status check failed".into()),
            ));
        } else {
            doc.edges.push(JourneyEdge::new(
                format!("e{i}-next"),
                id(i),
                next,
                Some("The customer wants to continue to the next step".into()),
            ));
            doc.edges.push(JourneyEdge::new(
                format!("e{i}-skip"),
                id(i),
                id((i + 500) % states),
                Some("The customer wants to skip ahead".into()),
            ));
            doc.edges.push(JourneyEdge::new(
                format!("e{i}-stop"),
                id(i),
                "end",
                Some("The customer does not want to go on".into()),
            ));
        }
    }
    doc
}
pub mod hostile;
