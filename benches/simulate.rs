//! Journey preview speed: a 1,000-state journey played for 10,000 scripted turns, reported per
//! turn beside a baseline measured in the same run (a serde_json round trip of the session's
//! snapshot, which the desktop UI does on every IPC call). Target: < 1 ms per turn with the
//! keyword matcher; with the paraphrase model (all-MiniLM-L6-v2) loaded, one turn < 5 ms.
//! Also: one local run of a branching Sim workflow with a condition and a 100-pass loop.

use criterion::{criterion_group, criterion_main, Criterion};
use journey_studio::parlant::JourneyDocument;
use journey_studio::simulate::journey::{MatcherSetting, Session, SessionOptions, Snapshot};
use journey_studio::simulate::workflow::{run, RunOptions};
use journey_studio::simulate::{embed, MatcherKind};
use journey_studio::simulate::{Mock, Mocks};
use serde_json::json;
use std::hint::black_box;
use std::time::{Duration, Instant};

const STATES: usize = 1_000;
const TURNS: usize = 10_000;

fn mocks() -> Mocks {
    let mut m = Mocks::default();
    m.tools.insert(
        "check_status".into(),
        Mock::output(json!({ "succeeded": true, "status": "check succeeded" })),
    );
    m
}

fn keywords() -> SessionOptions {
    SessionOptions {
        matcher: MatcherSetting::Keywords,
        ..SessionOptions::default()
    }
}

fn play(doc: &JourneyDocument) -> Session {
    let mut session = Session::with_options(doc, mocks(), keywords()).expect("session");
    session.start().expect("start");
    for turn in 0..TURNS {
        let text = if turn % 7 == 6 {
            "let's skip ahead"
        } else {
            "yes, continue to the next step please"
        };
        let events = session.send(text).expect("turn");
        black_box(events);
    }
    session
}

