//! Which edges fire when a node completes, and which nodes that makes ready: Sim v0.8.9's
//! `EdgeManager` (`executor/execution/edge-manager.ts`). An edge that does not fire is deactivated
//! with its descendants (dead-path elimination), stopping at nodes that still have a live input or
//! already received a fired edge; subflow control edges are never deactivated.

use super::dag::{self, Dag, Node};
use crate::sim::containers::js_truthy;
use crate::sim::handles::normalize_source_handle;
use serde_json::Value;
use std::collections::HashSet;

type EdgeKey = (String, String, String);

fn key(source: &str, target: &str, handle: Option<&str>) -> EdgeKey {
    (
        source.to_string(),
        target.to_string(),
        handle.unwrap_or("default").to_string(),
    )
}

#[derive(Debug, Clone, Default)]
pub struct EdgeState {
    deactivated: HashSet<EdgeKey>,
    activated_nodes: HashSet<String>,
}

/// What `processOutgoingEdges` decided.
pub struct Outgoing {
    pub ready: Vec<String>,
    /// Workflow edge ids of the DAG edges that fired.
    pub fired: Vec<String>,
}

fn str_field<'a>(output: &'a Value, field: &str) -> Option<&'a str> {
    output.get(field).and_then(Value::as_str)
}

/// `shouldActivateEdge`.
pub fn should_activate(handle: Option<&str>, output: &Value) -> bool {
    let handle = normalize_source_handle(handle);
    let handle = handle.as_deref();
    let route = str_field(output, "selectedRoute");
    match route {
        Some(dag::LOOP_EXIT) => return handle == Some(dag::LOOP_EXIT),
        Some(dag::LOOP_CONTINUE) => {
            return matches!(handle, Some(dag::LOOP_CONTINUE | dag::LOOP_CONTINUE_ALT))
        }
        Some(dag::PARALLEL_EXIT) => return handle == Some(dag::PARALLEL_EXIT),
        Some(dag::PARALLEL_CONTINUE) => return handle == Some(dag::PARALLEL_CONTINUE),
        _ => {}
    }
    if dag::is_control_handle(handle) {
        return false;
    }
    let Some(handle) = handle else { return true };
    let has_error = output.get("error").is_some_and(js_truthy);
    if let Some(option) = handle.strip_prefix("condition-") {
        return str_field(output, "selectedOption") == Some(option);
    }
    if let Some(id) = handle.strip_prefix("router-") {
        return route == Some(id);
    }
    match handle {
        "error" => has_error,
        "source" => !has_error,
        _ => true,
    }
}

impl EdgeState {
    pub fn has_activated_edge(&self, node: &str) -> bool {
        self.activated_nodes.contains(node)
    }

    pub fn mark_activated(&mut self, node: &str) {
        self.activated_nodes.insert(node.to_string());
    }

    /// `processOutgoingEdges`.
    pub fn process_outgoing(&mut self, dag: &mut Dag, node_id: &str, output: &Value) -> Outgoing {
        let Some(node) = dag.nodes.get(node_id) else {
            return Outgoing {
                ready: Vec::new(),
                fired: Vec::new(),
            };
        };
        let mut activated: Vec<String> = Vec::new();
        let mut fired: Vec<String> = Vec::new();
        let mut to_deactivate: Vec<(String, Option<String>)> = Vec::new();
        for edge in node.outgoing.values() {
            if !should_activate(edge.handle.as_deref(), output) {
                if !dag::is_control_handle(edge.handle.as_deref()) {
                    to_deactivate.push((edge.target.clone(), edge.handle.clone()));
                }
                continue;
            }
            activated.push(edge.target.clone());
            if let Some(id) = &edge.edge_id {
                fired.push(id.clone());
            }
        }
        for t in &activated {
            self.activated_nodes.insert(t.clone());
        }
        let mut cascade: Vec<String> = Vec::new();
        for (target, handle) in &to_deactivate {
            self.deactivate(
                dag,
                node_id,
                target,
                handle.as_deref(),
                Some(&mut cascade),
                false,
            );
        }
        if activated.is_empty() {
            for (target, _) in &to_deactivate {
                if is_terminal_control(dag, target) && !cascade.contains(target) {
                    cascade.push(target.clone());
                }
            }
        }
        for t in &activated {
            if let Some(target) = dag.nodes.get_mut(t) {
                target.incoming.shift_remove(node_id);
            }
        }
        let mut ready: Vec<String> = Vec::new();
        for t in &activated {
            if self.is_ready_id(dag, t) {
                ready.push(t.clone());
            }
        }
        let dead_end = activated.is_empty();
        let routed_dead_end = dead_end
            && (output.get("selectedOption").is_some_and(js_truthy)
                || output.get("selectedRoute").is_some_and(js_truthy));
        let source_subflow = dag.nodes.get(node_id).and_then(|n| n.subflow.clone());
        for t in &cascade {
            if ready.contains(t) || activated.contains(t) {
                continue;
            }
            if !dead_end || !self.is_ready_id(dag, t) {
                continue;
            }
            if routed_dead_end {
                if is_enclosing_sentinel(dag, source_subflow.as_ref(), t) {
                    ready.push(t.clone());
                }
            } else {
                ready.push(t.clone());
            }
        }
        let route = str_field(output, "selectedRoute");
        if route != Some(dag::LOOP_EXIT) && route != Some(dag::PARALLEL_EXIT) {
            for (t, _) in &to_deactivate {
                if !ready.contains(t)
                    && !activated.contains(t)
                    && self.activated_nodes.contains(t)
                    && self.is_ready_id(dag, t)
                {
                    ready.push(t.clone());
                }
            }
        }
        Outgoing { ready, fired }
    }

