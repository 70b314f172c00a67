//! Reading and writing journey documents, with the rules the format itself depends on.

use super::model::{JourneyDocument, END_NODE_ID, FORMAT, FORMAT_VERSION};
use crate::error::Result;
use crate::json::{self, from_str_located, invalid_at, JsonPath};
use std::collections::HashSet;

impl JourneyDocument {
    /// Reads a journey document from text. `file` names the source in errors.
    pub fn parse(file: &str, text: &str) -> Result<JourneyDocument> {
        let doc: JourneyDocument = from_str_located(file, text)?;
        let at = |path: JsonPath, message: String| invalid_at(file, text, path, message);
        if doc.format != FORMAT {
            return Err(at(
                JsonPath::root().key("format"),
                format!("unknown format `{}`: a journey document has \"format\": \"{FORMAT}\"", doc.format),
            ));
        }
        if doc.version == 0 || doc.version > FORMAT_VERSION {
            return Err(at(
                JsonPath::root().key("version"),
                format!(
                    "journey format version {} is not supported (this build reads versions 1..={FORMAT_VERSION}; a newer Journey Studio wrote it?)",
                    doc.version
                ),
            ));
        }
        let mut ids = HashSet::new();
        for (i, node) in doc.nodes.iter().enumerate() {
            let path = JsonPath::root().key("nodes").index(i).key("id");
            if node.id == END_NODE_ID {
                return Err(at(path, format!("`{END_NODE_ID}` is Parlant's virtual end state and cannot be a node id")));
            }
            if node.id.is_empty() {
                return Err(at(path, "a node id cannot be empty".into()));
            }
            if !ids.insert(node.id.as_str()) {
                return Err(at(path, format!("duplicate node id `{}`", node.id)));
            }
        }
        if !ids.contains(doc.journey.root_id.as_str()) {
            return Err(at(
                JsonPath::root().key("journey").key("root_id"),
                format!("root_id `{}` names no node of this journey", doc.journey.root_id),
            ));
        }
        let mut edge_ids = HashSet::new();
        for (i, edge) in doc.edges.iter().enumerate() {
            if !edge_ids.insert(edge.id.as_str()) {
                return Err(at(
                    JsonPath::root().key("edges").index(i).key("id"),
                    format!("duplicate edge id `{}`", edge.id),
                ));
            }
        }
        Ok(doc)
    }

    pub fn to_json(&self) -> String {
        json::to_pretty(self)
    }
}

impl From<JourneyDocument> for crate::Document {
    fn from(doc: JourneyDocument) -> Self {
        crate::Document::Journey(doc)
    }
}
