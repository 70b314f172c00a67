//! Parlant's journey rules (reference/parlant.md §1), split by what each depends on so the
//! incremental validator can recompute only what an edit can change:
//! - `node_rules`: the state alone;
//! - `outgoing_rules`: the state, its outgoing transitions and the kinds of their targets;
//! - `edge_rules`: one transition and which ids are states of the journey;
//! - `reachability_rules`: the whole transition graph;
//! - `header_rules`: the journey's title, conditions and tags.

use super::diagnostic::Diagnostic;
use crate::graph::GraphView;
use crate::json::JsonPath;
use crate::parlant::{JourneyDocument, NodeKind, END_NODE_ID};
use std::collections::{HashMap, HashSet};

/// Each state's kind by id, so rules need not search the node list (`end` and missing ids: none).
pub type Kinds = HashMap<String, NodeKind>;

pub fn kinds_of(doc: &JourneyDocument) -> Kinds {
    doc.nodes.iter().map(|n| (n.id.clone(), doc.kind_of_node(n))).collect()
}

fn kind(kinds: &Kinds, id: &str) -> Option<NodeKind> {
    if id == END_NODE_ID {
        return Some(NodeKind::End);
    }
    kinds.get(id).cloned()
}

fn node_path(i: usize) -> JsonPath {
    JsonPath::root().key("nodes").index(i)
}

fn edge_path(i: usize) -> JsonPath {
    JsonPath::root().key("edges").index(i)
}

/// Rules about one state on its own (J001, J009).
pub fn node_rules(doc: &JourneyDocument, kinds: &Kinds, i: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(node) = doc.nodes.get(i) else { return out };
    if node.id != doc.journey.root_id
        && node.action_text().is_none()
        && node.declared_kind().is_none()
        && node.tool_ids().is_empty()
    {
        out.push(
            Diagnostic::new(
                "J001",
                node_path(i).key("action"),
                format!("state `{}` has no action and no kind: it is a second root besides `{}`", node.id, doc.journey.root_id),
            )
            .node(&node.id),
        );
    }
    if kind(kinds, &node.id) == Some(NodeKind::Tool) && node.tool_ids().is_empty() {
        out.push(Diagnostic::new("J009", node_path(i).key("tools"), format!("tool state `{}` names no tool", node.id)).node(&node.id));
    }
    out
}

/// Rules about a state's outgoing transitions (J005, J006, J010, J011, J012).
pub fn outgoing_rules(doc: &JourneyDocument, view: &GraphView, kinds: &Kinds, i: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(node) = doc.nodes.get(i) else { return out };
    let own = kind(kinds, &node.id);
    let edges: Vec<usize> = view.out_edges(&node.id).into_iter().filter(|&e| e < doc.edges.len()).collect();

    let unconditional: Vec<usize> = edges.iter().copied().filter(|&e| doc.edges[e].condition_text().is_none()).collect();
    if !unconditional.is_empty() && edges.len() > 1 {
        let ids: Vec<&str> = unconditional.iter().map(|&e| doc.edges[e].id.as_str()).collect();
        let mut d = Diagnostic::new(
            "J005",
            edge_path(unconditional[0]).key("condition"),
            format!(
                "state `{}` has {} outgoing transitions and {} without a condition ({}); Parlant needs one unconditional transition or only conditional ones",
                node.id,
                edges.len(),
                unconditional.len(),
                ids.join(", ")
            ),
        )
        .node(&node.id);
        d.edge_ids = ids.iter().map(|s| s.to_string()).collect();
        out.push(d);
    }
    if own == Some(NodeKind::Fork) {
        for &e in &unconditional {
            let edge = &doc.edges[e];
            out.push(
                Diagnostic::new(
                    "J006",
                    edge_path(e).key("condition"),
                    format!("transition `{}` out of fork `{}` has no condition", edge.id, node.id),
                )
                .node(&node.id)
                .edge(&edge.id),
            );
        }
    }
    if own == Some(NodeKind::Tool) {
        for &e in &edges {
            let edge = &doc.edges[e];
            let target_kind = kind(kinds, &edge.target);
            if matches!(target_kind, Some(NodeKind::Tool) | Some(NodeKind::End)) {
                let what = if target_kind == Some(NodeKind::End) { "`end`".to_string() } else { format!("tool state `{}`", edge.target) };
                out.push(
                    Diagnostic::new(
                        "J010",
                        edge_path(e).key("target"),
                        format!("tool state `{}` is followed by {what}, not by a chat state", node.id),
                    )
                    .node(&node.id)
                    .edge(&edge.id),
                );
            }
        }
    }
    let mut seen: HashMap<String, &str> = HashMap::new();
    for &e in &edges {
        let edge = &doc.edges[e];
        if let Some(text) = edge.condition.get() {
            if text.trim().is_empty() {
                out.push(
                    Diagnostic::new("J011", edge_path(e).key("condition"), format!("transition `{}` has a blank condition", edge.id))
                        .node(&node.id)
                        .edge(&edge.id),
                );
            }
        }
        if let Some(text) = edge.condition_text() {
            let normal = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            match seen.get(&normal) {
                Some(first) => out.push(
                    Diagnostic::new(
                        "J012",
                        edge_path(e).key("condition"),
                        format!("transitions `{first}` and `{}` out of `{}` have the same condition \"{text}\"", edge.id, node.id),
                    )
                    .node(&node.id)
                    .edge(*first)
                    .edge(&edge.id),
                ),
                None => {
                    seen.insert(normal, &edge.id);
                }
            }
        }
    }
    out
}

