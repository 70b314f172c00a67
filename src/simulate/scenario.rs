//! Scenarios: golden conversations (like Dialogflow CX test cases) run against a journey or a
//! workflow, with mocks and expectations. The format is documented in docs/simulation.md.

use super::journey::{Event, Session};
use super::mocks::Mocks;
use super::workflow::{self, BlockStatus, Resume, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::json::{from_str_located, read_text};
use crate::parlant::JourneyDocument;
use crate::sim::references::normalize_block_name;
use crate::sim::{BlockFamily, SimDocument, WorkflowState};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One step of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Turn {
    /// A customer message, written as a bare string.
    Text(String),
    Step(Step),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    Customer(String),
    /// Force the edge with this id out of the current state (journeys only).
    Choose(String),
    Back(bool),
    Restart(bool),
    /// Workflows: answer a pause of the previous run and let it continue (Sim's resume).
    Resume(Resume),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// The exact states (journey) / blocks (workflow, by id or name) visited, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<String>>,
    /// States / blocks that must be visited in this order, others allowed in between.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_includes: Vec<String>,
    /// States / blocks that must not be visited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_excludes: Vec<String>,
    /// Texts some agent message must contain (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages_contain: Vec<String>,
    /// Variables whose final values must equal these.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub variables: IndexMap<String, Value>,
    /// The state the journey ends in (`end` once it has ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_state: Option<String>,
    /// Workflow: `completed`, `failed` or `paused` for the last run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<workflow::RunStatus>,
    /// Workflow: the last run's output must contain these fields with these values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// Workflow: text the last run's error must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_contains: Option<String>,
    /// Workflow: the last run's error, exactly (`null` = no error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// Workflow: the last run's output, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_equals: Option<Value>,
    /// Workflow: the blocks (id, name or pause context id) the last run is paused at, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<Vec<String>>,
    /// Workflow: each block's status in its last log entry of the last run (`ok`, `error` =
    /// handled by an error edge, `failed`, `paused`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub block_status: IndexMap<String, BlockStatus>,
    /// Workflow: fields each block's last output (in the last run) must contain.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub block_outputs: IndexMap<String, Value>,
    /// Workflow: how many log entries each block has in the last run (loop passes, branches).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub block_runs: IndexMap<String, usize>,
    /// Workflow: texts some warning of the last run must contain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings_contain: Vec<String>,
    /// Journey: pacing decisions (`stayed`, `skipped`, `went_back`, `exited`, `resumed`,
    /// `activated`, `not_activated`, `last_step`, `paused`) that must occur, in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pacing: Vec<String>,
}

/// Bounds for a workflow scenario's runs (defaults: `RunOptions`'s).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioLimits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_block_runs: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_budget_ms: Option<u64>,
    /// Per condition / function evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_time_ms: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub mocks: Mocks,
    /// Journey: context variables set over the preview values.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub context: IndexMap<String, Value>,
    /// Workflow: the run's input (each customer turn adds `input: <text>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
    #[serde(default)]
    pub turns: Vec<Turn>,
    #[serde(default)]
    pub expect: Expectations,
    /// Where the case comes from (e.g. the Sim test or source lines it ports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Workflow: the block to start from (else Sim's choice of trigger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// Workflow: child workflows a `workflow` block may call, by workflow id: a file path
    /// (relative to the scenarios file) or the export itself.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub workflows: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<ScenarioLimits>,
    /// Journey: the session's options (matcher, threshold, pace, activation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<super::journey::SessionOptions>,
}

/// A scenarios file: one scenario, or several sharing mocks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    #[serde(default)]
    mocks: Mocks,
    /// The workflow these scenarios are for (a path relative to this file); documentation for
    /// the CLI, which takes the workflow as its argument, and the test suite's index.
    #[serde(default)]
    workflow: Option<String>,
    /// Child workflows shared by every scenario (merged under each scenario's own).
    #[serde(default)]
    workflows: BTreeMap<String, Value>,
    scenarios: Vec<Scenario>,
}

/// A scenarios file as loaded from disk: child workflow paths read, the named workflow found.
#[derive(Debug, Clone)]
pub struct ScenarioSet {
    /// The `workflow` the file names, resolved against the file's directory.
    pub workflow: Option<PathBuf>,
    pub scenarios: Vec<Scenario>,
}

