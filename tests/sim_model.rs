//! Sim semantics on real and hand-written workflows: container tables, handles, references.

mod common;

use journey_studio::graph::GraphView;
use journey_studio::sim::containers::{ancestors, derive_loops, derive_parallels, rederive};
use journey_studio::sim::references::{references_in_value, RefTarget};
use journey_studio::sim::{SimDocument, SourceHandle};
use journey_studio::Document;

fn sim(path: &std::path::Path) -> SimDocument {
    match Document::load(path).unwrap() {
        Document::Sim(doc) => doc,
        other => panic!("{} is not a workflow: {:?}", path.display(), other.kind()),
    }
}

#[test]
fn derived_container_tables_match_what_sim_saved() {
    // Hand-written fixtures follow today's Sim exactly.
    for path in common::fixtures("sim") {
        let doc = sim(&path);
        let state = doc.state();
        // Fields Sim does not derive (invented ones in unknown-fields.json) are not compared.
        let mut stored_loops = state.loops.get().cloned().unwrap_or_default();
        stored_loops.values_mut().for_each(|l| l.extra.clear());
        let mut stored_parallels = state.parallels.get().cloned().unwrap_or_default();
        stored_parallels.values_mut().for_each(|p| p.extra.clear());
        assert_eq!(
            derive_loops(state),
            stored_loops,
            "{}: loops",
            path.display()
        );
        assert_eq!(
            derive_parallels(state),
            stored_parallels,
            "{}: parallels",
            path.display()
        );
    }
}

#[test]
fn real_export_parallel_membership_matches_sim() {
    let path = common::repo()
        .join("fixtures/sim-real/lead-enricher-6ed8dede-1df6-4962-95f4-887abf524b38.json");
    let doc = sim(&path);
    let state = doc.state();
    let derived = derive_parallels(state);
    let stored = state.parallels.get().unwrap();
    assert_eq!(derived.len(), 1);
    for (id, parallel) in derived.iter() {
        assert_eq!(parallel.nodes, stored[id].nodes);
        assert_eq!(parallel.parallel_type, stored[id].parallel_type);
        assert_eq!(parallel.count, stored[id].count);
        // This export predates `batchSize`; today's Sim fills in the default of 20.
        assert_eq!(parallel.batch_size.get().unwrap().as_u64(), Some(20));
    }
    let child = &stored.values().next().unwrap().nodes[0];
    assert_eq!(
        ancestors(state, child),
        vec![stored.keys().next().unwrap().as_str()]
    );
}

#[test]
fn rederive_rewrites_tables_from_container_blocks() {
    let path = common::repo()
        .join("fixtures/sim-real/lead-enricher-6ed8dede-1df6-4962-95f4-887abf524b38.json");
    let mut doc = sim(&path);
    let state = doc.state_mut();
    state.loops = journey_studio::json::Maybe::Absent;
    state.parallels = journey_studio::json::Maybe::Absent;
    rederive(state);
    assert_eq!(state.parallels.get().unwrap().len(), 1);
    assert_eq!(state.loops.get().unwrap().len(), 0);
}

#[test]
fn every_edge_handle_in_real_exports_is_understood() {
    for path in common::fixtures("sim-real") {
        let doc = sim(&path);
        for edge in &doc.state().edges {
            let handle = SourceHandle::parse(edge.source_handle.get().map(String::as_str));
            assert!(
                !matches!(handle, SourceHandle::Other(_)),
                "{}: {:?}",
                path.display(),
                edge.source_handle
            );
        }
    }
}

#[test]
fn references_in_real_exports_point_at_blocks_that_exist() {
    let path = common::repo()
        .join("fixtures/sim-real/lead-enricher-6ed8dede-1df6-4962-95f4-887abf524b38.json");
    let doc = sim(&path);
    let state = doc.state();
    let names: Vec<String> = state
        .blocks
        .values()
        .map(|b| journey_studio::sim::references::normalize_block_name(&b.name))
        .collect();
    let mut seen = 0;
    for block in state.blocks.values() {
        for sub in block.sub_blocks.values() {
            let Some(value) = sub.value.get() else {
                continue;
            };
            for (_, reference) in
                references_in_value(value, &journey_studio::json::JsonPath::root())
            {
                if let RefTarget::Block { name, .. } = &reference.target {
                    assert!(names.contains(name), "unknown block `{name}`");
                    seen += 1;
                }
            }
        }
    }
    assert!(
        seen >= 2,
        "expected references like <agent.row> in the lead enricher"
    );
}

#[test]
fn graph_view_over_a_real_workflow() {
    let path = common::repo()
        .join("fixtures/sim-real/lead-enricher-6ed8dede-1df6-4962-95f4-887abf524b38.json");
    let doc = sim(&path);
    let state = doc.state();
    let view = GraphView::of_workflow(state);
    let start = state
        .blocks
        .values()
        .find(|b| b.block_type == "start_trigger")
        .unwrap();
    let reached = view.reachable_from([start.id.as_str()]);
    // Start -> parallel -> agent -> sheets; the note is not connected.
    assert_eq!(reached.len(), 4);
    assert!(view.topological_order().is_ok());
    assert!(view.dangling.is_empty());
}
