//! Scenarios: golden conversations (like Dialogflow CX test cases) run against a journey or a
//! workflow, with mocks and expectations. The format is documented in docs/simulation.md.

use super::journey::{Event, Session};
use super::mocks::Mocks;
use super::workflow::{self, RunOptions, RunReport};
use crate::error::{Error, Result};
use crate::json::from_str_located;
use crate::parlant::JourneyDocument;
use crate::sim::references::normalize_block_name;
use crate::sim::{BlockFamily, WorkflowState};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    /// Journey: pacing decisions (`stayed`, `skipped`, `went_back`, `exited`, `resumed`,
    /// `activated`, `not_activated`, `last_step`, `paused`) that must occur, in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pacing: Vec<String>,
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
    scenarios: Vec<Scenario>,
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
        let at = |e: Error| Error::Simulation(format!("scenario `{}`, turn {}: {e}", scenario.name, i + 1));
        let events = match turn {
            Turn::Text(text) | Turn::Step(Step::Customer(text)) => session.send(text).map_err(at)?,
            Turn::Step(Step::Choose(edge)) => session.choose(edge).map_err(at)?,
            Turn::Step(Step::Back(_)) => {
                session.back();
                Vec::new()
            }
            Turn::Step(Step::Restart(_)) => session.restart().map_err(at)?,
        };
        steps.push(events);
    }
    let position = session.position();
    let messages: Vec<String> = position.transcript.iter().filter(|t| t.role == "agent").map(|t| t.text.clone()).collect();
    let path = position.path.clone();
    let variables = position.variables.clone();
    let mut failures = Vec::new();
    let e = &scenario.expect;
    check_path(e, &path, &|expected, actual| expected == actual, &mut failures);
    check_messages(e, &messages, &mut failures);
    check_variables(e, &variables, &mut failures);
    check_pacing(e, &steps, &mut failures);
    if let Some(state) = &e.final_state {
        let actual = session.current().unwrap_or("(not started)");
        if actual != state {
            failures.push(format!("final state: expected `{state}`, got `{actual}`"));
        }
    }
    if e.status.is_some() || e.output.is_some() || e.error_contains.is_some() {
        failures.push("`status`, `output` and `error_contains` apply to workflows, not journeys".into());
    }
    Ok(ScenarioResult { name: scenario.name.clone(), passed: failures.is_empty(), failures, path, messages, variables, steps, runs: Vec::new() })
}

/// Runs a scenario on a workflow: one run per customer turn (the turn's text as `input`), or
/// one run when there are no turns.
pub fn run_workflow(state: &WorkflowState, scenario: &Scenario) -> Result<ScenarioResult> {
    let base = scenario.input.clone().unwrap_or_else(|| Value::Object(Default::default()));
    if !base.is_object() {
        return Err(Error::Simulation(format!("scenario `{}`: `input` must be an object", scenario.name)));
    }
    let mut inputs = Vec::new();
    for (i, turn) in scenario.turns.iter().enumerate() {
        match turn {
            Turn::Text(text) | Turn::Step(Step::Customer(text)) => {
                let mut input = base.clone();
                input["input"] = Value::String(text.clone());
                inputs.push(input);
            }
            _ => {
                return Err(Error::Simulation(format!(
                    "scenario `{}`, turn {}: a workflow scenario has customer turns only",
                    scenario.name,
                    i + 1
                )))
            }
        }
    }
    if inputs.is_empty() {
        inputs.push(base);
    }
    let mut runs = Vec::new();
    for input in inputs {
        let options = RunOptions { input, mocks: scenario.mocks.clone(), ..RunOptions::default() };
        runs.push(workflow::run(state, &options)?);
    }
    let path: Vec<String> = runs.iter().flat_map(|r| r.path.clone()).collect();
    let mut messages = Vec::new();
    for run in &runs {
        for event in &run.trace {
            let family = state.blocks.get(&event.block).map(BlockFamily::of);
            if family == Some(BlockFamily::Agent) {
                if let Some(content) = event.output.get("content").and_then(Value::as_str) {
                    messages.push(content.to_string());
                }
            }
            if family == Some(BlockFamily::Response) {
                messages.push(super::workflow::resolve::text_of(event.output.get("data").unwrap_or(&Value::Null)));
            }
        }
    }
    let last = runs.last();
    let variables = last.map(|r| r.variables.clone()).unwrap_or_default();
    let mut failures = Vec::new();
    let e = &scenario.expect;
    let matches = |expected: &str, actual: &str| {
        expected == actual
            || state.blocks.get(actual).is_some_and(|b| b.name == expected || normalize_block_name(&b.name) == normalize_block_name(expected))
    };
    check_path(e, &path, &matches, &mut failures);
    check_messages(e, &messages, &mut failures);
    check_variables(e, &variables, &mut failures);
    if let (Some(status), Some(run)) = (e.status, last) {
        if run.status != status {
            let why = run.error.as_deref().map(|m| format!(" ({m})")).unwrap_or_default();
            failures.push(format!("status: expected {status:?}, got {:?}{why}", run.status).to_lowercase());
        }
    }
    if let (Some(expected), Some(run)) = (&e.output, last) {
        if !contains(&run.output, expected) {
            failures.push(format!("output: expected it to contain {expected}, got {}", run.output));
        }
    }
    if let (Some(text), Some(run)) = (&e.error_contains, last) {
        let error = run.error.clone().unwrap_or_default();
        if !error.to_lowercase().contains(&text.to_lowercase()) {
            failures.push(format!("error: expected it to contain `{text}`, got `{error}`"));
        }
    }
    if e.final_state.is_some() {
        failures.push("`final_state` applies to journeys; use `path` for workflows".into());
    }
    if !e.pacing.is_empty() {
        failures.push("`pacing` applies to journeys".into());
    }
    let shown_path = path.iter().map(|id| state.blocks.get(id).map(|b| b.name.clone()).unwrap_or_else(|| id.clone())).collect();
    Ok(ScenarioResult { name: scenario.name.clone(), passed: failures.is_empty(), failures, path: shown_path, messages, variables, steps: Vec::new(), runs })
}

/// `expected` is inside `actual`: objects by their fields, everything else by equality.
pub fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|x| contains(x, v))),
        _ => actual == expected,
    }
}

fn check_path(e: &Expectations, path: &[String], matches: &dyn Fn(&str, &str) -> bool, failures: &mut Vec<String>) {
    if let Some(expected) = &e.path {
        let same = expected.len() == path.len() && expected.iter().zip(path).all(|(x, a)| matches(x, a));
        if !same {
            let diverged = expected.iter().zip(path).position(|(x, a)| !matches(x, a)).unwrap_or(expected.len().min(path.len()));
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
            failures.push(format!("path: expected to visit `{wanted}` (in order), got {}", path.join(" -> ")));
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
            Event::Pacing { decision, .. } => serde_json::to_value(decision).ok().and_then(|v| v.as_str().map(str::to_string)),
            _ => None,
        })
        .collect();
    let mut rest = seen.iter();
    for wanted in &e.pacing {
        if !rest.any(|d| d == wanted) {
            failures.push(format!("pacing: expected `{}` (in order), got [{}]", e.pacing.join(", "), seen.join(", ")));
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

fn check_variables(e: &Expectations, variables: &IndexMap<String, Value>, failures: &mut Vec<String>) {
    for (name, expected) in &e.variables {
        match variables.get(name) {
            Some(actual) if contains(actual, expected) => {}
            Some(actual) => failures.push(format!("variable `{name}`: expected {expected}, got {actual}")),
            None => failures.push(format!("variable `{name}`: expected {expected}, but it is not set")),
        }
    }
}
