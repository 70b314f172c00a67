//! Digests of a journey exactly as `workflow_to_journey` wrote it: the whole journey's in
//! `sim.digest`, each state's and transition's in its own `metadata.sim.digest`, and the
//! rendering context's (what a block's rendering depends on beyond the block) in `sim.context`.
//!
//! Converting back, the journey is compared with what its `metadata.sim` bases render to, to find
//! the edits made in the journey. When the journey still has the digest it was written with, it
//! is unchanged since (bases included), so it is what the bases render to and that rendering
//! (the costliest part of the way back) is skipped. When only some states or transitions were
//! edited, the others still have their own digests: while the bases' rendering context is the
//! one they were written in, each of them is what its base renders to, and only the edited ones
//! are rendered. A digest that does not match only means rendering: it is never trusted for
//! anything else. `workflow_to_journey` writes them only when the bases describe the whole
//! workflow (see `to_journey`), so skipping gives the answer the rendering would.
//!
//! The hash is foldhash with a fixed seed (fast, not cryptographic: a 64-bit accidental match is
//! the only risk), order-sensitive (stricter than JSON equality, so a reordered journey takes the
//! slow path). A digest written by another version that no longer matches costs time, not
//! correctness.

use super::block_carrier;
use crate::json::Maybe;
use crate::parlant::{JourneyDocument, JourneyEdge, JourneyNode};
use crate::sim::WorkflowState;
use foldhash::quality::{FixedState, FoldHasher};
use serde::Serialize;
use serde_json::Value;
use std::hash::{BuildHasher, Hash, Hasher};

type DefaultHasher = FoldHasher<'static>;

/// The key of a digest: the journey's in its `sim` object, an element's in its `metadata.sim`.
pub(crate) const DIGEST_KEY: &str = "digest";
/// The key of the rendering context's digest in the journey's `sim` object.
pub(crate) const CONTEXT_KEY: &str = "context";

fn hasher() -> DefaultHasher {
    // A fixed seed: a digest must be the same in every run of this build.
    FixedState::with_seed(0x6a73_2d64_6967_6573).build_hasher()
}

fn hex(hash: u64) -> String {
    format!("{hash:016x}")
}

/// What of a journey is still as `workflow_to_journey` wrote it.
pub(crate) struct Written {
    /// The whole journey (`sim.digest` matches).
    pub journey: bool,
    /// Each state, by position in `nodes` (its own digest matches).
    pub nodes: Vec<bool>,
    /// Each transition, by position in `edges`.
    pub edges: Vec<bool>,
}

/// Checks the journey's digests.
pub(crate) fn check(doc: &JourneyDocument) -> Written {
    let nodes: Vec<u64> = doc.nodes.iter().map(node_hash).collect();
    let edges: Vec<u64> = doc.edges.iter().map(edge_hash).collect();
    let stored = doc
        .extra
        .get("sim")
        .and_then(|s| s.get(DIGEST_KEY))
        .and_then(Value::as_str);
    let fresh = |metadata: &Maybe<indexmap::IndexMap<String, Value>>, hash: u64| {
        own_digest(metadata).is_some_and(|d| u64::from_str_radix(d, 16) == Ok(hash))
    };
    Written {
        journey: stored.is_some_and(|d| d == hex(whole(doc, &nodes, &edges))),
        nodes: doc
            .nodes
            .iter()
            .zip(&nodes)
            .map(|(n, h)| fresh(&n.metadata, *h))
            .collect(),
        edges: doc
            .edges
            .iter()
            .zip(&edges)
            .map(|(e, h)| fresh(&e.metadata, *h))
            .collect(),
    }
}

/// Writes the digests into a journey `workflow_to_journey` just made: each element's (where it
/// has a `metadata.sim` object), the rendering context's, then the whole journey's.
pub(crate) fn seal(doc: &mut JourneyDocument, context: String) {
    for node in &mut doc.nodes {
        let hash = node_hash(node);
        if let Some(Value::Object(sim)) = node.metadata.get_mut().and_then(|m| m.get_mut("sim")) {
            sim.insert(DIGEST_KEY.into(), Value::String(hex(hash)));
        }
    }
    for edge in &mut doc.edges {
        let hash = edge_hash(edge);
        if let Some(Value::Object(sim)) = edge.metadata.get_mut().and_then(|m| m.get_mut("sim")) {
            sim.insert(DIGEST_KEY.into(), Value::String(hex(hash)));
        }
    }
    if let Some(Value::Object(sim)) = doc.extra.get_mut("sim") {
        sim.insert(CONTEXT_KEY.into(), Value::String(context));
    }
    let nodes: Vec<u64> = doc.nodes.iter().map(node_hash).collect();
    let edges: Vec<u64> = doc.edges.iter().map(edge_hash).collect();
    let digest = hex(whole(doc, &nodes, &edges));
    if let Some(Value::Object(sim)) = doc.extra.get_mut("sim") {
        sim.insert(DIGEST_KEY.into(), Value::String(digest));
    }
}

