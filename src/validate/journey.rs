//! Parlant's journey rules (what Parlant 3.3.2 refuses or does at run time; the ground of each
//! rule is in `catalogue`), split by what each depends on so the
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
    doc.nodes
        .iter()
        .map(|n| (n.id.clone(), doc.kind_of_node(n)))
        .collect()
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

/// Kinds Parlant 3.3.2's `JourneyNodeKind` accepts (NS, RN); `NA` is what it reads when a node
/// has none.
const PARLANT_KINDS: &[&str] = &["fork", "chat", "tool", "NA"];

/// What `metadata.journey_node.kind` says, read as Parlant reads it: `None` when the node has no
/// kind (NA), `Err` with the value when Parlant's `JourneyNodeKind(...)` would refuse it.
fn declared_kind(node: &crate::parlant::JourneyNode) -> Result<Option<&str>, String> {
    let Some(journey_node) = node.meta("journey_node") else {
        return Ok(None);
    };
    if journey_node.is_null() {
        return Ok(None);
    }
    let Some(map) = journey_node.as_object() else {
        return Err(format!("`journey_node` is {journey_node}, not an object"));
    };
    match map.get("kind") {
        None => Ok(None),
        Some(serde_json::Value::String(kind)) if PARLANT_KINDS.contains(&kind.as_str()) => {
            Ok(Some(kind).filter(|k| *k != "NA").map(String::as_str))
        }
        Some(other) => Err(format!("kind {other}")),
    }
}

/// Rules about one state on its own (J001, J009, J016, J020, J021).
pub fn node_rules(doc: &JourneyDocument, kinds: &Kinds, i: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(node) = doc.nodes.get(i) else {
        return out;
    };
    let is_root = node.id == doc.journey.root_id;
    let own = kind(kinds, &node.id);
    let declared = declared_kind(node);
    match &declared {
        Err(what) if !is_root => out.push(
            Diagnostic::new(
                "J016",
                node_path(i).key("metadata").key("journey_node"),
                format!("state `{}` has {what}: Parlant knows chat, tool and fork, and fails on anything else", node.id),
            )
            .node(&node.id),
        ),
        Ok(None) if !is_root => out.push(
            Diagnostic::new(
                "J020",
                node_path(i).key("metadata"),
                format!("state `{}` has no `metadata.journey_node.kind`: Parlant reads its kind as NA", node.id),
            )
            .node(&node.id),
        ),
        _ => {}
    }
    let no_action = node.action.get().is_none_or(|a| a.is_empty());
    if !is_root && own != Some(NodeKind::Fork) && no_action {
        out.push(
            Diagnostic::new(
                "J001",
                node_path(i).key("action"),
                format!("state `{}` has no action: Parlant ends the journey when it enters a state without one, so its transitions are never followed", node.id),
            )
            .node(&node.id),
        );
    }
    if own == Some(NodeKind::Fork) && !no_action {
        out.push(
            Diagnostic::new(
                "J021",
                node_path(i).key("action"),
                format!(
                    "fork `{}` has an action; Parlant ignores the action of a fork",
                    node.id
                ),
            )
            .node(&node.id),
        );
    }
    if own == Some(NodeKind::Tool) && node.tool_ids().is_empty() {
        out.push(
            Diagnostic::new(
                "J009",
                node_path(i).key("tools"),
                format!("tool state `{}` names no tool", node.id),
            )
            .node(&node.id),
        );
    }
    out
}

