//! The Live panel: chat with the real agent on a Parlant remote (its journey state lit on the
//! open journey), and a Sim remote's deployed workflow run as a stream followed chunk by chunk.
//! The store is read for the remote and released before any network work (`app::live`, shared
//! with `journey-studio chat` and `journey-studio sim run --stream`).

use super::types::*;
use super::AppState;
use crate::app::live::{
    DocumentBlocks, LiveChat, LiveEvents, SimStreamPlan, SimStreamProgress, SimStreamRun,
};
use crate::document::Document;
use crate::error::{Error, Result};

/// The workspace id of the document open in editor session `session`.
fn document_of(state: &AppState, session: &str) -> Result<(i64, Document)> {
    let editor = state.editor.session(session)?;
    Ok((editor.document_id, editor.read(|open| open.document())))
}

pub fn live_chat_start(state: &AppState, args: LiveChatStartArgs) -> Result<LiveChat> {
    let document = match args.session.as_deref() {
        Some(session) => match document_of(state, session)? {
            (id, Document::Journey(_)) => Some(id),
            (_, Document::Sim(_)) => None,
        },
        None => None,
    };
    // A connection of its own: the app's store lock is not held while the server answers.
    let store = crate::store::Store::open(&state.workspace())?;
    state.live.start(
        &store,
        &args.remote,
        args.agent.as_deref(),
        args.customer.as_deref(),
        document,
    )
}

pub fn live_chat_send(state: &AppState, args: LiveChatSendArgs) -> Result<LiveSent> {
    let offset = state.live.send(&args.chat, &args.message)?;
    Ok(LiveSent { offset })
}

pub fn live_chat_events(state: &AppState, args: LiveChatEventsArgs) -> Result<LiveEvents> {
    state
        .live
        .events(&args.chat, args.from, args.wait_secs.unwrap_or(5))
}

pub fn live_chat_stop(state: &AppState, args: LiveChatArgs) -> Result<Message> {
    let message = if state.live.stop(&args.chat) {
        format!("live chat `{}` ended", args.chat)
    } else {
        format!("no live chat `{}`", args.chat)
    };
    Ok(Message { message })
}

fn plan(state: &AppState, args: SimRunStreamArgs) -> Result<SimStreamPlan> {
    let input = match args.input {
        None | Some(serde_json::Value::Null) => Default::default(),
        Some(serde_json::Value::Object(map)) => map,
        Some(_) => {
            return Err(Error::Unsupported(
                "the run's input must be an object of fields".into(),
            ))
        }
    };
    let document = match args.session.as_deref() {
        Some(session) => match document_of(state, session)? {
            (id, Document::Sim(w)) => Some(DocumentBlocks::of(id, w.state())),
            (_, Document::Journey(_)) => None,
        },
        None => None,
    };
    // A connection of its own: the app's store lock is not held while the run streams.
    let store = crate::store::Store::open(&state.workspace())?;
    SimStreamPlan::new(
        &store,
        &args.remote,
        &args.workflow,
        input,
        &args.selected_outputs.unwrap_or_default(),
        std::time::Duration::from_secs(args.timeout_secs.unwrap_or(120).clamp(1, 900)),
        document,
    )
}

pub fn sim_run_stream(state: &AppState, args: SimRunStreamArgs) -> Result<SimStreamRun> {
    let plan = plan(state, args)?;
    crate::app::block_on(plan.run(|_, _| {}))?
}

pub fn sim_stream_start(state: &AppState, args: SimRunStreamArgs) -> Result<SimStreamProgress> {
    let plan = plan(state, args)?;
    state.streams.start(plan)
}

pub fn sim_stream_poll(state: &AppState, args: SimStreamPollArgs) -> Result<SimStreamProgress> {
    state
        .streams
        .poll(&args.stream, args.seen, args.wait_secs.unwrap_or(5))
}

pub fn sim_stream_forget(state: &AppState, args: SimStreamArgs) -> Result<Message> {
    let message = if state.streams.forget(&args.stream) {
        format!("streamed run `{}` forgotten", args.stream)
    } else {
        format!("no streamed run `{}`", args.stream)
    };
    Ok(Message { message })
}