/// The rendering context stored in the journey, if any.
pub(crate) fn stored_context(doc: &JourneyDocument) -> Option<&str> {
    doc.extra.get("sim")?.get(CONTEXT_KEY)?.as_str()
}

/// What the rendering of one block or edge depends on besides the element itself (and, for an
/// edge, its source block): the names, kinds, enablement, containers and folded routers of all
/// blocks (display names, the root, the states kept, merged routers), the ends and handles of
/// all edges (blocks with an error path, container bodies), and the tool service name.
pub(crate) fn context(state: &WorkflowState, service_name: &str) -> String {
    let mut h = hasher();
    text(&mut h, service_name);
    state.blocks.len().hash(&mut h);
    for (key, block) in state.blocks.iter() {
        text(&mut h, key);
        text(&mut h, &block.id);
        text(&mut h, &block.name);
        text(&mut h, &block.block_type);
        block.enabled.hash(&mut h);
        match block.parent_id() {
            Some(parent) => text(&mut h, parent),
            None => h.write_u8(0),
        }
        match block_carrier(block).and_then(|c| c.get("merged_into")) {
            Some(owner) => hash_value(&mut h, owner),
            None => h.write_u8(0),
        }
    }
    state.edges.len().hash(&mut h);
    for edge in &state.edges {
        text(&mut h, &edge.id);
        text(&mut h, &edge.source);
        text(&mut h, &edge.target);
        match &edge.source_handle {
            Maybe::Value(handle) => text(&mut h, handle),
            Maybe::Null => h.write_u8(1),
            Maybe::Absent => h.write_u8(0),
        }
    }
    hex(h.finish())
}

/// Whether the journey carries the digest it was written with.
#[cfg(test)]
pub(crate) fn matches(doc: &JourneyDocument) -> bool {
    check(doc).journey
}

/// The whole journey's hash, from its header and its elements' hashes.
fn whole(doc: &JourneyDocument, nodes: &[u64], edges: &[u64]) -> u64 {
    let mut h = hasher();
    let JourneyDocument {
        format,
        version,
        journey,
        nodes: _,
        edges: _,
        tags,
        guidelines,
        context_variables,
        editor,
        extra,
    } = doc;
    typed(&mut h, format);
    version.hash(&mut h);
    typed(&mut h, journey);
    typed(&mut h, tags);
    typed(&mut h, guidelines);
    typed(&mut h, context_variables);
    typed(&mut h, editor);
    extra.len().hash(&mut h);
    for (key, value) in extra {
        text(&mut h, key);
        match value {
            Value::Object(sim) if key == "sim" => {
                for (k, v) in sim.iter().filter(|(k, _)| *k != DIGEST_KEY) {
                    text(&mut h, k);
                    hash_value(&mut h, v);
                }
            }
            _ => hash_value(&mut h, value),
        }
    }
    nodes.hash(&mut h);
    edges.hash(&mut h);
    h.finish()
}

/// An element's own digest, in its `metadata.sim`.
fn own_digest(metadata: &Maybe<indexmap::IndexMap<String, Value>>) -> Option<&str> {
    metadata.get()?.get("sim")?.get(DIGEST_KEY)?.as_str()
}

fn node_hash(node: &JourneyNode) -> u64 {
    let mut h = hasher();
    hash_node(&mut h, node);
    h.finish()
}

fn edge_hash(edge: &JourneyEdge) -> u64 {
    let mut h = hasher();
    hash_edge(&mut h, edge);
    h.finish()
}

fn hash_node(h: &mut DefaultHasher, node: &JourneyNode) {
    // Destructured so that a new field cannot be left out of the digest unnoticed.
    let JourneyNode {
        id,
        action,
        tools,
        metadata,
        description,
        composition_mode,
        labels,
        extra,
    } = node;
    text(h, id);
    typed(h, action);
    typed(h, tools);
    map(h, metadata);
    typed(h, description);
    typed(h, composition_mode);
    typed(h, labels);
    extra.len().hash(h);
    for (k, v) in extra {
        text(h, k);
        hash_value(h, v);
    }
}

fn hash_edge(h: &mut DefaultHasher, edge: &JourneyEdge) {
    let JourneyEdge {
        id,
        source,
        target,
        condition,
        metadata,
        extra,
    } = edge;
    text(h, id);
    text(h, source);
    text(h, target);
    typed(h, condition);
    map(h, metadata);
    extra.len().hash(h);
    for (k, v) in extra {
        text(h, k);
        hash_value(h, v);
    }
}

