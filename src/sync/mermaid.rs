//! Reading the stock `GET /journeys/{id}/mermaid` chart back into nodes and edges: the only view
//! of a journey graph a Parlant server without the graph module offers. Parlant writes
//! `state "<action>" as N<i>` per labelled state, `A --> B[: condition]` per edge, `[*]` for the
//! root (as source) and the end (as target), and a tool style for tool states. Node ids are the
//! chart's aliases (`N0`, ...): the server ids are not in the chart.

use crate::parlant::{JourneyEdge, JourneyNode, NodeKind, END_NODE_ID};
use std::collections::{BTreeMap, HashSet};

pub const ROOT_ALIAS: &str = "root";

pub struct ParsedChart {
    pub nodes: Vec<JourneyNode>,
    pub edges: Vec<JourneyEdge>,
}

/// Reverses Parlant's escaping (`html.escape` with `&#NN;` written as `#NN;`).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(pos) = rest.find(['&', '#']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        let entity = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
        ]
        .iter()
        .find(|(e, _)| tail.starts_with(e));
        if let Some((e, c)) = entity {
            out.push(*c);
            rest = &tail[e.len()..];
            continue;
        }
        if let Some(end) = tail.find(';') {
            let body = &tail[1..end];
            let num = body.strip_prefix('#').unwrap_or(body);
            if let Some(c) = num.parse::<u32>().ok().and_then(char::from_u32) {
                out.push(c);
                rest = &tail[end + 1..];
                continue;
            }
        }
        out.push(tail.chars().next().unwrap_or('&'));
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

pub fn parse(chart: &str) -> ParsedChart {
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    let mut tools: HashSet<String> = HashSet::new();
    let mut order: Vec<String> = Vec::new();
    let mut edges: Vec<(String, String, Option<String>)> = Vec::new();
    let seen = |id: &str, order: &mut Vec<String>| {
        if id != "[*]" && !order.iter().any(|o| o == id) {
            order.push(id.to_string());
        }
    };
    for line in chart.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("state \"") {
            if let Some((label, alias)) = rest.rsplit_once("\" as ") {
                labels.insert(alias.trim().to_string(), unescape(label));
                seen(alias.trim(), &mut order);
            }
        } else if let Some(rest) = line.strip_prefix("style ") {
            if rest.contains("#ffeeaa") {
                if let Some(alias) = rest.split_whitespace().next() {
                    tools.insert(alias.to_string());
                }
            }
        } else if let Some((src, rest)) = line.split_once(" --> ") {
            let (dst, cond) = match rest.split_once(": ") {
                Some((d, c)) => (d.trim(), Some(unescape(c.trim()))),
                None => (rest.trim(), None),
            };
            seen(src.trim(), &mut order);
            seen(dst, &mut order);
            edges.push((src.trim().to_string(), dst.to_string(), cond));
        } else if let Some(rest) = line.strip_prefix("%%   ") {
            // Unreachable states: `%%   N3: label` or `%%   N3`.
            let alias = rest.split(':').next().unwrap_or("").trim();
            if !alias.is_empty() {
                seen(alias, &mut order);
            }
        }
    }
    let mut nodes = vec![JourneyNode::new(ROOT_ALIAS, &NodeKind::Root, None)];
    for alias in &order {
        let label = labels.get(alias).cloned();
        let kind = if tools.contains(alias) {
            NodeKind::Tool
        } else if label.is_none() {
            NodeKind::Fork
        } else {
            NodeKind::Chat
        };
        nodes.push(JourneyNode::new(alias.clone(), &kind, label));
    }
    let map = |id: &str, as_source: bool| -> String {
        match id {
            "[*]" if as_source => ROOT_ALIAS.to_string(),
            "[*]" => END_NODE_ID.to_string(),
            other => other.to_string(),
        }
    };
    let edges = edges
        .into_iter()
        .enumerate()
        .map(|(i, (s, t, c))| JourneyEdge::new(format!("e{i}"), map(&s, true), map(&t, false), c))
        .collect();
    ParsedChart { nodes, edges }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parlants_chart() {
        let chart = "stateDiagram-v2\n    state \"Ask &quot;where&quot;\" as N0\n    state \"Use the tool x\" as N1\n    [*] --> N0\n    N0 --> N1: they answered\n    N1 --> [*]\nstyle N0 fill:#006e53\nstyle N1 fill:#ffeeaa,stroke:#ffeeaa";
        let p = parse(chart);
        assert_eq!(p.nodes.len(), 3);
        assert_eq!(p.nodes[1].action_text(), Some("Ask \"where\""));
        assert_eq!(p.nodes[2].declared_kind(), Some("tool"));
        assert_eq!(p.edges.len(), 3);
        assert_eq!(p.edges[0].source, "root");
        assert_eq!(p.edges[1].condition_text(), Some("they answered"));
        assert_eq!(p.edges[2].target, "end");
    }
}
