//! Sim's execution rules, case by case, on small workflows built here.

use journey_studio::js::Limits;
use journey_studio::sim::WorkflowState;
use journey_studio::simulate::workflow::{run, BlockStatus, RunOptions, RunReport, RunStatus};
use journey_studio::simulate::Mocks;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A block: `(id, type, name, subBlocks {id: value}, parent)`.
fn block(
    id: &str,
    block_type: &str,
    name: &str,
    subs: Value,
    parent: Option<&str>,
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
    let mut b = json!({
        "id": id, "type": block_type, "name": name, "position": {"x": 0, "y": 0},
        "subBlocks": sub_blocks, "outputs": {}, "enabled": true
    });
    if let Some(p) = parent {
        b["data"] = json!({"parentId": p, "extent": "parent"});
    }
    (id.to_string(), b)
}

fn container(id: &str, kind: &str, name: &str, data: Value) -> (String, Value) {
    let (k, mut b) = block(id, kind, name, json!({}), None);
    b["data"] = data;
    (k, b)
}

fn edge(source: &str, target: &str, handle: &str) -> Value {
    json!({"id": format!("{source}->{target}:{handle}"), "source": source, "target": target, "sourceHandle": handle, "targetHandle": "target"})
}

fn state(blocks: Vec<(String, Value)>, edges: Vec<Value>, variables: Value) -> WorkflowState {
    let blocks: serde_json::Map<String, Value> = blocks.into_iter().collect();
    serde_json::from_value(json!({"blocks": blocks, "edges": edges, "variables": variables}))
        .unwrap()
}

fn start(fields: Value) -> (String, Value) {
    block(
        "start",
        "start_trigger",
        "Start",
        json!({"inputFormat": fields}),
        None,
    )
}

fn mocks(m: Value) -> Mocks {
    serde_json::from_value(m).unwrap()
}

fn go(state: &WorkflowState, input: Value, m: Value) -> RunReport {
    let options = RunOptions {
        input,
        mocks: mocks(m),
        limits: Limits {
            time: Duration::from_millis(300),
            ..Limits::default()
        },
        ..RunOptions::default()
    };
    run(state, &options).unwrap()
}

fn names(report: &RunReport) -> Vec<String> {
    report.trace.iter().map(|e| e.name.clone()).collect()
}

fn conditions(id: &str, branches: &[(&str, &str)]) -> String {
    let list: Vec<Value> = branches
        .iter()
        .enumerate()
        .map(|(i, (title, value))| {
            let cid = match *title {
                "if" => format!("{id}-if"),
                "else" => format!("{id}-else"),
                _ => format!("{id}-else-if-{i}"),
            };
            json!({"id": cid, "title": title, "value": value})
        })
        .collect();
    serde_json::to_string(&list).unwrap()
}

/// start -> cond (if / else if / else) -> a | b | c -> join (response).
fn branching(cond: &[(&str, &str)]) -> WorkflowState {
    state(
        vec![
            start(
                json!([{"name": "score", "type": "number", "value": "5"}, {"name": "tier", "type": "string", "value": "gold"}]),
            ),
            block(
                "cond",
                "condition",
                "Route",
                json!({"conditions": conditions("cond", cond)}),
                None,
            ),
            block(
                "a",
                "function",
                "A",
                json!({"code": "return 'a'", "language": "javascript"}),
                None,
            ),
            block(
                "b",
                "function",
                "B",
                json!({"code": "return 'b'", "language": "javascript"}),
                None,
            ),
            block(
                "c",
                "function",
                "C",
                json!({"code": "return 'c'", "language": "javascript"}),
                None,
            ),
            block(
                "join",
                "response",
                "Join",
                json!({"dataMode": "json", "data": "{\"a\": \"<a.result>\", \"b\": \"<b.result>\", \"c\": \"<c.result>\"}"}),
                None,
            ),
        ],
        vec![
            edge("start", "cond", "source"),
            edge("cond", "a", "condition-cond-if"),
            edge("cond", "b", "condition-cond-else-if-1"),
            edge("cond", "c", "condition-cond-else"),
            edge("a", "join", "source"),
            edge("b", "join", "source"),
            edge("c", "join", "source"),
        ],
        json!({}),
    )
}

