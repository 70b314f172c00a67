//! Conversion readiness: what converting the document (Sim workflow -> journey, or journey ->
//! Sim workflow) would approximate or drop, as diagnostics. The validator does not guess: it runs
//! the converter and reports each `convert::Approximation` of its mapping under the
//! approximation's own code (`C001`-`C016`, catalogued once in `catalogue`), pointing at the
//! source document's nodes and edges. A conversion that fails outright is `C017`.

use super::workflow::local::block_path;
use super::{catalogue, Diagnostic};
use crate::convert::{self, Approximation, ConvertOptions};
use crate::json::JsonPath;
use crate::sim::SimDocument;
use crate::Document;
use std::collections::HashMap;

/// The code of a conversion that fails outright (not one of the converter's approximations).
pub const CONVERSION_FAILS: &str = "C017";

/// The readiness diagnostics of a document: a workflow's conversion to a journey, or a
/// journey's conversion to a Sim workflow.
pub fn readiness(doc: &Document) -> Vec<Diagnostic> {
    let opts = ConvertOptions::default();
    match doc {
        Document::Sim(s) => match convert::workflow_to_journey(s, &opts) {
            Ok(c) => {
                // Positions by id, once: a conversion may report an approximation per element.
                let edges: HashMap<&str, usize> = s
                    .state()
                    .edges
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(i, e)| (e.id.as_str(), i))
                    .collect();
                c.mapping
                    .approximations
                    .into_iter()
                    .map(|a| workflow_diagnostic(s, &edges, a))
                    .collect()
            }
            Err(e) => vec![failed(s.state_path(), "a journey", &e)],
        },
        Document::Journey(j) => match convert::journey_to_workflow(j, &opts) {
            Ok(c) => {
                let nodes: HashMap<&str, usize> = j
                    .nodes
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(i, n)| (n.id.as_str(), i))
                    .collect();
                let edges: HashMap<&str, usize> = j
                    .edges
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(i, e)| (e.id.as_str(), i))
                    .collect();
                c.mapping
                    .approximations
                    .into_iter()
                    .map(|a| journey_diagnostic(&nodes, &edges, a))
                    .collect()
            }
            Err(e) => vec![failed(JsonPath::root(), "a Sim workflow", &e)],
        },
    }
}

fn failed(path: JsonPath, to: &str, e: &crate::Error) -> Diagnostic {
    Diagnostic::new(
        CONVERSION_FAILS,
        path,
        format!("the document cannot be converted to {to}: {e}"),
    )
}

/// `edges`: each edge id's first position in the workflow's edge list.
fn workflow_diagnostic(
    doc: &SimDocument,
    edges: &HashMap<&str, usize>,
    a: Approximation,
) -> Diagnostic {
    let base = doc.state_path();
    let state = doc.state();
    let path = match (a.nodes.first(), a.edges.first()) {
        (Some(id), _) if state.blocks.contains_key(id) => block_path(&base, id),
        (_, Some(id)) => match edges.get(id.as_str()) {
            Some(&i) => base.key("edges").index(i),
            None => base,
        },
        _ => base.key("blocks"),
    };
    diagnostic(a, path)
}

/// `nodes`, `edges`: each id's first position in the journey's lists.
fn journey_diagnostic(
    nodes: &HashMap<&str, usize>,
    edges: &HashMap<&str, usize>,
    a: Approximation,
) -> Diagnostic {
    let node = a
        .nodes
        .first()
        .and_then(|id| nodes.get(id.as_str()).copied());
    let edge = a
        .edges
        .first()
        .and_then(|id| edges.get(id.as_str()).copied());
    // An approximation about a transition points at the transition; about a state, at the state.
    let path = match (edge, node) {
        (Some(i), _) => JsonPath::root().key("edges").index(i),
        (None, Some(i)) => JsonPath::root().key("nodes").index(i),
        (None, None) => JsonPath::root(),
    };
    diagnostic(a, path)
}

fn diagnostic(a: Approximation, path: JsonPath) -> Diagnostic {
    // The code is the catalogue's own `&'static str`; a code the catalogue lacks would be a bug
    // (a unit test ties `convert::codes::ALL` to the catalogue), reported rather than hidden.
    let (code, message) = match catalogue::rule(&a.code) {
        Some(rule) => (rule.code, a.message),
        None => (
            CONVERSION_FAILS,
            format!("uncatalogued conversion code {}: {}", a.code, a.message),
        ),
    };
    let mut d = Diagnostic::new(code, path, message);
    d.node_ids = a.nodes;
    d.edge_ids = a.edges;
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approximations_keep_their_code_ids_and_get_the_catalogue_hint() {
        let a = Approximation {
            code: "C012".into(),
            nodes: vec!["lookup".into()],
            edges: vec![],
            message: "m".into(),
        };
        let d = diagnostic(a, JsonPath::root());
        assert_eq!(
            (d.code, d.node_ids.as_slice(), d.message.as_str()),
            ("C012", &["lookup".to_string()][..], "m")
        );
        assert_eq!(
            d.hint,
            catalogue::rule("C012").map(|r| r.fix).unwrap_or_default()
        );
        let unknown = Approximation {
            code: "C999".into(),
            nodes: vec![],
            edges: vec![],
            message: "m".into(),
        };
        assert_eq!(diagnostic(unknown, JsonPath::root()).code, CONVERSION_FAILS);
    }
}
