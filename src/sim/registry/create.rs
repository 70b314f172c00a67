//! New blocks and blank workflows, made as Sim's editor makes them (v0.8.9):
//!
//! - a dropped block is Sim's `prepareBlockState` (`apps/sim/stores/workflows/utils.ts`) stored by
//!   the workflow store's `batchAddBlocks`: one sub-block per field of the block config with its
//!   `value()` / `defaultValue` (input and response formats get one empty row with a fresh id,
//!   tables an empty list, everything else `null`; a repeated id keeps its first place and the
//!   last config's value), the outputs for those values, `data.canonicalModes` with every
//!   basic/advanced pair on `basic`, `enabled`, `horizontalHandles`, `advancedMode: false`,
//!   `errorEnabled: false`, `triggerMode`, `height: 0`, `locked: false`;
//! - blocks from the Triggers tab (trigger blocks with trigger fields) start in trigger mode;
//! - Sim's editor then opens the new block in its panel, and the panel's fields write their own
//!   defaults on first show: a single-choice dropdown its default or first option
//!   (`dropdown.tsx`), a combobox its default or first option unless empty is a valid choice
//!   (`combobox.tsx`), a table one empty row (`table.tsx`). Those are applied for the fields
//!   shown, until nothing changes (a chosen operation can show further fields);
//! - a Condition block shows `if` / `else` branches and a router one route before anything is
//!   stored (`condition-input.tsx`); they are stored here straight away, with Sim's ids
//!   (`<blockId>-if`, `<blockId>-else`, `<blockId>-route1`), so that their handles can be connected;
//! - a loop or parallel (no block config) is `{width: 500, height: 300, type: "subflowNode"}` in
//!   `data` (`workflow.tsx`, `CONTAINER_DIMENSIONS`) with no sub-blocks and no outputs; its loop
//!   type, count and collection take Sim's defaults (`for`, 5; `count`, 5, batch 20) until set;
//! - a new workflow is one `start_trigger` named `Start` at (0, 0) with the same block shape and
//!   empty `edges`, `loops`, `parallels` (`buildDefaultWorkflowArtifacts`, `lib/workflows/defaults.ts`).

use super::spec::{BlockCategory, BlockSpec, FieldType};
use super::visibility::{Values, Visibility};
use super::{block_spec, registry};
use crate::error::{Error, Result};
use crate::sim::containers::rederive;
use crate::sim::{Block, Position, SimDocument, WorkflowState};
use serde_json::{json, Map, Value};

/// How a block is dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewBlockOptions {
    /// Start in trigger mode (`None`: as Sim's toolbar adds this type).
    pub trigger_mode: Option<bool>,
    /// The loop or parallel the block is dropped into (its position is then relative to it).
    pub parent_id: Option<String>,
}

/// Ids and names are bounded so that a bad argument cannot make an unusable block.
const MAX_ID_CHARS: usize = 200;
const MAX_NAME_CHARS: usize = 200;
/// Canvas coordinates beyond this are a mistake, not a layout.
const MAX_COORDINATE: f64 = 1.0e7;
/// The panel's first-show defaults can show more fields (an operation shows its own); a block
/// config settles in two or three passes.
const MAX_DEFAULT_PASSES: usize = 8;

/// A block of `block_type` as Sim's editor creates it when it is dropped on the canvas.
pub fn new_block(block_type: &str, id: &str, name: &str, position: Position) -> Result<Block> {
    new_block_with(block_type, id, name, position, &NewBlockOptions::default())
}

