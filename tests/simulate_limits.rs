//! Every count a workflow gives the simulator is bounded, a run has a total time budget, and
//! large collections are not copied per pass (issue 17's hardening of the workflow simulator).

use journey_studio::js::Limits;
use journey_studio::sim::WorkflowState;
use journey_studio::simulate::workflow::{run, RunOptions, RunStatus};
use journey_studio::simulate::Mocks;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn block(
    id: &str,
    block_type: &str,
    name: &str,
    subs: Value,
    parent: Option<&str>,
    data: Option<Value>,
) -> (String, Value) {
    let sub_blocks: serde_json::Map<String, Value> = subs
        .as_object()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            (
                k.clone(),
                json!({"id": k, "type": "short-input", "value": v}),
            )
        })
        .collect();
    let mut b = json!({"id": id, "type": block_type, "name": name, "position": {"x": 0, "y": 0}, "subBlocks": sub_blocks, "outputs": {}, "enabled": true});
    let mut d = data.unwrap_or_else(|| json!({}));
    if let Some(p) = parent {
        d["parentId"] = json!(p);
        d["extent"] = json!("parent");
    }
    if d.as_object().is_some_and(|m| !m.is_empty()) {
        b["data"] = d;
    }
    (id.to_string(), b)
}

fn edge(source: &str, target: &str, handle: &str) -> Value {
    json!({"id": format!("{source}->{target}"), "source": source, "target": target, "sourceHandle": handle, "targetHandle": "target"})
}

fn state(blocks: Vec<(String, Value)>, edges: Vec<Value>) -> WorkflowState {
    let blocks: serde_json::Map<String, Value> = blocks.into_iter().collect();
    serde_json::from_value(json!({"blocks": blocks, "edges": edges})).unwrap()
}

/// start -> container { body } -> after
fn contained(kind: &str, data: Value, body: (String, Value)) -> WorkflowState {
    let (start_handle, end_handle) = if kind == "loop" {
        ("loop-start-source", "loop-end-source")
    } else {
        ("parallel-start-source", "parallel-end-source")
    };
    state(
        vec![
            block(
                "start",
                "start_trigger",
                "Start",
                json!({"inputFormat": []}),
                None,
                None,
            ),
            block("box", kind, "Box", json!({}), None, Some(data)),
            body,
            block(
                "after",
                "function",
                "After",
                json!({"code": "return <box.results>.length"}),
                None,
                None,
            ),
        ],
        vec![
            edge("start", "box", "source"),
            edge("box", "body", start_handle),
            edge("box", "after", end_handle),
        ],
    )
}

fn js_body(code: &str) -> (String, Value) {
    block(
        "body",
        "function",
        "Body",
        json!({"code": code}),
        Some("box"),
        None,
    )
}

/// Counts no run could get through are refused before anything runs, naming the container and
/// the field; never a panic or an allocation of that size.
#[test]
fn absurd_counts_are_located_errors() {
    let huge = [
        json!(1e300),
        json!(1e18),
        serde_json::from_str::<Value>("18446744073709551616").unwrap(),
        json!(1_000_000_000),
    ];
    for count in &huge {
        for (kind, data) in [
            ("parallel", json!({"parallelType": "count", "count": count})),
            ("loop", json!({"loopType": "for", "count": count})),
            ("loop", json!({"loopType": "doWhile", "count": count})),
        ] {
            let s = contained(kind, data, js_body("return 1"));
            let t = Instant::now();
            let r = run(&s, &RunOptions::default()).unwrap();
            assert!(
                t.elapsed() < Duration::from_secs(5),
                "{kind} {count}: refused at once"
            );
            assert_eq!(r.status, RunStatus::Failed, "{kind} {count}");
            let error = r.error.unwrap();
            assert!(
                error.contains("\"Box\" (box)")
                    && error.contains("blocks.box.data.count")
                    && error.contains("RunOptions.max_block_runs"),
                "{error}"
            );
        }
    }
    // A collection larger than the run could execute, from a reference.
    let items: Vec<u32> = (0..300).collect();
    let s = state(
        vec![
            block(
                "start",
                "start_trigger",
                "Start",
                json!({"inputFormat": [{"name": "list", "type": "array", "value": serde_json::to_string(&items).unwrap()}]}),
                None,
                None,
            ),
            block(
                "box",
                "loop",
                "Box",
                json!({}),
                None,
                Some(json!({"loopType": "forEach", "collection": "<start.list>"})),
            ),
            js_body("return 1"),
        ],
        vec![
            edge("start", "box", "source"),
            edge("box", "body", "loop-start-source"),
        ],
    );
    let r = run(
        &s,
        &RunOptions {
            max_block_runs: 100,
            ..RunOptions::default()
        },
    )
    .unwrap();
    assert_eq!(r.status, RunStatus::Failed);
    assert!(
        r.error
            .as_deref()
            .unwrap()
            .contains("300 at blocks.box.data.collection"),
        "{:?}",
        r.error
    );
    // Within the budget the same loop runs.
    let r = run(
        &s,
        &RunOptions {
            max_block_runs: 1000,
            ..RunOptions::default()
        },
    )
    .unwrap();
    assert_eq!(r.status, RunStatus::Completed, "{:?}", r.error);
}

