//! Reading and writing Sim workflow files in the three shapes Sim's importer accepts: an export
//! envelope, a bare `WorkflowState`, or a JSON string holding either. A document remembers its
//! shape and is written back in it.

use super::family::BlockFamily;
use super::model::{SimExport, WorkflowState};
use crate::error::Result;
use crate::json::{self, from_str_located, invalid_at, JsonPath, Maybe};
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SimShape {
    /// `{"version", "exportedAt", "state", ...}`
    Envelope,
    /// A `WorkflowState` on its own: `{"blocks", "edges", ...}`.
    BareState,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimDocument {
    pub shape: SimShape,
    /// The file held the document as a JSON string (Sim's importer accepts that too).
    pub json_string: bool,
    /// For a bare state only `state` is used; the envelope fields stay absent.
    pub export: SimExport,
}

impl SimDocument {
    pub fn state(&self) -> &WorkflowState {
        &self.export.state
    }

    pub fn state_mut(&mut self) -> &mut WorkflowState {
        &mut self.export.state
    }

    /// A new export envelope around a state.
    pub fn from_state(state: WorkflowState) -> SimDocument {
        SimDocument {
            shape: SimShape::Envelope,
            json_string: false,
            export: SimExport {
                state,
                version: Maybe::Value("1.0".into()),
                exported_at: Maybe::Absent,
                workflow: Maybe::Absent,
                extra: IndexMap::new(),
            },
        }
    }

    /// Reads a Sim workflow from text. `file` names the source in errors.
    pub fn parse(file: &str, text: &str) -> Result<SimDocument> {
        if text.trim_start().starts_with('"') {
            let inner: String = from_str_located(file, text)?;
            let inner_file = format!("{file} (inside its JSON string)");
            let mut doc = Self::parse_object(&inner_file, &inner)?;
            doc.json_string = true;
            return Ok(doc);
        }
        Self::parse_object(file, text)
    }

    fn parse_object(file: &str, text: &str) -> Result<SimDocument> {
        let shape = detect_shape(file, text)?;
        let doc = match shape {
            SimShape::Envelope => SimDocument {
                shape,
                json_string: false,
                export: from_str_located(file, text)?,
            },
            SimShape::BareState => {
                let state: WorkflowState = from_str_located(file, text)?;
                let mut doc = SimDocument::from_state(state);
                doc.shape = SimShape::BareState;
                doc.export.version = Maybe::Absent;
                doc
            }
        };
        check_integrity(file, text, &doc)?;
        Ok(doc)
    }

    /// The document as text, in the shape it was read in.
    pub fn to_json(&self) -> String {
        let body = match self.shape {
            SimShape::Envelope => json::to_pretty(&self.export),
            SimShape::BareState => json::to_pretty(&self.export.state),
        };
        if self.json_string {
            json::to_pretty(&serde_json::Value::String(body))
        } else {
            body
        }
    }

    /// The path of the state inside the document, for locating errors.
    pub fn state_path(&self) -> JsonPath {
        match self.shape {
            SimShape::Envelope => JsonPath::root().key("state"),
            SimShape::BareState => JsonPath::root(),
        }
    }
}

/// Which shape the top-level object has, judged by its keys (cheaply: values are skipped).
fn detect_shape(file: &str, text: &str) -> Result<SimShape> {
    #[derive(serde::Deserialize)]
    struct Probe {
        state: Option<serde::de::IgnoredAny>,
        blocks: Option<serde::de::IgnoredAny>,
    }
    let probe: Probe = from_str_located(file, text)?;
    match (probe.state, probe.blocks) {
        (Some(_), _) => Ok(SimShape::Envelope),
        (None, Some(_)) => Ok(SimShape::BareState),
        (None, None) => Err(invalid_at(
            file,
            text,
            JsonPath::root(),
            "not a Sim workflow: expected an export with `state` or a workflow state with `blocks`",
        )),
    }
}

/// Rules the format itself depends on: ids are unique and match their keys, and container
/// membership points at real containers without cycles. Softer problems (edges to missing
/// blocks, unreachable blocks) are the validator's.
fn check_integrity(file: &str, text: &str, doc: &SimDocument) -> Result<()> {
    let state = doc.state();
    let base = doc.state_path();
    let blocks_path = base.clone().key("blocks");
    // Blocks whose chain of containers is known to end without a cycle: each chain is walked
    // once, so deep nesting costs linear time, not quadratic (20,000 nested loops took minutes).
    let mut acyclic: HashSet<&str> = HashSet::new();
    for (key, block) in state.blocks.iter() {
        if &block.id != key {
            return Err(invalid_at(
                file,
                text,
                blocks_path.clone().key(key.clone()).key("id"),
                format!("block id `{}` does not match its key `{key}`", block.id),
            ));
        }
        if let Some(parent) = block.parent_id() {
            let at = blocks_path
                .clone()
                .key(key.clone())
                .key("data")
                .key("parentId");
            match state.blocks.get(parent) {
                None => {
                    return Err(invalid_at(
                        file,
                        text,
                        at,
                        format!("block `{}` ({key}) is inside a container `{parent}` that does not exist", block.name),
                    ))
                }
                Some(p) if !BlockFamily::of_type(&p.block_type).is_container() => {
                    return Err(invalid_at(
                        file,
                        text,
                        at,
                        format!(
                            "block `{}` ({key}) names `{}` ({parent}) as its container, but that is a `{}` block, not a loop or parallel",
                            block.name, p.name, p.block_type
                        ),
                    ))
                }
                Some(_) => {}
            }
            let mut seen = HashSet::from([key.as_str()]);
            let mut current = Some(parent);
            while let Some(id) = current {
                if acyclic.contains(id) {
                    break;
                }
                if !seen.insert(id) {
                    return Err(invalid_at(
                        file,
                        text,
                        at,
                        format!("block `{}` ({key}) is inside itself: its containers form a cycle through `{id}`", block.name),
                    ));
                }
                current = state.blocks.get(id).and_then(|b| b.parent_id());
            }
            acyclic.extend(seen);
        }
    }
    let mut edge_ids = HashSet::new();
    for (i, edge) in state.edges.iter().enumerate() {
        if !edge_ids.insert(edge.id.as_str()) {
            return Err(invalid_at(
                file,
                text,
                base.clone().key("edges").index(i).key("id"),
                format!("duplicate edge id `{}`", edge.id),
            ));
        }
    }
    Ok(())
}

impl From<SimDocument> for crate::Document {
    fn from(doc: SimDocument) -> Self {
        crate::Document::Sim(doc)
    }
}
