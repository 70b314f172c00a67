//! Runs of a Sim workflow with mocks, as the app's Run panel and `simulate`'s REPL drive them: the
//! start block's input form and its values read by their declared types, a run kept with its
//! options so a human-in-the-loop pause can be answered (the run is replayed with one more
//! resume, as Sim's resume continues the paused execution), and what the canvas draws of a
//! run: each block ran, failed, paused, pending or on a dead path, each edge taken or dead, the
//! iterations of each loop and parallel.

use crate::error::{Error, Location, Result};
use crate::json::JsonPath;
use crate::sim::WorkflowState;
use crate::simulate::workflow::{self, BlockStatus, PausePoint, Resume, RunOptions, RunReport};
use crate::simulate::{Mocks, RunStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use ts_rs::TS;

/// One field of a form: the start block's input format, or a human-in-the-loop block's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FormField {
    pub name: String,
    pub label: String,
    /// Sim's field type: `string`, `number`, `boolean`, `object`, `array` or `files`.
    #[serde(rename = "type")]
    pub field_type: String,
    pub required: bool,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The value the workflow declares (used when the form leaves the field empty).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Choices, when the field declares them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// The form of a run's input: the start block's declared fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StartForm {
    /// The block the run starts from (None: the workflow has no block to start from).
    #[ts(optional)]
    pub block: Option<String>,
    #[ts(optional)]
    pub name: Option<String>,
    /// Empty: the start block declares no input format (the run takes a free `input` text).
    pub fields: Vec<FormField>,
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Fields of an `inputFormat` list as Sim writes it (start blocks and human-in-the-loop forms).
pub fn form_fields(input_format: Option<&Value>) -> Vec<FormField> {
    let Some(Value::Array(rows)) = input_format else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|row| {
            let name = text(row.get("name"))?;
            let default = match row.get("value") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.is_empty() => None,
                Some(v) => Some(v.clone()),
            };
            let options = match row.get("options") {
                Some(Value::Array(o)) => o
                    .iter()
                    .filter_map(|o| match o {
                        Value::String(s) => Some(s.clone()),
                        other => text(other.get("label").or_else(|| other.get("id"))),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Some(FormField {
                label: text(row.get("label")).unwrap_or_else(|| name.clone()),
                name,
                field_type: text(row.get("type")).unwrap_or_else(|| "string".into()),
                required: row.get("required") == Some(&Value::Bool(true)),
                description: text(row.get("description")),
                default,
                options,
            })
        })
        .collect()
}

/// The start block of a run (Sim's choice of trigger) and its input form.
pub fn start_form(state: &WorkflowState) -> StartForm {
    let Ok(id) = workflow::trigger_of(state) else {
        return StartForm {
            block: None,
            name: None,
            fields: Vec::new(),
        };
    };
    let block = state.blocks.get(&id);
    StartForm {
        fields: form_fields(block.and_then(|b| b.sub_value("inputFormat"))),
        name: block.map(|b| b.name.clone()),
        block: Some(id),
    }
}

/// The fields a pause asks for (a human-in-the-loop block's resume form).
pub fn pause_fields(pause: &PausePoint) -> Vec<FormField> {
    let format = pause
        .response
        .get("data")
        .and_then(|d| d.get("inputFormat"))
        .or_else(|| pause.response.get("inputFormat"));
    form_fields(format)
}

fn bad(owner: &str, field: &str, message: String) -> Error {
    Error::Invalid {
        location: Location {
            file: owner.to_string(),
            path: JsonPath::root().key(field),
            line: None,
            column: None,
        },
        message,
    }
}

/// Reads one value as its field's type: a number from a number or numeric text, a boolean from
/// a boolean or `true`/`false`, an object or array from itself or its JSON text.
fn typed(owner: &str, field: &FormField, value: &Value) -> Result<Option<Value>> {
    let name = &field.name;
    if let Value::String(s) = value {
        if s.trim().is_empty() && field.field_type != "string" {
            return Ok(None);
        }
    }
    let shown = |v: &Value| match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    };
    Ok(Some(match field.field_type.as_str() {
        "number" => match value {
            Value::Number(_) => value.clone(),
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => serde_json::Number::from_f64(n)
                    .map(|n| {
                        // Whole numbers stay integers, as Sim's form sends them.
                        if n.as_f64()
                            .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9e15)
                        {
                            Value::from(n.as_f64().unwrap_or_default() as i64)
                        } else {
                            Value::Number(n)
                        }
                    })
                    .unwrap_or(Value::Null),
                _ => {
                    return Err(bad(
                        owner,
                        name,
                        format!(
                            "{} is not a number (`{name}` is a number field)",
                            shown(value)
                        ),
                    ))
                }
            },
            other => {
                return Err(bad(
                    owner,
                    name,
                    format!(
                        "{} is not a number (`{name}` is a number field)",
                        shown(other)
                    ),
                ))
            }
        },
        "boolean" => match value {
            Value::Bool(_) => value.clone(),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Value::Bool(true),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Value::Bool(false),
            other => {
                return Err(bad(
                    owner,
                    name,
                    format!(
                        "{} is not true or false (`{name}` is a boolean field)",
                        shown(other)
                    ),
                ))
            }
        },
        kind @ ("object" | "array") => {
            let parsed = match value {
                Value::String(s) => serde_json::from_str::<Value>(s).map_err(|e| {
                    bad(
                        owner,
                        name,
                        format!(
                            "not JSON: {} at line {} column {} (`{name}` is an {kind} field)",
                            crate::json::serde_message(&e),
                            e.line(),
                            e.column()
                        ),
                    )
                })?,
                other => other.clone(),
            };
            let fits = if kind == "object" {
                parsed.is_object()
            } else {
                parsed.is_array()
            };
            if !fits {
                return Err(bad(
                    owner,
                    name,
                    format!(
                        "{} is not an {kind} (`{name}` is an {kind} field)",
                        shown(&parsed)
                    ),
                ));
            }
            parsed
        }
        "string" => match value {
            Value::String(_) => value.clone(),
            other => Value::String(other.to_string()),
        },
        _ => value.clone(),
    }))
}

