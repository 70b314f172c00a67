//! `composes`: a template's journey embedded in another as a sub-journey.
//!
//! In the host body the sub-journey is a pseudo-state named by `as`. Host edges that target it
//! are rewired to the sub-journey's entry state; the sub-journey's transitions to `end` go to the
//! compose's `exit` (a host state, or `end`). The sub-journey's root is dropped (the host's own
//! transitions lead in); its other states and edges are copied with ids prefixed `<as>-`, and
//! its guidelines, context variables and tags are added to the host's where not already there.

use super::model::ComposeSpec;
use super::problem::Problem;
use crate::json::Maybe;
use crate::parlant::{JourneyDocument, END_NODE_ID};
use std::collections::HashSet;

pub fn embed(
    host: &mut JourneyDocument,
    sub: JourneyDocument,
    spec: &ComposeSpec,
    at: &str,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |message: String| problems.push(Problem::new(at, message));
    let name = spec.as_name.as_str();
    let prefixed = |id: &str| format!("{name}-{id}");
    let root = sub.journey.root_id.clone();

    if host.node(name).is_some() {
        problem(format!(
            "`as: {name}` is also the id of a state of the host journey; choose another name"
        ));
        return problems;
    }
    let entry = match &spec.entry {
        Some(entry) if entry == &root || entry == END_NODE_ID || sub.node(entry).is_none() => {
            let states: Vec<&str> = sub
                .nodes
                .iter()
                .filter(|n| n.id != root)
                .map(|n| n.id.as_str())
                .collect();
            problem(format!(
                "entry `{entry}` is not a state of the embedded journey (its states: {})",
                states.join(", ")
            ));
            return problems;
        }
        Some(entry) => entry.clone(),
        None => {
            let from_root: Vec<_> = sub.edges.iter().filter(|e| e.source == root).collect();
            match from_root.as_slice() {
                [only] if only.condition_text().is_none() && only.target != END_NODE_ID => {
                    only.target.clone()
                }
                _ => {
                    problem(format!(
                        "the embedded journey's root has {} outgoing transitions, not one unconditional one: name the `entry` state",
                        from_root.len()
                    ));
                    return problems;
                }
            }
        }
    };
    let exit = spec.exit.clone().unwrap_or_else(|| END_NODE_ID.to_string());
    if exit != END_NODE_ID && host.node(&exit).is_none() {
        problem(format!(
            "exit `{exit}` is not a state of the host journey (or `end`)"
        ));
    }
    let mut exits = std::collections::HashMap::new();
    for (state, target) in &spec.exits {
        let Some(target) = target.as_str() else {
            problem(format!("exits.{state} must name a host state (or `end`)"));
            continue;
        };
        if sub.node(state).is_none() || state == &root {
            problem(format!(
                "exits: `{state}` is not a state of the embedded journey"
            ));
        } else if !sub
            .edges
            .iter()
            .any(|e| &e.source == state && e.target == END_NODE_ID)
        {
            problem(format!(
                "exits: the embedded state `{state}` has no transition to `end` to rewire"
            ));
        }
        if target != END_NODE_ID && host.node(target).is_none() {
            problem(format!(
                "exits.{state}: `{target}` is not a state of the host journey (or `end`)"
            ));
        }
        exits.insert(state.clone(), target.to_string());
    }
    if host.edges.iter().any(|e| e.source == name) {
        problem(format!("transitions cannot start at the sub-journey `{name}`: it leaves through its `exit` state"));
    }
    if !host.edges.iter().any(|e| e.target == name) {
        problem(format!(
            "the sub-journey `{name}` is never entered: add a transition whose target is `{name}`"
        ));
    }
    let host_nodes: HashSet<String> = host.nodes.iter().map(|n| n.id.clone()).collect();
    let host_edges: HashSet<String> = host.edges.iter().map(|e| e.id.clone()).collect();
    for node in sub.nodes.iter().filter(|n| n.id != root) {
        if host_nodes.contains(&prefixed(&node.id)) {
            problem(format!(
                "the embedded state `{}` would collide with the host's state of the same id",
                prefixed(&node.id)
            ));
        }
    }
    for edge in sub.edges.iter().filter(|e| e.source != root) {
        if host_edges.contains(&prefixed(&edge.id)) {
            problem(format!("the embedded transition `{}` would collide with the host's transition of the same id", prefixed(&edge.id)));
        }
    }
    if !problems.is_empty() {
        return problems;
    }

    let entry_id = prefixed(&entry);
    for edge in host.edges.iter_mut().filter(|e| e.target == name) {
        edge.target = entry_id.clone();
    }
    for mut node in sub.nodes.iter().filter(|n| n.id != root).cloned() {
        node.id = prefixed(&node.id);
        host.nodes.push(node);
    }
    for mut edge in sub.edges.iter().filter(|e| e.source != root).cloned() {
        edge.id = prefixed(&edge.id);
        let original_source = std::mem::take(&mut edge.source);
        edge.source = prefixed(&original_source);
        edge.target = if edge.target == END_NODE_ID {
            exits
                .get(&original_source)
                .cloned()
                .unwrap_or_else(|| exit.clone())
        } else {
            prefixed(&edge.target)
        };
        host.edges.push(edge);
    }
    // Entities the sub-journey relies on, added where the host does not have them yet.
    if let Some(guidelines) = sub.guidelines.into_option() {
        let list = list_of(&mut host.guidelines);
        for g in guidelines {
            if !list.iter().any(|h| h.condition == g.condition) {
                list.push(g);
            }
        }
    }
    if let Some(vars) = sub.context_variables.into_option() {
        let list = list_of(&mut host.context_variables);
        for v in vars {
            if !list.iter().any(|h| h.name == v.name) {
                list.push(v);
            }
        }
    }
    if let Some(tags) = sub.tags.into_option() {
        let list = list_of(&mut host.tags);
        for t in tags {
            if !list.iter().any(|h| h.id == t.id) {
                list.push(t);
            }
        }
    }
    Vec::new()
}

/// The list of an optional list field, created empty when absent or null.
fn list_of<T>(field: &mut Maybe<Vec<T>>) -> &mut Vec<T> {
    if !matches!(field, Maybe::Value(_)) {
        *field = Maybe::Value(Vec::new());
    }
    match field {
        Maybe::Value(list) => list,
        _ => unreachable!("set just above"),
    }
}
