//! Any document Journey Studio opens: detection of its kind, loading, saving, a summary.

use crate::error::{Error, Result};
use crate::json::{self, from_str_located, JsonPath};
use crate::parlant::{JourneyDocument, NodeKind, FORMAT as JOURNEY_FORMAT};
use crate::sim::{BlockFamily, SimDocument, SimShape, SourceHandle};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

// Documents are few and long-lived; boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Sim(SimDocument),
    Journey(JourneyDocument),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    SimWorkflow,
    ParlantJourney,
}

impl DocumentKind {
    /// The kind as the workspace stores it (`sim`, `journey`).
    pub fn store_name(self) -> &'static str {
        match self {
            DocumentKind::SimWorkflow => "sim",
            DocumentKind::ParlantJourney => "journey",
        }
    }

    /// A kind as the workspace stores it.
    pub fn from_store_name(name: &str) -> Option<DocumentKind> {
        match name {
            "sim" => Some(DocumentKind::SimWorkflow),
            "journey" => Some(DocumentKind::ParlantJourney),
            _ => None,
        }
    }
}

impl Document {
    /// Reads a document of any known kind from text; `file` names the source in errors.
    pub fn parse(file: &str, text: &str) -> Result<Document> {
        if text.trim_start().starts_with('"') {
            return Ok(Document::Sim(SimDocument::parse(file, text)?));
        }
        #[derive(serde::Deserialize)]
        struct Probe {
            format: Option<serde_json::Value>,
            state: Option<serde::de::IgnoredAny>,
            blocks: Option<serde::de::IgnoredAny>,
        }
        // A first pass that reads only these keys: it also catches malformed JSON, with a location.
        let probe: Probe = match from_str_located(file, text) {
            Ok(probe) => probe,
            Err(Error::Parse { location, message }) if message.starts_with("invalid type") => {
                return Err(Error::UnknownKind {
                    file: location.file,
                    message: format!("not a Journey Studio document: the top level must be a JSON object ({message})"),
                })
            }
            Err(err) => return Err(err),
        };
        match (&probe.format, probe.state.is_some() || probe.blocks.is_some()) {
            (Some(serde_json::Value::String(f)), _) if f == JOURNEY_FORMAT => {
                Ok(Document::Journey(JourneyDocument::parse(file, text)?))
            }
            (None, true) => Ok(Document::Sim(SimDocument::parse(file, text)?)),
            (Some(format), _) => Err(json::invalid_at(
                file,
                text,
                JsonPath::root().key("format"),
                format!("unknown document format `{}`: expected \"{JOURNEY_FORMAT}\" or a Sim workflow", json::excerpt(&format.to_string())),
            )),
            (None, false) => Err(Error::UnknownKind {
                file: file.to_string(),
                message: "not a Journey Studio document: neither a Sim workflow (`state` or `blocks`) nor a journey (`\"format\": \"parlant-journey\"`)".into(),
            }),
        }
    }

    pub fn load(path: &Path) -> Result<Document> {
        let text = json::read_text(path)?;
        Document::parse(&path.display().to_string(), &text)
    }

    pub fn to_json(&self) -> String {
        match self {
            Document::Sim(doc) => doc.to_json(),
            Document::Journey(doc) => doc.to_json(),
        }
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        json::write_atomic(path, &self.to_json())
    }

    pub fn kind(&self) -> DocumentKind {
        match self {
            Document::Sim(_) => DocumentKind::SimWorkflow,
            Document::Journey(_) => DocumentKind::ParlantJourney,
        }
    }

    pub fn summary(&self) -> Summary {
        match self {
            Document::Sim(doc) => Summary::Workflow(WorkflowSummary::of(doc)),
            Document::Journey(doc) => Summary::Journey(JourneySummary::of(doc)),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Summary {
    #[serde(rename = "sim_workflow")]
    Workflow(WorkflowSummary),
    #[serde(rename = "parlant_journey")]
    Journey(JourneySummary),
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkflowSummary {
    pub shape: SimShape,
    pub json_string: bool,
    pub name: Option<String>,
    pub blocks: usize,
    pub disabled_blocks: usize,
    pub edges: usize,
    pub loops: usize,
    pub parallels: usize,
    pub variables: usize,
    pub block_types: BTreeMap<String, usize>,
    pub families: BTreeMap<String, usize>,
    pub edge_handles: BTreeMap<String, usize>,
}

impl WorkflowSummary {
    fn of(doc: &SimDocument) -> WorkflowSummary {
        let state = doc.state();
        let mut block_types = BTreeMap::new();
        let mut families = BTreeMap::new();
        for block in state.blocks.values() {
            *block_types.entry(block.block_type.clone()).or_insert(0) += 1;
            *families
                .entry(BlockFamily::of(block).as_str().to_string())
                .or_insert(0) += 1;
        }
        let mut edge_handles = BTreeMap::new();
        for edge in &state.edges {
            let kind = match SourceHandle::parse(edge.source_handle.get().map(String::as_str)) {
                SourceHandle::Condition(_) => "condition".to_string(),
                SourceHandle::Router(_) => "router".to_string(),
                other => other.as_handle(),
            };
            *edge_handles.entry(kind).or_insert(0) += 1;
        }
        WorkflowSummary {
            shape: doc.shape,
            json_string: doc.json_string,
            name: state.name().map(str::to_string),
            blocks: state.blocks.len(),
            disabled_blocks: state.blocks.values().filter(|b| !b.enabled).count(),
            edges: state.edges.len(),
            loops: state.loops.get().map_or(0, |l| l.len()),
            parallels: state.parallels.get().map_or(0, |p| p.len()),
            variables: state.variables.get().map_or(0, |v| v.len()),
            block_types,
            families,
            edge_handles,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct JourneySummary {
    pub title: String,
    pub conditions: usize,
    pub states: usize,
    pub states_by_kind: BTreeMap<String, usize>,
    pub transitions: usize,
    pub conditional_transitions: usize,
    pub transitions_to_end: usize,
    pub tools: Vec<String>,
    pub context_variables: usize,
}

impl JourneySummary {
    fn of(doc: &JourneyDocument) -> JourneySummary {
        let mut states_by_kind = BTreeMap::new();
        let mut tools = Vec::new();
        for node in &doc.nodes {
            let kind = doc.kind_of(&node.id).unwrap_or(NodeKind::Chat);
            *states_by_kind.entry(kind.as_str().to_string()).or_insert(0) += 1;
            for tool in node.tool_ids() {
                let name = tool.to_string();
                if !tools.contains(&name) {
                    tools.push(name);
                }
            }
        }
        JourneySummary {
            title: doc.journey.title.clone(),
            conditions: doc.journey.conditions.len(),
            states: doc.nodes.len(),
            states_by_kind,
            transitions: doc.edges.len(),
            conditional_transitions: doc
                .edges
                .iter()
                .filter(|e| e.condition_text().is_some())
                .count(),
            transitions_to_end: doc
                .edges
                .iter()
                .filter(|e| e.target == crate::parlant::END_NODE_ID)
                .count(),
            tools,
            context_variables: doc.context_variables().len(),
        }
    }
}
