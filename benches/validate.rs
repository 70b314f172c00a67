//! Full validation of a 10,000-node workflow and journey versus revalidation after a one-node
//! edit with `IncrementalValidator`, measured in the same run and printed side by side.

use criterion::Criterion;
use journey_studio::parlant::{JourneyDocument, JourneyEdge, JourneyNode, NodeKind};
use journey_studio::sim::{Block, Edge, SimDocument};
use journey_studio::validate::{validate, Edit, IncrementalValidator};
use journey_studio::Document;
use serde_json::json;
use std::hint::black_box;
use std::time::{Duration, Instant};

const NODES: usize = 10_000;

fn block(i: usize, variant: usize) -> Block {
    let id = format!("b{i}");
    let prev = if i == 0 {
        "start".to_string()
    } else {
        format!("step{}", i - 1)
    };
    let field = if i == 0 { "input" } else { "content" };
    let value = if i % 10 == 5 {
        // A Condition block: JavaScript branches over the previous block's output.
        json!({"id": id, "type": "condition", "name": format!("step{i}"), "position": {"x": i, "y": 0},
            "subBlocks": {"conditions": {"id": "conditions", "type": "condition-input", "value": json!([
                {"id": format!("{id}-if"), "title": "if", "value": format!("<{prev}.{field}>.length > {variant} && <start.input> !== ''")},
                {"id": format!("{id}-else"), "title": "else", "value": ""}]).to_string()}},
            "outputs": {"content": {"type": "string"}, "selectedOption": {"type": "string"}}, "enabled": true})
    } else {
        json!({"id": id, "type": if i.is_multiple_of(3) { "api" } else { "agent" }, "name": format!("step{i}"), "position": {"x": i, "y": 0},
            "subBlocks": {"messages": {"id": "messages", "type": "messages-input", "value": [
                {"role": "user", "content": format!("Summarise <{prev}.{field}> for <start.input> (variant {variant})")}]},
                "apiKey": {"id": "apiKey", "type": "short-input", "value": "{{OPENAI_API_KEY}}"}},
            "outputs": {"content": {"type": "string"}, "data": {"type": "json"}}, "enabled": true})
    };
    serde_json::from_value(value).expect("generated block")
}

fn workflow() -> SimDocument {
    let mut text = json!({"version": "1.0", "state": {"blocks": {}, "edges": []}});
    text["state"]["blocks"]["s"] = json!({"id": "s", "type": "start_trigger", "name": "Start", "position": {"x": 0, "y": 0},
        "subBlocks": {}, "outputs": {"input": {"type": "string"}}, "enabled": true});
    let mut doc = SimDocument::parse("bench.json", &text.to_string()).expect("bench workflow");
    let mut previous = "s".to_string();
    for i in 0..NODES - 1 {
        let b = block(i, 0);
        let handle = if (i + 4) % 10 == 5 {
            format!("condition-b{}-if", i)
        } else {
            "source".to_string()
        };
        let handle = if i > 0 && (i - 1) % 10 == 5 {
            format!("condition-b{}-if", i - 1)
        } else if handle.starts_with("condition") {
            "source".into()
        } else {
            handle
        };
        doc.state_mut().edges.push(Edge::new(
            format!("e{i}"),
            previous.clone(),
            b.id.clone(),
            &handle,
        ));
        previous = b.id.clone();
        doc.state_mut().blocks.insert(b.id.clone(), b);
    }
    doc
}

fn journey() -> JourneyDocument {
    let mut doc = JourneyDocument::new(
        "Long journey",
        "bench",
        vec!["the customer needs help".into()],
    );
    let mut previous = doc.journey.root_id.clone();
    for i in 0..NODES - 1 {
        let kind = if i % 7 == 3 {
            NodeKind::Fork
        } else {
            NodeKind::Chat
        };
        let node = JourneyNode::new(format!("n{i}"), &kind, Some(format!("step {i}")));
        let condition = if i % 7 == 4 {
            Some(format!("branch {i} applies"))
        } else {
            None
        };
        doc.edges.push(JourneyEdge::new(
            format!("t{i}"),
            previous.clone(),
            node.id.clone(),
            condition.clone(),
        ));
        if condition.is_some() {
            doc.edges.push(JourneyEdge::new(
                format!("x{i}"),
                previous.clone(),
                "end",
                Some(format!("branch {i} ends")),
            ));
        }
        previous = node.id.clone();
        doc.nodes.push(node);
    }
    doc.edges
        .push(JourneyEdge::new("last", previous, "end", None));
    doc
}

fn edit_workflow(variant: usize) -> Edit {
    Edit::UpsertBlock(block(NODES / 2 + 5, variant % 7))
}

fn edit_journey(variant: usize) -> Edit {
    Edit::UpsertState(JourneyNode::new(
        "n5000",
        &NodeKind::Chat,
        Some(format!("step 5000, take {variant}")),
    ))
}

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let sim = Document::Sim(workflow());
    let parlant = Document::Journey(journey());
    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    let mut rows = Vec::new();
    for (label, doc, edit) in [
        ("workflow", &sim, edit_workflow as fn(usize) -> Edit),
        ("journey", &parlant, edit_journey),
    ] {
        let full_report = validate(doc).expect("validates");
        let mut inc = IncrementalValidator::new(doc.clone()).expect("incremental");
        let mut n = 0;
        criterion.bench_function(&format!("{label}/full 10k"), |b| {
            b.iter(|| black_box(validate(doc).expect("validates")))
        });
        criterion.bench_function(&format!("{label}/one-node edit"), |b| {
            b.iter(|| {
                n += 1;
                inc.apply(edit(n)).expect("edit applies");
            })
        });
        criterion.bench_function(&format!("{label}/one-node edit + report"), |b| {
            b.iter(|| {
                n += 1;
                inc.apply(edit(n)).expect("edit applies");
                black_box(inc.report());
            })
        });
        // The same three, timed here for the side-by-side summary.
        let full = median(|| drop(black_box(validate(doc).expect("validates"))), 7);
        let apply = median(
            || {
                n += 1;
                inc.apply(edit(n)).expect("edit applies");
            },
            51,
        );
        let apply_report = median(
            || {
                n += 1;
                inc.apply(edit(n)).expect("edit applies");
                black_box(inc.report());
            },
            21,
        );
        rows.push((
            label,
            full,
            apply,
            apply_report,
            full_report.diagnostics.len(),
        ));
    }
    criterion.final_summary();
    println!("\n{NODES} nodes          full run    one-node edit   ratio    edit + full report   ratio   diagnostics");
    let ms = |d: std::time::Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
    for (label, full, apply, apply_report, _) in &rows {
        println!(
            "README| validation of a {NODES}-node {label}: one-node edit (with the full report) | {} ({}) | the full run: {} |",
            ms(*apply),
            ms(*apply_report),
            ms(*full)
        );
    }
    for (label, full, apply, apply_report, count) in rows {
        println!(
            "{label:<16} {:>9.2} ms  {:>11.3} ms  {:>6.0}x  {:>16.2} ms  {:>6.1}x  {count}",
            full.as_secs_f64() * 1e3,
            apply.as_secs_f64() * 1e3,
            full.as_secs_f64() / apply.as_secs_f64(),
            apply_report.as_secs_f64() * 1e3,
            full.as_secs_f64() / apply_report.as_secs_f64(),
        );
    }
}