pub fn new_block_with(
    block_type: &str,
    id: &str,
    name: &str,
    position: Position,
    options: &NewBlockOptions,
) -> Result<Block> {
    let spec = block_spec(block_type).ok_or_else(|| {
        Error::NotFound(format!(
            "unknown block type `{block_type}`: the registry knows {} types read from Sim {} (see docs/blocks.md)",
            registry().blocks().len(),
            registry().sim.version
        ))
    })?;
    check_text("block id", id, MAX_ID_CHARS)?;
    check_text("block name", name, MAX_NAME_CHARS)?;
    let (x, y) = position.xy();
    if !position
        .x
        .as_f64()
        .is_some_and(|v| v.abs() <= MAX_COORDINATE)
        || !position
            .y
            .as_f64()
            .is_some_and(|v| v.abs() <= MAX_COORDINATE)
    {
        return Err(Error::Rejected(format!(
            "position ({x}, {y}) of the new block `{name}` is outside the canvas (at most {MAX_COORDINATE} either way)"
        )));
    }
    if let Some(parent) = &options.parent_id {
        check_text("parent id", parent, MAX_ID_CHARS)?;
    }
    let trigger_mode = options.trigger_mode.unwrap_or(spec.trigger_mode);
    if trigger_mode && !spec.trigger_capable {
        return Err(Error::Rejected(format!(
            "a `{block_type}` block cannot start a run: it has no trigger mode in Sim {}",
            registry().sim.version
        )));
    }
    let mut data = Map::new();
    if spec.is_container() {
        data.insert("width".into(), json!(500));
        data.insert("height".into(), json!(300));
        data.insert("type".into(), json!("subflowNode"));
    }
    if let Some(parent) = &options.parent_id {
        data.insert("parentId".into(), json!(parent));
        data.insert("extent".into(), json!("parent"));
    }
    let mut sub_blocks = Map::new();
    for field in spec.current_sub_block_fields() {
        let value = match (&field.default, field.field_type) {
            _ if field.default_new_id => json!(new_uuid()),
            (Some(v), _) => v.clone(),
            (None, FieldType::InputFormat | FieldType::ResponseFormat) => {
                json!([empty_format_row()])
            }
            (None, FieldType::Table) => json!([]),
            (None, _) => Value::Null,
        };
        sub_blocks.insert(
            field.id.clone(),
            json!({"id": field.id, "type": field.field_type, "value": value}),
        );
    }
    let modes = default_canonical_modes(spec);
    if !modes.is_empty() {
        data.insert("canonicalModes".into(), Value::Object(modes));
    }
    let outputs = match (&spec.trigger_outputs, trigger_mode) {
        (Some(t), true) => t.clone(),
        _ => spec.outputs.clone(),
    };
    let block = json!({
        "id": id,
        "type": block_type,
        "name": name,
        "position": position,
        "subBlocks": sub_blocks,
        "outputs": outputs,
        "enabled": true,
        "horizontalHandles": true,
        "advancedMode": false,
        "errorEnabled": false,
        "triggerMode": trigger_mode,
        "height": 0,
        "data": data,
        "locked": false,
    });
    let mut block: Block = serde_json::from_value(block).map_err(|e| {
        Error::Rejected(format!(
            "registry entry `{block_type}` does not make a block: {e}"
        ))
    })?;
    apply_panel_defaults(spec, &mut block);
    seed_branches(&mut block);
    Ok(block)
}

fn check_text(what: &str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::Rejected(format!("the {what} cannot be empty")));
    }
    let chars = text.chars().count();
    if chars > max {
        return Err(Error::Rejected(format!(
            "the {what} is {chars} characters long; at most {max}"
        )));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::Rejected(format!(
            "the {what} `{}` contains control characters",
            text.escape_debug()
        )));
    }
    Ok(())
}

/// Sim's `createDefaultInputFormatField`.
fn empty_format_row() -> Value {
    json!({"id": new_uuid(), "name": "", "type": "string", "value": "", "collapsed": false})
}

