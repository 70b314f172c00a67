//! Reading and writing journey documents, with the rules the format itself depends on.

use super::model::{JourneyDocument, END_NODE_ID, FORMAT, FORMAT_VERSION};
use crate::error::Result;
use crate::json::{self, from_str_located, invalid_at, JsonPath};
use std::collections::HashSet;

impl JourneyDocument {
    /// Reads a journey document from text. `file` names the source in errors.
    pub fn parse(file: &str, text: &str) -> Result<JourneyDocument> {
        let mut doc: JourneyDocument = from_str_located(file, text)?;
        // Parlant's `JourneyVectorStore.list_nodes` (3.3.2) appends a synthetic
        // `JourneyNode(id="end", action=None, tools=[], metadata={})` to every node list, so a dump
        // of its store lists the virtual end among the nodes. That node is the virtual end, not a
        // state: it is dropped (after the checks, so errors keep the file's indices) and never
        // written back. An `end` node that says anything (an action, tools, metadata) is refused.
        let at = |path: JsonPath, message: String| invalid_at(file, text, path, message);
        if doc.format != FORMAT {
            return Err(at(
                JsonPath::root().key("format"),
                format!(
                    "unknown format `{}`: a journey document has \"format\": \"{FORMAT}\"",
                    doc.format
                ),
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
            if is_synthetic_end(node) {
                continue;
            }
            let path = JsonPath::root().key("nodes").index(i).key("id");
            if node.id == END_NODE_ID {
                return Err(at(
                    path,
                    format!(
                        "`{END_NODE_ID}` is Parlant's virtual end state and cannot be a node id"
                    ),
                ));
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
                format!(
                    "root_id `{}` names no node of this journey",
                    doc.journey.root_id
                ),
            ));
        }
        drop(ids);
        doc.nodes.retain(|n| !is_synthetic_end(n));
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

/// The node Parlant's store lists for its virtual end: id `end`, no action, no tools, no metadata.
fn is_synthetic_end(node: &super::model::JourneyNode) -> bool {
    node.id == END_NODE_ID
        && node.action.get().is_none()
        && node.tool_ids().is_empty()
        && node.metadata.get().is_none_or(|m| m.is_empty())
        && node.description.get().is_none()
}

impl From<JourneyDocument> for crate::Document {
    fn from(doc: JourneyDocument) -> Self {
        crate::Document::Journey(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_with(end: &str) -> String {
        format!(
            r#"{{"format": "parlant-journey", "version": 1,
                "journey": {{"title": "t", "description": "", "conditions": ["c"], "root_id": "Gm3xqd2B1a"}},
                "nodes": [{{"id": "Gm3xqd2B1a", "action": null, "tools": [], "metadata": {{}}}},
                          {{"id": "K2oVb7s0Qe", "action": "Ask", "tools": [], "metadata": {{"journey_node": {{"kind": "chat"}}}}}},
                          {end}],
                "edges": [{{"id": "pQ1", "source": "Gm3xqd2B1a", "target": "K2oVb7s0Qe", "condition": null}},
                          {{"id": "pQ2", "source": "K2oVb7s0Qe", "target": "end", "condition": null}}]}}"#
        )
    }

    #[test]
    fn the_store_s_synthetic_end_node_is_the_virtual_end_and_is_not_written_back() {
        let end = r#"{"id": "end", "action": null, "tools": [], "metadata": {}, "description": null, "creation_utc": "2026-01-01T00:00:00Z"}"#;
        let doc = JourneyDocument::parse("dump.json", &doc_with(end)).unwrap();
        let ids: Vec<&str> = doc.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            ids,
            ["Gm3xqd2B1a", "K2oVb7s0Qe"],
            "ids Parlant generated are kept; `end` is not a state"
        );
        assert_eq!(doc.edges[1].target, END_NODE_ID);
        let written = doc.to_json();
        assert!(!written.contains(r#""id": "end""#), "{written}");
        // Read back, it is the same document.
        assert_eq!(JourneyDocument::parse("again.json", &written).unwrap(), doc);
    }

    #[test]
    fn an_end_node_that_says_something_is_refused_with_its_place() {
        for end in [
            r#"{"id": "end", "action": "Say bye", "tools": [], "metadata": {}}"#,
            r#"{"id": "end", "action": null, "tools": [{"service_name": "s", "tool_name": "t"}], "metadata": {}}"#,
            r#"{"id": "end", "action": null, "tools": [], "metadata": {"journey_node": {"kind": "chat"}}}"#,
        ] {
            let e = JourneyDocument::parse("dump.json", &doc_with(end))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("nodes[2].id") && e.contains("virtual end"),
                "{e}"
            );
        }
    }
}