#[test]
fn condition_takes_the_first_true_branch_and_dead_paths_join() {
    let s = branching(&[
        ("if", "<start.score> > 10"),
        ("else if", "<start.tier> === 'gold'"),
        ("else", ""),
    ]);
    let r = go(&s, json!({}), json!({}));
    assert_eq!(r.status, RunStatus::Completed, "{r:?}");
    assert_eq!(names(&r), ["Start", "Route", "B", "Join"]);
    // The join ran once its dead inputs were eliminated; blocks that did not run read as empty.
    assert_eq!(r.output["data"], json!({"a": "", "b": "b", "c": ""}));
    let cond = &r.trace[1];
    assert_eq!(cond.output["selectedOption"], "cond-else-if-1");
    assert_eq!(cond.output["selectedPath"]["blockId"], "b");
    assert_eq!(
        cond.inputs["conditions"][1]["value"], "'gold' === 'gold'",
        "strings are inlined single-quoted"
    );
    assert_eq!(cond.activated, ["cond->b:condition-cond-else-if-1"]);
}

#[test]
fn else_is_the_fallback_and_branches_after_it_are_never_tried() {
    let s = branching(&[
        ("if", "false"),
        ("else", ""),
        ("else if", "(() => { throw new Error('never') })()"),
    ]);
    let r = go(&s, json!({}), json!({}));
    assert_eq!(names(&r), ["Start", "Route", "C", "Join"], "{r:?}");
}

#[test]
fn no_match_without_else_ends_that_path_without_error() {
    let s = branching(&[("if", "false"), ("else if", "<start.score> < 0")]);
    let r = go(&s, json!({}), json!({}));
    assert_eq!(r.status, RunStatus::Completed);
    assert_eq!(
        names(&r),
        ["Start", "Route"],
        "the join never becomes ready: all its inputs are dead"
    );
    assert_eq!(r.trace[1].output["selectedOption"], Value::Null);
    assert!(r.trace[1].activated.is_empty());
}

#[test]
fn a_throwing_condition_takes_the_error_edge_or_fails_the_run() {
    let mut s = branching(&[("if", "missing.field === 1"), ("else", "")]);
    let r = go(&s, json!({}), json!({}));
    assert_eq!(r.status, RunStatus::Failed);
    let error = r.error.unwrap();
    assert!(
        error.contains("Evaluation error in condition \"if\"") && error.contains("missing"),
        "{error}"
    );

    s.blocks.insert(
        "fallback".into(),
        serde_json::from_value(
            block(
                "fallback",
                "function",
                "Fallback",
                json!({"code": "return <route.error>"}),
                None,
            )
            .1,
        )
        .unwrap(),
    );
    s.edges
        .push(serde_json::from_value(edge("cond", "fallback", "error")).unwrap());
    let r = go(&s, json!({}), json!({}));
    assert_eq!(r.status, RunStatus::Completed, "{r:?}");
    assert_eq!(names(&r), ["Start", "Route", "Fallback"]);
    assert_eq!(r.trace[1].status, BlockStatus::Error);
    assert!(
        r.output["result"]
            .as_str()
            .unwrap()
            .contains("Evaluation error"),
        "{:?}",
        r.output
    );
}

#[test]
fn references_to_blocks_that_did_not_run_are_null_in_conditions() {
    let s = branching(&[
        ("if", "<a.result> === null && <start.score> === 5"),
        ("else", ""),
    ]);
    let r = go(&s, json!({}), json!({}));
    assert_eq!(
        r.trace[1].inputs["conditions"][0]["value"],
        "null === null && 5 === 5"
    );
    assert_eq!(names(&r)[2], "A");
}

#[test]
fn condition_context_is_the_source_blocks_output_and_input_overrides_defaults() {
    let s = branching(&[("if", "context.score > 10"), ("else", "")]);
    assert_eq!(names(&go(&s, json!({"score": 11}), json!({})))[2], "A");
    assert_eq!(names(&go(&s, json!({}), json!({})))[2], "C");
}

