//! The record of one conversion: which Sim element became which journey element, which values
//! became context variables, and what could not be carried over exactly.
//!
//! Other modules read it: the validator reports `approximations` as diagnostics, the
//! simulator's parity check walks `nodes`/`edges`, the editor highlights the same step in both
//! views. Ids are the documents' own ids, so the mapping of an unchanged input is identical on
//! every run.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    WorkflowToJourney,
    JourneyToWorkflow,
}

/// A Sim block and the journey state it corresponds to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct NodeMapping {
    pub block_id: String,
    pub state_id: String,
    /// How the block was read: `trigger->root`, `agent->chat`, `condition->fork`, ...; a block made
    /// only to express a journey fact reads `router_for:<state id>`.
    pub role: String,
}

/// A Sim edge and the journey transition it corresponds to. One side is `None` when the element
/// exists only there: a loop's repeat transition, a transition to `end`, the edge into a router
/// made for a conditional chat state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EdgeMapping {
    pub sim_edge_id: Option<String>,
    pub transition_id: Option<String>,
    /// The Sim source handle (`source`, `error`, `condition-…`, `router-…`, ...), when there is a Sim edge.
    pub handle: Option<String>,
}

/// A Sim value that is a journey context variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VariableMapping {
    /// The reference Sim blocks use for it: `<start.email>`, `<variable.tier>`.
    pub sim_reference: String,
    /// The context variable's name.
    pub context_variable: String,
    /// `start_input` (a field of the start trigger's input format) or `workflow_variable`.
    pub origin: String,
}

/// Something that was approximated or dropped, and why. `code` is stable and catalogued once,
/// with the validator's diagnostics (`validate::CATALOGUE`, docs/validation.md), which reports
/// each approximation as a conversion-readiness diagnostic. `nodes` and `edges` are ids in the
/// converted (source) document: blocks and edges for a workflow, states and transitions for a
/// journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Approximation {
    pub code: String,
    pub nodes: Vec<String>,
    pub edges: Vec<String>,
    pub message: String,
}

/// Where the journey ends: a Sim block with no outgoing edge and its journey state with no
/// transition. Parlant 3.3.2 ends a journey at a state without transitions (the reachable-nodes
/// evaluation gives it the exit path `None`; its docs' book-flight journey ends so), and a
/// transition to `end` after a tool state does not exit cleanly (`auto_return_match`), so the
/// conversion writes no transition there, and the way back writes no edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndMapping {
    pub block_id: String,
    pub state_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Mapping {
    pub direction: Direction,
    pub nodes: Vec<NodeMapping>,
    pub edges: Vec<EdgeMapping>,
    pub variables: Vec<VariableMapping>,
    pub approximations: Vec<Approximation>,
    /// Where the journey ends (states without transitions, blocks without edges), in document
    /// order. Not part of the UI's generated types (additive: older mappings read as none).
    #[ts(skip)]
    #[serde(default)]
    pub ends: Vec<EndMapping>,
}

/// The stable approximation codes. Their meaning, severity and fix live in the one diagnostic
/// catalogue (`validate::CATALOGUE`); a test keeps `ALL` and the catalogue's `C` codes equal.
pub mod codes {
    /// A disabled block was left out of the journey (kept in `sim` metadata).
    pub const DISABLED_BLOCK: &str = "C001";
    /// A note block is not a state; it is kept in the journey's `sim` metadata.
    pub const NOTE_KEPT: &str = "C002";
    /// A loop became a cycle with an exit condition.
    pub const LOOP_AS_CYCLE: &str = "C003";
    /// A parallel became one sequential branch repeated per item.
    pub const PARALLEL_AS_SEQUENCE: &str = "C004";
    /// A second trigger became a chat state (a journey has one root).
    pub const EXTRA_TRIGGER: &str = "C005";
    /// The workflow has no trigger: a root state was added in front of its first blocks.
    pub const SYNTHETIC_ROOT: &str = "C006";
    /// A block fans out to several blocks at once; Parlant follows one transition at a time.
    pub const CONCURRENT_FANOUT: &str = "C007";
    /// An edge names a block or state that does not exist; it was dropped.
    pub const DANGLING_EDGE: &str = "C008";
    /// A condition branch has an empty expression.
    pub const EMPTY_CONDITION: &str = "C009";
    /// A journey fact Sim cannot express was kept in the block's or edge's `data.parlant`.
    pub const CARRIED_IN_DATA: &str = "C010";
    /// A natural-language condition became a router_v2 route: an LLM picks it, as in Parlant.
    pub const CONDITION_AS_ROUTE: &str = "C011";
    /// A tool state became a placeholder function block.
    pub const TOOL_PLACEHOLDER: &str = "C012";
    /// Edited condition text on a JavaScript branch is not an expression; the branch kept its code.
    pub const CONDITION_TEXT_NOT_CODE: &str = "C013";
    /// A transition to `end` has no Sim edge (the block is a leaf); it is kept in `data.parlant`.
    pub const END_TRANSITION_CARRIED: &str = "C014";
    /// An element added by the conversion (repeat, root or end transition) was edited; the edit
    /// has no Sim counterpart and was ignored.
    pub const SYNTHETIC_EDITED: &str = "C015";
    /// A node's kind changed in the journey; the Sim block keeps its type.
    pub const KIND_CHANGED: &str = "C016";

    /// Every approximation code, in order.
    pub const ALL: &[&str] = &[
        DISABLED_BLOCK,
        NOTE_KEPT,
        LOOP_AS_CYCLE,
        PARALLEL_AS_SEQUENCE,
        EXTRA_TRIGGER,
        SYNTHETIC_ROOT,
        CONCURRENT_FANOUT,
        DANGLING_EDGE,
        EMPTY_CONDITION,
        CARRIED_IN_DATA,
        CONDITION_AS_ROUTE,
        TOOL_PLACEHOLDER,
        CONDITION_TEXT_NOT_CODE,
        END_TRANSITION_CARRIED,
        SYNTHETIC_EDITED,
        KIND_CHANGED,
    ];
}

impl Mapping {
    pub fn new(direction: Direction) -> Mapping {
        Mapping {
            direction,
            nodes: Vec::new(),
            edges: Vec::new(),
            variables: Vec::new(),
            approximations: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Records an approximation about source-document `nodes` and `edges`.
    pub fn approximate(
        &mut self,
        code: &str,
        nodes: &[&str],
        edges: &[&str],
        message: impl Into<String>,
    ) {
        let owned = |ids: &[&str]| ids.iter().map(|e| e.to_string()).collect();
        self.approximations.push(Approximation {
            code: code.to_string(),
            nodes: owned(nodes),
            edges: owned(edges),
            message: message.into(),
        });
    }

    /// The journey state a block became, if any.
    pub fn state_of_block(&self, block_id: &str) -> Option<&str> {
        self.nodes
            .iter()
            .find(|n| n.block_id == block_id)
            .map(|n| n.state_id.as_str())
    }

    /// The Sim block a journey state came from or became, if any.
    pub fn block_of_state(&self, state_id: &str) -> Option<&str> {
        self.nodes
            .iter()
            .find(|n| n.state_id == state_id && !n.role.starts_with("router_for:"))
            .map(|n| n.block_id.as_str())
    }

    /// Approximations with a given code.
    pub fn with_code<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Approximation> + 'a {
        self.approximations.iter().filter(move |a| a.code == code)
    }
}
