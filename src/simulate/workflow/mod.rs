//! A local run of a Sim workflow as Sim v0.8.9's executor runs it (`apps/sim/executor`): the same
//! execution graph (`dag.rs`: reachability, sentinels, branch templates, edge wiring), the same
//! edge activation and dead-path elimination (`edges.rs`), the same block-output lookups
//! (`state.rs`), loops and parallels as Sim's orchestrators run them (`subflows.rs`), the
//! engine's dispatch — every ready block starts together, a Response block locks the output, a
//! failure waits for the blocks already running (`engine.rs`) — and each block family's handler
//! (`blocks.rs`), with references resolved per consumer as Sim's resolvers do (`resolve.rs`).
//! Agents, routers, evaluators, APIs and integrations answer from mocks; human-in-the-loop and
//! async waits pause and can be resumed.

mod blocks;
mod dag;
mod edges;
mod engine;
mod ids;
pub mod resolve;
mod state;
mod subflows;

use super::mocks::Mocks;
use crate::error::Result;
use crate::js::Limits;
use crate::sim::WorkflowState;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// The most blocks one run may execute (loop passes and parallel branches included) before it
/// is stopped as a runaway; also the cap on any loop count, parallel count or collection size
/// read from a workflow (a count above it could never finish). Sim itself caps neither; it
/// stops a run at its plan's execution timeout (300 s on the free plan,
/// `lib/core/execution-limits/types.ts`).
pub const DEFAULT_MAX_BLOCK_RUNS: usize = 250_000;

/// How long one simulated run may take in all (Sim's own limit is its plan's execution
/// timeout; a local preview needs an answer sooner, and every command answers within 10 s:
/// the hostile corpus, tests/hostile_corpus.rs). A scenario may raise it (`limits.time_budget_ms`).
pub const DEFAULT_TIME_BUDGET: Duration = Duration::from_secs(5);

/// Sim's `MAX_CALL_CHAIN_DEPTH` (`lib/execution/call-chain.ts`): nested workflow blocks.
pub const MAX_CALL_CHAIN_DEPTH: usize = 25;

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The run's input: values for the start block's input fields (and `input`).
    pub input: Value,
    pub mocks: Mocks,
    /// Limits for each condition / function evaluation.
    pub limits: Limits,
    pub max_block_runs: usize,
    /// The whole run's wall-clock budget (blocks, loop passes, nested workflows).
    pub time_budget: Duration,
    /// The trigger to start from (block id); else Sim's choice.
    pub trigger: Option<String>,
    /// Answers to pauses, applied in order once the run has nothing else to do: each resumes
    /// one open pause (by context id, block id or block name) as Sim's resume does.
    pub resume: Vec<Resume>,
    /// Workflows a `workflow` / `workflow_input` block may call, by workflow id.
    pub workflows: BTreeMap<String, WorkflowState>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            input: Value::Object(Default::default()),
            mocks: Mocks::default(),
            limits: Limits::default(),
            max_block_runs: DEFAULT_MAX_BLOCK_RUNS,
            time_budget: DEFAULT_TIME_BUDGET,
            trigger: None,
            resume: Vec::new(),
            workflows: BTreeMap::new(),
        }
    }
}

/// An answer to a paused block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resume {
    /// The pause's context id, or the paused block's id or name.
    pub pause: String,
    /// What the human (or the resume API call) sent: Sim's `resumeInput`.
    #[serde(default)]
    pub input: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Completed,
    Failed,
    Paused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct FrameRef {
    pub container: String,
    pub kind: String,
    pub index: usize,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<usize>,
}

/// One entry of the run log, in the order Sim's log would list it: a block when it starts
/// (with its result), a loop or parallel when it completes or fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct TraceEvent {
    pub seq: usize,
    pub block: String,
    /// The runtime node when it differs from the block (`x₍2₎` for parallel branch 2).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub name: String,
    #[serde(rename = "type")]
    pub block_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frames: Vec<FrameRef>,
    /// Inputs after reference resolution (`{{ENV}}` values left as written).
    pub inputs: Value,
    pub output: Value,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub status: BlockStatus,
    /// The output came from a mock (false for blocks that really ran, and for unmocked
    /// agents/integrations, whose placeholder output says so in `note`).
    pub mocked: bool,
    /// Ids of the workflow edges this block activated.
    pub activated: Vec<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// 0 for the first run, n after the n-th resume.
    #[ts(as = "Option<usize>", optional)]
    #[serde(default, skip_serializing_if = "is_zero")]
    pub segment: usize,
    /// A nested workflow block's own run log.
    #[ts(as = "Option<Vec<TraceEvent>>", optional)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<TraceEvent>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A block waiting for a human or a timer (Sim's `PausePoint`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct PausePoint {
    /// Sim's `contextId` (`blockId`, with `₍branch₎` and `_loopN` inside containers).
    pub context_id: String,
    pub block: String,
    pub node: String,
    /// `human` or `time`.
    pub kind: String,
    /// What the paused run returns for this pause.
    pub response: Value,
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub status: RunStatus,
    /// Sim's final output: the locked Response output, else the last terminal block's (a
    /// workflow ending in a loop or parallel returns the container's `{results, ...}`); for a
    /// paused run the pause response(s).
    pub output: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Block ids in log order (a container when it completes).
    pub path: Vec<String>,
    pub trace: Vec<TraceEvent>,
    /// Workflow variables by name at the end of the run.
    pub variables: IndexMap<String, Value>,
    /// Things the run could only approximate (unmocked blocks, loop conditions that threw).
    pub warnings: Vec<String>,
    /// Pauses still open (a paused run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<PausePoint>,
    /// How many resumes were applied.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub resumed: usize,
}

/// The block a run of `state` starts from (Sim's `findTriggerBlock`), unless a run names one.
pub fn trigger_of(state: &WorkflowState) -> Result<String> {
    engine::find_trigger(state, None)
}

/// Runs a workflow (and applies `options.resume`, if any).
pub fn run(state: &WorkflowState, options: &RunOptions) -> Result<RunReport> {
    engine::Engine::new(state, options, 1)?.run()
}
