//! Completions of Sim references for a block's fields: `<block.path>` for the outputs of the
//! blocks that run before it, `<loop.…>` / `<parallel.…>` inside a container, `<variable.name>`
//! for the workflow's variables. Which blocks are upstream follows Sim's tag dropdown
//! (`BlockPathCalculator.findAllPathNodes`, v0.8.9): the blocks with a path of edges to this one,
//! the paths into its containers included; a container upstream offers only its `results`.
//! Names are written as Sim resolves them (`normalizeWorkflowBlockName`: lower-cased, spaces out).

use crate::error::{Error, Result};
use crate::sim::references::normalize_block_name;
use crate::sim::{registry, Block, SimDocument};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use ts_rs::TS;

/// One reference a field of the block can use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Completion {
    /// What is inserted: `<agent1.content>`.
    pub text: String,
    /// Who offers it: a block's name, `loop`, `parallel` or `variable`.
    pub source: String,
    /// The block offering it.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
    /// Sim's type name (`string`, `number`, `json`, ...).
    #[serde(rename = "type")]
    pub output_type: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// How many completions are answered at most (a workflow of thousands of blocks upstream).
pub const MAX_COMPLETIONS: usize = 2_000;

fn is_container(b: &Block) -> bool {
    matches!(b.block_type.as_str(), "loop" | "parallel")
}

/// The loops and parallels around a block, innermost first.
fn ancestors<'a>(
    blocks: &'a indexmap::IndexMap<String, Block>,
    block: &'a Block,
) -> Vec<&'a Block> {
    let mut out: Vec<&Block> = Vec::new();
    let mut parent = block.parent_id();
    while let Some(p) = parent.and_then(|p| blocks.get(p)) {
        if out.iter().any(|b| b.id == p.id) || p.id == block.id {
            break;
        }
        out.push(p);
        parent = p.parent_id();
    }
    out
}

fn completion(
    source: &str,
    block_id: Option<&str>,
    path: &str,
    output_type: &str,
    description: Option<String>,
) -> Completion {
    Completion {
        text: format!("<{source}.{path}>"),
        source: source.to_string(),
        block_id: block_id.map(str::to_string),
        output_type: output_type.to_string(),
        description,
    }
}

/// What a block offers to the blocks after it: its stored outputs (or its type's, from the
/// registry), the fields of its input format and the properties of its structured output.
fn outputs(block: &Block) -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<(String, String, Option<String>)> = Vec::new();
    let mut push = |path: String, t: String, d: Option<String>| {
        if !out.iter().any(|(p, _, _)| *p == path) {
            out.push((path, t, d));
        }
    };
    if let Some(Value::Array(rows)) = block.sub_value("inputFormat") {
        for row in rows {
            if let Some(name) = row
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.trim().is_empty())
            {
                let t = row.get("type").and_then(Value::as_str).unwrap_or("any");
                push(
                    name.trim().to_string(),
                    t.to_string(),
                    Some("from the input format".into()),
                );
            }
        }
    }
    let stored = registry::flatten(&block.outputs);
    let listed = if stored.is_empty() {
        registry::block_spec(&block.block_type)
            .map(|s| s.output_fields())
            .unwrap_or_default()
    } else {
        stored
    };
    for o in listed {
        push(o.path, o.output_type, o.description);
    }
    if let Some(format) = block.sub_value("responseFormat") {
        let schema = match format {
            Value::String(text) => serde_json::from_str::<Value>(text).ok(),
            other => Some(other.clone()),
        };
        let properties = schema.as_ref().and_then(|s| {
            s.get("schema")
                .and_then(|x| x.get("properties"))
                .or_else(|| s.get("properties"))
        });
        if let Some(Value::Object(props)) = properties {
            for (name, def) in props {
                let t = def.get("type").and_then(Value::as_str).unwrap_or("any");
                push(
                    name.clone(),
                    t.to_string(),
                    def.get("description")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                );
            }
        }
    }
    out
}

/// The references the fields of `block_id` can use, nearest blocks first.
pub fn references(doc: &SimDocument, block_id: &str) -> Result<Vec<Completion>> {
    let state = doc.state();
    let block = state
        .blocks
        .get(block_id)
        .ok_or_else(|| Error::NotFound(format!("no block `{block_id}`")))?;
    let around = ancestors(&state.blocks, block);
    let around_ids: HashSet<&str> = around.iter().map(|b| b.id.as_str()).collect();
    let mut incoming: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in &state.edges {
        incoming
            .entry(e.target.as_str())
            .or_default()
            .push(e.source.as_str());
    }
    // Breadth-first backwards from the block and from each container around it.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut order: Vec<&str> = Vec::new();
    let mut queue: VecDeque<&str> = VecDeque::new();
    queue.push_back(block.id.as_str());
    queue.extend(around.iter().map(|b| b.id.as_str()));
    seen.extend(queue.iter().copied());
    while let Some(id) = queue.pop_front() {
        for &source in incoming.get(id).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(source) {
                order.push(source);
                queue.push_back(source);
            }
        }
    }
    let mut out = Vec::new();
    // `<loop.…>` and `<parallel.…>` read the innermost container of that kind.
    let mut answered: HashSet<&str> = HashSet::new();
    for container in &around {
        let prefix = if container.block_type == "loop" {
            "loop"
        } else {
            "parallel"
        };
        if !answered.insert(prefix) {
            continue;
        }
        let data = container.data.get();
        out.push(completion(
            prefix,
            Some(&container.id),
            "index",
            "number",
            Some(format!("the pass of `{}`, from 0", container.name)),
        ));
        let each = match prefix {
            "loop" => data
                .and_then(|d| d.loop_type.get())
                .is_some_and(|t| t == "forEach"),
            _ => data
                .and_then(|d| d.parallel_type.get())
                .is_some_and(|t| t == "collection"),
        };
        if each {
            out.push(completion(
                prefix,
                Some(&container.id),
                "currentItem",
                "any",
                Some(format!("the item `{}` is on", container.name)),
            ));
            out.push(completion(
                prefix,
                Some(&container.id),
                "items",
                "array",
                Some(format!("every item of `{}`", container.name)),
            ));
        }
    }
    for id in order {
        let Some(b) = state.blocks.get(id) else {
            continue;
        };
        if b.block_type == "note" || around_ids.contains(id) {
            continue;
        }
        let name = normalize_block_name(&b.name);
        if is_container(b) {
            out.push(completion(
                &name,
                Some(&b.id),
                "results",
                "array",
                Some(format!(
                    "what the blocks inside `{}` produced, one entry per pass",
                    b.name
                )),
            ));
            continue;
        }
        for (path, t, d) in outputs(b) {
            out.push(completion(&name, Some(&b.id), &path, &t, d));
        }
        if out.len() >= MAX_COMPLETIONS {
            break;
        }
    }
    if let Some(variables) = state.variables.get() {
        for v in variables.values() {
            let Some(name) = v.name.get().filter(|n| !n.trim().is_empty()) else {
                continue;
            };
            let t = v
                .variable_type
                .get()
                .cloned()
                .unwrap_or_else(|| "any".into());
            out.push(Completion {
                text: format!("<variable.{}>", normalize_block_name(name)),
                source: "variable".into(),
                block_id: None,
                output_type: t,
                description: Some(format!("the workflow variable `{name}`")),
            });
        }
    }
    out.truncate(MAX_COMPLETIONS);
    Ok(out)
}
