//! Conversion between Sim workflows and Parlant journeys, with a `Mapping` of what became what.
//!
//! - `workflow_to_journey`: blocks become states (same ids), edges become transitions (same
//!   ids), branch handles become readable conditions (the exact JavaScript kept in
//!   `metadata.sim.expression`), containers become cycles; everything the journey cannot say is
//!   kept in `metadata.sim` (a node's original block, an edge's original edge, the document's
//!   envelope and the blocks it left out).
//! - `journey_to_workflow`: the inverse. A state with a `metadata.sim` base becomes that block
//!   again, with the journey's edits applied on top (an edited action is written into the
//!   agent's prompt, a moved state moves the block, an edited route description changes the
//!   route); a state without one becomes a new block in Sim's shapes. Journey facts Sim cannot
//!   express travel in `data.parlant` as field diffs (see `carry`), so they come back unless the
//!   Sim side has changed them since.
//!
//! Unchanged inputs round-trip exactly both ways; see docs/convert.md for the rules and codes.

mod build;
mod carry;
pub(crate) mod conditions;
mod digest;
mod expr;
mod layout;
pub mod mapping;
mod to_journey;
mod to_workflow;

pub use conditions::{ELSE, FAILED, SUCCEEDED};
pub use expr::looks_like_code;
pub use mapping::{
    codes, Approximation, Direction, EdgeMapping, EndMapping, Mapping, NodeMapping, VariableMapping,
};

use crate::error::Result;
use crate::json::Maybe;
use crate::parlant::JourneyDocument;
use crate::sim::{Block, Edge, SimDocument};
use foldhash::HashMap;
use indexmap::IndexMap;
use serde_json::{Map, Value};

/// The key of Journey Studio's carrier in Sim `data` objects and workflow metadata.
pub const PARLANT_KEY: &str = "parlant";

#[derive(Debug, Clone, PartialEq)]
pub struct ConvertOptions {
    /// `service_name` of the `ToolId`s given to tool states (Parlant's tool service that would
    /// host Sim's blocks as tools).
    pub service_name: String,
    /// The journey's conditions; by default one condition naming the workflow.
    pub conditions: Option<Vec<String>>,
    /// The model of new agent and router blocks.
    pub model: String,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            service_name: "sim".into(),
            conditions: None,
            model: "claude-sonnet-4-5".into(),
        }
    }
}

/// A converted document and the record of how it was converted.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion<T> {
    pub output: T,
    pub mapping: Mapping,
}

/// Converts a Sim workflow into a journey.
pub fn workflow_to_journey(
    doc: &SimDocument,
    opts: &ConvertOptions,
) -> Result<Conversion<JourneyDocument>> {
    let pass = to_journey::Pass {
        carry_sim: true,
        apply_carriers: true,
        known: Default::default(),
    };
    let (output, mapping) = to_journey::forward(doc, opts, &pass)?;
    Ok(Conversion { output, mapping })
}

/// Converts a journey into a Sim workflow.
pub fn journey_to_workflow(
    doc: &JourneyDocument,
    opts: &ConvertOptions,
) -> Result<Conversion<SimDocument>> {
    let (output, mapping) = to_workflow::backward(doc, opts)?;
    Ok(Conversion { output, mapping })
}

/// Removes what `workflow_to_journey` adds for the way back (`metadata.sim` on states and
/// transitions, the document's `sim`), restoring each element's own metadata as it was. What
/// remains is the journey as Parlant would see it.
pub fn strip_sim_metadata(doc: &mut JourneyDocument) {
    doc.extra.shift_remove("sim");
    for node in &mut doc.nodes {
        detach_sim(&mut node.metadata);
    }
    for edge in &mut doc.edges {
        detach_sim(&mut edge.metadata);
    }
}

/// Adds `metadata.sim`, noting when the element had no metadata object of its own.
fn attach_sim(metadata: &mut Maybe<IndexMap<String, Value>>, mut sim: Value) {
    let own = match metadata {
        Maybe::Absent => Some("absent"),
        Maybe::Null => Some("null"),
        Maybe::Value(_) => None,
    };
    if let (Some(own), Value::Object(map)) = (own, &mut sim) {
        map.insert("own_metadata".into(), Value::String(own.into()));
    }
    metadata.get_or_insert_default().insert("sim".into(), sim);
}

/// Removes `metadata.sim` and returns it, putting back an absent or `null` metadata.
fn detach_sim(metadata: &mut Maybe<IndexMap<String, Value>>) -> Option<Value> {
    let map = metadata.get_mut()?;
    let sim = map.shift_remove("sim")?;
    if map.is_empty() {
        match sim.get("own_metadata").and_then(Value::as_str) {
            Some("absent") => *metadata = Maybe::Absent,
            Some("null") => *metadata = Maybe::Null,
            _ => {}
        }
    }
    Some(sim)
}

/// A block's `data.parlant`.
fn block_carrier(block: &Block) -> Option<&Map<String, Value>> {
    block.data.get()?.extra.get(PARLANT_KEY)?.as_object()
}

/// An edge's `data.parlant`.
fn edge_carrier(edge: &Edge) -> Option<&Map<String, Value>> {
    edge.data.get()?.get(PARLANT_KEY)?.as_object()
}

/// Block display names by normalised name (how references name blocks).
fn display_names<'a>(blocks: impl Iterator<Item = &'a Block>) -> HashMap<String, String> {
    blocks
        .map(|b| {
            (
                crate::sim::references::normalize_block_name(&b.name),
                b.name.clone(),
            )
        })
        .collect()
}
