//! The editor's path, through `api::dispatch` as the desktop app and `serve` call it: open a
//! document, one edit of one field, undo. Each answer is serialised to JSON as the IPC bridge does,
//! and its size is reported. Beside it, in the same run, the path the app took before documents
//! were kept in the core (the baseline): the UI sent the whole document to `apply_edits`, which
//! parsed it, applied the edit, answered the whole document, its whole view and a full validation,
//! then autosaved by sending the whole document again to `save_document` (parse, save, validate).
//!
//! Run: `cargo bench --bench editor` (a table after criterion's report). Sizes: realistic Sim
//! workflows of 1,000 and 10,000 blocks and a journey of 1,000 states.

use criterion::{criterion_group, criterion_main, Criterion};
use journey_studio::api::{dispatch, AppState, JsonFileSettings};
use journey_studio::document::Document;
use journey_studio::editor::edit::{self, Edit};
use journey_studio::editor::view;
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Case {
    label: String,
    text: String,
    /// A one-field edit of the document (a block's name or a state's action), alternating values.
    edit: fn(&Document, usize) -> Edit,
}

fn rename_block(doc: &Document, i: usize) -> Edit {
    let Document::Sim(sim) = doc else {
        unreachable!()
    };
    let state = sim.state();
    let id = state
        .blocks
        .keys()
        .nth(state.blocks.len() / 2)
        .unwrap()
        .clone();
    Edit::SetLabel {
        target: id,
        label: format!("renamed block {i}"),
    }
}

fn reword_state(doc: &Document, i: usize) -> Edit {
    let Document::Journey(j) = doc else {
        unreachable!()
    };
    let id = j.nodes[j.nodes.len() / 2].id.clone();
    Edit::SetField {
        target: id,
        path: vec!["action".into()],
        value: json!(format!("Ask about step {i}")),
    }
}

fn call(state: &AppState, command: &str, args: Value) -> (Value, usize) {
    let answer = dispatch(state, command, args).unwrap_or_else(|e| panic!("{command}: {e}"));
    // What the IPC bridge sends.
    let bytes = serde_json::to_string(&answer).unwrap().len();
    (answer, bytes)
}

/// The stateless path of before: `apply_edits {content, edits}` then `save_document {id, content}`.
fn baseline(store: &mut journey_studio::store::Store, request: &str, edit: &Edit) -> usize {
    // apply_edits: the request is parsed, the document read from it, the edit applied to a copy,
    // and the answer holds the whole document, its view and a full validation.
    let args: Value = serde_json::from_str(request).unwrap();
    let doc =
        Document::parse("content", &serde_json::to_string(&args["content"]).unwrap()).unwrap();
    let edited = {
        let mut d = doc.clone();
        apply_stateless(&mut d, edit);
        d
    };
    let content: Value = serde_json::from_str(&edited.to_json()).unwrap();
    let report = journey_studio::validate::validate(&edited).unwrap();
    let answer = json!({"content": content, "view": view::view(&edited), "diagnostics": report});
    let answer_text = serde_json::to_string(&answer).unwrap();
    // save_document: the UI sends the whole document back; it is parsed, saved and validated.
    let save_request =
        serde_json::to_string(&json!({"id": 1, "content": answer["content"]})).unwrap();
    let args: Value = serde_json::from_str(&save_request).unwrap();
    let doc =
        Document::parse("content", &serde_json::to_string(&args["content"]).unwrap()).unwrap();
    store.save("baseline", &doc, "edited").unwrap();
    let report = journey_studio::validate::validate(&doc).unwrap();
    answer_text.len() + serde_json::to_string(&report).unwrap().len()
}

/// The edit applied to the document in place, as the stateless `apply_edits` did.
fn apply_stateless(doc: &mut Document, e: &Edit) {
    let plan = edit::plan(
        match doc {
            Document::Sim(s) => edit::DocRef::Sim(s),
            Document::Journey(j) => edit::DocRef::Journey(j),
        },
        e,
    )
    .unwrap();
    // One field of one element: the planned change carries the new element.
    for change in plan.changes {
        if let journey_studio::editor::change::Change::Model(m) = change {
            match (doc as &mut Document, m) {
                (Document::Sim(s), journey_studio::validate::Edit::UpsertBlock(b)) => {
                    s.state_mut().blocks.insert(b.id.clone(), b);
                }
                (Document::Journey(j), journey_studio::validate::Edit::UpsertState(n)) => {
                    if let Some(slot) = j.nodes.iter_mut().find(|x| x.id == n.id) {
                        *slot = n;
                    }
                }
                _ => unreachable!("the benchmark's edits change one block or one state"),
            }
        }
    }
}

