//! The Live panel: chat with the real agent on a Parlant remote. The store is read for the
//! remote and released before any network work (`app::live`, shared with `journey-studio chat`).

use super::types::*;
use super::AppState;
use crate::app::live::{LiveChat, LiveEvents, SimStreamRun};
use crate::error::Result;

pub fn live_chat_start(state: &AppState, args: LiveChatStartArgs) -> Result<LiveChat> {
    // A connection of its own: the app's store lock is not held while the server answers.
    let store = crate::store::Store::open(&state.workspace())?;
    state.live.start(
        &store,
        &args.remote,
        args.agent.as_deref(),
        args.customer.as_deref(),
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

pub fn sim_run_stream(state: &AppState, args: SimRunStreamArgs) -> Result<SimStreamRun> {
    let input = match args.input {
        None | Some(serde_json::Value::Null) => Default::default(),
        Some(serde_json::Value::Object(map)) => map,
        Some(_) => {
            return Err(crate::error::Error::Unsupported(
                "the run's input must be an object of fields".into(),
            ))
        }
    };
    // A connection of its own: the app's store lock is not held while the run streams.
    let store = crate::store::Store::open(&state.workspace())?;
    crate::app::live::sim_run_stream(
        &store,
        &args.remote,
        &args.workflow,
        input,
        &args.selected_outputs.unwrap_or_default(),
        std::time::Duration::from_secs(args.timeout_secs.unwrap_or(120).clamp(1, 900)),
    )
}
