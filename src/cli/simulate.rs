//! `journey-studio simulate`: run a scenario against a journey or a workflow, or play one
//! interactively (a REPL on standard input, which may be a pipe).

use crate::{Outcome, OutputFormat};
use journey_studio::api::{JsonFileSettings, SettingsBackend};
use journey_studio::app::runs::WorkflowRun;
use journey_studio::app::scenarios;
use journey_studio::json::{from_str_located, read_text};
use journey_studio::simulate::journey::{Event, MatcherSetting, Session, SessionOptions};
use journey_studio::simulate::scenario::{self, ScenarioResult};
use journey_studio::simulate::workflow::RunReport;
use journey_studio::simulate::Mocks;
use journey_studio::Document;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A journey document or a Sim workflow; with `--all`, a workspace file or a folder.
    file: PathBuf,
    /// Run every scenario: of every document of the workspace FILE, or of every scenario file
    /// under the folder FILE (each names its document with `workflow`). Exits 1 on a failure.
    #[arg(long, conflicts_with_all = ["scenario", "mocks"])]
    all: bool,
    /// With `--all`: also write the results as JUnit XML to this file (for CI systems).
    #[arg(long, requires = "all")]
    junit: Option<PathBuf>,
    /// A scenarios file: run it and exit 1 when an expectation fails.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Mocks for the interactive mode (tools, blocks, routes, env).
    #[arg(long)]
    mocks: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
    #[command(flatten)]
    options: OptionFlags,
}

/// A journey preview's options (`SessionOptions`, the type the app's settings keep under
/// `preview`): from the app's settings file, then the scenario's own, then these flags.
#[derive(clap::Args, Default)]
pub struct OptionFlags {
    /// The app's settings file (JSON, as `serve` keeps it): its `preview` options are the base.
    #[arg(long)]
    settings: Option<PathBuf>,
    /// A conditional transition is taken when its score (0..1) reaches this (default 0.5).
    #[arg(long)]
    threshold: Option<f64>,
    /// `auto` (the paraphrase model when installed, else keywords) or `keywords`.
    #[arg(long)]
    matcher: Option<String>,
    /// Any reply moves on, as a plain state machine, instead of Parlant's pace.
    #[arg(long)]
    plain_pace: bool,
    /// Steps already answered that one message may skip (Parlant: 3).
    #[arg(long)]
    max_skip: Option<usize>,
    /// Tool rounds one message may run (Parlant's max_engine_iterations: 3).
    #[arg(long)]
    max_tool_rounds: Option<usize>,
    /// Start inactive until a message matches one of the journey's conditions.
    #[arg(long)]
    wait_for_activation: bool,
}

impl OptionFlags {
    /// The settings file's preview options (or the defaults without one).
    fn base(&self) -> journey_studio::Result<SessionOptions> {
        match &self.settings {
            Some(path) => {
                if !path.is_file() {
                    return Err(journey_studio::Error::NotFound(format!(
                        "{}: no such settings file",
                        path.display()
                    )));
                }
                Ok(JsonFileSettings::new(path.clone()).load()?.preview)
            }
            None => Ok(SessionOptions::default()),
        }
    }

    /// `base` with the flags given on top, checked.
    fn apply(&self, mut options: SessionOptions) -> journey_studio::Result<SessionOptions> {
        if let Some(t) = self.threshold {
            options.threshold = t;
        }
        if let Some(m) = &self.matcher {
            options.matcher =
                serde_json::from_value::<MatcherSetting>(serde_json::Value::String(m.clone()))
                    .map_err(|_| {
                        journey_studio::Error::Unsupported(format!(
                            "--matcher {m}: expected `auto` or `keywords`"
                        ))
                    })?;
        }
        if self.plain_pace {
            options.parlant_pace = false;
        }
        if let Some(n) = self.max_skip {
            options.max_skip = n;
        }
        if let Some(n) = self.max_tool_rounds {
            options.max_tool_rounds = n;
        }
        if self.wait_for_activation {
            options.wait_for_activation = true;
        }
        options.check()?;
        Ok(options)
    }

