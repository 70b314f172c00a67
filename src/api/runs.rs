//! Runs of the open Sim workflow with mocks, kept in the core like the journey previews: a call
//! carries the form's values or a pause's answer, never the document. And parity: the open
//! workflow and its converted journey under one customer message, side by side.

use super::documents::name_of;
use super::types::Message;
use super::AppState;
use crate::app::handles::{lock, Handles};
use crate::app::runs::{self as service, FormField, RunMarks, StartForm, WorkflowRun};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::simulate::parity::{self, ParityReport};
use crate::simulate::scenario::{Scenario, Turn};
use crate::simulate::workflow::TraceEvent;
use crate::simulate::{Mocks, RunStatus};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use ts_rs::TS;

/// How many runs may be kept at once; starting one more forgets the oldest.
const MAX_RUNS: usize = 32;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RunFormArgs {
    /// The editor session of the workflow.
    pub session: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RunStartArgs {
    /// The editor session of the workflow to run (as it is now, edits included).
    pub session: String,
    /// The start block's fields by name, as the form gives them (text, numbers, booleans); each
    /// is read by its declared type.
    #[ts(optional, as = "Option<HashMap<String, Value>>")]
    #[serde(default)]
    pub input: Option<Map<String, Value>>,
    /// Mocks (`{blocks, tools, routes, env}`) as the simulator reads them.
    #[ts(optional)]
    #[serde(default)]
    pub mocks: Option<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RunArgs {
    /// The run's id (`run_start` answers it).
    pub run: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RunResumeArgs {
    pub run: String,
    /// The pause: its context id, or the paused block's id or name.
    pub pause: String,
    /// The answer: the pause's form fields by name (read by their declared types).
    #[ts(optional, as = "Option<HashMap<String, Value>>")]
    #[serde(default)]
    pub input: Option<Map<String, Value>>,
}

/// An open pause and the form that answers it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PauseView {
    pub context_id: String,
    pub block: String,
    /// The paused block's name.
    pub name: String,
    /// `human` or `time`.
    pub kind: String,
    pub fields: Vec<FormField>,
    /// What the paused run returns for this pause.
    pub response: Value,
}

/// A run as the Run panel and the canvas show it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RunView {
    pub run: String,
    #[ts(type = "number")]
    pub document_id: i64,
    pub status: RunStatus,
    pub output: Value,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The run log: each block when it ran, with its resolved inputs and its output.
    pub trace: Vec<TraceEvent>,
    pub pauses: Vec<PauseView>,
    /// Each block and edge as the canvas draws it.
    pub marks: RunMarks,
    pub warnings: Vec<String>,
    #[ts(as = "HashMap<String, Value>")]
    pub variables: IndexMap<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ParityArgs {
    /// The editor session of the workflow.
    pub session: String,
    /// The customer's message (the run's `input`; the journey hears it at each chat state).
    #[ts(optional)]
    #[serde(default)]
    pub message: Option<String>,
    /// The start block's fields by name, as for `run_start`.
    #[ts(optional, as = "Option<HashMap<String, Value>>")]
    #[serde(default)]
    pub input: Option<Map<String, Value>>,
    #[ts(optional)]
    #[serde(default)]
    pub mocks: Option<Value>,
    /// A journey document of the workspace to compare with (converted earlier, maybe edited);
    /// without it, the workflow converted now.
    #[ts(optional, type = "number")]
    #[serde(default)]
    pub journey_id: Option<i64>,
}

/// Parity of the open workflow and a journey, with both sides' names for the panel.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ParityView {
    /// The journey compared: a document's name, or `converted now`.
    pub journey: String,
    #[ts(type = "number")]
    pub document_id: i64,
    pub report: ParityReport,
}

struct Kept {
    document_id: i64,
    editor_session: String,
    run: WorkflowRun,
    started: u64,
}

/// The runs kept by id.
pub struct Runs {
    kept: Handles<Mutex<Kept>>,
    started: std::sync::atomic::AtomicU64,
}

impl Default for Runs {
    fn default() -> Runs {
        Runs {
            kept: Handles::new("run", "it ended; start a new one", MAX_RUNS),
            started: Default::default(),
        }
    }
}

impl Runs {
    fn get(&self, id: &str) -> Result<Arc<Mutex<Kept>>> {
        self.kept.get(id)
    }

    pub fn clear(&self) {
        self.kept.clear();
    }

    pub fn forget_document(&self, document_id: i64) {
        self.kept.retain(|k| lock(k).document_id != document_id);
    }

    pub fn forget_session(&self, editor_session: &str) {
        self.kept
            .retain(|k| lock(k).editor_session != editor_session);
    }
}

fn mocks_of(mocks: Option<Value>) -> Result<Mocks> {
    match mocks {
        None | Some(Value::Null) => Ok(Mocks::default()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Mocks::default()),
        Some(Value::String(s)) => crate::json::from_str_located::<Mocks>("mocks", &s),
        Some(v) => serde_json::from_value(v)
            .map_err(|e| Error::Simulation(format!("mocks: {}", crate::json::serde_message(&e)))),
    }
}

/// The open workflow of an editor session, as it is now.
fn workflow_of(state: &AppState, session: &str) -> Result<(i64, String, crate::sim::SimDocument)> {
    let editor = state.editor.session(session)?;
    match editor.read(|open| open.document()) {
        Document::Sim(w) => Ok((editor.document_id, editor.id.clone(), w)),
        Document::Journey(_) => Err(Error::Simulation(
            "runs are for Sim workflows; a journey is previewed in the chat".into(),
        )),
    }
}

fn view(id: &str, kept: &Kept) -> RunView {
    let run = &kept.run;
    let report = run.report();
    let pauses = report
        .pauses
        .iter()
        .map(|p| PauseView {
            context_id: p.context_id.clone(),
            block: p.block.clone(),
            name: run
                .state()
                .blocks
                .get(&p.block)
                .map_or_else(|| p.block.clone(), |b| b.name.clone()),
            kind: p.kind.clone(),
            fields: service::pause_fields(p),
            response: p.response.clone(),
        })
        .collect();
    RunView {
        run: id.to_string(),
        document_id: kept.document_id,
        status: report.status,
        output: report.output.clone(),
        error: report.error.clone(),
        trace: report.trace.clone(),
        pauses,
        marks: run.marks(),
        warnings: report.warnings.clone(),
        variables: report.variables.clone(),
    }
}

pub fn run_form(state: &AppState, args: RunFormArgs) -> Result<StartForm> {
    let (_, _, workflow) = workflow_of(state, &args.session)?;
    Ok(service::start_form(workflow.state()))
}

pub fn run_start(state: &AppState, args: RunStartArgs) -> Result<RunView> {
    let (document_id, editor_session, workflow) = workflow_of(state, &args.session)?;
    let mocks = mocks_of(args.mocks)?;
    let run = WorkflowRun::start_with_form(
        workflow.state().clone(),
        &args.input.unwrap_or_default(),
        mocks,
    )?;
    let runs = &state.runs;
    let kept = Kept {
        document_id,
        editor_session,
        run,
        started: runs
            .started
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed),
    };
    let id = format!("r-{}", &crate::editor::edit::new_id()[..8]);
    let answer = view(&id, &kept);
    runs.kept
        .insert(id, Arc::new(Mutex::new(kept)), |k| lock(k).started);
    Ok(answer)
}

