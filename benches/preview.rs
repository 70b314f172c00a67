//! A chat turn through the app's path: `api::dispatch("sim_send")` on a preview whose session
//! lives in the core (the journey was prepared once, at `sim_start`; a turn carries only the
//! customer's message), the answer serialised to JSON as the IPC bridge does. A 1,000-state
//! journey, every message different (no message is embedded twice), with the paraphrase model
//! (all-MiniLM-L6-v2) loaded. Target: < 5 ms per turn.
//!
//! Baselines in the same run: the same turns through `dispatch` with the keyword matcher, and
//! the library-only turn with the model (`Session::send`, no dispatch, no JSON).
//!
//! Run: `cargo bench --bench preview`. The last line is the README's table row.

use journey_studio::api::{dispatch, AppState, JsonFileSettings};
use journey_studio::simulate::journey::Session;
use journey_studio::simulate::{embed, Mocks};
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const STATES: usize = 1_000;
/// Turns per measured conversation (every message distinct).
const TURNS: usize = 300;

const OPENERS: &[&str] = &["yes", "sure", "ok", "alright", "great", "fine"];
const BODIES: &[&str] = &[
    "continue to the next step",
    "let's move on",
    "go on to the next one",
    "next step please",
    "carry on",
    "keep going with it",
    "let's skip ahead",
];
const TAILS: &[&str] = &[
    "",
    " please",
    ", thanks",
    " now",
    " if you can",
    " right away",
    ", that works for me",
    " I guess",
];

/// The `i`th customer message: distinct for every `i` below 336, in words (no counters).
fn message(i: usize) -> String {
    let o = OPENERS[i % OPENERS.len()];
    let b = BODIES[(i / OPENERS.len()) % BODIES.len()];
    let t = TAILS[(i / (OPENERS.len() * BODIES.len())) % TAILS.len()];
    format!("{o}, {b}{t}")
}

fn mocks() -> Value {
    json!({"tools": {"check_status": {"output": {"succeeded": true, "status": "check succeeded"}}}})
}

fn call(state: &AppState, command: &str, args: Value) -> Value {
    dispatch(state, command, args).unwrap_or_else(|e| panic!("{command}: {e}"))
}

struct Figures {
    mean: Duration,
    p50: Duration,
    p95: Duration,
    moved: usize,
}

fn figures(mut times: Vec<Duration>, moved: usize) -> Figures {
    let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    Figures {
        mean,
        p50: at(0.5),
        p95: at(0.95),
        moved,
    }
}

/// One conversation of `TURNS` turns through `dispatch`, each answer serialised as the IPC
/// bridge does; per-turn times.
fn conversation(state: &AppState, session: &str, options: Value) -> Figures {
    let started = call(
        state,
        "sim_start",
        json!({"session": session, "mocks": mocks(), "options": options}),
    );
    let sim = started["sim"].as_str().unwrap().to_string();
    let mut times = Vec::with_capacity(TURNS);
    let mut visited = std::collections::HashSet::new();
    for i in 0..TURNS {
        let text = message(i);
        let t0 = Instant::now();
        let answer = call(state, "sim_send", json!({"sim": sim, "message": text}));
        let wire = serde_json::to_string(&answer).unwrap();
        times.push(t0.elapsed());
        black_box(wire);
        if let Some(at) = answer["active_node"].as_str() {
            visited.insert(at.to_string());
        }
    }
    call(state, "sim_stop", json!({"sim": sim}));
    figures(times, visited.len())
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let distinct: std::collections::HashSet<String> = (0..TURNS).map(message).collect();
    assert_eq!(distinct.len(), TURNS, "every message is different");
    let doc = journey_studio::testing::ring_journey(STATES);
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::open(
        &dir.path().join("w.db"),
        Box::new(JsonFileSettings::new(dir.path().join("settings.json"))),
    )
    .unwrap();
    let id = call(
        &state,
        "import_document",
        json!({"name": "ring", "content": doc.to_json()}),
    )["id"]
        .as_i64()
        .unwrap();
    let session = call(&state, "open_document", json!({"id": id}))["session"]
        .as_str()
        .unwrap()
        .to_string();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "machine: {threads} CPUs, load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );

    // Baseline: the keyword matcher through the same path (warm-up first).
    conversation(&state, &session, json!({"matcher": "keywords"}));
    let keywords = conversation(&state, &session, json!({"matcher": "keywords"}));
    println!(
        "keywords through dispatch: {STATES} states, {TURNS} turns: mean {:.0} µs, p50 {:.0} µs, p95 {:.0} µs ({} states visited)",
        keywords.mean.as_secs_f64() * 1e6,
        keywords.p50.as_secs_f64() * 1e6,
        keywords.p95.as_secs_f64() * 1e6,
        keywords.moved
    );

    let model = match embed::shared() {
        Ok(model) => model,
        Err(why) => {
            println!("paraphrase model: not loaded ({why})");
            println!(
                "README| journey preview turn through api::dispatch, 1,000 states | not measured: no model (run scripts/setup) | keywords {:.0} µs |",
                keywords.mean.as_secs_f64() * 1e6
            );
            return;
        }
    };
    let info = model.info();
    println!(
        "paraphrase model {}: {:.1} MB, loaded in {} ms (once per process)",
        info.name,
        info.bytes as f64 / 1e6,
        info.load_time.as_millis()
    );
    let t0 = Instant::now();
    let prepared = call(
        &state,
        "sim_start",
        json!({"session": session, "mocks": mocks()}),
    );
    assert_eq!(prepared["matcher"], "paraphrase", "{prepared}");
    println!(
        "sim_start with the model at {STATES} states (every condition embedded, or read from the process cache): {}",
        ms(t0.elapsed())
    );
    call(&state, "sim_stop", json!({"sim": prepared["sim"]}));

    // The library-only turn (no dispatch, no JSON): what the app's path adds to it.
    let mut lib = Session::new(&doc, serde_json::from_value::<Mocks>(mocks()).unwrap()).unwrap();
    lib.start().unwrap();
    let mut times = Vec::with_capacity(TURNS);
    for i in 0..TURNS {
        // Other words than the dispatch run's, so no embedding is reused from there.
        let text = format!("{} here", message(i));
        let t0 = Instant::now();
        black_box(lib.send(&text).unwrap());
        times.push(t0.elapsed());
    }
    let library = figures(times, 0);
    println!(
        "library-only turn with the model: mean {}, p50 {}, p95 {}",
        ms(library.mean),
        ms(library.p50),
        ms(library.p95)
    );

    let paraphrase = conversation(&state, &session, json!({}));
    println!(
        "paraphrase through dispatch: {STATES} states, {TURNS} turns: mean {}, p50 {}, p95 {} ({} states visited; target < 5 ms)",
        ms(paraphrase.mean),
        ms(paraphrase.p50),
        ms(paraphrase.p95),
        paraphrase.moved
    );
    assert!(
        paraphrase.moved > 10,
        "the conversation moved through the journey"
    );
    println!(
        "README| journey preview turn through api::dispatch, 1,000 states | {} per turn with the paraphrase model (p95 {}; target < 5 ms) | keywords {:.0} µs; library-only model turn {} |",
        ms(paraphrase.mean),
        ms(paraphrase.p95),
        keywords.mean.as_secs_f64() * 1e6,
        ms(library.mean)
    );
}
