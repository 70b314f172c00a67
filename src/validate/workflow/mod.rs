//! Sim's workflow rules (reference/sim.md). Split by dependency, for the incremental validator:
//! - `local`: one block's own content (JavaScript, secrets, names), the costly part;
//! - `block_rules`: a block in its graph (reachability, references, error edges, branches);
//! - `edge_rules`: one edge against its endpoints (what Sim drops on save);
//! - `global_rules`: triggers and block names across the workflow.

pub mod local;
pub mod password_fields;
pub mod secrets;

use super::Diagnostic;
use crate::graph::GraphView;
use crate::json::JsonPath;
use crate::sim::references::{PathPart, RefTarget};
use crate::sim::{BlockFamily, SourceHandle, WorkflowState};
use local::{block_path, BlockFacts};
use std::collections::{HashMap, HashSet};

/// Graph facts shared by the rules: built once per edge change, kept between edits.
#[derive(Debug, Clone, Default)]
pub struct GraphFacts {
    /// Every block and every edge.
    pub view: GraphView,
    /// Blocks a run can reach: from enabled triggers, through enabled blocks.
    pub reached: HashSet<String>,
    /// Normalised block name -> ids of the blocks with that name, in block order.
    pub names: HashMap<String, Vec<String>>,
}

impl GraphFacts {
    pub fn build(state: &WorkflowState, facts: &HashMap<String, BlockFacts>) -> GraphFacts {
        let view = GraphView::of_workflow(state);
        let runnable = |id: &str| {
            facts
                .get(id)
                .is_some_and(|f| f.enabled && f.family != BlockFamily::Note)
        };
        let enabled = GraphView::of_workflow_where(state, |b| runnable(&b.id));
        let triggers = state.blocks.keys().filter(|id| {
            runnable(id)
                && facts
                    .get(id.as_str())
                    .is_some_and(|f| f.family == BlockFamily::Trigger)
        });
        let reached = enabled
            .reachable_from(triggers.map(String::as_str))
            .into_iter()
            .map(str::to_string)
            .collect();
        GraphFacts {
            view,
            reached,
            names: names_of(state, facts),
        }
    }
}

pub fn names_of(
    state: &WorkflowState,
    facts: &HashMap<String, BlockFacts>,
) -> HashMap<String, Vec<String>> {
    let mut names: HashMap<String, Vec<String>> = HashMap::new();
    for id in state.blocks.keys() {
        if let Some(f) = facts.get(id).filter(|f| f.family != BlockFamily::Note) {
            names
                .entry(f.normalized_name.clone())
                .or_default()
                .push(id.clone());
        }
    }
    names
}

/// Everything the graph rules read.
pub struct Context<'a> {
    pub state: &'a WorkflowState,
    pub base: &'a JsonPath,
    pub facts: &'a HashMap<String, BlockFacts>,
    pub graph: &'a GraphFacts,
}

const CAN_FAIL: [BlockFamily; 7] = [
    BlockFamily::Agent,
    BlockFamily::Api,
    BlockFamily::Function,
    BlockFamily::Integration,
    BlockFamily::Router,
    BlockFamily::Evaluator,
    BlockFamily::WorkflowInput,
];
/// An upstream question left for one batched walk: does `target` (or a container around it
/// that the asker is not in) reach `asker`? W015 when none does.
struct Upstream<'s> {
    asker: &'s str,
    target: &'s str,
    containers: Vec<&'s str>,
    path: &'s JsonPath,
    raw: &'s str,
}

const LOOP_FIELDS: [&str; 5] = ["iteration", "index", "item", "currentItem", "items"];
const PARALLEL_FIELDS: [&str; 3] = ["index", "currentItem", "items"];
const CONTAINER_OUTPUTS: [&str; 2] = ["results", "result"];