/// Rules about a state's outgoing transitions (J005, J006, J010, J011, J012, J017, J019, J022,
/// J023).
pub fn outgoing_rules(
    doc: &JourneyDocument,
    view: &GraphView,
    kinds: &Kinds,
    i: usize,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(node) = doc.nodes.get(i) else {
        return out;
    };
    let own = kind(kinds, &node.id);
    let edges: Vec<usize> = view
        .out_edges(&node.id)
        .into_iter()
        .filter(|&e| e < doc.edges.len())
        .collect();

    if edges.is_empty() {
        if node.id == doc.journey.root_id {
            out.push(
                Diagnostic::new(
                    "J023",
                    node_path(i),
                    format!(
                        "the root `{}` has no transition: the journey has no states",
                        node.id
                    ),
                )
                .node(&node.id),
            );
        } else if own == Some(NodeKind::Fork) {
            out.push(
                Diagnostic::new(
                    "J022",
                    node_path(i),
                    format!(
                        "fork `{}` has no transitions: the branch into it can never be taken",
                        node.id
                    ),
                )
                .node(&node.id),
            );
        }
    }

    let unconditional: Vec<usize> = edges
        .iter()
        .copied()
        .filter(|&e| doc.edges[e].is_unconditional())
        .collect();
    if !unconditional.is_empty() && edges.len() > 1 {
        let ids: Vec<&str> = unconditional
            .iter()
            .map(|&e| doc.edges[e].id.as_str())
            .collect();
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
        // The SDK tests `condition is None` here: `""` passes (and is then unconditional, J005/J011).
        for &e in edges
            .iter()
            .filter(|&&e| doc.edges[e].condition.get().is_none())
        {
            let edge = &doc.edges[e];
            out.push(
                Diagnostic::new(
                    "J006",
                    edge_path(e).key("condition"),
                    format!(
                        "transition `{}` out of fork `{}` has no condition",
                        edge.id, node.id
                    ),
                )
                .node(&node.id)
                .edge(&edge.id),
            );
        }
    }
    if own == Some(NodeKind::Tool) {
        for &e in &edges {
            let edge = &doc.edges[e];
            match kind(kinds, &edge.target) {
                Some(NodeKind::Tool) => out.push(
                    Diagnostic::new(
                        "J010",
                        edge_path(e).key("target"),
                        format!("tool state `{}` is followed by tool state `{}`, not by a chat state", node.id, edge.target),
                    )
                    .node(&node.id)
                    .edge(&edge.id),
                ),
                Some(NodeKind::End) if edges.len() == 1 => out.push(
                    Diagnostic::new(
                        "J019",
                        edge_path(e).key("target"),
                        format!("tool state `{}` goes straight to `end`: Parlant moves onto `end` as a step after the tool runs instead of leaving the journey", node.id),
                    )
                    .node(&node.id)
                    .edge(&edge.id),
                ),
                _ => {}
            }
        }
    }
    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut targets: HashMap<&str, &str> = HashMap::new();
    for &e in &edges {
        let edge = &doc.edges[e];
        if let Some(text) = edge.condition.get() {
            if text.trim().is_empty() {
                let what = if text.is_empty() {
                    "an empty condition, which Parlant reads as none"
                } else {
                    "a condition of spaces only"
                };
                out.push(
                    Diagnostic::new(
                        "J011",
                        edge_path(e).key("condition"),
                        format!("transition `{}` has {what}", edge.id),
                    )
                    .node(&node.id)
                    .edge(&edge.id),
                );
            }
        }
        match targets.get(edge.target.as_str()) {
            Some(first) => out.push(
                Diagnostic::new(
                    "J017",
                    edge_path(e).key("target"),
                    format!("transitions `{first}` and `{}` both go from `{}` to `{}`; Parlant keeps only one of them", edge.id, node.id, edge.target),
                )
                .node(&node.id)
                .edge(*first)
                .edge(&edge.id),
            ),
            None => {
                targets.insert(edge.target.as_str(), &edge.id);
            }
        }
        if let Some(text) = edge.condition_text() {
            let normal = text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
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
    let Some(edge) = doc.edges.get(i) else {
        return out;
    };
    if edge.source == END_NODE_ID {
        out.push(
            Diagnostic::new(
                "J007",
                edge_path(i).key("source"),
                format!(
                    "transition `{}` leaves `end`, which has no outgoing transitions",
                    edge.id
                ),
            )
            .edge(&edge.id),
        );
    } else if !ids.contains(edge.source.as_str()) {
        out.push(
            Diagnostic::new(
                "J008",
                edge_path(i).key("source"),
                format!(
                    "transition `{}` starts at `{}`, which is not a state of this journey",
                    edge.id, edge.source
                ),
            )
            .edge(&edge.id),
        );
    }
    if edge.target != END_NODE_ID && !ids.contains(edge.target.as_str()) {
        out.push(
            Diagnostic::new(
                "J008",
                edge_path(i).key("target"),
                format!(
                    "transition `{}` goes to `{}`, which is not a state of this journey",
                    edge.id, edge.target
                ),
            )
            .edge(&edge.id),
        );
    }
    out
}

/// Rules over the whole transition graph (J002, J003, J004). A journey ends at `end` or at a
/// state without transitions (Parlant exits there: RN `do_node_evaluation`), so only states
/// that can reach neither are reported, and as warnings: the agent may always leave.
pub fn reachability_rules(doc: &JourneyDocument, view: &GraphView) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let from_root = view.reachable_from([doc.journey.root_id.as_str()]);
    // Walk backwards from `end` and from every leaf, one pass over the graph.
    let mut ends: HashSet<&str> = HashSet::new();
    let mut queue: std::collections::VecDeque<&str> = std::collections::VecDeque::new();
    for id in std::iter::once(END_NODE_ID).chain(doc.nodes.iter().map(|n| n.id.as_str())) {
        if (id == END_NODE_ID || view.out_edges(id).is_empty()) && ends.insert(id) {
            queue.push_back(id);
        }
    }
    while let Some(id) = queue.pop_front() {
        for p in view.predecessors(id) {
            if ends.insert(p) {
                queue.push_back(p);
            }
        }
    }
    let stuck = doc.nodes.iter().any(|n| !ends.contains(n.id.as_str()));
    let on_cycle: HashSet<&str> = if stuck {
        view.cycles().into_iter().flatten().collect()
    } else {
        HashSet::new()
    };
    for (i, node) in doc.nodes.iter().enumerate() {
        let id = node.id.as_str();
        if !from_root.contains(id) {
            out.push(
                Diagnostic::new(
                    "J002",
                    node_path(i),
                    format!(
                        "state `{id}` cannot be reached from the root `{}`",
                        doc.journey.root_id
                    ),
                )
                .node(id),
            );
        }
        if !ends.contains(id) {
            let code = if on_cycle.contains(id) {
                "J004"
            } else {
                "J003"
            };
            let message = if code == "J004" {
                format!("state `{id}` is on a loop that never reaches `end` or a state without transitions")
            } else {
                format!("every path from state `{id}` runs into a loop that never reaches `end` or a state without transitions")
            };
            out.push(Diagnostic::new(code, node_path(i), message).node(id));
        }
    }
    out
}

/// Rules about the journey itself and the entities it relies on (J013, J014, J015, J018, J024).
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
        out.push(Diagnostic::new(
            "J014",
            journey.clone().key("conditions"),
            "the journey has no condition, so it never activates",
        ));
    }
    for (i, condition) in doc.journey.conditions.iter().enumerate() {
        if condition.is_empty() {
            out.push(Diagnostic::new(
                "J018",
                journey.clone().key("conditions").index(i),
                format!(
                    "condition {} of the journey is empty; Parlant's API refuses the journey",
                    i + 1
                ),
            ));
        }
    }
    for (i, tag) in doc.tags.get().into_iter().flatten().enumerate() {
        let length = tag.name.chars().count();
        if length == 0 || length > 50 {
            out.push(Diagnostic::new(
                "J024",
                JsonPath::root().key("tags").index(i).key("name"),
                format!(
                    "tag `{}` has a name of {length} characters; Parlant accepts 1 to 50",
                    tag.id
                ),
            ));
        }
    }
    let mut check = |tag: &str, path: JsonPath| {
        if let Some(problem) = agent_tag_problem(tag) {
            out.push(Diagnostic::new(
                "J015",
                path,
                format!("tag \"{tag}\" {problem}"),
            ));
        }
    };
    for (i, tag) in doc.journey.tags.get().into_iter().flatten().enumerate() {
        check(tag, journey.clone().key("tags").index(i));
    }
    for (g, guideline) in doc.guidelines.get().into_iter().flatten().enumerate() {
        for (i, tag) in guideline.tags.get().into_iter().flatten().enumerate() {
            check(
                tag,
                JsonPath::root()
                    .key("guidelines")
                    .index(g)
                    .key("tags")
                    .index(i),
            );
        }
    }
    for (v, variable) in doc.context_variables().iter().enumerate() {
        for (i, tag) in variable.tags.get().into_iter().flatten().enumerate() {
            check(
                tag,
                JsonPath::root()
                    .key("context_variables")
                    .index(v)
                    .key("tags")
                    .index(i),
            );
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
        return Some(
            "looks like an agent tag but is not spelt `agent:<id>` (lower case, no spaces)",
        );
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