pub fn run_resume(state: &AppState, args: RunResumeArgs) -> Result<RunView> {
    let kept = state.runs.get(&args.run)?;
    let mut k = lock(&kept);
    let input = Value::Object(args.input.unwrap_or_default());
    k.run.resume(&args.pause, input)?;
    Ok(view(&args.run, &k))
}

pub fn run_stop(state: &AppState, args: RunArgs) -> Result<Message> {
    state.runs.kept.take(&args.run)?;
    Ok(Message {
        message: format!("run `{}` forgotten", args.run),
    })
}

pub fn parity_check(state: &AppState, args: ParityArgs) -> Result<ParityView> {
    let (document_id, _, workflow) = workflow_of(state, &args.session)?;
    let form = service::start_form(workflow.state());
    let input = service::typed_values(
        &format!(
            "input of `{}`",
            form.name.as_deref().unwrap_or("the start block")
        ),
        &form.fields,
        &args.input.unwrap_or_default(),
    )?;
    let message = args.message.filter(|m| !m.trim().is_empty());
    let (journey, name) = match args.journey_id {
        None => (None, "converted now".to_string()),
        Some(id) => {
            let store = state.store()?;
            let name = name_of(&store, id)?;
            let head = store.head(&name)?;
            match Document::parse(&name, &head.content)? {
                Document::Journey(j) => (Some(j), name),
                Document::Sim(_) => {
                    return Err(Error::Unsupported(format!(
                        "`{name}` is a workflow; parity compares the workflow with a journey"
                    )))
                }
            }
        }
    };
    let scenario = Scenario {
        name: message
            .clone()
            .unwrap_or_else(|| "the run's input".to_string()),
        mocks: mocks_of(args.mocks)?,
        input: Some(Value::Object(input)),
        turns: message.into_iter().map(Turn::Text).collect(),
        ..Scenario::default()
    };
    let report = parity::parity(&workflow, journey.as_ref(), &scenario)?;
    Ok(ParityView {
        journey: name,
        document_id,
        report,
    })
}
