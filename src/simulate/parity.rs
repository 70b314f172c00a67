//! Execution parity: does a workflow's converted journey take the same steps as the workflow?
//!
//! Under one scenario, each workflow run (one per customer turn, as `simulate` does) is replayed
//! as a fresh journey conversation: the journey's context variables get the run's start inputs
//! (through the conversion's variable mapping), each tool state answers with what its block
//! returned in the run (or failed with its error), and wherever the journey waits at a chat
//! state the customer says the run's message again (every block of a Sim run sees the same
//! input). Each simulator decides by its own rules — JavaScript and mocks for Sim, the matcher
//! for the journey — and the two paths are compared through the conversion mapping (block id ->
//! state id). The first step where they differ is the divergence, with what each side did there.

use super::journey::{Event, Session};
use super::mocks::Mock;
use super::scenario::{self, Scenario};
use super::workflow::{BlockStatus, RunReport, RunStatus};
use crate::convert::{self, ConvertOptions, Mapping};
use crate::error::{Error, Result};
use crate::parlant::{JourneyDocument, END_NODE_ID};
use crate::sim::SimDocument;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One step both sides can name: a block and the state it corresponds to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(rename = "ParityStep")]
pub struct Step {
    pub block_id: Option<String>,
    pub state_id: Option<String>,
    /// The block's name (else the state id), for people.
    pub name: String,
}

/// Where the two sides parted.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Divergence {
    /// 1-based position in the compared step sequence.
    pub step: usize,
    /// The last step both took (None: they differ from the first step).
    pub after: Option<Step>,
    /// What the workflow did next: the step it took, or None when its run stopped there.
    pub workflow_step: Option<Step>,
    /// What the journey did next.
    pub journey_step: Option<Step>,
    /// In words, with the edge / condition / score that decided.
    pub workflow: String,
    pub journey: String,
}

/// One workflow run and its journey replay.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RunParity {
    /// The customer's message of the run, if any.
    pub message: Option<String>,
    pub workflow_status: RunStatus,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_error: Option<String>,
    /// `ended`, or `waiting at <state>`.
    pub journey_status: String,
    pub workflow_path: Vec<Step>,
    pub journey_path: Vec<Step>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub divergence: Option<Divergence>,
    /// The journey's events, for the chat panel.
    pub journey_events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ParityReport {
    pub scenario: String,
    pub parity: bool,
    pub runs: Vec<RunParity>,
}

/// Checks parity of `workflow` with `journey` (by default its conversion) under `scenario`.
/// A journey given explicitly (converted earlier, then edited) is matched to the workflow through
/// the mapping of converting the workflow now: conversion keeps ids, so unedited states match.
pub fn parity(
    workflow: &SimDocument,
    journey: Option<&JourneyDocument>,
    scenario: &Scenario,
) -> Result<ParityReport> {
    let conversion = convert::workflow_to_journey(workflow, &ConvertOptions::default())?;
    let journey = journey.unwrap_or(&conversion.output);
    let mapping = &conversion.mapping;
    let result = scenario::run_workflow(workflow.state(), scenario)?;
    let messages = customer_messages(scenario);
    let mut runs = Vec::new();
    for (i, run) in result.runs.iter().enumerate() {
        let message = messages.get(i).cloned();
        runs.push(replay(workflow, journey, mapping, scenario, run, message)?);
    }
    let parity = runs.iter().all(|r| r.divergence.is_none());
    Ok(ParityReport {
        scenario: scenario.name.clone(),
        parity,
        runs,
    })
}

