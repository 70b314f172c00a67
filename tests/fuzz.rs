//! The structure-aware fuzzer: random structural mutations of the real fixtures (Sim exports,
//! journeys, templates, scenarios with mocks and JavaScript) and hostile arguments to the app's
//! commands, through every reader and command (`journey_studio::testing::hostile`). cargo-fuzz
//! and cargo-afl need a nightly toolchain or their own compiler wrapper; this harness runs on
//! stable, in `cargo test`.
//!
//! `cargo test --test fuzz` is CI's short run (fixed seed, a few hundred cases). Long runs:
//! `scripts/fuzz` (`JS_FUZZ_CASES`, `JS_FUZZ_SEED`, one process per core), which prints cases/s
//! and the finds; each find is written to `target/fuzz-finds/` (its input and what went wrong)
//! and becomes a regression test.

mod common;

use journey_studio::testing::hostile::{self, Context, Seeds};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// Each command's bound: 10 s in a release build (`scripts/fuzz --corpus`); 30 s in the debug
/// build of `cargo test`, where the core is not optimised.
const TIME_LIMIT: Duration = Duration::from_secs(if cfg!(debug_assertions) { 30 } else { 10 });

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs every command of `case` on a worker thread with a watchdog; answers the command runs and
/// the problems found.
fn run_case(case: &hostile::Case, ctx: &'static Context, simulate: bool) -> (usize, Vec<String>) {
    let (tx, rx) = mpsc::channel();
    let current: &'static Mutex<&'static str> = Box::leak(Box::new(Mutex::new("")));
    let for_thread = case.clone();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let progress = |c: &'static str| *current.lock().unwrap_or_else(|p| p.into_inner()) = c;
            let _ = tx.send(hostile::fuzz_case(&for_thread, ctx, simulate, &progress));
        })
        .unwrap();
    match rx.recv_timeout(TIME_LIMIT * 3) {
        Ok(outcomes) => (
            outcomes.len(),
            hostile::judge(&case.name, &outcomes, TIME_LIMIT),
        ),
        Err(_) => {
            let command = *current.lock().unwrap_or_else(|p| p.into_inner());
            (0, vec![format!("HANG {command} on {}", case.name)])
        }
    }
}

#[test]
fn fuzz_every_reader_and_command() {
    let cases: usize = env("JS_FUZZ_CASES", 300);
    let seed: u64 = env("JS_FUZZ_SEED", 1_700);
    let seeds = Seeds::load(&common::repo()).unwrap();
    let ctx: &'static Context = Box::leak(Box::new(Context::new(&common::repo()).unwrap()));
    let finds_dir = common::repo().join("target/fuzz-finds");
    let start = Instant::now();
    let (mut runs, mut finds) = (0usize, Vec::new());
    let mut last_report = Instant::now();
    // Cases are made and run in batches on one worker thread with a watchdog per case.
    const BATCH: usize = 200;
    let mut done = 0;
    while done < cases {
        let n = BATCH.min(cases - done);
        let batch = hostile::corpus(
            &seeds,
            seed.wrapping_mul(1_000_003).wrapping_add(done as u64),
            n,
        );
        for (i, case) in batch.into_iter().enumerate() {
            let simulate = (done + i) % 10 == 0;
            let (count, mut problems) = run_case(&case, ctx, simulate);
            runs += count;
            // A case is slow or hangs by the wall clock, which also counts time the process
            // waited for the CPU (long runs go at nice 19 beside other work): run it again
            // alone; a find is what happens twice.
            if problems
                .iter()
                .any(|p| p.starts_with("SLOW") || p.starts_with("HANG"))
            {
                let again = Instant::now();
                let (_, second) = run_case(&case, ctx, simulate);
                let took = again.elapsed().as_secs_f64();
                problems.retain(|p| {
                    let timing = p.starts_with("SLOW") || p.starts_with("HANG");
                    let repeated = second.iter().any(|q| q.get(..4) == p.get(..4));
                    if timing && !repeated {
                        println!("UNCONFIRMED {p} (ran again in {took:.2} s)");
                    }
                    !timing || repeated
                });
            }
            for problem in problems {
                println!("FIND {problem}");
                let _ = std::fs::create_dir_all(&finds_dir);
                let file = finds_dir.join(format!("seed{seed}-case{}.json", done + i));
                let record = serde_json::json!({"problem": problem, "case": case.name, "kind": format!("{:?}", case.kind), "command": case.command, "input": case.text});
                let _ = std::fs::write(
                    &file,
                    serde_json::to_string_pretty(&record).unwrap_or_default(),
                );
                finds.push(problem);
            }
        }
        done += n;
        if last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            println!(
                "fuzz seed {seed}: {done} cases, {:.0} cases/s, {} finds",
                done as f64 / start.elapsed().as_secs_f64(),
                finds.len()
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "FUZZ seed {seed}: {cases} cases, {runs} command runs in {secs:.1} s = {:.0} cases/s, {} finds",
        cases as f64 / secs,
        finds.len()
    );
    assert!(
        finds.is_empty(),
        "{} finds (see target/fuzz-finds/)",
        finds.len()
    );
}
