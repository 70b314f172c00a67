//! The hostile-input corpus through every command (validate, convert, simulate, parity, format,
//! inspect, template ops, scenarios and mocks, and the app's commands through `api::dispatch`):
//! 0 panics, 0 hangs (each command < 10 s), memory bounded (< 1 GB, counted by this binary's
//! allocator), every error names where and quotes at most a short excerpt.
//!
//! `cargo test --test hostile_corpus` runs a fixed-seed sample (CI). The whole corpus (1,500
//! mutated cases and the big cases at full size: 100,000 states or blocks in a line, forks of
//! 10,000 branches, collections of 1,000,000 items) runs with `JS_HOSTILE_FULL=1` (use
//! `--release`: `scripts/fuzz --corpus`). The fuzzer (random seeds, long runs) is `tests/fuzz.rs`.

mod common;

use journey_studio::testing::hostile::{self, Case, Context, Seeds};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size > layout.size() {
                let now = IN_USE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Each command's bound: 10 s in a release build (`scripts/fuzz --corpus`); 30 s in the debug
/// build of `cargo test`, where the core is not optimised.
const TIME_LIMIT: Duration = Duration::from_secs(if cfg!(debug_assertions) { 30 } else { 10 });

/// Finds not fixed yet, each with why: a SLOW or HANG of `command` on a case whose name starts
/// with the prefix is printed as KNOWN OPEN instead of failing. Every other problem fails.
const KNOWN_OPEN: &[(&str, &str, &str)] = &[];

/// Moves the known-open problems out of `problems` and prints them.
fn known_open(problems: &mut Vec<String>) {
    problems.retain(|p| {
        let known = KNOWN_OPEN.iter().find(|(command, prefix, _)| {
            (p.starts_with("SLOW ") || p.starts_with("HANG "))
                && p[5..].starts_with(&format!("{command} on {prefix}"))
        });
        if let Some((_, _, why)) = known {
            println!("  KNOWN OPEN {p}: {why}");
        }
        known.is_none()
    });
}
const MEMORY_LIMIT: usize = 1 << 30;

/// Every problem found, one line each.
#[derive(Default)]
struct Findings {
    cases: usize,
    runs: usize,
    errors: usize,
    problems: Vec<String>,
    slowest: (Duration, String),
    peak: (usize, String),
}

/// Runs the cases one at a time on a worker thread (2 MiB stack, smaller than the CLI's main
/// thread), with a watchdog: a case still running after the time limit is a hang (its thread is
/// left behind and the run goes on).
fn run(cases: Vec<Case>, ctx: &'static Context) -> Findings {
    let mut findings = Findings::default();
    for case in cases {
        findings.cases += 1;
        let name = case.name.clone();
        let before = IN_USE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        let current: &'static Mutex<&'static str> = Box::leak(Box::new(Mutex::new("")));
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let progress = |command: &'static str| {
                    *current.lock().unwrap_or_else(|p| p.into_inner()) = command;
                };
                let outcomes = hostile::run_case(&case, ctx, &progress);
                let _ = tx.send(outcomes);
            })
            .expect("a worker thread starts");
        // Each command may take the limit; a case runs up to ~25 commands.
        let outcomes = match rx.recv_timeout(TIME_LIMIT * 3) {
            Ok(o) => o,
            Err(_) => {
                let command = *current.lock().unwrap_or_else(|p| p.into_inner());
                findings.problems.push(format!(
                    "HANG {command} on {name}: still running after {:?}",
                    start.elapsed()
                ));
                continue;
            }
        };
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
        if peak > findings.peak.0 {
            findings.peak = (peak, name.clone());
        }
        if peak > MEMORY_LIMIT {
            findings
                .problems
                .push(format!("MEMORY {name}: {} MB", peak >> 20));
        }
        for o in outcomes {
            findings.runs += 1;
            if o.elapsed > findings.slowest.0 {
                findings.slowest = (o.elapsed, format!("{} on {name}", o.command));
            }
            if o.elapsed > TIME_LIMIT {
                findings
                    .problems
                    .push(format!("SLOW {} on {name}: {:?}", o.command, o.elapsed));
            }
            if let Some(panic) = &o.panic {
                findings
                    .problems
                    .push(format!("PANIC {} on {name}: {panic}", o.command));
            } else if let Err(message) = &o.result {
                findings.errors += 1;
                if let Some(why) = hostile::error_problem(message) {
                    let excerpt: String = message.chars().take(300).collect();
                    findings
                        .problems
                        .push(format!("ERROR {} on {name}: {why}: {excerpt}", o.command));
                }
            }
        }
    }
    findings
}

fn context() -> &'static Context {
    Box::leak(Box::new(
        Context::new(&common::repo()).expect("the context opens"),
    ))
}

fn report(label: &str, f: &Findings, elapsed: Duration) {
    println!(
        "{label}: {} cases, {} command runs ({} errors) in {:.1} s; slowest command {:?} ({}); peak memory of a case {} MB ({}); {} problems",
        f.cases,
        f.runs,
        f.errors,
        elapsed.as_secs_f64(),
        f.slowest.0,
        f.slowest.1,
        f.peak.0 >> 20,
        f.peak.1,
        f.problems.len()
    );
    for p in &f.problems {
        println!("  {p}");
    }
}

/// The two tests take turns: memory is counted for the whole process.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn full() -> bool {
    std::env::var_os("JS_HOSTILE_FULL").is_some()
}