/// label, bytes, open and its answer's bytes, edit and bytes, undo and bytes, baseline and bytes.
type Row = (
    String,
    usize,
    Duration,
    usize,
    Duration,
    usize,
    Duration,
    usize,
    Duration,
    usize,
);

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn bench(c: &mut Criterion) {
    let cases = vec![
        Case {
            label: "workflow 1,000 blocks".into(),
            text: journey_studio::testing::realistic_workflow(1_000),
            edit: rename_block,
        },
        Case {
            label: "workflow 10,000 blocks".into(),
            text: journey_studio::testing::realistic_workflow(10_000),
            edit: rename_block,
        },
        Case {
            label: "journey 1,000 states".into(),
            text: journey_studio::testing::ring_journey(1_000).to_json(),
            edit: reword_state,
        },
    ];
    let mut rows: Vec<Row> = Vec::new();
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::open(
            &dir.path().join("w.db"),
            Box::new(JsonFileSettings::new(dir.path().join("s.json"))),
        )
        .unwrap();
        let id = call(
            &state,
            "import_document",
            json!({"name": "doc", "content": case.text}),
        )
        .0["id"]
            .as_i64()
            .unwrap();
        let doc = Document::parse("doc", &case.text).unwrap();

        // Open: the session, the whole view and every diagnostic.
        let mut opens = Vec::new();
        let mut open_bytes = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let (opened, bytes) = call(&state, "open_document", json!({"id": id}));
            opens.push(start.elapsed());
            open_bytes = bytes;
            call(
                &state,
                "close_document",
                json!({"session": opened["session"]}),
            );
        }
        let session = call(&state, "open_document", json!({"id": id})).0["session"]
            .as_str()
            .unwrap()
            .to_string();

        let mut group = c.benchmark_group(format!("editor {}", case.label));
        group.sample_size(20);
        let mut n = 0;
        group.bench_function("apply_edits (one field) through dispatch", |b| {
            b.iter(|| {
                n += 1;
                let e = (case.edit)(&doc, n);
                black_box(call(
                    &state,
                    "apply_edits",
                    json!({"session": session, "edits": [e]}),
                ));
            })
        });
        group.finish();

        let (mut edits, mut undos, mut base) = (Vec::new(), Vec::new(), Vec::new());
        let (mut edit_bytes, mut undo_bytes, mut base_bytes) = (0, 0, 0);
        let mut store =
            journey_studio::store::Store::open(&dir.path().join("baseline.db")).unwrap();
        let request = serde_json::to_string(
            &json!({"content": serde_json::from_str::<Value>(&case.text).unwrap(), "edits": []}),
        )
        .unwrap();
        let runs = if case.text.len() > 5_000_000 { 5 } else { 15 };
        for i in 0..runs {
            let e = (case.edit)(&doc, 10_000 + i);
            let start = Instant::now();
            let (_, bytes) = call(
                &state,
                "apply_edits",
                json!({"session": session, "edits": [e.clone()]}),
            );
            edits.push(start.elapsed());
            edit_bytes = bytes;
            let start = Instant::now();
            let (_, bytes) = call(&state, "undo", json!({"session": session}));
            undos.push(start.elapsed());
            undo_bytes = bytes;
            let start = Instant::now();
            base_bytes = black_box(baseline(&mut store, &request, &e));
            base.push(start.elapsed());
        }
        call(&state, "close_document", json!({"session": session}));
        rows.push((
            case.label.clone(),
            case.text.len(),
            median(&mut opens),
            open_bytes,
            median(&mut edits),
            edit_bytes,
            median(&mut undos),
            undo_bytes,
            median(&mut base),
            base_bytes,
        ));
    }
    println!("\nmedians; times include serialising the answer as the IPC bridge does");
    println!(
        "{:<24} {:>9} | {:>9} {:>9} | {:>9} {:>7} | {:>9} {:>7} | {:>11} {:>9} | {:>8}",
        "document",
        "bytes",
        "open",
        "answer",
        "edit",
        "answer",
        "undo",
        "answer",
        "before",
        "answers",
        "speed-up"
    );
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
    let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let join = |pick: fn(&Row) -> Duration| {
        rows.iter()
            .map(|r| ms(pick(r)))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let readme = format!(
        "README| editor: one field edit through `api::dispatch`, answer serialised as the IPC bridge does ({}) | edit {}; undo {}; open {} | the path before documents lived in the core (whole document each way, full validation, autosave): {} |",
        labels.join(" / "),
        join(|r| r.4),
        join(|r| r.6),
        join(|r| r.2),
        join(|r| r.8),
    );
    for (label, bytes, open, open_b, edit, edit_b, undo, undo_b, base, base_b) in rows {
        println!(
            "{label:<24} {bytes:>9} | {:>9} {open_b:>9} | {:>9} {edit_b:>7} | {:>9} {undo_b:>7} | {:>11} {base_b:>9} | {:>7.0}x",
            ms(open),
            ms(edit),
            ms(undo),
            ms(base),
            base.as_secs_f64() / edit.as_secs_f64()
        );
    }
    println!("{readme}");
}

criterion_group!(benches, bench);
criterion_main!(benches);