fn map(h: &mut DefaultHasher, metadata: &Maybe<indexmap::IndexMap<String, Value>>) {
    match metadata {
        Maybe::Absent => h.write_u8(0),
        Maybe::Null => h.write_u8(1),
        Maybe::Value(map) => {
            h.write_u8(2);
            map.len().hash(h);
            for (k, v) in map {
                text(h, k);
                match v {
                    // The element's own digest is not part of what it digests.
                    Value::Object(sim) if k == "sim" => {
                        for (k, v) in sim.iter().filter(|(k, _)| *k != DIGEST_KEY) {
                            text(h, k);
                            hash_value(h, v);
                        }
                    }
                    _ => hash_value(h, v),
                }
            }
        }
    }
}

fn text(h: &mut DefaultHasher, s: &str) {
    h.write(s.as_bytes());
    h.write_u8(0xff);
}

/// A typed value, by its JSON text (small parts only: the bulk of a journey is `Value`s).
fn typed<T: Serialize>(h: &mut DefaultHasher, value: &T) {
    struct Feed<'a>(&'a mut DefaultHasher);
    impl std::io::Write for Feed<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.write(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // Serialising a model value into a writer cannot fail; if it ever did, the digest would
    // only stop matching (the slow path), so the error is recorded in the hash, not raised.
    let ok = serde_json::to_writer(Feed(h), value).is_ok();
    h.write_u8(if ok { 0xfe } else { 0xfd });
}

fn hash_value(h: &mut DefaultHasher, value: &Value) {
    match value {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => {
            h.write_u8(1);
            b.hash(h);
        }
        Value::Number(n) => {
            h.write_u8(2);
            n.hash(h);
        }
        Value::String(s) => {
            h.write_u8(3);
            text(h, s);
        }
        Value::Array(items) => {
            h.write_u8(4);
            items.len().hash(h);
            for item in items {
                hash_value(h, item);
            }
        }
        Value::Object(map) => {
            h.write_u8(5);
            map.len().hash(h);
            for (k, v) in map {
                text(h, k);
                hash_value(h, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::{workflow_to_journey, ConvertOptions};
    use crate::sim::SimDocument;

    const FIXTURE: &str = "fixtures/sim/support-triage-condition.json";

    fn journey(fixture: &str) -> JourneyDocument {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
        let sim = SimDocument::parse(fixture, &std::fs::read_to_string(&path).unwrap()).unwrap();
        workflow_to_journey(&sim, &ConvertOptions::default())
            .unwrap()
            .output
    }

    #[test]
    fn a_journey_written_to_a_file_and_read_back_still_matches() {
        let written = journey(FIXTURE);
        assert!(matches(&written));
        let read = JourneyDocument::parse("journey", &written.to_json()).unwrap();
        assert!(matches(&read));
    }

    /// The way back trusts a state's own digest: a state whose digest was recomputed after an
    /// edit (which `workflow_to_journey` never does) is taken for unedited and not rendered,
    /// while the same edit without the forged digest reaches the workflow.
    #[test]
    fn a_state_with_its_own_digest_is_not_rendered_again() {
        let written = journey(FIXTURE);
        let i = written
            .nodes
            .iter()
            .position(|n| n.action.get().is_some() && n.id != written.journey.root_id)
            .unwrap();
        let mut edited = written.clone();
        edited.nodes[i].action = Maybe::Value("Say something else entirely".into());
        let mut forged = edited.clone();
        let hash = node_hash(&forged.nodes[i]);
        if let Some(Value::Object(sim)) = forged.nodes[i]
            .metadata
            .get_mut()
            .and_then(|m| m.get_mut("sim"))
        {
            sim.insert(DIGEST_KEY.into(), Value::String(hex(hash)));
        }
        let check = check(&forged);
        assert!(!check.journey && check.nodes.iter().all(|fresh| *fresh));
        let prompt = |journey: &JourneyDocument| {
            let back = crate::convert::journey_to_workflow(journey, &ConvertOptions::default())
                .unwrap()
                .output;
            serde_json::to_string(&back.state().blocks[i]).unwrap()
        };
        assert!(prompt(&edited).contains("Say something else entirely"));
        assert!(!prompt(&forged).contains("Say something else entirely"));
        assert_eq!(prompt(&forged), prompt(&written));
    }

    #[test]
    fn any_edit_or_reordering_stops_the_match() {
        let base = journey(FIXTURE);
        let mut edited = base.clone();
        edited.nodes[0].description = Maybe::Value("changed".into());
        assert!(!matches(&edited));
        let mut reordered = base.clone();
        reordered.edges.reverse();
        assert!(!matches(&reordered));
        let mut carried = base.clone();
        if let Some(Value::Object(sim)) = carried.nodes[0]
            .metadata
            .get_mut()
            .and_then(|m| m.get_mut("sim"))
        {
            sim.insert("index".into(), Value::from(9999));
        }
        assert!(!matches(&carried));
    }
}