    /// Whether any option was given on the command line (a scenario's own options are
    /// replaced only then).
    fn any(&self) -> bool {
        self.settings.is_some()
            || self.threshold.is_some()
            || self.matcher.is_some()
            || self.plain_pace
            || self.max_skip.is_some()
            || self.max_tool_rounds.is_some()
            || self.wait_for_activation
    }
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    if args.all {
        return run_all(&args);
    }
    let doc = Document::load(&args.file)?;
    match &args.scenario {
        Some(path) => run_scenarios(&doc, path, args.format, &args.options),
        None => {
            let mocks = match &args.mocks {
                Some(path) => {
                    let file = path.display().to_string();
                    from_str_located::<Mocks>(&file, &read_text(path)?)?
                }
                None => Mocks::default(),
            };
            let options = args.options.apply(args.options.base()?)?;
            repl(&doc, mocks, options, args.format)
        }
    }
}

fn run_scenarios(
    doc: &Document,
    path: &std::path::Path,
    format: OutputFormat,
    flags: &OptionFlags,
) -> journey_studio::Result<Outcome> {
    let mut scenarios = scenario::load_scenarios(path)?.scenarios;
    if flags.any() {
        // The settings file is the base, the scenario's own options over it, the flags over both.
        let base = flags.base()?;
        for s in &mut scenarios {
            let own = s.options.clone().unwrap_or_else(|| base.clone());
            s.options = Some(flags.apply(own)?);
        }
    }
    let mut results = Vec::new();
    for s in &scenarios {
        results.push(match doc {
            Document::Journey(j) => scenario::run_journey(j, s)?,
            Document::Sim(w) => scenario::run_workflow(w.state(), s)?,
        });
    }
    let failed = results.iter().filter(|r| !r.passed).count();
    match format {
        OutputFormat::Json => {
            let body = serde_json::json!({ "passed": failed == 0, "scenarios": results });
            println!(
                "{}",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            );
        }
        OutputFormat::Text => print!("{}", render_results(&results)),
    }
    Ok(if failed == 0 {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}

fn run_all(args: &Args) -> journey_studio::Result<Outcome> {
    let suites = scenarios::run_all(&args.file)?;
    if let Some(junit) = &args.junit {
        journey_studio::json::write_atomic(junit, &scenarios::junit_xml(&suites))?;
    }
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failed: usize = suites.iter().map(|s| s.failed()).sum();
    match args.format {
        OutputFormat::Json => {
            let body = serde_json::json!({ "passed": failed == 0, "suites": suites });
            println!(
                "{}",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            );
        }
        OutputFormat::Text => {
            let mut out = String::new();
            for suite in &suites {
                let _ = writeln!(out, "{}", suite.name);
                for case in &suite.cases {
                    let _ = writeln!(
                        out,
                        "  {} {}",
                        if case.passed { "PASS" } else { "FAIL" },
                        case.name
                    );
                    if let Some(first) = case.first_failure() {
                        let _ = writeln!(out, "    - {first}");
                    }
                }
            }
            let _ = writeln!(
                out,
                "{total} scenario(s) in {} suite(s), {} passed, {failed} failed",
                suites.len(),
                total - failed
            );
            print!("{out}");
        }
    }
    Ok(if failed == 0 {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}

fn render_results(results: &[ScenarioResult]) -> String {
    let mut out = String::new();
    for r in results {
        let _ = writeln!(out, "{} {}", if r.passed { "PASS" } else { "FAIL" }, r.name);
        let _ = writeln!(out, "  path: {}", r.path.join(" -> "));
        for run in &r.runs {
            let _ = writeln!(
                out,
                "  run: {:?}{}",
                run.status,
                run.error
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            );
            for w in &run.warnings {
                let _ = writeln!(out, "  warning: {w}");
            }
        }
        for f in &r.failures {
            let _ = writeln!(out, "  - {f}");
        }
    }
    let failed = results.iter().filter(|r| !r.passed).count();
    let _ = writeln!(
        out,
        "{} scenario(s), {} passed, {} failed",
        results.len(),
        results.len() - failed,
        failed
    );
    out
}

/// One event as a line of the chat panel.
pub fn render_event(event: &Event) -> String {
    match event {
        Event::CustomerMessage { text } => format!("customer: {text}"),
        Event::AgentMessage { state, text, .. } => format!("agent [{state}]: {text}"),
        Event::ToolCall {
            tool,
            output,
            error,
            mocked,
            ..
        } => match (error, output, mocked) {
            (Some(e), _, _) => format!("  tool {tool} failed: {e}"),
            (None, Some(o), _) => format!("  tool {tool} -> {o}"),
            (None, None, false) => format!("  tool {tool} (no mock)"),
            (None, None, true) => format!("  tool {tool} -> null"),
        },
        Event::Transition {
            from,
            to,
            edge,
            condition,
            score,
            reason,
            forced,
            ..
        } => {
            let why = condition
                .as_deref()
                .map(|c| format!(" when \"{c}\""))
                .unwrap_or_default();
            let how = if *forced { "forced" } else { "took" };
            format!("  {how} {edge}: {from} -> {to}{why} (score {score:.2}: {reason})")
        }
        Event::Tie {
            edges,
            score,
            chosen,
            ..
        } => format!(
            "  tie at {score:.2} between {}; took {chosen} (first in order)",
            edges.join(", ")
        ),
        Event::NoMatch { state, candidates } => {
            let best = candidates
                .iter()
                .map(|c| format!("{} {:.2}", c.edge, c.score))
                .collect::<Vec<_>>()
                .join(", ");
            format!("  no transition out of {state} matched ({best}); waiting for the customer")
        }
        Event::End { .. } => "  (the journey ended)".to_string(),
        Event::Matcher { detail, .. } => format!("  (matcher: {detail})"),
        Event::Pacing {
            decision,
            state,
            reason,
            ..
        } => format!(
            "  [{}] {state}: {reason}",
            serde_json::to_value(decision)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        ),
    }
}

fn render_run(report: &RunReport) -> String {
    let mut out = String::new();
    for e in &report.trace {
        let frames = e
            .frames
            .iter()
            .map(|f| format!("{}#{}", f.kind, f.index))
            .collect::<Vec<_>>()
            .join("/");
        let at = if frames.is_empty() {
            String::new()
        } else {
            format!(" [{frames}]")
        };
        let _ = writeln!(
            out,
            "  {} ({}){at}: {:?}{}",
            e.name,
            e.block_type,
            e.status,
            e.error
                .as_deref()
                .map(|m| format!(" {m}"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "status: {:?}{}",
        report.status,
        report
            .error
            .as_deref()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "output: {}", report.output);
    for p in &report.pauses {
        let _ = writeln!(
            out,
            "paused at {} ({}, {}): answer with /resume {} {{json}}",
            p.block, p.context_id, p.kind, p.context_id
        );
    }
    out
}

const HELP: &str = "type a customer message, or: /choose <edge id>, /back, /restart, /state, /snapshot, /help, /quit";

fn repl(
    doc: &Document,
    mocks: Mocks,
    options: SessionOptions,
    format: OutputFormat,
) -> journey_studio::Result<Outcome> {
    let mut stdout = std::io::stdout();
    let emit = |stdout: &mut std::io::Stdout, events: &[Event]| {
        for e in events {
            let line = match format {
                OutputFormat::Json => serde_json::to_string(e).unwrap_or_default(),
                OutputFormat::Text => render_event(e),
            };
            let _ = writeln!(stdout, "{line}");
        }
        let _ = stdout.flush();
    };
    match doc {
        Document::Journey(journey) => {
            let mut session = Session::with_options(journey, mocks, options)?;
            if format == OutputFormat::Text {
                let _ = writeln!(stdout, "{}: {HELP}", journey.journey.title);
            }
            emit(&mut stdout, &session.start()?);
            for line in super::input::typed_lines() {
                let line = line?;
                let line = line.as_str();
                let (command, rest) = line
                    .split_once(' ')
                    .map_or((line, ""), |(c, r)| (c, r.trim()));
                let result = match command {
                    "/help" => {
                        let _ = writeln!(stdout, "{HELP}");
                        continue;
                    }
                    "/choose" => session.choose(rest),
                    "/back" => {
                        let moved = session.back();
                        let _ = writeln!(
                            stdout,
                            "{}",
                            if moved {
                                format!("back at {}", session.current().unwrap_or("?"))
                            } else {
                                "nothing to undo".into()
                            }
                        );
                        continue;
                    }
                    "/restart" => session.restart(),
                    "/state" => {
                        let p = session.position();
                        let _ = writeln!(
                            stdout,
                            "state: {}  ended: {}  path: {}",
                            p.current.as_deref().unwrap_or("-"),
                            p.ended,
                            p.path.join(" -> ")
                        );
                        continue;
                    }
                    "/snapshot" => {
                        let _ = writeln!(
                            stdout,
                            "{}",
                            serde_json::to_string(&session.snapshot()).unwrap_or_default()
                        );
                        continue;
                    }
                    _ if command.starts_with('/') => {
                        let _ = writeln!(stdout, "unknown command {command}; {HELP}");
                        continue;
                    }
                    _ => session.send(line),
                };
                match result {
                    Ok(events) => emit(&mut stdout, &events),
                    Err(e) => {
                        let _ = writeln!(stdout, "error: {e}");
                    }
                }
            }
        }
        Document::Sim(sim) => {
            if format == OutputFormat::Text {
                let _ = writeln!(
                    stdout,
                    "each line runs the workflow with that text as `input` (or a JSON object as the whole input); /resume <pause> <json> answers a pause of the last run; /quit to stop"
                );
            }
            // The app's Run panel and this REPL share the run service: a run kept with its
            // options, a pause answered by replaying the run with one more resume.
            let mut last: Option<WorkflowRun> = None;
            for line in super::input::typed_lines() {
                let line = line?;
                let line = line.as_str();
                let result = if let Some(rest) = line.strip_prefix("/resume") {
                    let rest = rest.trim();
                    let (pause, answer) = rest
                        .split_once(char::is_whitespace)
                        .map_or((rest, ""), |(p, a)| (p, a.trim()));
                    let Some(run) = last.as_mut() else {
                        let _ = writeln!(stdout, "error: no run to resume yet");
                        continue;
                    };
                    let input = if answer.is_empty() {
                        serde_json::json!({})
                    } else {
                        match serde_json::from_str::<serde_json::Value>(answer) {
                            Ok(v) => v,
                            Err(e) => {
                                let _ = writeln!(stdout, "error: the answer is not JSON: {e}");
                                continue;
                            }
                        }
                    };
                    run.resume(pause, input).map(|_| ())
                } else {
                    let input = match serde_json::from_str::<serde_json::Value>(line) {
                        Ok(v @ serde_json::Value::Object(_)) => v,
                        _ => serde_json::json!({ "input": line }),
                    };
                    WorkflowRun::start(sim.state().clone(), input, mocks.clone())
                        .map(|run| last = Some(run))
                };
                if let Err(e) = result {
                    let _ = writeln!(stdout, "error: {e}");
                    continue;
                }
                let Some(report) = last.as_ref().map(WorkflowRun::report) else {
                    continue;
                };
                match format {
                    OutputFormat::Json => {
                        let _ = writeln!(
                            stdout,
                            "{}",
                            serde_json::to_string(report).unwrap_or_default()
                        );
                    }
                    OutputFormat::Text => {
                        let _ = write!(stdout, "{}", render_run(report));
                    }
                }
                let _ = stdout.flush();
            }
        }
    }
    Ok(Outcome::Ok)
}