/// A doWhile that never ends over a slow function stops at the run's time budget with Sim's
/// timeout text.
#[test]
fn a_run_stops_at_its_time_budget() {
    let s = contained(
        "loop",
        json!({"loopType": "doWhile", "doWhileCondition": "true"}),
        js_body("const until = Date.now() + 50; while (Date.now() < until) {} return <loop.index>"),
    );
    let options = RunOptions {
        time_budget: Duration::from_millis(1500),
        limits: Limits {
            time: Duration::from_millis(500),
            ..Limits::default()
        },
        ..RunOptions::default()
    };
    let t = Instant::now();
    let r = run(&s, &options).unwrap();
    let took = t.elapsed();
    eprintln!(
        "doWhile(true) over a 50 ms function, 1.5 s budget: stopped after {took:?} and {} passes",
        r.trace.len()
    );
    assert_eq!(r.status, RunStatus::Failed);
    assert!(
        r.error
            .as_deref()
            .unwrap()
            .starts_with("Execution timed out after 1 seconds ("),
        "{:?}",
        r.error
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(r.trace.len() >= 5, "it ran until the budget, not less");
}

/// Big collections run in time proportional to their size: the item list is shared, not copied
/// per pass (bounds generous enough for a loaded 2-core machine and an unoptimised build).
#[test]
fn large_collections_run_without_copying_the_list_per_pass() {
    let mocks: Mocks =
        serde_json::from_value(json!({"blocks": {"Body": {"output": "ok"}}})).unwrap();
    let agent = || {
        block(
            "body",
            "agent",
            "Body",
            json!({"model": "m", "messages": [{"role": "user", "content": "item <loop.index>: <loop.currentItem>"}]}),
            Some("box"),
            None,
        )
    };
    let mut timings = Vec::new();
    for (n, bound) in [
        (10_000usize, Duration::from_secs(20)),
        (100_000usize, Duration::from_secs(120)),
    ] {
        let items: Vec<Value> = (0..n)
            .map(|i| json!({"id": i, "tags": ["a", "b", "c"], "text": "some payload text"}))
            .collect();
        let s = contained(
            "loop",
            json!({"loopType": "forEach", "collection": Value::Array(items)}),
            agent(),
        );
        // The test's own bound judges the time; the run's budget must not cut it short first.
        let options = RunOptions {
            mocks: mocks.clone(),
            time_budget: bound * 2,
            ..RunOptions::default()
        };
        let t = Instant::now();
        let r = run(&s, &options).unwrap();
        let took = t.elapsed();
        timings.push(format!("forEach over {n} items: {took:?}"));
        assert_eq!(r.status, RunStatus::Completed, "{:?}", r.error);
        assert_eq!(r.output["result"], json!(n));
        let last = r.trace.iter().rev().find(|e| e.block == "body").unwrap();
        assert_eq!(last.inputs["messages"][0]["content"], json!(format!("item {}: {{\"id\":{},\"tags\":[\"a\",\"b\",\"c\"],\"text\":\"some payload text\"}}", n - 1, n - 1)));
        assert!(took < bound, "forEach over {n} items took {took:?}");
    }
    {
        let (n, bound) = (10_000usize, Duration::from_secs(30));
        let items: Vec<Value> = (0..n).map(|i| json!(i)).collect();
        let body = block(
            "body",
            "agent",
            "Body",
            json!({"model": "m", "messages": [{"role": "user", "content": "<parallel.currentItem>"}]}),
            Some("box"),
            None,
        );
        let s = contained(
            "parallel",
            json!({"parallelType": "collection", "collection": Value::Array(items)}),
            body,
        );
        let options = RunOptions {
            mocks: mocks.clone(),
            time_budget: bound * 2,
            ..RunOptions::default()
        };
        let t = Instant::now();
        let r = run(&s, &options).unwrap();
        let took = t.elapsed();
        timings.push(format!("parallel over {n} items (batches of 20): {took:?}"));
        assert_eq!(r.status, RunStatus::Completed, "{:?}", r.error);
        assert_eq!(r.output["result"], json!(n));
        assert!(took < bound, "parallel over {n} items took {took:?}");
    }
    eprintln!("{}", timings.join("; "));
}
