//! A local run of a Sim workflow with the path-selection rules of Sim's executor
//! (reference/sim.md §3, Sim's `apps/sim/executor`): reachability from the trigger, readiness,
//! edge activation by handle, dead-path elimination, conditions in a real JavaScript engine with
//! Sim's reference inlining, function blocks in the same sandbox, error edges, the response
//! block ending the run, loops and parallels with their results. Agents, routers, evaluators,
//! APIs and integrations answer from mocks.

mod blocks;
mod engine;
pub mod resolve;

use super::mocks::Mocks;
use crate::error::Result;
use crate::js::Limits;
use crate::sim::WorkflowState;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The most blocks one run may execute (loop iterations included) before it is stopped as a
/// runaway.
pub const DEFAULT_MAX_BLOCK_RUNS: usize = 10_000;

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The run's input: values for the start block's input fields (and `input`).
    pub input: Value,
    pub mocks: Mocks,
    /// Limits for each condition / function evaluation.
    pub limits: Limits,
    pub max_block_runs: usize,
    /// The trigger to start from (block id); else Sim's choice.
    pub trigger: Option<String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            input: Value::Object(Default::default()),
            mocks: Mocks::default(),
            limits: Limits::default(),
            max_block_runs: DEFAULT_MAX_BLOCK_RUNS,
            trigger: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Completed,
    Failed,
    Paused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockStatus {
    Ok,
    /// The block failed and an `error` edge took over.
    Error,
    /// The block failed and the run failed with it.
    Failed,
    Paused,
}

/// Where a block ran: the loop iterations / parallel branches around it, outermost first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameRef {
    pub container: String,
    pub kind: String,
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<usize>,
}

/// One block run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceEvent {
    pub seq: usize,
    pub block: String,
    pub name: String,
    #[serde(rename = "type")]
    pub block_type: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frames: Vec<FrameRef>,
    /// Inputs after reference resolution (`{{ENV}}` values left as written).
    pub inputs: Value,
    pub output: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub status: BlockStatus,
    /// The output came from a mock (false for blocks that really ran, and for unmocked
    /// agents/integrations, whose placeholder output says so in `note`).
    pub mocked: bool,
    /// Ids of the edges this block activated.
    pub activated: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub status: RunStatus,
    /// The first response block's output, else the last leaf block's.
    pub output: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Block ids in the order they ran (a container when it starts).
    pub path: Vec<String>,
    pub trace: Vec<TraceEvent>,
    /// Workflow variables by name at the end of the run.
    pub variables: IndexMap<String, Value>,
    /// Things the run could only approximate (unmocked blocks, loop conditions that threw).
    pub warnings: Vec<String>,
}

/// Runs a workflow.
pub fn run(state: &WorkflowState, options: &RunOptions) -> Result<RunReport> {
    engine::Engine::new(state, options)?.run()
}