#[test]
fn mutated_fixtures_through_every_command() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let seeds = Seeds::load(&common::repo()).unwrap();
    let count = if full() {
        1_500
    } else {
        std::env::var("JS_HOSTILE_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(150)
    };
    let cases = hostile::corpus(&seeds, 17, count);
    let start = Instant::now();
    let findings = run(cases, context());
    report("hostile corpus", &findings, start.elapsed());
    assert!(findings.runs > count * 2, "the commands ran");
    assert!(findings.errors > 0, "hostile inputs are refused somewhere");
    assert!(
        findings.problems.is_empty(),
        "{} problems",
        findings.problems.len()
    );
}

/// Runs the CLI on `args` with a time limit; answers (exit code or None when killed, elapsed,
/// peak resident memory from /proc, stderr).
fn cli(
    args: &[String],
    stdin: &str,
    err_file: &std::path::Path,
) -> (Option<i32>, Duration, usize, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    // Standard error goes to a file: a pipe read only at the end would fill and stall the child.
    let err = std::fs::File::create(err_file).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .expect("the CLI starts");
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    let start = Instant::now();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0usize;
    let code = loop {
        // VmHWM is the process's peak resident set so far: the last reading before it ends is
        // its peak (to within the last 20 ms).
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
                let kb = line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            break status.code();
        }
        if start.elapsed() > TIME_LIMIT * 2 {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    let stderr = std::fs::read_to_string(err_file).unwrap_or_default();
    (code, elapsed, peak_kb * 1024, stderr)
}

#[test]
fn big_documents_through_every_command() {
    // Full size with JS_HOSTILE_FULL (release: `scripts/fuzz --corpus`); 1/500 in CI's
    // debug build (where the core is not optimised): the shapes, not the sizes.
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let scale = if full() { 1.0 } else { 0.002 };
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("scenario.json");
    std::fs::write(
        &scenario,
        r#"{"scenarios": [{"name": "big", "input": {"input": "x"}}]}"#,
    )
    .unwrap();
    let start = Instant::now();
    let mut findings = Findings::default();
    let cases = hostile::big_cases(scale);
    for case in &cases {
        findings.cases += 1;
        let file = dir.path().join("big.json");
        std::fs::write(&file, &case.text).unwrap();
        let sim = case.name.starts_with("sim");
        for (label, args) in hostile::cli_commands(sim) {
            let args: Vec<String> = args
                .iter()
                .map(|a| match *a {
                    "{}" => file.display().to_string(),
                    "{out}" => dir.path().join("out.json").display().to_string(),
                    "{scenario}" => scenario.display().to_string(),
                    other => other.to_string(),
                })
                .collect();
            let (code, elapsed, peak, stderr) =
                cli(&args, "hello\nyes\n", &dir.path().join("stderr.txt"));
            findings.runs += 1;
            let what = format!("{label} on {}", case.name);
            println!(
                "  {what}: exit {code:?} in {elapsed:.2?}, peak RSS {} MB",
                peak >> 20
            );
            if elapsed > findings.slowest.0 {
                findings.slowest = (elapsed, what.clone());
            }
            if peak > findings.peak.0 {
                findings.peak = (peak, what.clone());
            }
            match code {
                None => findings
                    .problems
                    .push(format!("HANG {what}: killed after {elapsed:?}")),
                Some(101) | Some(134) => findings.problems.push(format!(
                    "PANIC {what}: {}",
                    stderr.chars().take(400).collect::<String>()
                )),
                Some(0) => {}
                Some(_) => {
                    let message = stderr.trim();
                    if !message.is_empty() {
                        findings.errors += 1;
                        if let Some(why) = hostile::error_problem(message) {
                            findings.problems.push(format!("ERROR {what}: {why}"));
                        }
                    }
                }
            }
            if elapsed > TIME_LIMIT {
                findings.problems.push(format!("SLOW {what}: {elapsed:?}"));
            }
            if peak > MEMORY_LIMIT {
                findings
                    .problems
                    .push(format!("MEMORY {what}: {} MB", peak >> 20));
            }
        }
    }
    // The app's path in this process (import, open, convert, preview, edit).
    let ctx = context();
    for case in cases {
        let name = case.name.clone();
        let (tx, rx) = mpsc::channel();
        let current: &'static Mutex<&'static str> = Box::leak(Box::new(Mutex::new("")));
        let before = IN_USE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let progress = |command: &'static str| {
                    *current.lock().unwrap_or_else(|p| p.into_inner()) = command;
                };
                let _ = tx.send(hostile::run_app_path(&case.text, ctx, &progress));
            })
            .unwrap();
        let Ok(outcomes) = rx.recv_timeout(TIME_LIMIT * 4) else {
            let command = *current.lock().unwrap_or_else(|p| p.into_inner());
            findings.problems.push(format!("HANG {command} on {name}"));
            continue;
        };
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
        if peak > MEMORY_LIMIT {
            findings
                .problems
                .push(format!("MEMORY app path on {name}: {} MB", peak >> 20));
        }
        for o in outcomes {
            findings.runs += 1;
            println!(
                "  {} on {name}: {:.2?} {}",
                o.command,
                o.elapsed,
                if o.result.is_ok() { "ok" } else { "error" }
            );
            if o.elapsed > TIME_LIMIT {
                findings
                    .problems
                    .push(format!("SLOW {} on {name}: {:?}", o.command, o.elapsed));
            }
            if let Some(p) = o.panic {
                findings
                    .problems
                    .push(format!("PANIC {} on {name}: {p}", o.command));
            } else if let Err(m) = &o.result {
                if let Some(why) = hostile::error_problem(m) {
                    findings
                        .problems
                        .push(format!("ERROR {} on {name}: {why}", o.command));
                }
            }
        }
    }
    known_open(&mut findings.problems);
    report("big cases", &findings, start.elapsed());
    assert!(
        findings.problems.is_empty(),
        "{} problems",
        findings.problems.len()
    );
}
