//! Sim's workflow JSON, field for field (see reference/sim.md §1 and Sim's
//! `packages/workflow-types`). Numbers stay `serde_json::Number` so `100` is written back as
//! `100`, not `100.0`; sub-block values stay raw JSON because every block type shapes them.

use crate::json::{Maybe, UniqueMap};
use crate::lossless_struct;
use indexmap::IndexMap;
use serde_json::{Number, Value};

lossless_struct! {
    /// An export file: `{"version": "1.0", "exportedAt", "workflow"?, "state"}`.
    pub struct SimExport {
        required {
            "state" => state: WorkflowState,
        }
        optional {
            "version" => version: String,
            "exportedAt" => exported_at: String,
            "workflow" => workflow: WorkflowInfo,
        }
    }
}

lossless_struct! {
    /// The workflow record that some exports carry beside the state.
    pub struct WorkflowInfo {
        required {}
        optional {
            "id" => id: String,
            "name" => name: String,
            "description" => description: String,
            "color" => color: String,
            "folderId" => folder_id: String,
            "workspaceId" => workspace_id: String,
        }
    }
}

lossless_struct! {
    /// `WorkflowState`: the graph and its derived container tables.
    pub struct WorkflowState {
        required {
            "blocks" => blocks: UniqueMap<Block>,
            "edges" => edges: Vec<Edge>,
        }
        optional {
            "loops" => loops: UniqueMap<Loop>,
            "parallels" => parallels: UniqueMap<Parallel>,
            "variables" => variables: UniqueMap<Variable>,
            "metadata" => metadata: WorkflowMetadata,
            "lastSaved" => last_saved: Value,
            "isDeployed" => is_deployed: bool,
            "deployedAt" => deployed_at: Value,
        }
    }
}

lossless_struct! {
    pub struct WorkflowMetadata {
        required {}
        optional {
            "name" => name: String,
            "description" => description: String,
            "exportedAt" => exported_at: String,
        }
    }
}

lossless_struct! {
    /// `BlockState`.
    pub struct Block {
        required {
            "id" => id: String,
            "type" => block_type: String,
            "name" => name: String,
            "position" => position: Position,
            "subBlocks" => sub_blocks: UniqueMap<SubBlock>,
            "outputs" => outputs: IndexMap<String, Value>,
            "enabled" => enabled: bool,
        }
        optional {
            "horizontalHandles" => horizontal_handles: bool,
            "isWide" => is_wide: bool,
            "height" => height: Number,
            "advancedMode" => advanced_mode: bool,
            "triggerMode" => trigger_mode: bool,
            "errorEnabled" => error_enabled: bool,
            "locked" => locked: bool,
            "layout" => layout: BlockLayout,
            "retry" => retry: RetryConfig,
            "data" => data: BlockData,
        }
    }
}

lossless_struct! {
    pub struct Position {
        required {
            "x" => x: Number,
            "y" => y: Number,
        }
        optional {}
    }
}

lossless_struct! {
    /// One sub-block: `{id, type, value}`; the value's shape depends on the block type.
    pub struct SubBlock {
        required {
            "id" => id: String,
            "type" => sub_block_type: String,
        }
        optional {
            "value" => value: Value,
        }
    }
}

lossless_struct! {
    pub struct BlockLayout {
        required {}
        optional {
            "measuredWidth" => measured_width: Number,
            "measuredHeight" => measured_height: Number,
        }
    }
}

lossless_struct! {
    pub struct RetryConfig {
        required {}
        optional {
            "enabled" => enabled: bool,
            "maxTries" => max_tries: Number,
            "waitBetweenTriesMs" => wait_between_tries_ms: Number,
        }
    }
}

