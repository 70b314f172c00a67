//! A digest of a journey exactly as `workflow_to_journey` wrote it, kept in `sim.digest`.
//!
//! Converting back, the journey is compared with what its `metadata.sim` bases render to, to find
//! the edits made in the journey. When the journey still has the digest it was written with, it
//! is unchanged since (bases included), so it is what the bases render to and that rendering
//! (the costliest part of the way back) is skipped. A digest that does not match only means the
//! slow path: it is never trusted for anything else. `workflow_to_journey` writes one only when
//! the bases describe the whole workflow (see `to_journey`), so the shortcut gives the answer the
//! rendering would.
//!
//! The hash is foldhash with a fixed seed (fast, not cryptographic: a 64-bit accidental match is
//! the only risk), order-sensitive (stricter than JSON equality, so a reordered journey takes the
//! slow path). A digest written by another version that no longer matches costs time, not
//! correctness.

use crate::json::Maybe;
use crate::parlant::{JourneyDocument, JourneyEdge, JourneyNode};
use foldhash::quality::{FixedState, FoldHasher};
use serde::Serialize;
use serde_json::Value;
use std::hash::{BuildHasher, Hash, Hasher};

type DefaultHasher = FoldHasher<'static>;

/// The key of the digest in the journey's `sim` object.
pub(crate) const DIGEST_KEY: &str = "digest";

/// The journey's digest, ignoring `sim.digest` itself.
pub(crate) fn of(doc: &JourneyDocument) -> String {
    // A fixed seed: the digest must be the same in every run of this build.
    let mut h = FixedState::with_seed(0x6a73_2d64_6967_6573).build_hasher();
    let JourneyDocument {
        format,
        version,
        journey,
        nodes,
        edges,
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
    nodes.len().hash(&mut h);
    for node in nodes {
        hash_node(&mut h, node);
    }
    edges.len().hash(&mut h);
    for edge in edges {
        hash_edge(&mut h, edge);
    }
    format!("{:016x}", h.finish())
}

/// Whether the journey carries the digest it was written with.
pub(crate) fn matches(doc: &JourneyDocument) -> bool {
    let stored = doc
        .extra
        .get("sim")
        .and_then(|s| s.get(DIGEST_KEY))
        .and_then(Value::as_str);
    stored.is_some_and(|d| d == of(doc))
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
                hash_value(h, v);
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