/// Sim's `buildDefaultCanonicalModes`: every basic/advanced pair starts on `basic`.
fn default_canonical_modes(spec: &BlockSpec) -> Map<String, Value> {
    let mut groups: indexmap::IndexMap<&str, (bool, bool)> = indexmap::IndexMap::new();
    for f in spec.current_sub_block_fields() {
        let Some(canonical) = &f.canonical else {
            continue;
        };
        let entry = groups.entry(canonical.as_str()).or_default();
        if matches!(
            f.mode,
            Some(super::FieldMode::Advanced | super::FieldMode::TriggerAdvanced)
        ) {
            entry.1 = true;
        } else {
            entry.0 = true;
        }
    }
    groups
        .into_iter()
        .filter(|(_, (basic, advanced))| *basic && *advanced)
        .map(|(id, _)| (id.to_string(), json!("basic")))
        .collect()
}

fn is_unset(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

/// What the editor panel writes when it first shows the new block (see the module docs).
fn apply_panel_defaults(spec: &BlockSpec, block: &mut Block) {
    for _ in 0..MAX_DEFAULT_PASSES {
        let mut writes: Vec<(String, Value)> = Vec::new();
        {
            let visibility = Visibility::new(spec, block);
            let values = Values::of(block);
            for field in spec.current_sub_block_fields() {
                if writes.iter().any(|(id, _)| id == &field.id) || !visibility.shows(field, &values)
                {
                    continue;
                }
                let current = values.get(field.location, &field.id);
                let first_option = || {
                    field
                        .options
                        .iter()
                        .find(|o| !o.hidden)
                        .map(|o| json!(o.id))
                };
                let write = match field.field_type {
                    FieldType::Dropdown if !field.multi_select && is_unset(current) => {
                        field.default.clone().or_else(first_option)
                    }
                    FieldType::Combobox
                        if current.is_none_or(Value::is_null) && !field.empty_is_valid =>
                    {
                        let listed = |v: &Value| {
                            field
                                .options
                                .iter()
                                .any(|o| Some(o.id.as_str()) == v.as_str())
                        };
                        match &field.default {
                            Some(d) if listed(d) || field.options_dynamic => Some(d.clone()),
                            _ => first_option(),
                        }
                    }
                    FieldType::Table
                        if current.is_none_or(|v| v.as_array().is_none_or(Vec::is_empty)) =>
                    {
                        let cells: Map<String, Value> = field
                            .columns
                            .iter()
                            .map(|c| (c.clone(), json!("")))
                            .collect();
                        Some(json!([{"id": new_uuid(), "cells": cells}]))
                    }
                    _ => None,
                };
                if let Some(value) = write {
                    writes.push((field.id.clone(), value));
                }
            }
        }
        if writes.is_empty() {
            return;
        }
        for (id, value) in writes {
            if let Some(sub) = block.sub_blocks.get_mut(&id) {
                sub.value = crate::json::Maybe::Value(value);
            }
        }
    }
}

/// The default branches of a Condition block and the default route of a router
/// (`createDefaultBlocks` in `condition-input.tsx`), stored as the editor stores them.
fn seed_branches(block: &mut Block) {
    let (sub, suffixes): (&str, &[(&str, &str)]) = match block.block_type.as_str() {
        "condition" => ("conditions", &[("if", "if"), ("else", "else")]),
        "router_v2" => ("routes", &[("route1", "route1")]),
        _ => return,
    };
    let id = block.id.clone();
    let Some(slot) = block.sub_blocks.get_mut(sub) else {
        return;
    };
    if !is_unset(slot.value.get()) {
        return;
    }
    let branches: Vec<Value> = suffixes
        .iter()
        .map(|(suffix, title)| {
            json!({
                "id": format!("{id}-{suffix}"),
                "title": title,
                "value": "",
                "showTags": false,
                "showEnvVars": false,
                "searchTerm": "",
                "cursorPosition": 0,
                "activeSourceBlockId": null,
            })
        })
        .collect();
    slot.value = crate::json::Maybe::Value(Value::String(Value::Array(branches).to_string()));
}

/// Adds a block to a workflow as Sim's store does: refused when the id is taken or the parent is
/// not a loop or parallel of this workflow; `loops` and `parallels` are derived again.
pub fn add_block(state: &mut WorkflowState, block: Block) -> Result<()> {
    if state.blocks.contains_key(&block.id) {
        return Err(Error::Rejected(format!(
            "the workflow already has a block with id `{}`",
            block.id
        )));
    }
    if let Some(parent) = block.parent_id() {
        match state.blocks.get(parent) {
            Some(p) if matches!(p.block_type.as_str(), "loop" | "parallel") => {}
            Some(p) => {
                return Err(Error::Rejected(format!(
                    "block `{}` cannot go inside `{}` ({parent}): that is a `{}` block, not a loop or parallel",
                    block.name, p.name, p.block_type
                )))
            }
            None => return Err(Error::NotFound(format!("block `{}` names a container `{parent}` that this workflow does not have", block.name))),
        }
    }
    state.blocks.insert(block.id.clone(), block);
    rederive(state);
    Ok(())
}

/// The name Sim gives a new block of `base_name` (the block type's name) in this workflow
/// (`getUniqueBlockName`, `apps/sim/stores/workflows/utils.ts`): the first of a kind has no
/// number (`Agent`), the next ones count on from the highest (`Agent 2`); start blocks are always
/// `Start` and response blocks `Response`. One deliberate difference: a name that would be
/// reserved (`loop`, `parallel`, `variable`: Sim refuses them on rename and references read them as
/// the container) is numbered from the first one, `Loop 1`.
pub fn unique_block_name(base_name: &str, state: &WorkflowState) -> String {
    use crate::sim::references::{normalize_block_name, RESERVED_BLOCK_NAMES};
    let normalized = normalize_block_name(base_name);
    if normalized == "start" || normalized == "starter" {
        return "Start".into();
    }
    if normalized == "response" {
        return "Response".into();
    }
    // `^(.*?)(\s+\d+)?$`: the name without a trailing number.
    let split = |name: &str| -> (String, Option<u64>) {
        let trimmed = name.trim_end();
        let digits = trimmed.len() - trimmed.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (head, number) = trimmed.split_at(trimmed.len() - digits);
        if digits > 0 && head.ends_with(char::is_whitespace) {
            (head.trim().to_string(), number.parse().ok())
        } else {
            (name.trim().to_string(), None)
        }
    };
    let (prefix, _) = split(base_name);
    let base = normalize_block_name(&prefix);
    let numbers: Vec<u64> = state
        .blocks
        .values()
        .filter(|b| normalize_block_name(&split(&b.name).0) == base)
        .map(|b| split(&b.name).1.unwrap_or(1))
        .collect();
    let reserved = RESERVED_BLOCK_NAMES.contains(&base.as_str());
    match numbers.iter().max() {
        None if reserved => format!("{prefix} 1"),
        None => prefix,
        Some(max) => format!("{prefix} {}", max.saturating_add(1)),
    }
}

/// A new Sim workflow: Sim's start block only.
pub fn blank_workflow() -> SimDocument {
    let start_id = new_uuid();
    let start = new_block_with(
        "start_trigger",
        &start_id,
        "Start",
        Position::new(0.0, 0.0),
        &NewBlockOptions {
            trigger_mode: Some(false),
            parent_id: None,
        },
    )
    .expect("the registry has Sim's start_trigger");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let state = json!({
        "blocks": { start_id.clone(): start },
        "edges": [],
        "loops": {},
        "parallels": {},
        "lastSaved": now,
    });
    let state: WorkflowState =
        serde_json::from_value(state).expect("a start block makes a workflow state");
    SimDocument::from_state(state)
}

/// A random (version 4) UUID, as Sim's `generateId`.
pub fn new_uuid() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // Only when the OS has no randomness at all: time and a counter keep ids distinct.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as u128;
        b = (nanos ^ (n << 64)).to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl BlockSpec {
    /// Whether Sim's toolbar lists this type under Triggers.
    pub fn is_trigger(&self) -> bool {
        self.category == BlockCategory::Triggers
    }
}