fn bench(c: &mut Criterion) {
    let doc = journey_studio::testing::ring_journey(STATES);
    // Sanity: the script really moves through the journey.
    let played = play(&doc);
    assert!(
        played.position().path.len() > TURNS,
        "the scripted run stalled"
    );
    let snapshot = played.snapshot();

    let start = Instant::now();
    let mut runs = 0u32;
    while start.elapsed() < Duration::from_secs(3) {
        black_box(play(&doc));
        runs += 1;
    }
    let per_turn = start.elapsed() / (runs * TURNS as u32);

    let start = Instant::now();
    let mut trips = 0u32;
    while start.elapsed() < Duration::from_secs(2) {
        let text = serde_json::to_string(&snapshot).expect("serialise");
        black_box(serde_json::from_str::<Snapshot>(&text).expect("parse"));
        trips += 1;
    }
    let round_trip = start.elapsed() / trips;
    let bytes = serde_json::to_string(&snapshot)
        .map(|t| t.len())
        .unwrap_or(0);
    println!(
        "journey preview: {STATES} states, {TURNS} turns: {:.1} µs per turn (target < 1000 µs); baseline serde_json round trip of the final snapshot ({} KB): {:.1} µs; per turn / round trip = {:.4}",
        per_turn.as_secs_f64() * 1e6,
        bytes / 1024,
        round_trip.as_secs_f64() * 1e6,
        per_turn.as_secs_f64() / round_trip.as_secs_f64()
    );

    // With the sentence-embedding model: its load (once per process), the session's preparation
    // (every condition embedded once) and one turn (the message embedded once, then matched).
    match embed::shared() {
        Ok(model) => {
            let info = model.info();
            println!(
                "paraphrase model {}: {:.1} MB, loaded in {} ms (once per process)",
                info.name,
                info.bytes as f64 / 1e6,
                info.load_time.as_millis()
            );
            let started = Instant::now();
            let mut session = Session::new(&doc, mocks()).expect("session");
            assert_eq!(session.matcher().0, MatcherKind::Paraphrase);
            println!(
                "paraphrase session at {STATES} states prepared in {} ms",
                started.elapsed().as_millis()
            );
            session.start().expect("start");
            let messages = [
                "yes, continue to the next step please",
                "let's skip ahead",
                "sure, go on",
                "ok, next one",
            ];
            let started = Instant::now();
            let turns = 100;
            // Every message is new (the session keeps the embeddings of messages it has seen).
            for i in 0..turns {
                black_box(
                    session
                        .send(&format!("{} (message {i})", messages[i % messages.len()]))
                        .expect("turn"),
                );
            }
            println!(
                "paraphrase turn at {STATES} states: {:.2} ms per turn over {turns} turns (target < 5 ms)",
                started.elapsed().as_secs_f64() * 1e3 / turns as f64
            );
            c.bench_function(
                "journey session: one customer turn with the paraphrase model (1,000 states)",
                |b| {
                    let mut session = Session::new(&doc, mocks()).expect("session");
                    session.start().expect("start");
                    let mut i = 0;
                    b.iter(|| {
                        i += 1;
                        black_box(
                            session
                                .send(&format!("{} (message {i})", messages[i % messages.len()]))
                                .expect("turn"),
                        )
                    })
                },
            );
        }
        Err(why) => println!("paraphrase turn: skipped ({why})"),
    }

    c.bench_function("journey session: one customer turn (1,000 states)", |b| {
        let mut session = Session::with_options(&doc, mocks(), keywords()).expect("session");
        session.start().expect("start");
        b.iter(|| {
            black_box(
                session
                    .send("yes, continue to the next step please")
                    .expect("turn"),
            )
        })
    });
    c.bench_function(
        "baseline: serde_json round trip of a 10,000-turn snapshot",
        |b| {
            b.iter(|| {
                let text = serde_json::to_string(&snapshot).expect("serialise");
                black_box(serde_json::from_str::<Snapshot>(&text).expect("parse"))
            })
        },
    );

    let state: journey_studio::sim::WorkflowState = serde_json::from_value(json!({
        "blocks": {
            "start": {"id": "start", "type": "start_trigger", "name": "Start", "position": {"x": 0, "y": 0}, "subBlocks": {}, "outputs": {}, "enabled": true},
            "loop": {"id": "loop", "type": "loop", "name": "Loop", "position": {"x": 0, "y": 0}, "subBlocks": {}, "outputs": {}, "enabled": true, "data": {"loopType": "for", "count": 100}},
            "cond": {"id": "cond", "type": "condition", "name": "Cond", "position": {"x": 0, "y": 0}, "outputs": {}, "enabled": true, "data": {"parentId": "loop", "extent": "parent"},
                "subBlocks": {"conditions": {"id": "conditions", "type": "condition-input", "value": "[{\"id\":\"cond-if\",\"title\":\"if\",\"value\":\"<loop.index> % 2 === 0\"},{\"id\":\"cond-else\",\"title\":\"else\",\"value\":\"\"}]"}}},
            "even": {"id": "even", "type": "function", "name": "Even", "position": {"x": 0, "y": 0}, "outputs": {}, "enabled": true, "data": {"parentId": "loop", "extent": "parent"},
                "subBlocks": {"code": {"id": "code", "type": "code", "value": "return <loop.index> * 2"}}},
            "odd": {"id": "odd", "type": "agent", "name": "Odd", "position": {"x": 0, "y": 0}, "outputs": {}, "enabled": true, "data": {"parentId": "loop", "extent": "parent"}, "subBlocks": {}}
        },
        "edges": [
            {"id": "e1", "source": "start", "target": "loop", "sourceHandle": "source"},
            {"id": "e2", "source": "loop", "target": "cond", "sourceHandle": "loop-start-source"},
            {"id": "e3", "source": "cond", "target": "even", "sourceHandle": "condition-cond-if"},
            {"id": "e4", "source": "cond", "target": "odd", "sourceHandle": "condition-cond-else"}
        ]
    }))
    .expect("workflow");
    let mut options = RunOptions::default();
    options
        .mocks
        .blocks
        .insert("Odd".into(), Mock::output(json!("odd")));
    let report = run(&state, &options).expect("run");
    assert_eq!(
        report.trace.len(),
        1 + 100 * 2 + 1,
        "the loop ran every pass"
    );
    c.bench_function(
        "workflow run: 100-pass loop with a condition and a function block",
        |b| b.iter(|| black_box(run(&state, &options).expect("run"))),
    );

    // A forEach over a large collection: the item list is shared by every pass, not copied.
    let for_each = |n: usize| -> journey_studio::sim::WorkflowState {
        let items: Vec<serde_json::Value> = (0..n)
            .map(|i| json!({"id": i, "tags": ["a", "b", "c"], "text": "some payload text"}))
            .collect();
        serde_json::from_value(json!({
            "blocks": {
                "start": {"id": "start", "type": "start_trigger", "name": "Start", "position": {"x": 0, "y": 0}, "subBlocks": {}, "outputs": {}, "enabled": true},
                "box": {"id": "box", "type": "loop", "name": "Box", "position": {"x": 0, "y": 0}, "subBlocks": {}, "outputs": {}, "enabled": true, "data": {"loopType": "forEach", "collection": items}},
                "body": {"id": "body", "type": "agent", "name": "Body", "position": {"x": 0, "y": 0}, "outputs": {}, "enabled": true, "data": {"parentId": "box", "extent": "parent"},
                    "subBlocks": {"messages": {"id": "messages", "type": "messages-input", "value": [{"role": "user", "content": "item <loop.index>: <loop.currentItem>"}]}}}
            },
            "edges": [
                {"id": "e1", "source": "start", "target": "box", "sourceHandle": "source"},
                {"id": "e2", "source": "box", "target": "body", "sourceHandle": "loop-start-source"}
            ]
        }))
        .expect("workflow")
    };
    let mut options = RunOptions::default();
    options
        .mocks
        .blocks
        .insert("Body".into(), Mock::output(json!("ok")));
    for n in [10_000usize, 100_000] {
        let state = for_each(n);
        let started = std::time::Instant::now();
        let report = run(&state, &options).expect("run");
        eprintln!(
            "workflow run: forEach over {n} items (one mocked agent per pass): {:?}",
            started.elapsed()
        );
        assert_eq!(report.trace.len(), 1 + n + 1);
    }
    let state = for_each(10_000);
    c.bench_function(
        "workflow run: forEach over 10,000 items (one mocked agent per pass)",
        |b| b.iter(|| black_box(run(&state, &options).expect("run"))),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
