//! The chat preview: conversations with a journey kept in the core. A turn carries only the
//! customer's message; the journey was prepared once, when the preview started.

use super::documents::name_of;
use super::types::*;
use super::AppState;
use crate::app::handles::{lock, Handles};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::simulate::scenario::{Expectations, Scenario, Step, Turn};
use crate::simulate::{Mocks, Session};
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// How many previews may run at once; starting one more ends the oldest.
const MAX_PREVIEWS: usize = 64;

struct Preview {
    document_id: i64,
    editor_session: String,
    mocks: Mocks,
    context: indexmap::IndexMap<String, Value>,
    /// What the designer did since the start, replayable as a scenario's turns.
    turns: Vec<Turn>,
    session: Session,
    started: u64,
}

/// The running previews by id.
pub struct Previews {
    running: Handles<Mutex<Preview>>,
    started: std::sync::atomic::AtomicU64,
}

impl Default for Previews {
    fn default() -> Previews {
        Previews {
            running: Handles::new("preview", "it ended; start a new one", MAX_PREVIEWS),
            started: Default::default(),
        }
    }
}

impl Previews {
    fn get(&self, id: &str) -> Result<Arc<Mutex<Preview>>> {
        self.running.get(id)
    }

    pub fn clear(&self) {
        self.running.clear();
    }

    pub fn forget_document(&self, document_id: i64) {
        self.running.retain(|p| {
            p.lock()
                .map(|p| p.document_id != document_id)
                .unwrap_or(false)
        });
    }

    pub fn forget_session(&self, editor_session: &str) {
        self.running.retain(|p| {
            p.lock()
                .map(|p| p.editor_session != editor_session)
                .unwrap_or(false)
        });
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::Simulation(e.to_string()))
}

fn step(sim: &str, p: &Preview, events: Vec<crate::simulate::Event>) -> Result<SimStep> {
    let position = p.session.position();
    let (matcher, matcher_detail) = p.session.matcher();
    Ok(SimStep {
        sim: sim.to_string(),
        document_id: p.document_id,
        events,
        active_node: p.session.current().map(str::to_string),
        variables: to_value(&position.variables)?,
        transcript: to_value(&position.transcript)?,
        ended: p.session.ended(),
        matcher,
        matcher_detail: matcher_detail.to_string(),
        options: p.session.options().clone(),
    })
}

pub fn sim_start(state: &AppState, args: SimStartArgs) -> Result<SimStep> {
    let editor = state.editor.session(&args.session)?;
    let Document::Journey(journey) = editor.read(|open| open.document()) else {
        return Err(Error::Simulation(
            "the chat preview plays journeys; convert the workflow first".into(),
        ));
    };
    let mocks = args.mocks.unwrap_or(Value::Null);
    let mocks: Mocks = if mocks.is_null() {
        Mocks::default()
    } else {
        serde_json::from_value(mocks).map_err(|e| Error::Simulation(format!("mocks: {e}")))?
    };
    // The designer's settings, unless the call names its own options.
    let options = match args.options {
        Some(options) => options,
        None => state.settings.load()?.preview,
    };
    let mut session = Session::with_options(&journey, mocks.clone(), options)?;
    let context: indexmap::IndexMap<String, Value> = match args.context {
        Some(Value::Object(context)) => context.into_iter().collect(),
        _ => Default::default(),
    };
    if !context.is_empty() {
        session.set_context(context.clone());
    }
    let events = session.start()?;
    let started = state
        .previews
        .started
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let preview = Preview {
        document_id: editor.document_id,
        editor_session: editor.id.clone(),
        mocks,
        context,
        turns: Vec::new(),
        session,
        started,
    };
    let id = format!("p-{}", &crate::editor::edit::new_id()[..8]);
    let answer = step(&id, &preview, events)?;
    // Beyond the limit the oldest preview ends.
    state
        .previews
        .running
        .insert(id, Arc::new(Mutex::new(preview)), |p| lock(p).started);
    Ok(answer)
}

/// Runs one step of a running preview.
/// Runs one step of a running preview and, when it worked, records it as a scenario turn.
fn turn(
    state: &AppState,
    sim: &str,
    recorded: Turn,
    f: impl FnOnce(&mut Session) -> Result<Vec<crate::simulate::Event>>,
) -> Result<SimStep> {
    let preview = state.previews.get(sim)?;
    let mut p = lock(&preview);
    let events = f(&mut p.session)?;
    p.turns.push(recorded);
    step(sim, &p, events)
}

pub fn sim_send(state: &AppState, args: SimSendArgs) -> Result<SimStep> {
    turn(state, &args.sim, Turn::Text(args.message.clone()), |s| {
        s.send(&args.message)
    })
}

pub fn sim_choose(state: &AppState, args: SimChooseArgs) -> Result<SimStep> {
    let recorded = Turn::Step(Step::Choose(args.edge_id.clone()));
    turn(state, &args.sim, recorded, |s| s.choose(&args.edge_id))
}

pub fn sim_back(state: &AppState, args: SimArgs) -> Result<SimStep> {
    turn(state, &args.sim, Turn::Step(Step::Back(true)), |s| {
        if s.back() {
            Ok(Vec::new())
        } else {
            Err(Error::Simulation("nothing to go back to".into()))
        }
    })
}

pub fn sim_restart(state: &AppState, args: SimArgs) -> Result<SimStep> {
    turn(state, &args.sim, Turn::Step(Step::Restart(true)), |s| {
        s.restart()
    })
}

pub fn sim_stop(state: &AppState, args: SimArgs) -> Result<Message> {
    state.previews.running.take(&args.sim)?;
    Ok(Message {
        message: format!("preview `{}` ended", args.sim),
    })
}

/// Saves the conversation so far as a scenario of its document: its turns, mocks and context,
/// expecting what happened (the exact path, the final state and the agent's messages).
pub fn sim_save_scenario(state: &AppState, args: SimSaveScenarioArgs) -> Result<ScenarioRef> {
    let preview = state.previews.get(&args.sim)?;
    let (document_id, scenario) = {
        let p = lock(&preview);
        let position = p.session.position();
        let messages_contain = position
            .transcript
            .iter()
            .filter(|t| t.role == "agent" && !t.text.trim().is_empty())
            .map(|t| t.text.trim().to_string())
            .collect();
        let scenario = Scenario {
            mocks: p.mocks.clone(),
            context: p.context.clone(),
            turns: p.turns.clone(),
            expect: Expectations {
                path: Some(position.path.clone()),
                messages_contain,
                final_state: p.session.current().map(str::to_string),
                ..Default::default()
            },
            ..Default::default()
        };
        (p.document_id, scenario)
    };
    let store = state.store()?;
    let name = name_of(&store, document_id)?;
    let id = crate::app::scenarios::save(&store, &name, &args.name, &scenario)?;
    Ok(ScenarioRef { id })
}
