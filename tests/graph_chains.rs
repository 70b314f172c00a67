//! Straight chains of 100,000 journey states or Sim blocks validate and convert on a thread with
//! a 2 MiB stack (`serve`'s workers have a bounded stack too): no pass recurses once per node.
//! Before the graph passes were iterative a 15,000-state chain overflowed the main thread's 8 MiB.

use journey_studio::convert::{journey_to_workflow, workflow_to_journey, ConvertOptions};
use journey_studio::validate::{validate_with, Options, Severity};
use journey_studio::Document;
use std::fmt::Write;
use std::time::Instant;

const SMALL_STACK: usize = 2 << 20;

/// `start -> s0 -> ... -> s{n-1} -> end`, every state described (a distinct name each).
fn journey_chain(n: usize) -> String {
    let mut nodes = String::from(r#"{"id": "start", "action": null, "tools": [], "metadata": {}}"#);
    let mut edges = String::from(
        r#"{"id": "e0", "source": "start", "target": "s0", "condition": null, "metadata": {}}"#,
    );
    for i in 0..n {
        let _ = write!(
            nodes,
            r#", {{"id": "s{i}", "description": "Step {i}", "action": "Say {i}", "tools": [], "metadata": {{"journey_node": {{"kind": "chat"}}}}}}"#
        );
        let target = if i + 1 == n {
            "end".to_string()
        } else {
            format!("s{}", i + 1)
        };
        let _ = write!(
            edges,
            r#", {{"id": "e{}", "source": "s{i}", "target": "{target}", "condition": null, "metadata": {{}}}}"#,
            i + 1
        );
    }
    format!(
        r#"{{"format": "parlant-journey", "version": 1, "journey": {{"id": "chain", "title": "Chain", "description": "", "conditions": ["c"], "root_id": "start", "tags": []}}, "nodes": [{nodes}], "edges": [{edges}]}}"#
    )
}

/// A starter, then `n` function blocks in a line.
fn workflow_chain(n: usize) -> String {
    let mut blocks = String::from(
        r#""start": {"id": "start", "type": "starter", "name": "Start", "position": {"x": 0, "y": 0}, "subBlocks": {}, "outputs": {}, "enabled": true}"#,
    );
    let mut edges = Vec::with_capacity(n);
    let mut previous = "start".to_string();
    for i in 0..n {
        let _ = write!(
            blocks,
            r#", "b{i}": {{"id": "b{i}", "type": "function", "name": "F{i}", "position": {{"x": {i}, "y": 0}}, "subBlocks": {{"code": {{"id": "code", "type": "code", "value": "return 1"}}}}, "outputs": {{}}, "enabled": true}}"#
        );
        edges.push(format!(r#"{{"id": "e{i}", "source": "{previous}", "target": "b{i}", "sourceHandle": "source", "targetHandle": "target"}}"#));
        previous = format!("b{i}");
    }
    format!(
        r#"{{"state": {{"blocks": {{{blocks}}}, "edges": [{}], "loops": {{}}, "parallels": {{}}}}}}"#,
        edges.join(", ")
    )
}

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .unwrap()
        .join()
        .expect("the chain thread panicked")
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    eprintln!("{what}: {:.2} s", started.elapsed().as_secs_f64());
    out
}

#[test]
fn a_journey_of_100_000_states_in_a_line() {
    let n = 100_000;
    let (errors, blocks, back_states) = on_small_stack(move || {
        let text = journey_chain(n);
        let doc = timed("journey chain: parse", || {
            Document::parse("chain.json", &text).unwrap()
        });
        let report = timed("journey chain: validate", || {
            validate_with(&doc, Options { readiness: false }).unwrap()
        });
        let Document::Journey(journey) = &doc else {
            panic!("not a journey")
        };
        let sim = timed("journey chain: convert to a workflow", || {
            journey_to_workflow(journey, &ConvertOptions::default()).unwrap()
        })
        .output;
        let sim_doc = Document::Sim(sim);
        let sim_report = timed("journey chain: validate the workflow", || {
            validate_with(&sim_doc, Options { readiness: false }).unwrap()
        });
        let Document::Sim(sim) = &sim_doc else {
            unreachable!()
        };
        let back = timed("journey chain: convert back", || {
            workflow_to_journey(sim, &ConvertOptions::default()).unwrap()
        })
        .output;
        (
            report.errors + sim_report.errors,
            sim.state().blocks.len(),
            back.nodes.len(),
        )
    });
    assert_eq!(errors, 0);
    assert_eq!(blocks, n + 1);
    assert_eq!(back_states, n + 1);
}

#[test]
fn a_workflow_of_100_000_blocks_in_a_line() {
    let n = 100_000;
    let (errors, states, blocks) = on_small_stack(move || {
        let text = workflow_chain(n);
        let doc = timed("workflow chain: parse", || {
            Document::parse("chain.json", &text).unwrap()
        });
        let report = timed("workflow chain: validate", || {
            validate_with(&doc, Options { readiness: false }).unwrap()
        });
        let Document::Sim(sim) = &doc else {
            panic!("not a workflow")
        };
        let journey = timed("workflow chain: convert to a journey", || {
            workflow_to_journey(sim, &ConvertOptions::default()).unwrap()
        })
        .output;
        let journey_doc = Document::Journey(journey);
        // A converted Sim leaf has no transition to `end` (J003 on every state, as on any
        // converted workflow): the point here is that the pass finishes, on a small stack.
        let journey_report = timed("workflow chain: validate the journey", || {
            validate_with(&journey_doc, Options { readiness: false }).unwrap()
        });
        let Document::Journey(journey) = &journey_doc else {
            unreachable!()
        };
        let back = timed("workflow chain: convert back", || {
            journey_to_workflow(journey, &ConvertOptions::default()).unwrap()
        })
        .output;
        (
            report.errors
                + journey_report
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error && d.code != "J003")
                    .count(),
            journey.nodes.len(),
            back.state().blocks.len(),
        )
    });
    assert_eq!(errors, 0);
    assert_eq!(states, n + 1);
    assert_eq!(blocks, n + 1);
}

/// With the conversion-readiness diagnostics too (they walk the graph as well), at 15,000: the
/// size that overflowed before.
#[test]
fn chains_of_15_000_with_readiness() {
    let n = 15_000;
    let (journey_errors, workflow_errors) = on_small_stack(move || {
        let journey = Document::parse("j.json", &journey_chain(n)).unwrap();
        let workflow = Document::parse("w.json", &workflow_chain(n)).unwrap();
        let j = timed("journey chain 15,000: validate with readiness", || {
            validate_with(&journey, Options { readiness: true }).unwrap()
        });
        let w = timed("workflow chain 15,000: validate with readiness", || {
            validate_with(&workflow, Options { readiness: true }).unwrap()
        });
        (j.errors, w.errors)
    });
    assert_eq!((journey_errors, workflow_errors), (0, 0));
}