    /// `deactivateEdgeAndDescendants`, depth first (an explicit stack, so a long chain cannot
    /// exhaust the thread's stack).
    fn deactivate(
        &mut self,
        dag: &Dag,
        source: &str,
        target: &str,
        handle: Option<&str>,
        mut cascade: Option<&mut Vec<String>>,
        is_cascade: bool,
    ) {
        let mut stack: Vec<(String, String, Option<String>, bool)> = vec![(
            source.to_string(),
            target.to_string(),
            handle.map(str::to_string),
            is_cascade,
        )];
        while let Some((source, target, handle, is_cascade)) = stack.pop() {
            let k = key(&source, &target, handle.as_deref());
            if self.deactivated.contains(&k) {
                continue;
            }
            self.deactivated.insert(k.clone());
            let Some(target_node) = dag.nodes.get(&target) else {
                continue;
            };
            if is_cascade && is_terminal_control(dag, &target) {
                if let Some(c) = cascade.as_deref_mut() {
                    if !c.contains(&target) {
                        c.push(target.clone());
                    }
                }
            }
            if self.has_active_incoming(dag, target_node, &k)
                || self.activated_nodes.contains(&target)
            {
                continue;
            }
            let children: Vec<(String, Option<String>)> = target_node
                .outgoing
                .values()
                .filter(|e| !dag::is_back_handle(e.handle.as_deref()))
                .map(|e| (e.target.clone(), e.handle.clone()))
                .collect();
            for (t, h) in children.into_iter().rev() {
                stack.push((target.clone(), t, h, true));
            }
        }
    }

    /// `deactivateResumedEdge`: a resumed pause block's `error` edge is pruned, not fired.
    pub fn deactivate_resumed(
        &mut self,
        dag: &Dag,
        source: &str,
        target: &str,
        handle: Option<&str>,
    ) {
        self.deactivate(dag, source, target, handle, None, false);
    }

    /// `clearDeactivatedEdgesForNodes`: only edges whose source is one of `nodes`.
    pub fn clear_for_nodes(&mut self, nodes: &HashSet<String>) {
        self.deactivated
            .retain(|(source, _, _)| !nodes.contains(source));
        for n in nodes {
            self.activated_nodes.remove(n);
        }
    }

    fn has_active_incoming(&self, dag: &Dag, node: &Node, exclude: &EdgeKey) -> bool {
        node.incoming.iter().any(|s| {
            dag.nodes.get(s).is_some_and(|source| {
                source
                    .outgoing
                    .values()
                    .filter(|e| e.target == node.id)
                    .any(|e| {
                        let k = key(s, &node.id, e.handle.as_deref());
                        &k != exclude && !self.deactivated.contains(&k)
                    })
            })
        })
    }

    /// `isNodeReady`.
    pub fn is_ready(&self, dag: &Dag, node: &Node) -> bool {
        node.incoming.is_empty()
            || !node.incoming.iter().any(|s| {
                dag.nodes.get(s).is_some_and(|source| {
                    source.outgoing.values().any(|e| {
                        e.target == node.id
                            && !self
                                .deactivated
                                .contains(&key(s, &node.id, e.handle.as_deref()))
                    })
                })
            })
    }

    pub fn is_ready_id(&self, dag: &Dag, id: &str) -> bool {
        dag.nodes.get(id).is_some_and(|n| self.is_ready(dag, n))
    }
}

/// `isTerminalControlNode`: a node whose every outgoing edge is a subflow control edge.
fn is_terminal_control(dag: &Dag, id: &str) -> bool {
    let Some(node) = dag.nodes.get(id) else {
        return false;
    };
    !node.outgoing.is_empty()
        && node
            .outgoing
            .values()
            .all(|e| dag::is_control_handle(e.handle.as_deref()))
}

/// `isEnclosingSentinel`: the sentinel belongs to the same container as the source node.
fn is_enclosing_sentinel(
    dag: &Dag,
    source: Option<&(String, dag::Kind)>,
    sentinel_id: &str,
) -> bool {
    let Some(sentinel) = dag.nodes.get(sentinel_id) else {
        return false;
    };
    if sentinel.sentinel.is_none() {
        return false;
    }
    match (source, &sentinel.subflow) {
        (Some((a, ka)), Some((b, kb))) => a == b && ka == kb,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn handles_fire_as_sims_edge_manager_decides() {
        assert!(
            should_activate(None, &json!({"error": "x"})),
            "no handle always fires"
        );
        assert!(!should_activate(Some("source"), &json!({"error": "x"})));
        assert!(
            should_activate(Some("source-right"), &json!({})),
            "legacy side handles heal to source"
        );
        assert!(should_activate(Some("error"), &json!({"error": "boom"})));
        assert!(!should_activate(Some("error"), &json!({"error": ""})));
        assert!(should_activate(
            Some("condition-c1"),
            &json!({"selectedOption": "c1"})
        ));
        assert!(!should_activate(
            Some("condition-c1"),
            &json!({"selectedOption": null})
        ));
        assert!(should_activate(
            Some("router-r2"),
            &json!({"selectedRoute": "r2"})
        ));
        assert!(
            !should_activate(Some("loop_exit"), &json!({})),
            "control edges need their route"
        );
        assert!(should_activate(
            Some("loop_exit"),
            &json!({"selectedRoute": "loop_exit"})
        ));
        assert!(
            !should_activate(None, &json!({"selectedRoute": "loop_exit"})),
            "an exit fires exit edges only"
        );
        assert!(should_activate(Some("something-else"), &json!({})));
    }
}