#[test]
fn router_follows_its_mocked_route_or_fails_like_no_match() {
    let routes = json!([{"id": "r-1", "title": "Refund", "value": "refunds"}, {"id": "r-2", "title": "Other", "value": "anything else"}]).to_string();
    let s = state(
        vec![
            start(json!([])),
            block(
                "router",
                "router_v2",
                "Router",
                json!({"routes": routes, "context": "<start.input>"}),
                None,
            ),
            block("refund", "agent", "Refund Agent", json!({}), None),
            block("other", "agent", "Other Agent", json!({}), None),
        ],
        vec![
            edge("start", "router", "source"),
            edge("router", "refund", "router-r-1"),
            edge("router", "other", "router-r-2"),
        ],
        json!({}),
    );
    let r = go(
        &s,
        json!({}),
        json!({"routes": {"Router": "Other"}, "blocks": {"otherAgent": {"output": "hi"}}}),
    );
    assert_eq!(names(&r), ["Start", "Router", "Other Agent"]);
    assert_eq!(r.output, json!({"content": "hi"}));
    assert_eq!(r.trace[1].output["selectedRoute"], "r-2");

    let r = go(&s, json!({}), json!({}));
    assert_eq!(r.status, RunStatus::Failed);
    assert!(r
        .error
        .unwrap()
        .contains("Router could not determine a matching route"));
    let r = go(&s, json!({}), json!({"routes": {"router": "NO_MATCH"}}));
    assert!(r.error.unwrap().contains("could not determine"));
    let r = go(&s, json!({}), json!({"routes": {"router": "r-9"}}));
    // Sim v0.8.9 router-handler.ts: an answer that is no route id.
    assert!(r.error.unwrap().contains("Router could not determine a valid route. LLM response: \"r-9\". Available route IDs: r-1, r-2"));
}

#[test]
fn error_edges_fire_only_on_error_and_source_edges_only_on_success() {
    let s = state(
        vec![
            start(json!([])),
            block(
                "api",
                "api",
                "Lookup",
                json!({"url": "https://x.example/<start.input>?k={{KEY}}"}),
                None,
            ),
            block(
                "ok",
                "function",
                "Ok",
                json!({"code": "return <lookup.data>"}),
                None,
            ),
            block(
                "bad",
                "function",
                "Bad",
                json!({"code": "return <lookup.error>"}),
                None,
            ),
        ],
        vec![
            edge("start", "api", "source"),
            edge("api", "ok", "source"),
            edge("api", "bad", "error"),
        ],
        json!({}),
    );
    let r = go(
        &s,
        json!({"input": "q"}),
        json!({"blocks": {"Lookup": {"output": {"data": {"n": 1}, "status": 200}}}, "env": {"KEY": "secret-value"}}),
    );
    assert_eq!(names(&r), ["Start", "Lookup", "Ok"]);
    assert_eq!(r.output["result"], json!({"n": 1}));
    assert_eq!(
        r.trace[1].inputs["url"], "https://x.example/q?k={{KEY}}",
        "env values stay out of traces"
    );
    assert!(!serde_json::to_string(&r).unwrap().contains("secret-value"));
    let r = go(
        &s,
        json!({}),
        json!({"blocks": {"Lookup": {"error": "503 from upstream"}}}),
    );
    assert_eq!(names(&r), ["Start", "Lookup", "Bad"]);
    assert_eq!(r.output["result"], "503 from upstream");
}

#[test]
fn the_first_response_ends_the_run() {
    let s = state(
        vec![
            start(json!([])),
            block(
                "r1",
                "response",
                "First",
                json!({"dataMode": "structured", "builderData": [{"name": "n", "type": "number", "value": "<start.n>"}]}),
                None,
            ),
            block(
                "after",
                "function",
                "After",
                json!({"code": "return 1"}),
                None,
            ),
            block(
                "other",
                "function",
                "Other",
                json!({"code": "return 2"}),
                None,
            ),
        ],
        vec![
            edge("start", "r1", "source"),
            edge("r1", "after", "source"),
            edge("start", "other", "source"),
        ],
        json!({}),
    );
    let r = go(&s, json!({"n": "42"}), json!({}));
    assert_eq!(r.status, RunStatus::Completed);
    assert_eq!(r.output["data"], json!({"n": 42}));
    assert!(!names(&r).contains(&"After".to_string()));
}