impl Context<'_> {
    fn edge_id(&self, i: usize) -> &str {
        self.state.edges.get(i).map_or("", |e| e.id.as_str())
    }

    /// The containers around a block, innermost first.
    fn ancestors(&self, id: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut current = self.facts.get(id).and_then(|f| f.parent.as_deref());
        while let Some(parent) = current {
            if out.contains(&parent) {
                break;
            }
            out.push(parent);
            current = self.facts.get(parent).and_then(|f| f.parent.as_deref());
        }
        out
    }

    /// Graph rules for the given blocks (W003, W004, W014..W017, W019, W022), batched so
    /// upstream questions share walks.
    pub fn block_rules(&self, ids: &[&str]) -> HashMap<String, Vec<Diagnostic>> {
        let mut out: HashMap<String, Vec<Diagnostic>> =
            ids.iter().map(|id| (id.to_string(), Vec::new())).collect();
        let mut pending: Vec<Upstream> = Vec::new();
        for &id in ids {
            let (Some(facts), Some(block)) = (self.facts.get(id), self.state.blocks.get(id)) else {
                continue;
            };
            let diags = out.entry(id.to_string()).or_default();
            let path = block_path(self.base, id);
            let ins = self.graph.view.in_edges(id);
            let outs = self.graph.view.out_edges(id);
            let runs = facts.enabled && facts.family != BlockFamily::Note;
            if runs && facts.family != BlockFamily::Trigger && !self.graph.reached.contains(id) {
                diags.push(
                    Diagnostic::new(
                        "W003",
                        path.clone(),
                        format!(
                            "block `{}` is not reached from any enabled trigger, so it never runs",
                            block.name
                        ),
                    )
                    .node(id),
                );
            }
            if !facts.enabled
                && facts.family != BlockFamily::Note
                && !(ins.is_empty() && outs.is_empty())
            {
                let mut d = Diagnostic::new(
                    "W004",
                    path.clone().key("enabled"),
                    format!(
                        "block `{}` is disabled but still has {} edge(s): nothing flows through it",
                        block.name,
                        ins.len() + outs.len()
                    ),
                )
                .node(id);
                d.edge_ids = ins
                    .iter()
                    .chain(&outs)
                    .map(|&e| self.edge_id(e).to_string())
                    .collect();
                diags.push(d);
            }
            let handles: Vec<(usize, SourceHandle)> = outs
                .iter()
                .filter_map(|&e| {
                    self.state.edges.get(e).map(|edge| {
                        (
                            e,
                            SourceHandle::parse(edge.source_handle.get().map(String::as_str)),
                        )
                    })
                })
                .collect();
            if runs
                && CAN_FAIL.contains(&facts.family)
                && self.graph.reached.contains(id)
                && !handles.iter().any(|(_, h)| *h == SourceHandle::Error)
            {
                diags.push(
                    Diagnostic::new(
                        "W019",
                        path.clone(),
                        format!(
                            "if `{}` fails, the run ends: it has no error edge",
                            block.name
                        ),
                    )
                    .node(id),
                );
            }
            if let Some(branches) = &facts.branches {
                for (e, handle) in &handles {
                    let (SourceHandle::Condition(branch) | SourceHandle::Router(branch)) = handle
                    else {
                        continue;
                    };
                    if !branches.contains(branch) {
                        diags.push(
                            Diagnostic::new(
                                "W022",
                                self.base.clone().key("edges").index(*e).key("sourceHandle"),
                                format!("edge `{}` leaves `{}` from branch `{branch}`, which the block does not have", self.edge_id(*e), block.name),
                            )
                            .node(id)
                            .edge(self.edge_id(*e)),
                        );
                    }
                }
            }
            self.reference_rules(id, facts, diags, &mut pending);
        }
        // Answer every upstream question in one batch.
        let mut queries: Vec<(&str, &str)> = Vec::new();
        let mut spans = Vec::new();
        for q in &pending {
            let start = queries.len();
            queries.push((q.target, q.asker));
            queries.extend(q.containers.iter().map(|c| (*c, q.asker)));
            spans.push(start..queries.len());
        }
        let answers = self.graph.view.reaches_many(&queries);
        for (q, span) in pending.into_iter().zip(spans) {
            if !answers[span].iter().any(|&yes| yes) {
                let name = |id: &str| {
                    self.state
                        .blocks
                        .get(id)
                        .map_or(String::new(), |b| b.name.clone())
                };
                let d = Diagnostic::new(
                    "W015",
                    q.path.clone(),
                    format!(
                        "`{}` reads `{}`, but `{}` does not run before it (no path of edges leads from it here)",
                        name(q.asker),
                        q.raw,
                        name(q.target)
                    ),
                )
                .node(q.asker)
                .node(q.target);
                out.entry(q.asker.to_string()).or_default().push(d);
            }
        }
        out
    }

    fn reference_rules<'s>(
        &'s self,
        id: &'s str,
        facts: &'s BlockFacts,
        diags: &mut Vec<Diagnostic>,
        pending: &mut Vec<Upstream<'s>>,
    ) {
        let name = self.state.blocks.get(id).map_or("", |b| b.name.as_str());
        // A container's own settings (a loop's while condition, a collection) are read in its
        // own scope: `<loop.index>` there is the container's own.
        let mut own_ancestors = self.ancestors(id);
        if facts.family.is_container() {
            own_ancestors.insert(0, id);
        }
        let inside = |family: BlockFamily| {
            own_ancestors
                .iter()
                .any(|a| self.facts.get(*a).is_some_and(|f| f.family == family))
        };
        for (path, reference) in &facts.refs {
            let raw = &reference.raw;
            match &reference.target {
                RefTarget::Loop { .. } if !inside(BlockFamily::Loop) => diags.push(
                    Diagnostic::new(
                        "W017",
                        path.clone(),
                        format!("`{name}` reads `{raw}` but is not inside a loop"),
                    )
                    .node(id),
                ),
                RefTarget::Parallel { .. } if !inside(BlockFamily::Parallel) => diags.push(
                    Diagnostic::new(
                        "W017",
                        path.clone(),
                        format!("`{name}` reads `{raw}` but is not inside a parallel"),
                    )
                    .node(id),
                ),
                RefTarget::Block {
                    name: prefix,
                    path: parts,
                } => {
                    let normal = crate::sim::references::normalize_block_name(prefix);
                    let Some(target) = self.graph.names.get(&normal).and_then(|ids| ids.first())
                    else {
                        diags.push(
                            Diagnostic::new("W014", path.clone(), format!("`{name}` reads `{raw}`, but no block is named `{prefix}`"))
                                .node(id)
                                .hint(format!("correct the block name in `{raw}` (names compare lower-cased, spaces removed)")),
                        );
                        continue;
                    };
                    let Some(target_facts) = self.facts.get(target) else {
                        continue;
                    };
                    let target_name = self
                        .state
                        .blocks
                        .get(target)
                        .map_or("", |b| b.name.as_str());
                    let field = match parts.first() {
                        Some(PathPart::Field(f)) => Some(f.as_str()),
                        _ => None,
                    };
                    if target_facts.family.is_container() {
                        let context_fields: &[&str] = if target_facts.family == BlockFamily::Loop {
                            &LOOP_FIELDS
                        } else {
                            &PARALLEL_FIELDS
                        };
                        match field {
                            Some(f) if CONTAINER_OUTPUTS.contains(&f) => {}
                            Some(f) if !context_fields.contains(&f) => {
                                diags.push(
                                    Diagnostic::new("W016", path.clone(), format!("`{name}` reads `{raw}`, but `{target_name}` has no output `{f}`"))
                                        .node(id)
                                        .node(target.as_str())
                                        .hint(format!("use `results` after the container, or {} inside it", context_fields.join(", "))),
                                );
                                continue;
                            }
                            _ => {
                                if !own_ancestors.contains(&target.as_str()) {
                                    diags.push(
                                        Diagnostic::new(
                                            "W017",
                                            path.clone(),
                                            format!("`{name}` reads `{raw}` but is not inside `{target_name}`; only `<{prefix}.results>` is available outside it"),
                                        )
                                        .node(id)
                                        .node(target.as_str()),
                                    );
                                }
                                continue;
                            }
                        }
                    } else if let (Some(outputs), Some(f)) = (&target_facts.outputs, field) {
                        if !outputs.contains(f) {
                            let mut known: Vec<&str> = outputs.iter().map(String::as_str).collect();
                            known.sort_unstable();
                            diags.push(
                                Diagnostic::new("W016", path.clone(), format!("`{name}` reads `{raw}`, but `{target_name}` has no output `{f}`"))
                                    .node(id)
                                    .node(target.as_str())
                                    .hint(format!("`{target_name}` offers: {}", known.join(", "))),
                            );
                        }
                    }
                    // A disabled block never runs, so whether its inputs run before it is moot.
                    if !facts.enabled {
                        continue;
                    }
                    // A loop's conditions are checked after each pass, when its blocks have run.
                    if facts.family == BlockFamily::Loop && self.ancestors(target).contains(&id) {
                        continue;
                    }
                    // Upstream: the block itself, or a container around it that this block is not in.
                    let containers = self
                        .ancestors(target)
                        .into_iter()
                        .filter(|a| !own_ancestors.contains(a))
                        .collect();
                    pending.push(Upstream {
                        asker: id,
                        target: target.as_str(),
                        containers,
                        path,
                        raw,
                    });
                }
                _ => {}
            }
        }
    }

    /// What Sim's save does with edge `i` (W005..W008): the first reason it would drop it.
    pub fn edge_rules(&self, i: usize) -> Vec<Diagnostic> {
        let Some(edge) = self.state.edges.get(i) else {
            return Vec::new();
        };
        let path = self.base.clone().key("edges").index(i);
        let one = |code, key: &str, message: String| {
            vec![Diagnostic::new(code, path.clone().key(key), message).edge(&edge.id)]
        };
        let (source, target) = (self.facts.get(&edge.source), self.facts.get(&edge.target));
        let (Some(source), Some(target)) = (source, target) else {
            let (key, missing) = if source.is_none() {
                ("source", &edge.source)
            } else {
                ("target", &edge.target)
            };
            return one("W005", key, format!("edge `{}` {key} `{missing}` is not a block of this workflow; Sim drops the edge on save", edge.id));
        };
        let name = |id: &str| {
            self.state
                .blocks
                .get(id)
                .map_or(String::new(), |b| b.name.clone())
        };
        let with_nodes = |mut d: Vec<Diagnostic>| {
            for x in &mut d {
                x.node_ids = vec![edge.source.clone(), edge.target.clone()];
            }
            d
        };
        if source.family == BlockFamily::Note || target.family == BlockFamily::Note {
            let key = if source.family == BlockFamily::Note {
                "source"
            } else {
                "target"
            };
            return with_nodes(one(
                "W007",
                key,
                format!("edge `{}` touches a note; Sim drops it on save", edge.id),
            ));
        }
        if target.family == BlockFamily::Trigger {
            return with_nodes(one(
                "W006",
                "target",
                format!(
                    "edge `{}` goes into trigger `{}`; Sim drops it on save",
                    edge.id,
                    name(&edge.target)
                ),
            ));
        }
        // Sim's getWorkflowEdgeScopeDropReason.
        let (sp, tp) = (source.parent.as_deref(), target.parent.as_deref());
        let same_scope = sp == tp
            || (tp == Some(edge.source.as_str()) && source.family.is_container())
            || (sp == Some(edge.target.as_str()) && target.family.is_container());
        if !same_scope {
            return with_nodes(one(
                "W008",
                "target",
                format!(
                    "edge `{}` crosses a container boundary ({} -> {}); Sim silently drops it on save",
                    edge.id,
                    sp.map_or("top level".to_string(), |p| format!("inside `{}`", name(p))),
                    tp.map_or("top level".to_string(), |p| format!("inside `{}`", name(p))),
                ),
            ));
        }
        Vec::new()
    }

    /// Rules over the whole workflow (W001, W002, W023).
    pub fn global_rules(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let blocks_path = self.base.clone().key("blocks");
        let enabled_triggers: Vec<&str> = self
            .state
            .blocks
            .keys()
            .filter(|id| {
                self.facts
                    .get(id.as_str())
                    .is_some_and(|f| f.enabled && f.family == BlockFamily::Trigger)
            })
            .map(String::as_str)
            .collect();
        if enabled_triggers.is_empty() {
            out.push(Diagnostic::new(
                "W001",
                blocks_path.clone(),
                "no enabled trigger: the workflow cannot start",
            ));
        }
        // Sim's single-instance triggers (TriggerUtils.wouldViolateSingleInstance).
        const SINGLE: [&str; 5] = [
            "start_trigger",
            "api_trigger",
            "input_trigger",
            "manual_trigger",
            "chat_trigger",
        ];
        let mut by_type: HashMap<&str, Vec<&str>> = HashMap::new();
        for b in self.state.blocks.values() {
            by_type
                .entry(b.block_type.as_str())
                .or_default()
                .push(b.id.as_str());
        }
        for t in SINGLE {
            if let Some(ids) = by_type.get(t).filter(|ids| ids.len() > 1) {
                let mut d = Diagnostic::new(
                    "W002",
                    blocks_path.clone().key(ids[1]),
                    format!("{} `{t}` blocks; Sim allows one", ids.len()),
                );
                d.node_ids = ids.iter().map(|s| s.to_string()).collect();
                out.push(d);
            }
        }
        if let Some(starters) = by_type.get("starter") {
            let modern: Vec<&str> = SINGLE
                .iter()
                .filter_map(|t| by_type.get(t))
                .flatten()
                .copied()
                .collect();
            if !modern.is_empty() {
                let mut d = Diagnostic::new(
                    "W002",
                    blocks_path.clone().key(starters[0]),
                    "the legacy `starter` block cannot coexist with start, API, input, manual or chat triggers",
                );
                d.node_ids = starters
                    .iter()
                    .chain(&modern)
                    .map(|s| s.to_string())
                    .collect();
                out.push(d);
            }
        }
        for (normal, ids) in &self.graph.names {
            if ids.len() > 1 {
                let names: Vec<String> = ids
                    .iter()
                    .filter_map(|id| self.state.blocks.get(id))
                    .map(|b| format!("`{}`", b.name))
                    .collect();
                let mut d = Diagnostic::new(
                    "W023",
                    blocks_path.clone().key(ids[1].as_str()).key("name"),
                    format!(
                        "blocks {} share the reference name `{normal}`",
                        names.join(", ")
                    ),
                );
                d.node_ids = ids.clone();
                out.push(d);
            }
        }
        out
    }
}

/// Every workflow rule, from scratch.
pub fn validate_workflow(
    state: &WorkflowState,
    base: &JsonPath,
    js: &crate::js::Sandbox,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut facts = HashMap::with_capacity(state.blocks.len());
    let blocks: Vec<&crate::sim::Block> = state.blocks.values().collect();
    for (block, local) in blocks.iter().zip(local::analyse_all(&blocks, base, js)) {
        out.extend(local.diagnostics);
        facts.insert(block.id.clone(), local.facts);
    }
    let graph = GraphFacts::build(state, &facts);
    let ctx = Context {
        state,
        base,
        facts: &facts,
        graph: &graph,
    };
    let ids: Vec<&str> = state.blocks.keys().map(String::as_str).collect();
    out.extend(ctx.block_rules(&ids).into_values().flatten());
    for i in 0..state.edges.len() {
        out.extend(ctx.edge_rules(i));
    }
    out.extend(ctx.global_rules());
    out
}