/// The values of a form read by their declared types; a required field left empty with no
/// default is an error, as is a value that is not of its field's type. The error names the form
/// (`owner`) and the field. Values of undeclared names pass through (Sim passes them on too).
pub fn typed_values(
    owner: &str,
    fields: &[FormField],
    values: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for field in fields {
        let value = match values.get(&field.name) {
            Some(v) => typed(owner, field, v)?,
            None => None,
        };
        match value {
            Some(v) => {
                out.insert(field.name.clone(), v);
            }
            None if field.required && field.default.is_none() => {
                return Err(bad(
                    owner,
                    &field.name,
                    format!("`{}` is required", field.name),
                ));
            }
            None => {}
        }
    }
    for (k, v) in values {
        if !fields.iter().any(|f| &f.name == k) {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

/// What the canvas shows of one block after a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MarkState {
    /// Ran (every time without an error).
    Ran,
    /// Failed, and an error edge took over.
    Error,
    /// Failed the run.
    Failed,
    /// Waits for a human or a timer.
    Paused,
    /// Not reached: every way in is dead (a condition or router chose another path, a block
    /// before it failed, or nothing leads to it).
    Dead,
    /// Not reached yet: the run is paused before it.
    Pending,
    /// Running now: a live run on a remote is streaming its output.
    Running,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BlockMark {
    pub block: String,
    pub state: MarkState,
    /// How many times it ran (loop iterations and parallel branches each count).
    pub runs: usize,
    /// Its place in the run log when it first ran (1 for the first entry of the log).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<usize>,
    /// A loop's iterations or a parallel's branches that ran.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EdgeState {
    Taken,
    Dead,
    Pending,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EdgeMark {
    pub edge: String,
    pub state: EdgeState,
}

/// A run drawn on the canvas.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct RunMarks {
    pub blocks: Vec<BlockMark>,
    pub edges: Vec<EdgeMark>,
}

fn is_container_handle(handle: Option<&str>) -> bool {
    matches!(
        handle,
        Some(
            "loop-start-source"
                | "parallel-start-source"
                | "loop-end-source"
                | "parallel-end-source"
        )
    )
}

/// One container pass an event ran in: the container, its iteration or branch, its batch.
type IterationStep = (String, usize, Option<usize>);

/// Marks every block and edge of `state` from `report`.
pub fn marks(state: &WorkflowState, report: &RunReport) -> RunMarks {
    let open_pauses: HashSet<&str> = report.pauses.iter().map(|p| p.block.as_str()).collect();
    let mut runs: HashMap<&str, usize> = HashMap::new();
    let mut worst: HashMap<&str, BlockStatus> = HashMap::new();
    let mut order: HashMap<&str, usize> = HashMap::new();
    let mut taken: HashSet<&str> = HashSet::new();
    // Container -> the distinct iteration paths (the frames down to it) its blocks ran in.
    let mut iterations: HashMap<&str, BTreeSet<Vec<IterationStep>>> = HashMap::new();
    let containers: HashSet<&str> = state
        .blocks
        .values()
        .filter(|b| matches!(b.block_type.as_str(), "loop" | "parallel"))
        .map(|b| b.id.as_str())
        .collect();
    for event in &report.trace {
        let block = event.block.as_str();
        *runs.entry(block).or_default() += 1;
        order.entry(block).or_insert(event.seq + 1);
        let rank = |s: BlockStatus| match s {
            BlockStatus::Ok => 0,
            BlockStatus::Paused => 1,
            BlockStatus::Error => 2,
            BlockStatus::Failed => 3,
        };
        let entry = worst.entry(block).or_insert(event.status);
        if rank(event.status) > rank(*entry) {
            *entry = event.status;
        }
        for edge in &event.activated {
            taken.insert(edge.as_str());
        }
        for (depth, frame) in event.frames.iter().enumerate() {
            let path = event.frames[..=depth]
                .iter()
                .map(|f| (f.container.clone(), f.index, f.batch))
                .collect();
            iterations
                .entry(frame.container.as_str())
                .or_default()
                .insert(path);
        }
    }
    let ran = |b: &str| order.contains_key(b);
    let parents: HashMap<&str, &str> = state
        .blocks
        .values()
        .filter_map(|b| b.parent_id().map(|p| (b.id.as_str(), p)))
        .collect();
    // A block is done when it ran, is not waiting, and every container around it finished.
    let done = |b: &str| {
        let mut at = b;
        if !ran(at) || open_pauses.contains(at) {
            return false;
        }
        while let Some(parent) = parents.get(at) {
            if !ran(parent) {
                return false;
            }
            at = parent;
        }
        true
    };
    let finished = report.status != RunStatus::Paused;
    let mut edge_state: BTreeMap<&str, EdgeState> = BTreeMap::new();
    let mut dead: HashSet<&str> = state
        .blocks
        .values()
        .filter(|b| !b.enabled && !ran(&b.id))
        .map(|b| b.id.as_str())
        .collect();
    // Dead-path marking to a fixed point: an edge is dead when its source is dead or done
    // without taking it; a block that did not run is dead when every edge into it is dead.
    loop {
        let mut changed = false;
        for e in &state.edges {
            let handle = e.source_handle.get().map(String::as_str);
            let s = if taken.contains(e.id.as_str())
                || is_container_handle(handle) && ran(&e.source) && ran(&e.target)
            {
                EdgeState::Taken
            } else if dead.contains(e.source.as_str())
                || finished
                || done(&e.source) && !(handle.is_some_and(|h| h.ends_with("start-source")))
            {
                EdgeState::Dead
            } else {
                EdgeState::Pending
            };
            if edge_state.insert(e.id.as_str(), s) != Some(s) {
                changed = true;
            }
        }
        for b in state.blocks.values() {
            if ran(&b.id) || dead.contains(b.id.as_str()) || b.block_type == "note" {
                continue;
            }
            let inputs: Vec<EdgeState> = state
                .edges
                .iter()
                .filter(|e| e.target == b.id)
                .map(|e| edge_state[e.id.as_str()])
                .collect();
            let parent_dead = b.parent_id().is_some_and(|p| dead.contains(p));
            if parent_dead || finished || inputs.iter().all(|s| *s == EdgeState::Dead) {
                dead.insert(b.id.as_str());
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let blocks = state
        .blocks
        .values()
        .filter(|b| b.block_type != "note")
        .map(|b| {
            let id = b.id.as_str();
            let state = if open_pauses.contains(id) {
                MarkState::Paused
            } else if let Some(status) = worst.get(id) {
                match status {
                    BlockStatus::Failed => MarkState::Failed,
                    BlockStatus::Error => MarkState::Error,
                    // A pause that was answered ran.
                    BlockStatus::Ok | BlockStatus::Paused => MarkState::Ran,
                }
            } else if dead.contains(id) {
                MarkState::Dead
            } else {
                MarkState::Pending
            };
            BlockMark {
                block: b.id.clone(),
                state,
                runs: runs.get(id).copied().unwrap_or(0),
                order: order.get(id).copied(),
                iterations: containers
                    .contains(id)
                    .then(|| iterations.get(id).map_or(0, BTreeSet::len))
                    .filter(|_| ran(id) || iterations.contains_key(id)),
            }
        })
        .collect();
    let edges = state
        .edges
        .iter()
        .map(|e| EdgeMark {
            edge: e.id.clone(),
            state: edge_state
                .get(e.id.as_str())
                .copied()
                .unwrap_or(EdgeState::Pending),
        })
        .collect();
    RunMarks { blocks, edges }
}

/// One run of a workflow with mocks, kept so its pauses can be answered.
#[derive(Debug, Clone)]
pub struct WorkflowRun {
    state: WorkflowState,
    options: RunOptions,
    report: RunReport,
}

impl WorkflowRun {
    /// Runs `state` with `input` (the start block's values, typed as its form declares) and
    /// `mocks`.
    pub fn start(state: WorkflowState, input: Value, mocks: Mocks) -> Result<WorkflowRun> {
        let options = RunOptions {
            input,
            mocks,
            ..RunOptions::default()
        };
        let report = workflow::run(&state, &options)?;
        Ok(WorkflowRun {
            state,
            options,
            report,
        })
    }

    /// Runs `state` from the values of its start form (read by their declared types).
    pub fn start_with_form(
        state: WorkflowState,
        values: &Map<String, Value>,
        mocks: Mocks,
    ) -> Result<WorkflowRun> {
        let form = start_form(&state);
        let owner = format!(
            "input of `{}`",
            form.name
                .as_deref()
                .or(form.block.as_deref())
                .unwrap_or("the start block")
        );
        let input = typed_values(&owner, &form.fields, values)?;
        WorkflowRun::start(state, Value::Object(input), mocks)
    }

    pub fn report(&self) -> &RunReport {
        &self.report
    }

    pub fn state(&self) -> &WorkflowState {
        &self.state
    }

    pub fn options(&self) -> &RunOptions {
        &self.options
    }

    /// The open pause named `pause` (its context id, block id or block name).
    pub fn pause(&self, pause: &str) -> Result<&PausePoint> {
        let normalised = crate::sim::references::normalize_block_name(pause);
        self.report
            .pauses
            .iter()
            .find(|p| {
                p.context_id == pause
                    || p.block == pause
                    || self.state.blocks.get(&p.block).is_some_and(|b| {
                        b.name == pause
                            || crate::sim::references::normalize_block_name(&b.name) == normalised
                    })
            })
            .ok_or_else(|| {
                let open: Vec<&str> = self
                    .report
                    .pauses
                    .iter()
                    .map(|p| p.context_id.as_str())
                    .collect();
                Error::Simulation(if open.is_empty() {
                    format!(
                        "no open pause `{pause}`: the run is {}",
                        status_word(self.report.status)
                    )
                } else {
                    format!("no open pause `{pause}` (open: {})", open.join(", "))
                })
            })
    }

    /// Answers the open pause `pause` with `input` and lets the run go on: the run is replayed
    /// with this answer after the earlier ones, as Sim resumes a paused execution. `input` is
    /// read by the pause's form when it declares one. The run is unchanged on an error.
    pub fn resume(&mut self, pause: &str, input: Value) -> Result<&RunReport> {
        let point = self.pause(pause)?;
        let context_id = point.context_id.clone();
        let fields = pause_fields(point);
        let input = match input {
            Value::Object(values) if !fields.is_empty() => {
                let name = self
                    .state
                    .blocks
                    .get(&point.block)
                    .map_or(point.block.clone(), |b| b.name.clone());
                Value::Object(typed_values(
                    &format!("answer to `{name}`"),
                    &fields,
                    &values,
                )?)
            }
            other => other,
        };
        let mut options = self.options.clone();
        options.resume.push(Resume {
            pause: context_id,
            input,
        });
        let report = workflow::run(&self.state, &options)?;
        self.options = options;
        self.report = report;
        Ok(&self.report)
    }

    /// What the canvas draws of this run.
    pub fn marks(&self) -> RunMarks {
        marks(&self.state, &self.report)
    }
}

fn status_word(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Completed => "completed",
        RunStatus::Failed => "failed",
        RunStatus::Paused => "paused",
    }
}