#[test]
fn function_blocks_run_in_the_sandbox_with_code_literals() {
    let s = state(
        vec![
            start(
                json!([{"name": "items", "type": "array", "value": "[1,2,3]"}, {"name": "who", "type": "string", "value": "Ada"}]),
            ),
            block(
                "f",
                "function",
                "Sum",
                json!({"code": "const xs = <start.items>; const label = 'for <start.who>'; return { total: xs.reduce((a, b) => a + b, 0), label, again: await Promise.resolve(<variable.base>) }"}),
                None,
            ),
        ],
        vec![edge("start", "f", "source")],
        json!({"v1": {"id": "v1", "name": "base", "type": "number", "value": "10"}}),
    );
    let r = go(&s, json!({}), json!({}));
    assert_eq!(
        r.output["result"],
        json!({"total": 6, "label": "for \"Ada\"", "again": 10}),
        "{r:?}"
    );
}

#[test]
fn runaway_code_is_stopped_with_a_clear_error() {
    for (code, word) in [
        ("while (true) {}", "limit"),
        (
            "const a = []; while (true) a.push('x'.repeat(1 << 20));",
            "limit",
        ),
    ] {
        let s = state(
            vec![
                start(json!([])),
                block("f", "function", "Spin", json!({"code": code}), None),
            ],
            vec![edge("start", "f", "source")],
            json!({}),
        );
        let t = Instant::now();
        let r = go(&s, json!({}), json!({}));
        assert!(t.elapsed() < Duration::from_secs(10));
        assert_eq!(r.status, RunStatus::Failed);
        assert!(
            r.error.as_deref().unwrap_or_default().contains(word),
            "{:?}",
            r.error
        );
    }
    let s = branching(&[("if", "(() => { while (true) {} })()"), ("else", "")]);
    let r = go(&s, json!({}), json!({}));
    assert!(r
        .error
        .unwrap()
        .contains("ran longer than the 300 ms limit"));
}

/// start -> loop(kind) { body } -> after
fn looped(data: Value, body_code: &str) -> WorkflowState {
    state(
        vec![
            start(json!([{"name": "list", "type": "array", "value": "[\"x\",\"y\",\"z\"]"}])),
            container("loop", "loop", "Each", data),
            block(
                "body",
                "function",
                "Body",
                json!({"code": body_code}),
                Some("loop"),
            ),
            block(
                "after",
                "function",
                "After",
                json!({"code": "return <each.results>"}),
                None,
            ),
        ],
        vec![
            edge("start", "loop", "source"),
            edge("loop", "body", "loop-start-source"),
            edge("loop", "after", "loop-end-source"),
        ],
        json!({}),
    )
}

