//! Block families: the handful of behaviours among Sim's ~336 block types.

use super::model::Block;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum BlockFamily {
    /// `start_trigger`, legacy `starter`, schedules, webhooks, any block in trigger mode.
    Trigger,
    Agent,
    Api,
    Function,
    Condition,
    /// `router_v2` and legacy `router`.
    Router,
    Evaluator,
    Response,
    Wait,
    HumanInTheLoop,
    Variables,
    WorkflowInput,
    Note,
    Loop,
    Parallel,
    /// Every integration (`slack`, `gmail_v2`, ...): a tool call with its own sub-blocks.
    Integration,
}

/// Block types that only ever start a run.
const TRIGGER_TYPES: &[&str] = &[
    "start_trigger",
    "starter",
    "schedule",
    "generic_webhook",
    "webhook",
    "imap",
    "rss",
    "api_trigger",
    "chat_trigger",
    "input_trigger",
    "manual_trigger",
];

impl BlockFamily {
    pub fn of_type(block_type: &str) -> BlockFamily {
        match block_type {
            t if TRIGGER_TYPES.contains(&t) || t.ends_with("_trigger") => BlockFamily::Trigger,
            "agent" => BlockFamily::Agent,
            "api" => BlockFamily::Api,
            "function" => BlockFamily::Function,
            "condition" => BlockFamily::Condition,
            "router" | "router_v2" => BlockFamily::Router,
            "evaluator" => BlockFamily::Evaluator,
            "response" => BlockFamily::Response,
            "wait" => BlockFamily::Wait,
            "human_in_the_loop" => BlockFamily::HumanInTheLoop,
            "variables" => BlockFamily::Variables,
            "workflow_input" | "workflow" => BlockFamily::WorkflowInput,
            "note" => BlockFamily::Note,
            "loop" => BlockFamily::Loop,
            "parallel" => BlockFamily::Parallel,
            _ => BlockFamily::Integration,
        }
    }

    pub fn of(block: &Block) -> BlockFamily {
        if block.is_trigger_mode() {
            return BlockFamily::Trigger;
        }
        BlockFamily::of_type(&block.block_type)
    }

    pub fn is_container(self) -> bool {
        matches!(self, BlockFamily::Loop | BlockFamily::Parallel)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BlockFamily::Trigger => "trigger",
            BlockFamily::Agent => "agent",
            BlockFamily::Api => "api",
            BlockFamily::Function => "function",
            BlockFamily::Condition => "condition",
            BlockFamily::Router => "router",
            BlockFamily::Evaluator => "evaluator",
            BlockFamily::Response => "response",
            BlockFamily::Wait => "wait",
            BlockFamily::HumanInTheLoop => "human_in_the_loop",
            BlockFamily::Variables => "variables",
            BlockFamily::WorkflowInput => "workflow_input",
            BlockFamily::Note => "note",
            BlockFamily::Loop => "loop",
            BlockFamily::Parallel => "parallel",
            BlockFamily::Integration => "integration",
        }
    }
}