lossless_struct! {
    /// `BlockData`: container membership (`parentId`, `extent`) and container configuration.
    pub struct BlockData {
        required {}
        optional {
            "parentId" => parent_id: String,
            "extent" => extent: String,
            "width" => width: Number,
            "height" => height: Number,
            "collection" => collection: Value,
            "count" => count: Number,
            "loopType" => loop_type: String,
            "whileCondition" => while_condition: String,
            "doWhileCondition" => do_while_condition: String,
            "parallelType" => parallel_type: String,
            "batchSize" => batch_size: Number,
            "type" => node_type: String,
            "canonicalModes" => canonical_modes: Value,
        }
    }
}

lossless_struct! {
    /// A React Flow edge as Sim stores it.
    pub struct Edge {
        required {
            "id" => id: String,
            "source" => source: String,
            "target" => target: String,
        }
        optional {
            "sourceHandle" => source_handle: String,
            "targetHandle" => target_handle: String,
            "type" => edge_type: String,
            "data" => data: Value,
        }
    }
}

lossless_struct! {
    /// A loop as the executor reads it (derived from the `loop` container block).
    pub struct Loop {
        required {
            "id" => id: String,
            "nodes" => nodes: Vec<String>,
        }
        optional {
            "iterations" => iterations: Number,
            "loopType" => loop_type: String,
            "forEachItems" => for_each_items: Value,
            "whileCondition" => while_condition: String,
            "doWhileCondition" => do_while_condition: String,
            "enabled" => enabled: bool,
        }
    }
}

lossless_struct! {
    /// A parallel as the executor reads it (derived from the `parallel` container block).
    pub struct Parallel {
        required {
            "id" => id: String,
            "nodes" => nodes: Vec<String>,
        }
        optional {
            "distribution" => distribution: Value,
            "count" => count: Number,
            "parallelType" => parallel_type: String,
            "batchSize" => batch_size: Number,
            "enabled" => enabled: bool,
        }
    }
}

lossless_struct! {
    /// A workflow variable, read in blocks as `<variable.name>`.
    pub struct Variable {
        required {
            "id" => id: String,
        }
        optional {
            "name" => name: String,
            "type" => variable_type: String,
            "value" => value: Value,
            "workflowId" => workflow_id: String,
        }
    }
}

impl Block {
    /// A sub-block's value, when the block has that sub-block and it is not null.
    pub fn sub_value(&self, id: &str) -> Option<&Value> {
        self.sub_blocks
            .get(id)
            .and_then(|s| s.value.get())
            .filter(|v| !v.is_null())
    }

    /// A sub-block's value as text (empty strings read as none).
    pub fn sub_str(&self, id: &str) -> Option<&str> {
        self.sub_value(id)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn parent_id(&self) -> Option<&str> {
        self.data
            .get()
            .and_then(|d| d.parent_id.get())
            .map(String::as_str)
            .filter(|p| !p.is_empty())
    }

    pub fn is_trigger_mode(&self) -> bool {
        self.trigger_mode.get().copied().unwrap_or(false)
    }
}

impl Position {
    pub fn new(x: f64, y: f64) -> Position {
        Position {
            x: number(x),
            y: number(y),
            extra: IndexMap::new(),
        }
    }

    pub fn xy(&self) -> (f64, f64) {
        (
            self.x.as_f64().unwrap_or(0.0),
            self.y.as_f64().unwrap_or(0.0),
        )
    }
}

/// A JSON number from an f64, written as an integer when it is one (as JavaScript does).
pub fn number(value: f64) -> Number {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Number::from(value as i64)
    } else {
        Number::from_f64(value).unwrap_or_else(|| Number::from(0))
    }
}

impl WorkflowState {
    pub fn name(&self) -> Option<&str> {
        self.metadata
            .get()
            .and_then(|m| m.name.get())
            .map(String::as_str)
    }
}

impl Edge {
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        target: impl Into<String>,
        handle: &str,
    ) -> Edge {
        Edge {
            id: id.into(),
            source: source.into(),
            target: target.into(),
            source_handle: Maybe::Value(handle.to_string()),
            target_handle: Maybe::Value("target".to_string()),
            edge_type: Maybe::Absent,
            data: Maybe::Absent,
            extra: IndexMap::new(),
        }
    }
}