/// Rules about one transition's endpoints (J007, J008).
pub fn edge_rules(doc: &JourneyDocument, ids: &HashSet<&str>, i: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(edge) = doc.edges.get(i) else { return out };
    if edge.source == END_NODE_ID {
        out.push(
            Diagnostic::new("J007", edge_path(i).key("source"), format!("transition `{}` leaves `end`, which has no outgoing transitions", edge.id))
                .edge(&edge.id),
        );
    } else if !ids.contains(edge.source.as_str()) {
        out.push(
            Diagnostic::new(
                "J008",
                edge_path(i).key("source"),
                format!("transition `{}` starts at `{}`, which is not a state of this journey", edge.id, edge.source),
            )
            .edge(&edge.id),
        );
    }
    if edge.target != END_NODE_ID && !ids.contains(edge.target.as_str()) {
        out.push(
            Diagnostic::new(
                "J008",
                edge_path(i).key("target"),
                format!("transition `{}` goes to `{}`, which is not a state of this journey", edge.id, edge.target),
            )
            .edge(&edge.id),
        );
    }
    out
}

/// Rules over the whole transition graph (J002, J003, J004).
pub fn reachability_rules(doc: &JourneyDocument, view: &GraphView) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let from_root = view.reachable_from([doc.journey.root_id.as_str()]);
    let to_end = view.reaching(END_NODE_ID);
    let on_cycle: HashSet<&str> = view.cycles().into_iter().flatten().collect();
    for (i, node) in doc.nodes.iter().enumerate() {
        let id = node.id.as_str();
        if !from_root.contains(id) {
            out.push(
                Diagnostic::new("J002", node_path(i), format!("state `{id}` cannot be reached from the root `{}`", doc.journey.root_id))
                    .node(id),
            );
        }
        if !to_end.contains(id) {
            let code = if on_cycle.contains(id) { "J004" } else { "J003" };
            let message = if code == "J004" {
                format!("state `{id}` is on a loop that never reaches `end`")
            } else {
                format!("no chain of transitions leads from state `{id}` to `end`")
            };
            out.push(Diagnostic::new(code, node_path(i), message).node(id));
        }
    }
    out
}

/// Rules about the journey itself (J013, J014, J015).
pub fn header_rules(doc: &JourneyDocument) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let journey = JsonPath::root().key("journey");
    let length = doc.journey.title.chars().count();
    if length == 0 || length > 100 {
        out.push(Diagnostic::new(
            "J013",
            journey.clone().key("title"),
            format!("the journey title is {length} characters long; Parlant accepts 1 to 100"),
        ));
    }
    if doc.journey.conditions.iter().all(|c| c.trim().is_empty()) {
        out.push(Diagnostic::new("J014", journey.clone().key("conditions"), "the journey has no condition, so it never activates"));
    }
    let mut check = |tag: &str, path: JsonPath| {
        if let Some(problem) = agent_tag_problem(tag) {
            out.push(Diagnostic::new("J015", path, format!("tag \"{tag}\" {problem}")));
        }
    };
    for (i, tag) in doc.journey.tags.get().into_iter().flatten().enumerate() {
        check(tag, journey.clone().key("tags").index(i));
    }
    for (g, guideline) in doc.guidelines.get().into_iter().flatten().enumerate() {
        for (i, tag) in guideline.tags.get().into_iter().flatten().enumerate() {
            check(tag, JsonPath::root().key("guidelines").index(g).key("tags").index(i));
        }
    }
    for (v, variable) in doc.context_variables().iter().enumerate() {
        for (i, tag) in variable.tags.get().into_iter().flatten().enumerate() {
            check(tag, JsonPath::root().key("context_variables").index(v).key("tags").index(i));
        }
    }
    out
}

/// What is wrong with a tag that looks like `agent:<id>`, if anything.
fn agent_tag_problem(tag: &str) -> Option<&'static str> {
    let trimmed = tag.trim_start();
    let lower = trimmed.to_lowercase();
    if !lower.starts_with("agent") {
        return None;
    }
    let rest = trimmed["agent".len()..].trim_start();
    if !rest.starts_with(':') {
        return None;
    }
    if !tag.starts_with("agent:") {
        return Some("looks like an agent tag but is not spelt `agent:<id>` (lower case, no spaces)");
    }
    let id = &tag["agent:".len()..];
    if id.is_empty() {
        return Some("names no agent id");
    }
    if id.chars().any(char::is_whitespace) {
        return Some("has whitespace in its agent id");
    }
    None
}

/// Every journey rule, from scratch.
pub fn validate_journey(doc: &JourneyDocument) -> Vec<Diagnostic> {
    let view = GraphView::of_journey(doc);
    let ids: HashSet<&str> = doc.nodes.iter().map(|n| n.id.as_str()).collect();
    let kinds = kinds_of(doc);
    let mut out = header_rules(doc);
    for i in 0..doc.nodes.len() {
        out.extend(node_rules(doc, &kinds, i));
        out.extend(outgoing_rules(doc, &view, &kinds, i));
    }
    for i in 0..doc.edges.len() {
        out.extend(edge_rules(doc, &ids, i));
    }
    out.extend(reachability_rules(doc, &view));
    out
}

#[cfg(test)]
mod tests {
    use super::agent_tag_problem;

    #[test]
    fn agent_tags() {
        assert_eq!(agent_tag_problem("agent:support-bot"), None);
        assert_eq!(agent_tag_problem("billing"), None);
        assert_eq!(agent_tag_problem("agents-team"), None);
        assert!(agent_tag_problem("agent:").is_some());
        assert!(agent_tag_problem("Agent:x").is_some());
        assert!(agent_tag_problem("agent :x").is_some());
        assert!(agent_tag_problem("agent:two words").is_some());
    }
}
