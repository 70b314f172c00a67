//! Loop and parallel containers: membership through `data.parentId`, and the `loops` /
//! `parallels` tables Sim derives from the container blocks on every save
//! (`generateLoopBlocks` / `generateParallelBlocks` in Sim's workflow store utils).

use super::family::BlockFamily;
use super::model::{Block, Loop, Parallel, WorkflowState};
use crate::json::{Maybe, UniqueMap};
use indexmap::IndexMap;
use serde_json::{Number, Value};

const DEFAULT_LOOP_ITERATIONS: i64 = 5;
const DEFAULT_PARALLEL_COUNT: i64 = 5;
const DEFAULT_PARALLEL_BATCH_SIZE: i64 = 20;
const MAX_PARALLEL_BATCH_SIZE: f64 = 20.0;

/// JavaScript truthiness, which Sim's `a || b` defaults rely on.
pub fn js_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

fn truthy_number(n: Option<&Number>) -> Option<Number> {
    n.filter(|n| n.as_f64().is_some_and(|f| f != 0.0)).cloned()
}

fn truthy_string(s: Option<&String>) -> String {
    s.cloned().unwrap_or_default()
}

/// Ids of the blocks directly inside `container_id`, in block order (Sim's `findChildNodes`).
pub fn child_ids(state: &WorkflowState, container_id: &str) -> Vec<String> {
    state
        .blocks
        .values()
        .filter(|b| b.parent_id() == Some(container_id))
        .map(|b| b.id.clone())
        .collect()
}

/// The containers enclosing a block, innermost first. Stops at a missing parent or a cycle.
pub fn ancestors<'a>(state: &'a WorkflowState, block_id: &str) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    // A set beside the list: a deep nesting must not make each step scan the list.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut current = state.blocks.get(block_id).and_then(Block::parent_id);
    while let Some(parent) = current {
        if !seen.insert(parent) {
            break;
        }
        let Some(block) = state.blocks.get(parent) else {
            break;
        };
        out.push(block.id.as_str());
        current = block.parent_id();
    }
    out
}

/// Sim's `convertLoopBlockToLoop`.
pub fn derive_loop(state: &WorkflowState, block: &Block) -> Loop {
    let data = block.data.get();
    let loop_type = data
        .and_then(|d| d.loop_type.get())
        .filter(|t| !t.is_empty())
        .cloned();
    let collection = data
        .and_then(|d| d.collection.get())
        .filter(|v| js_truthy(v))
        .cloned();
    Loop {
        id: block.id.clone(),
        nodes: child_ids(state, &block.id),
        iterations: Maybe::Value(
            truthy_number(data.and_then(|d| d.count.get()))
                .unwrap_or(Number::from(DEFAULT_LOOP_ITERATIONS)),
        ),
        loop_type: Maybe::Value(loop_type.unwrap_or_else(|| "for".into())),
        for_each_items: Maybe::Value(collection.unwrap_or_else(|| Value::String(String::new()))),
        while_condition: Maybe::Value(truthy_string(data.and_then(|d| d.while_condition.get()))),
        do_while_condition: Maybe::Value(truthy_string(
            data.and_then(|d| d.do_while_condition.get()),
        )),
        enabled: Maybe::Value(block.enabled),
        extra: IndexMap::new(),
    }
}

/// Sim's `clampParallelBatchSize`: numbers are clamped to 1..=20; anything unparseable is 20.
pub fn clamp_batch_size(batch_size: Option<&Number>) -> Number {
    match batch_size.and_then(Number::as_f64) {
        Some(f) if !f.is_nan() => {
            let clamped = f.clamp(1.0, MAX_PARALLEL_BATCH_SIZE);
            if clamped == f {
                batch_size
                    .cloned()
                    .unwrap_or(Number::from(DEFAULT_PARALLEL_BATCH_SIZE))
            } else {
                Number::from(clamped as i64)
            }
        }
        _ => Number::from(DEFAULT_PARALLEL_BATCH_SIZE),
    }
}

/// Sim's `convertParallelBlockToParallel`.
pub fn derive_parallel(state: &WorkflowState, block: &Block) -> Parallel {
    let data = block.data.get();
    let requested = data
        .and_then(|d| d.parallel_type.get())
        .filter(|t| !t.is_empty())
        .map(String::as_str);
    let parallel_type = match requested.unwrap_or("count") {
        "count" => "count",
        // Sim treats any other value as a collection parallel.
        _ => "collection",
    };
    let distribution = if parallel_type == "collection" {
        let collection = data
            .and_then(|d| d.collection.get())
            .filter(|v| js_truthy(v))
            .cloned();
        Maybe::Value(collection.unwrap_or_else(|| Value::String(String::new())))
    } else {
        Maybe::Absent
    };
    Parallel {
        id: block.id.clone(),
        nodes: child_ids(state, &block.id),
        distribution,
        count: Maybe::Value(
            truthy_number(data.and_then(|d| d.count.get()))
                .unwrap_or(Number::from(DEFAULT_PARALLEL_COUNT)),
        ),
        parallel_type: Maybe::Value(parallel_type.to_string()),
        batch_size: Maybe::Value(clamp_batch_size(data.and_then(|d| d.batch_size.get()))),
        enabled: Maybe::Value(block.enabled),
        extra: IndexMap::new(),
    }
}

/// The `loops` table Sim would write for these blocks.
pub fn derive_loops(state: &WorkflowState) -> UniqueMap<Loop> {
    state
        .blocks
        .values()
        .filter(|b| BlockFamily::of_type(&b.block_type) == BlockFamily::Loop)
        .map(|b| (b.id.clone(), derive_loop(state, b)))
        .collect()
}

/// The `parallels` table Sim would write for these blocks.
pub fn derive_parallels(state: &WorkflowState) -> UniqueMap<Parallel> {
    state
        .blocks
        .values()
        .filter(|b| BlockFamily::of_type(&b.block_type) == BlockFamily::Parallel)
        .map(|b| (b.id.clone(), derive_parallel(state, b)))
        .collect()
}

/// Rewrites `loops` and `parallels` from the container blocks, as Sim does on save.
pub fn rederive(state: &mut WorkflowState) {
    state.loops = Maybe::Value(derive_loops(state));
    state.parallels = Maybe::Value(derive_parallels(state));
}