/// Reads a scenarios file and the child workflow files it names (relative to it).
pub fn load_scenarios(path: &Path) -> Result<ScenarioSet> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    let mut scenarios = parse_scenarios(&file, &text)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let probe: Value = from_str_located(&file, &text)?;
    let workflow = probe
        .get("workflow")
        .and_then(Value::as_str)
        .map(|w| dir.join(w));
    for s in &mut scenarios {
        for (id, value) in s.workflows.iter_mut() {
            if let Value::String(rel) = value {
                let child = dir.join(rel.as_str());
                let text = read_text(&child).map_err(|e| {
                    Error::Simulation(format!(
                        "{file}: scenario `{}`: child workflow `{id}`: {e}",
                        s.name
                    ))
                })?;
                *value = from_str_located(&child.display().to_string(), &text)?;
            }
        }
    }
    Ok(ScenarioSet {
        workflow,
        scenarios,
    })
}

/// Reads a scenarios file (`{"scenarios": [...]}` or a single scenario).
pub fn parse_scenarios(file: &str, text: &str) -> Result<Vec<Scenario>> {
    let probe: Value = from_str_located(file, text)?;
    if probe.get("scenarios").is_some() {
        let parsed: ScenarioFile = from_str_located(file, text)?;
        Ok(parsed
            .scenarios
            .into_iter()
            .enumerate()
            .map(|(i, mut s)| {
                s.mocks = parsed.mocks.merged_with(&s.mocks);
                for (id, w) in &parsed.workflows {
                    s.workflows.entry(id.clone()).or_insert_with(|| w.clone());
                }
                if s.name.is_empty() {
                    s.name = format!("scenario {}", i + 1);
                }
                s
            })
            .collect())
    } else {
        let mut one: Scenario = from_str_located(file, text)?;
        if one.name.is_empty() {
            one.name = "scenario".into();
        }
        Ok(vec![one])
    }
}

/// What a scenario did and whether it met its expectations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub name: String,
    pub passed: bool,
    pub failures: Vec<String>,
    pub path: Vec<String>,
    pub messages: Vec<String>,
    pub variables: IndexMap<String, Value>,
    /// Journey: the events of each step (start first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Vec<Event>>,
    /// Workflow: one report per run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<RunReport>,
}

/// Plays a scenario on a journey.
pub fn run_journey(doc: &JourneyDocument, scenario: &Scenario) -> Result<ScenarioResult> {
    let options = scenario.options.clone().unwrap_or_default();
    let mut session = Session::with_options(doc, scenario.mocks.clone(), options)?;
    session.set_context(scenario.context.clone());
    let mut steps = vec![session.start()?];
    for (i, turn) in scenario.turns.iter().enumerate() {
        let at = |e: Error| {
            Error::Simulation(format!("scenario `{}`, turn {}: {e}", scenario.name, i + 1))
        };
        let events = match turn {
            Turn::Text(text) | Turn::Step(Step::Customer(text)) => {
                session.send(text).map_err(at)?
            }
            Turn::Step(Step::Choose(edge)) => session.choose(edge).map_err(at)?,
            Turn::Step(Step::Back(_)) => {
                session.back();
                Vec::new()
            }
            Turn::Step(Step::Restart(_)) => session.restart().map_err(at)?,
            Turn::Step(Step::Resume(_)) => {
                return Err(at(Error::Simulation(
                    "`resume` applies to workflows, not journeys".into(),
                )))
            }
        };
        steps.push(events);
    }
    let position = session.position();
    let messages: Vec<String> = position
        .transcript
        .iter()
        .filter(|t| t.role == "agent")
        .map(|t| t.text.clone())
        .collect();
    let path = position.path.clone();
    let variables = position.variables.clone();
    let mut failures = Vec::new();
    let e = &scenario.expect;
    check_path(
        e,
        &path,
        &|expected, actual| expected == actual,
        &mut failures,
    );
    check_messages(e, &messages, &mut failures);
    check_variables(e, &variables, &mut failures);
    check_pacing(e, &steps, &mut failures);
    if let Some(state) = &e.final_state {
        let actual = session.current().unwrap_or("(not started)");
        if actual != state {
            failures.push(format!("final state: expected `{state}`, got `{actual}`"));
        }
    }
    let workflow_only = e.status.is_some()
        || e.output.is_some()
        || e.error_contains.is_some()
        || e.error.is_some()
        || e.output_equals.is_some()
        || e.paused_at.is_some()
        || !e.block_status.is_empty()
        || !e.block_outputs.is_empty()
        || !e.block_runs.is_empty()
        || !e.warnings_contain.is_empty();
    if workflow_only {
        failures.push("`status`, `output`, `output_equals`, `error`, `error_contains`, `paused_at`, `block_*` and `warnings_contain` apply to workflows, not journeys".into());
    }
    Ok(ScenarioResult {
        name: scenario.name.clone(),
        passed: failures.is_empty(),
        failures,
        path,
        messages,
        variables,
        steps,
        runs: Vec::new(),
    })
}