#[test]
fn for_loops_run_their_count_and_collect_results() {
    let r = go(
        &looped(
            json!({"loopType": "for", "count": 3}),
            "return <loop.index> * 10",
        ),
        json!({}),
        json!({}),
    );
    assert_eq!(
        r.output["result"],
        json!([[{"result": 0, "stdout": ""}], [{"result": 10, "stdout": ""}], [{"result": 20, "stdout": ""}]])
    );
    assert_eq!(
        r.trace
            .iter()
            .filter(|e| e.name == "Body")
            .map(|e| e.frames[0].index)
            .collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(
        r.trace.iter().filter(|e| e.name == "After").count(),
        1,
        "the exit edge fires once"
    );
}

#[test]
fn for_each_loops_over_items_references_and_object_entries() {
    let r = go(
        &looped(
            json!({"loopType": "forEach", "collection": "<start.list>"}),
            "return <loop.currentItem> + <loop.index>",
        ),
        json!({}),
        json!({}),
    );
    let results: Vec<Value> = r.output["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| it[0]["result"].clone())
        .collect();
    assert_eq!(results, [json!("x0"), json!("y1"), json!("z2")]);
    let r = go(
        &looped(
            json!({"loopType": "forEach", "collection": "{'a': 1}"}),
            "return <loop.currentItem>",
        ),
        json!({}),
        json!({}),
    );
    assert_eq!(r.output["result"][0][0]["result"], json!(["a", 1]));
    let r = go(
        &looped(
            json!({"loopType": "forEach", "collection": "[]"}),
            "return 1",
        ),
        json!({}),
        json!({}),
    );
    assert_eq!(
        r.output["result"],
        json!([]),
        "an empty collection skips the body"
    );
    let r = go(
        &looped(json!({"loopType": "forEach"}), "return 1"),
        json!({}),
        json!({}),
    );
    assert!(r
        .error
        .unwrap()
        .contains("ForEach loop collection is empty"));
}

#[test]
fn while_checks_before_and_do_while_after_each_pass() {
    let r = go(
        &looped(
            json!({"loopType": "while", "whileCondition": "<loop.index> < 2"}),
            "return <loop.index>",
        ),
        json!({}),
        json!({}),
    );
    assert_eq!(r.output["result"].as_array().unwrap().len(), 2);
    let r = go(
        &looped(
            json!({"loopType": "while", "whileCondition": "false"}),
            "return 1",
        ),
        json!({}),
        json!({}),
    );
    assert_eq!(r.output["result"], json!([]));
    let r = go(
        &looped(
            json!({"loopType": "doWhile", "doWhileCondition": "false"}),
            "return 1",
        ),
        json!({}),
        json!({}),
    );
    assert_eq!(
        r.output["result"].as_array().unwrap().len(),
        1,
        "doWhile runs once before its check"
    );
    // The body's own output feeds the condition (Sim inlines `'true'` strings as booleans).
    let r = go(
        &looped(
            json!({"loopType": "doWhile", "doWhileCondition": "<body.result> !== 'stop'"}),
            "return <loop.index> >= 3 ? 'stop' : 'go'",
        ),
        json!({}),
        json!({}),
    );
    assert_eq!(r.output["result"].as_array().unwrap().len(), 4);
}

#[test]
fn a_loop_that_never_ends_is_stopped() {
    let s = looped(
        json!({"loopType": "while", "whileCondition": "true"}),
        "return 1",
    );
    let options = RunOptions {
        max_block_runs: 500,
        ..RunOptions::default()
    };
    let r = run(&s, &options).unwrap();
    assert_eq!(r.status, RunStatus::Failed);
    assert!(r.error.unwrap().contains("more than 500 blocks"));
}

#[test]
fn parallels_run_branches_in_batches_with_results() {
    let s = state(
        vec![
            start(json!([{"name": "leads", "type": "array", "value": "[\"a\",\"b\",\"c\"]"}])),
            container(
                "par",
                "parallel",
                "Fan",
                json!({"parallelType": "collection", "collection": "<start.leads>", "batchSize": 2}),
            ),
            block(
                "work",
                "function",
                "Work",
                json!({"code": "return <parallel.currentItem> + <parallel.index>"}),
                Some("par"),
            ),
            block(
                "done",
                "function",
                "Done",
                json!({"code": "return <fan.results>.map(b => b[0].result)"}),
                None,
            ),
        ],
        vec![
            edge("start", "par", "source"),
            edge("par", "work", "parallel-start-source"),
            edge("par", "done", "parallel-end-source"),
        ],
        json!({}),
    );
    let r = go(&s, json!({}), json!({}));
    assert_eq!(r.output["result"], json!(["a0", "b1", "c2"]));
    let batches: Vec<Option<usize>> = r
        .trace
        .iter()
        .filter(|e| e.name == "Work")
        .map(|e| e.frames[0].batch)
        .collect();
    assert_eq!(batches, [Some(0), Some(0), Some(1)]);
}

#[test]
fn variables_blocks_assign_workflow_variables() {
    let s = state(
        vec![
            start(json!([])),
            block(
                "vars",
                "variables",
                "Set",
                json!({"variables": [{"variableId": "v1", "variableName": "count", "type": "number", "value": "<start.n>"}]}),
                None,
            ),
            block(
                "use",
                "function",
                "Use",
                json!({"code": "return <variable.count> + 1"}),
                None,
            ),
        ],
        vec![
            edge("start", "vars", "source"),
            edge("vars", "use", "source"),
        ],
        json!({"v1": {"id": "v1", "name": "count", "type": "number", "value": "0"}}),
    );
    let r = go(&s, json!({"n": 41}), json!({}));
    assert_eq!(r.variables["count"], json!(41));
    assert_eq!(r.output["result"], json!(42));
}

#[test]
fn only_enabled_blocks_reachable_from_the_trigger_take_part() {
    let mut s = state(
        vec![
            start(json!([])),
            block("a", "function", "A", json!({"code": "return 1"}), None),
            block(
                "island",
                "function",
                "Island",
                json!({"code": "return 2"}),
                None,
            ),
            block("off", "function", "Off", json!({"code": "return 3"}), None),
        ],
        vec![edge("start", "a", "source"), edge("start", "off", "source")],
        json!({}),
    );
    s.blocks.get_mut("off").unwrap().enabled = false;
    let r = go(&s, json!({}), json!({}));
    assert_eq!(names(&r), ["Start", "A"]);
}

#[test]
fn human_review_and_async_waits_pause_the_run() {
    let s = state(
        vec![
            start(json!([])),
            block("h", "human_in_the_loop", "Approve", json!({}), None),
            block("n", "function", "Next", json!({"code": "return 1"}), None),
        ],
        vec![edge("start", "h", "source"), edge("h", "n", "source")],
        json!({}),
    );
    let r = go(&s, json!({}), json!({}));
    assert_eq!(r.status, RunStatus::Paused);
    let r = go(
        &s,
        json!({}),
        json!({"blocks": {"Approve": {"output": {"approved": true}}}}),
    );
    assert_eq!(r.status, RunStatus::Completed);
    assert_eq!(names(&r), ["Start", "Approve", "Next"]);
}

#[test]
fn fixture_workflows_run_end_to_end_with_mocks() {
    let doc = journey_studio::Document::load(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/sim/support-triage-condition.json"),
    )
    .unwrap();
    let journey_studio::Document::Sim(sim) = doc else {
        panic!()
    };
    let r = go(
        sim.state(),
        json!({}),
        json!({"blocks": {"triageAgent": {"output": {"content": "order_status"}}, "orderStatusLookup": {"error": "timeout"}, "lookupFallback": {"output": "We are checking with the carrier."}}}),
    );
    assert_eq!(r.status, RunStatus::Completed, "{:?}", r.error);
    assert_eq!(
        names(&r),
        [
            "Start",
            "triageAgent",
            "routeTicket",
            "orderStatusLookup",
            "lookupFallback",
            "replyToCustomer"
        ]
    );
}

/// The log Sim's run would show: a container logged when it completes, branch nodes named as
/// Sim names them, frames from the outermost container in, the exit edge on the container's entry.
#[test]
fn the_trace_reads_like_sims_run_log() {
    let s = state(
        vec![
            start(json!([])),
            container(
                "outer",
                "parallel",
                "Outer",
                json!({"parallelType": "count", "count": 2}),
            ),
            container(
                "inner",
                "loop",
                "Inner",
                json!({"loopType": "for", "count": 2, "parentId": "outer", "extent": "parent"}),
            ),
            block(
                "work",
                "function",
                "Work",
                json!({"code": "return 1"}),
                Some("inner"),
            ),
            block(
                "after",
                "function",
                "After",
                json!({"code": "return 2"}),
                None,
            ),
        ],
        vec![
            edge("start", "outer", "source"),
            edge("outer", "inner", "parallel-start-source"),
            edge("inner", "work", "loop-start-source"),
            edge("outer", "after", "parallel-end-source"),
        ],
        json!({}),
    );
    let r = go(&s, json!({}), json!({}));
    assert_eq!(r.status, RunStatus::Completed, "{r:?}");
    let works: Vec<&journey_studio::simulate::workflow::TraceEvent> =
        r.trace.iter().filter(|e| e.block == "work").collect();
    assert_eq!(works.len(), 4);
    let frames: Vec<Vec<(String, usize)>> = works
        .iter()
        .map(|e| {
            e.frames
                .iter()
                .map(|f| (f.container.clone(), f.index))
                .collect()
        })
        .collect();
    assert!(
        frames.contains(&vec![("outer".to_string(), 1), ("inner".to_string(), 1)]),
        "{frames:?}"
    );
    assert!(
        works.iter().any(|e| e
            .node
            .as_deref()
            .is_some_and(|n| n.starts_with("work__clone") && n.ends_with("__obranch-1"))),
        "the loop in branch 1 is a clone"
    );
    // Containers are logged when they complete: both loops, then the parallel, then After.
    let order: Vec<&str> = r.trace.iter().map(|e| e.block.as_str()).collect();
    let outer_at = order.iter().position(|b| *b == "outer").unwrap();
    assert!(
        order.iter().rposition(|b| *b == "inner").unwrap() < outer_at
            && order[outer_at + 1] == "after",
        "{order:?}"
    );
    assert_eq!(
        r.trace[outer_at].activated,
        ["outer->after:parallel-end-source"]
    );
    assert_eq!(
        r.trace[outer_at].output["results"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