fn customer_messages(scenario: &Scenario) -> Vec<String> {
    use scenario::{Step as TurnStep, Turn};
    scenario
        .turns
        .iter()
        .filter_map(|t| match t {
            Turn::Text(text) | Turn::Step(TurnStep::Customer(text)) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn replay(
    workflow: &SimDocument,
    journey: &JourneyDocument,
    mapping: &Mapping,
    scenario: &Scenario,
    run: &RunReport,
    message: Option<String>,
) -> Result<RunParity> {
    let state_ids: std::collections::HashSet<&str> =
        journey.nodes.iter().map(|n| n.id.as_str()).collect();
    // Each tool state answers with its block's outputs in this run, in order.
    let mut answers: BTreeMap<String, Vec<&super::workflow::TraceEvent>> = BTreeMap::new();
    for event in &run.trace {
        if let Some(state) = mapping.state_of_block(&event.block) {
            answers.entry(state.to_string()).or_default().push(event);
        }
    }
    let mut mocks = scenario.mocks.clone();
    for (state, events) in answers {
        let failed = events.iter().find_map(|e| {
            e.error
                .clone()
                .filter(|_| matches!(e.status, BlockStatus::Error | BlockStatus::Failed))
        });
        let mock = match failed {
            Some(error) => Mock::error(error),
            None => Mock {
                output: None,
                outputs: events.iter().map(|e| e.output.clone()).collect(),
                error: None,
            },
        };
        mocks.states.insert(state, mock);
    }
    let mut context: IndexMap<String, Value> = scenario.context.clone();
    let input = scenario.input.clone().unwrap_or(Value::Null);
    for v in mapping
        .variables
        .iter()
        .filter(|v| v.origin == "start_input")
    {
        let field = v
            .sim_reference
            .trim_start_matches('<')
            .trim_end_matches('>')
            .split_once('.')
            .map(|(_, f)| f)
            .unwrap_or("");
        if let Some(value) = input.get(field) {
            context.insert(v.context_variable.clone(), value.clone());
        }
    }

    let said = message
        .clone()
        .or_else(|| {
            input
                .get("input")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default();
    let mut session = Session::new(journey, mocks)?;
    session.set_context(context);
    // The run's message is there from the start in Sim; in Parlant it is the message that
    // activated the journey.
    session.set_opening_message((!said.is_empty()).then(|| said.clone()));
    let mut events = session.start()?;
    // The journey waits at chat states; the run's message answers each wait, as long as that
    // moves it on (no more waits than the workflow has steps).
    for _ in 0..=run.path.len() {
        if session.ended() {
            break;
        }
        let before = session.position().path.len();
        events.extend(
            session
                .send(&said)
                .map_err(|e| Error::Simulation(format!("parity, journey side: {e}")))?,
        );
        if session.position().path.len() == before {
            break;
        }
    }

    let name_of = |block: &str| {
        workflow
            .state()
            .blocks
            .get(block)
            .map_or_else(|| block.to_string(), |b| b.name.clone())
    };
    let mut workflow_path: Vec<Step> = Vec::new();
    for block in &run.path {
        let state = mapping
            .state_of_block(block)
            .filter(|s| state_ids.contains(s))
            .map(str::to_string);
        let Some(state) = state else { continue };
        // A router folded into its state runs right after it: one journey step.
        if workflow_path.last().and_then(|s| s.state_id.as_deref()) == Some(state.as_str()) {
            continue;
        }
        workflow_path.push(Step {
            block_id: Some(block.clone()),
            state_id: Some(state),
            name: name_of(block),
        });
    }
    let journey_path: Vec<Step> = session
        .position()
        .path
        .iter()
        .filter(|s| s.as_str() != END_NODE_ID)
        .filter_map(|state| {
            let block = mapping.block_of_state(state)?;
            Some(Step {
                block_id: Some(block.to_string()),
                state_id: Some(state.clone()),
                name: name_of(block),
            })
        })
        .collect();

    let journey_status = if session.ended() {
        "ended".to_string()
    } else {
        format!("waiting at {}", session.current().unwrap_or("(nowhere)"))
    };
    let divergence = diverge(&workflow_path, &journey_path, run, &events, &journey_status);
    Ok(RunParity {
        message,
        workflow_status: run.status,
        workflow_error: run.error.clone(),
        journey_status,
        workflow_path,
        journey_path,
        divergence,
        journey_events: events,
    })
}

fn diverge(
    wf: &[Step],
    jn: &[Step],
    run: &RunReport,
    events: &[Event],
    journey_status: &str,
) -> Option<Divergence> {
    let same = |a: &Step, b: &Step| a.state_id == b.state_id;
    let at = wf
        .iter()
        .zip(jn)
        .position(|(a, b)| !same(a, b))
        .unwrap_or(wf.len().min(jn.len()));
    if at == wf.len() && at == jn.len() {
        return None;
    }
    let after = at.checked_sub(1).and_then(|i| wf.get(i)).cloned();
    let workflow_step = wf.get(at).cloned();
    let journey_step = jn.get(at).cloned();
    let workflow = describe_workflow(after.as_ref(), workflow_step.as_ref(), run);
    let journey = describe_journey(
        after.as_ref(),
        journey_step.as_ref(),
        events,
        journey_status,
    );
    Some(Divergence {
        step: at + 1,
        after,
        workflow_step,
        journey_step,
        workflow,
        journey,
    })
}

fn describe_workflow(after: Option<&Step>, next: Option<&Step>, run: &RunReport) -> String {
    let event = after
        .and_then(|s| s.block_id.as_deref())
        .and_then(|b| run.trace.iter().rev().find(|e| e.block == b));
    let how = event
        .map(|e| {
            let mut parts = Vec::new();
            if let Some(note) = &e.note {
                parts.push(note.clone());
            }
            if let Some(error) = &e.error {
                parts.push(format!("error: {error}"));
            }
            if !e.activated.is_empty() {
                parts.push(format!("activated {}", e.activated.join(", ")));
            }
            if parts.is_empty() {
                String::new()
            } else {
                format!(" ({})", parts.join("; "))
            }
        })
        .unwrap_or_default();
    match next {
        Some(step) => format!("ran `{}`{how}", step.name),
        None => {
            let status = format!("{:?}", run.status).to_lowercase();
            let error = run
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            format!("ran nothing more: the run {status}{error}{how}")
        }
    }
}

fn describe_journey(
    after: Option<&Step>,
    next: Option<&Step>,
    events: &[Event],
    journey_status: &str,
) -> String {
    let from = after.and_then(|s| s.state_id.as_deref());
    let candidates = |c: &[super::journey::Candidate]| {
        c.iter()
            .map(|c| {
                format!(
                    "`{}` \"{}\" {:.2} ({})",
                    c.edge,
                    c.condition.as_deref().unwrap_or(""),
                    c.score,
                    c.reason
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let decided = events.iter().rev().find_map(|e| match e {
        Event::Transition {
            from: f,
            to,
            edge,
            condition,
            score,
            reason,
            ..
        } if Some(f.as_str()) == from => Some(match condition {
            Some(c) => format!("took `{edge}` to `{to}`: \"{c}\" scored {score:.2} ({reason})"),
            None => format!("took `{edge}` to `{to}` (unconditional)"),
        }),
        Event::NoMatch {
            state,
            candidates: c,
        } if Some(state.as_str()) == from => Some(format!(
            "no transition out of `{state}` matched: {}",
            candidates(c)
        )),
        _ => None,
    });
    match (next, decided) {
        (_, Some(text)) => text,
        (Some(step), None) => format!(
            "entered `{}`",
            step.state_id.as_deref().unwrap_or(&step.name)
        ),
        (None, None) => format!("went no further ({journey_status})"),
    }
}

/// Readable summary of a report, for the CLI.
pub fn render(reports: &[ParityReport]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(
            out,
            "{} {}",
            if r.parity { "PARITY" } else { "DIVERGED" },
            r.scenario
        );
        for (i, run) in r.runs.iter().enumerate() {
            let names = |p: &[Step]| {
                p.iter()
                    .map(|s| s.name.clone())
                    .collect::<Vec<_>>()
                    .join(" -> ")
            };
            let said = run
                .message
                .as_deref()
                .map(|m| format!(" \"{m}\""))
                .unwrap_or_default();
            let _ = writeln!(out, "  run {}{said}", i + 1);
            let _ = writeln!(
                out,
                "    workflow ({:?}): {}",
                run.workflow_status,
                names(&run.workflow_path)
            );
            let _ = writeln!(
                out,
                "    journey  ({}): {}",
                run.journey_status,
                names(&run.journey_path)
            );
            if let Some(d) = &run.divergence {
                let after = d
                    .after
                    .as_ref()
                    .map_or("the start".to_string(), |s| format!("`{}`", s.name));
                let _ = writeln!(out, "    diverged at step {} after {after}", d.step);
                let _ = writeln!(out, "      workflow: {}", d.workflow);
                let _ = writeln!(out, "      journey:  {}", d.journey);
            }
        }
    }
    out
}