/// The run options a workflow scenario asks for (child workflows parsed).
pub fn run_options(scenario: &Scenario) -> Result<RunOptions> {
    let mut options = RunOptions {
        mocks: scenario.mocks.clone(),
        trigger: scenario.trigger.clone(),
        ..RunOptions::default()
    };
    if let Some(limits) = &scenario.limits {
        if let Some(n) = limits.max_block_runs {
            options.max_block_runs = n;
        }
        if let Some(ms) = limits.time_budget_ms {
            options.time_budget = Duration::from_millis(ms);
        }
        if let Some(ms) = limits.js_time_ms {
            options.limits.time = Duration::from_millis(ms);
        }
    }
    for (id, value) in &scenario.workflows {
        let at = format!("scenario `{}`, workflows.{id}", scenario.name);
        let doc = match value {
            Value::String(path) => {
                return Err(Error::Simulation(format!(
                    "{at}: `{path}` was not read; load the scenarios with `load_scenarios`"
                )));
            }
            other => SimDocument::parse(&at, &other.to_string())?,
        };
        options.workflows.insert(id.clone(), doc.state().clone());
    }
    Ok(options)
}

/// Runs a scenario on a workflow: one run per customer turn (the turn's text as `input`), or
/// one run when there are no turns; a `resume` turn answers a pause of the run before it.
pub fn run_workflow(state: &WorkflowState, scenario: &Scenario) -> Result<ScenarioResult> {
    let base = scenario
        .input
        .clone()
        .unwrap_or_else(|| Value::Object(Default::default()));
    if !base.is_object() {
        return Err(Error::Simulation(format!(
            "scenario `{}`: `input` must be an object",
            scenario.name
        )));
    }
    let template = run_options(scenario)?;
    let mut plans: Vec<RunOptions> = Vec::new();
    for (i, turn) in scenario.turns.iter().enumerate() {
        match turn {
            Turn::Text(text) | Turn::Step(Step::Customer(text)) => {
                let mut input = base.clone();
                input["input"] = Value::String(text.clone());
                plans.push(RunOptions {
                    input,
                    ..template.clone()
                });
            }
            Turn::Step(Step::Resume(answer)) => {
                let mut next = match plans.last() {
                    Some(previous) => previous.clone(),
                    None => RunOptions {
                        input: base.clone(),
                        ..template.clone()
                    },
                };
                if plans.is_empty() {
                    plans.push(next.clone());
                }
                next.resume.push(answer.clone());
                plans.push(next);
            }
            _ => {
                return Err(Error::Simulation(format!(
                "scenario `{}`, turn {}: a workflow scenario has customer and resume turns only",
                scenario.name,
                i + 1
            )))
            }
        }
    }
    if plans.is_empty() {
        plans.push(RunOptions {
            input: base,
            ..template
        });
    }
    let mut runs = Vec::new();
    for options in &plans {
        let report = workflow::run(state, options)
            .map_err(|e| Error::Simulation(format!("scenario `{}`: {e}", scenario.name)))?;
        runs.push(report);
    }
    // A resumed run carries the runs before it; each contributes only what is new.
    let fresh = |run: &RunReport| {
        run.trace
            .iter()
            .filter(|e| e.segment == run.resumed)
            .cloned()
            .collect::<Vec<_>>()
    };
    let path: Vec<String> = runs
        .iter()
        .flat_map(|r| fresh(r).into_iter().map(|e| e.block))
        .collect();
    let mut messages = Vec::new();
    for run in &runs {
        for event in fresh(run) {
            let family = state.blocks.get(&event.block).map(BlockFamily::of);
            if family == Some(BlockFamily::Agent) {
                if let Some(content) = event.output.get("content").and_then(Value::as_str) {
                    messages.push(content.to_string());
                }
            }
            if family == Some(BlockFamily::Response) {
                messages.push(super::workflow::resolve::text_of(
                    event.output.get("data").unwrap_or(&Value::Null),
                ));
            }
        }
    }
    let last = runs.last();
    let variables = last.map(|r| r.variables.clone()).unwrap_or_default();
    let mut failures = Vec::new();
    let e = &scenario.expect;
    let matches = |expected: &str, actual: &str| {
        expected == actual
            || state.blocks.get(actual).is_some_and(|b| {
                b.name == expected
                    || normalize_block_name(&b.name) == normalize_block_name(expected)
            })
    };
    check_path(e, &path, &matches, &mut failures);
    check_messages(e, &messages, &mut failures);
    check_variables(e, &variables, &mut failures);
    if let Some(run) = last {
        check_run(e, run, &matches, &mut failures);
    }
    if e.final_state.is_some() {
        failures.push("`final_state` applies to journeys; use `path` for workflows".into());
    }
    if !e.pacing.is_empty() {
        failures.push("`pacing` applies to journeys".into());
    }
    let shown_path = path
        .iter()
        .map(|id| {
            state
                .blocks
                .get(id)
                .map(|b| b.name.clone())
                .unwrap_or_else(|| id.clone())
        })
        .collect();
    Ok(ScenarioResult {
        name: scenario.name.clone(),
        passed: failures.is_empty(),
        failures,
        path: shown_path,
        messages,
        variables,
        steps: Vec::new(),
        runs,
    })
}

/// The expectations on the last run of a workflow scenario.
fn check_run(
    e: &Expectations,
    run: &RunReport,
    matches: &dyn Fn(&str, &str) -> bool,
    failures: &mut Vec<String>,
) {
    let why = run
        .error
        .as_deref()
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    if let Some(status) = e.status {
        if run.status != status {
            failures.push(
                format!("status: expected {status:?}, got {:?}{why}", run.status).to_lowercase(),
            );
        }
    }
    if let Some(expected) = &e.output {
        if !contains(&run.output, expected) {
            failures.push(format!(
                "output: expected it to contain {expected}, got {}",
                run.output
            ));
        }
    }
    if let Some(expected) = &e.output_equals {
        if &run.output != expected {
            failures.push(format!(
                "output: expected exactly {expected}, got {}",
                run.output
            ));
        }
    }
    if let Some(text) = &e.error_contains {
        let error = run.error.clone().unwrap_or_default();
        if !error.to_lowercase().contains(&text.to_lowercase()) {
            failures.push(format!(
                "error: expected it to contain `{text}`, got `{error}`"
            ));
        }
    }
    if let Some(expected) = &e.error {
        let actual = run.error.clone().map(Value::String).unwrap_or(Value::Null);
        if &actual != expected {
            failures.push(format!("error: expected {expected}, got {actual}"));
        }
    }
    if let Some(expected) = &e.paused_at {
        let actual: Vec<&super::workflow::PausePoint> = run.pauses.iter().collect();
        let same = expected.len() == actual.len()
            && expected
                .iter()
                .zip(&actual)
                .all(|(x, p)| x == &p.context_id || matches(x, &p.block));
        if !same {
            let shown: Vec<String> = actual
                .iter()
                .map(|p| format!("{} ({})", p.block, p.context_id))
                .collect();
            failures.push(format!(
                "paused at: expected [{}], got [{}]",
                expected.join(", "),
                shown.join(", ")
            ));
        }
    }
    let events = |wanted: &str| {
        run.trace
            .iter()
            .filter(move |ev| matches(wanted, &ev.block) || ev.node.as_deref() == Some(wanted))
            .collect::<Vec<_>>()
    };
    for (block, status) in &e.block_status {
        match events(block).last() {
            Some(ev) if ev.status == *status => {}
            Some(ev) => failures.push(
                format!(
                    "block `{block}`: expected status {status:?}, got {:?}",
                    ev.status
                )
                .to_lowercase(),
            ),
            None => failures.push(
                format!("block `{block}`: expected status {status:?}, but it never ran")
                    .to_lowercase(),
            ),
        }
    }
    for (block, expected) in &e.block_outputs {
        match events(block).last() {
            Some(ev) if contains(&ev.output, expected) => {}
            Some(ev) => failures.push(format!(
                "block `{block}`: expected its output to contain {expected}, got {}",
                ev.output
            )),
            None => failures.push(format!(
                "block `{block}`: expected output {expected}, but it never ran"
            )),
        }
    }
    for (block, expected) in &e.block_runs {
        let n = events(block).len();
        if n != *expected {
            failures.push(format!(
                "block `{block}`: expected {expected} log entr{}, got {n}",
                if *expected == 1 { "y" } else { "ies" }
            ));
        }
    }
    for wanted in &e.warnings_contain {
        if !run
            .warnings
            .iter()
            .any(|w| w.to_lowercase().contains(&wanted.to_lowercase()))
        {
            failures.push(format!(
                "warnings: none contains `{wanted}` (got {:?})",
                run.warnings
            ));
        }
    }
}

/// `expected` is inside `actual`: objects by their fields, everything else by equality.
pub fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|x| contains(x, v))),
        _ => actual == expected,
    }
}

fn check_path(
    e: &Expectations,
    path: &[String],
    matches: &dyn Fn(&str, &str) -> bool,
    failures: &mut Vec<String>,
) {
    if let Some(expected) = &e.path {
        let same =
            expected.len() == path.len() && expected.iter().zip(path).all(|(x, a)| matches(x, a));
        if !same {
            let diverged = expected
                .iter()
                .zip(path)
                .position(|(x, a)| !matches(x, a))
                .unwrap_or(expected.len().min(path.len()));
            failures.push(format!(
                "path: expected {}, got {} (first difference at step {})",
                expected.join(" -> "),
                path.join(" -> "),
                diverged + 1
            ));
        }
    }
    let mut rest = path.iter();
    for wanted in &e.path_includes {
        if !rest.any(|a| matches(wanted, a)) {
            failures.push(format!(
                "path: expected to visit `{wanted}` (in order), got {}",
                path.join(" -> ")
            ));
            break;
        }
    }
    for unwanted in &e.path_excludes {
        if path.iter().any(|a| matches(unwanted, a)) {
            failures.push(format!("path: expected not to visit `{unwanted}`"));
        }
    }
}

/// The pacing decisions of a journey's steps must include `e.pacing`, in order.
fn check_pacing(e: &Expectations, steps: &[Vec<Event>], failures: &mut Vec<String>) {
    if e.pacing.is_empty() {
        return;
    }
    let seen: Vec<String> = steps
        .iter()
        .flatten()
        .filter_map(|ev| match ev {
            Event::Pacing { decision, .. } => serde_json::to_value(decision)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string)),
            _ => None,
        })
        .collect();
    let mut rest = seen.iter();
    for wanted in &e.pacing {
        if !rest.any(|d| d == wanted) {
            failures.push(format!(
                "pacing: expected `{}` (in order), got [{}]",
                e.pacing.join(", "),
                seen.join(", ")
            ));
            return;
        }
    }
}

fn check_messages(e: &Expectations, messages: &[String], failures: &mut Vec<String>) {
    for wanted in &e.messages_contain {
        let w = wanted.to_lowercase();
        if !messages.iter().any(|m| m.to_lowercase().contains(&w)) {
            failures.push(format!("messages: no agent message contains `{wanted}`"));
        }
    }
}

fn check_variables(
    e: &Expectations,
    variables: &IndexMap<String, Value>,
    failures: &mut Vec<String>,
) {
    for (name, expected) in &e.variables {
        match variables.get(name) {
            Some(actual) if contains(actual, expected) => {}
            Some(actual) => failures.push(format!(
                "variable `{name}`: expected {expected}, got {actual}"
            )),
            None => failures.push(format!(
                "variable `{name}`: expected {expected}, but it is not set"
            )),
        }
    }
}
