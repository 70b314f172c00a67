//! Live chat with the real agent on a Parlant remote, for `journey-studio chat` and the app's
//! Live panel: the remote checked, a session opened, customer messages posted and the agent's
//! events read back by long-polling (`sync::chat`). Errors name the remote, never its key.

use super::block_on;
use super::handles::Handles;
use crate::error::{Error, Result};
use crate::store::{RemoteKind, Store};
use crate::sync::chat::agent_message;
use crate::sync::engine;
use crate::sync::parlant::ParlantClient;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use ts_rs::TS;

/// The agent a chat talks to when none is named: the remote's, else Journey Studio's.
pub const DEFAULT_AGENT: &str = "Journey Studio";

/// The client of the Parlant remote `remote` and the agent to talk to (`agent`, else the
/// remote's own).
pub fn chat_client(
    store: &Store,
    remote: &str,
    agent: Option<&str>,
) -> Result<(ParlantClient, String)> {
    let remote = store.remote(remote)?;
    if remote.kind != RemoteKind::Parlant {
        return Err(Error::Unsupported(format!(
            "remote `{}` is a {} remote; chat needs a Parlant remote",
            remote.name,
            remote.kind.as_str()
        )));
    }
    let client = engine::parlant_client(&remote)?;
    let agent = agent
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .or_else(|| remote.option("agent").map(str::to_string))
        .unwrap_or_else(|| DEFAULT_AGENT.into());
    Ok((client, agent))
}

/// A live chat the app opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LiveChat {
    /// The app's handle for it.
    pub chat: String,
    pub remote: String,
    pub agent: String,
    /// The Parlant session.
    pub session: String,
    /// The open document's journey on this remote (its Parlant id), when the chat was started
    /// beside it and it was pushed there: its states are lit as the agent reaches them.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey: Option<String>,
    /// Why the open document's states cannot be lit (not pushed to this remote, no graph
    /// module on the server).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_note: Option<String>,
}

/// What Parlant 3.3.2's engine reports of its journeys at the end of a turn: the `ready`
/// status event of a completed turn carries `data.data.matched_journeys: [{id}]` and
/// `matched_journey_states: [{id}]`, the journey nodes whose guidelines matched
/// (`parlant/core/engines/alpha/engine.py`, `AlphaEngine._emit_ready_event`). Other events
/// carry nothing about journeys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct JourneyActivity {
    /// The active journeys (Parlant journey ids).
    pub journeys: Vec<String>,
    /// The journey nodes (Parlant node ids) the engine is at.
    pub states: Vec<String>,
}

impl JourneyActivity {
    /// The activity a session event reports, if it is a `ready` status event that carries one.
    pub fn of(event: &Value) -> Option<JourneyActivity> {
        if event.get("kind").and_then(Value::as_str) != Some("status")
            || event.pointer("/data/status").and_then(Value::as_str) != Some("ready")
        {
            return None;
        }
        let data = event.pointer("/data/data")?;
        let ids = |key: &str| -> Option<Vec<String>> {
            Some(
                data.get(key)?
                    .as_array()?
                    .iter()
                    .filter_map(|x| x.get("id").and_then(Value::as_str).map(str::to_string))
                    .collect(),
            )
        };
        let (journeys, states) = (ids("matched_journeys"), ids("matched_journey_states"));
        if journeys.is_none() && states.is_none() {
            return None;
        }
        Some(JourneyActivity {
            journeys: journeys.unwrap_or_default(),
            states: states.unwrap_or_default(),
        })
    }
}

/// How a pushed journey's server ids map back to the document's: from the markers the push
/// wrote into each node's metadata (`sync::parlant::MARKER`, read back by `fetch`).
#[derive(Debug, Clone, PartialEq)]
pub struct JourneyIds {
    /// The Parlant journey id.
    pub journey: String,
    /// Server node id -> the document's state id.
    pub states: HashMap<String, String>,
}

impl JourneyIds {
    pub fn of(remote: &crate::sync::parlant::RemoteJourney, journey: &str) -> JourneyIds {
        JourneyIds {
            journey: journey.to_string(),
            states: remote
                .node_ids
                .iter()
                .map(|(doc, server)| (server.clone(), doc.clone()))
                .collect(),
        }
    }

    /// The activity in the document's terms.
    pub fn state(&self, activity: &JourneyActivity) -> LiveJourneyState {
        let states: Vec<String> = activity
            .states
            .iter()
            .filter_map(|s| self.states.get(s).cloned())
            .collect();
        LiveJourneyState {
            document_journey: activity.journeys.contains(&self.journey) || !states.is_empty(),
            states,
            activity: activity.clone(),
        }
    }
}

/// The journey state of a live chat after a turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LiveJourneyState {
    /// As the server reported it (server ids).
    pub activity: JourneyActivity,
    /// The open document's journey is active.
    pub document_journey: bool,
    /// The open document's states the agent is at (document ids, to light on the canvas).
    pub states: Vec<String>,
}

/// One event of the session, as the Live panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LiveEvent {
    #[ts(type = "number")]
    pub offset: u64,
    /// Parlant's kind: `message`, `status`, `tool`, ...
    pub kind: String,
    /// `customer`, `ai_agent`, ...
    pub source: String,
    /// A message's text.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A status event's status (`acknowledged`, `processing`, `typing`, `ready`, `error`).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The journeys and states a completed turn's `ready` event reports.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey: Option<JourneyActivity>,
}

impl LiveEvent {
    pub fn of(event: &Value) -> LiveEvent {
        let s = |p: &str| event.pointer(p).and_then(Value::as_str).map(str::to_string);
        let kind = s("/kind").unwrap_or_default();
        LiveEvent {
            offset: event.get("offset").and_then(Value::as_u64).unwrap_or(0),
            source: s("/source").unwrap_or_default(),
            text: if kind == "message" {
                agent_message(event)
                    .map(str::to_string)
                    .or_else(|| s("/data/message"))
            } else {
                None
            },
            status: if kind == "status" {
                s("/data/status")
            } else {
                None
            },
            journey: JourneyActivity::of(event),
            kind,
        }
    }
}

/// What arrived since the offset asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LiveEvents {
    pub events: Vec<LiveEvent>,
    /// The offset to ask from next.
    #[ts(type = "number")]
    pub next: u64,
    /// The agent is ready for the next message (its last status is `ready`).
    pub ready: bool,
    /// The engine reported an error (its last status is `error`).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The latest journey state among these events (mapped to the open document when the chat
    /// was started beside it).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_state: Option<LiveJourneyState>,
}

struct Open {
    info: LiveChat,
    client: Arc<ParlantClient>,
    ids: Option<JourneyIds>,
}

/// The open document's journey on a Parlant remote and its ids, or why there are none.
pub async fn journey_ids(
    client: &ParlantClient,
    remote: &str,
    journey: Option<&str>,
) -> Result<std::result::Result<JourneyIds, String>> {
    let Some(journey) = journey else {
        return Ok(Err(format!(
            "the open document was not pushed to `{remote}`: its states cannot be lit"
        )));
    };
    if !client.has_graph_module().await? {
        return Ok(Err(format!(
            "`{remote}` has no Journey Studio graph module: its node ids cannot be mapped to the document's states"
        )));
    }
    Ok(match client.fetch(journey).await? {
        Some(remote_journey) => Ok(JourneyIds::of(&remote_journey, journey)),
        None => Err(format!("journey `{journey}` is no longer on `{remote}`")),
    })
}

/// The live chats the app has open, by handle.
pub struct LiveChats {
    open: Handles<Open>,
}

/// How many chats stay open at once (one of them is forgotten beyond).
const MAX_CHATS: usize = 16;

impl Default for LiveChats {
    fn default() -> LiveChats {
        LiveChats {
            open: Handles::new("live chat", "it ended; start a new one", MAX_CHATS),
        }
    }
}

impl LiveChats {
    fn get(&self, chat: &str) -> Result<Arc<Open>> {
        self.open.get(chat)
    }

    /// Opens a session with the agent on `remote` (the remote read from `store`, which is not
    /// held during the network work).
    /// `document` is the open journey's workspace id: its states are lit when it was pushed to
    /// this remote.
    pub fn start(
        &self,
        store: &Store,
        remote: &str,
        agent: Option<&str>,
        customer: Option<&str>,
        document: Option<i64>,
    ) -> Result<LiveChat> {
        let (client, agent) = chat_client(store, remote, agent)?;
        let journey = match document {
            Some(id) => store.sync_state(id, remote)?.map(|s| s.remote_id),
            None => None,
        };
        let (session, ids) = block_on(async {
            let agent_id = client.find_agent(&agent).await?;
            let session = client.create_session(&agent_id, customer).await?;
            let ids = match document {
                Some(_) => Some(journey_ids(&client, remote, journey.as_deref()).await?),
                None => None,
            };
            Ok::<_, Error>((session, ids))
        })??;
        let (ids, journey_note) = match ids {
            Some(Ok(ids)) => (Some(ids), None),
            Some(Err(note)) => (None, Some(note)),
            None => (None, None),
        };
        let info = LiveChat {
            chat: format!("live-{}", &crate::editor::edit::new_id()[..8]),
            remote: remote.to_string(),
            agent,
            session,
            journey: ids.as_ref().map(|i| i.journey.clone()),
            journey_note,
        };
        let open = Arc::new(Open {
            info: info.clone(),
            client: Arc::new(client),
            ids,
        });
        self.open.insert(info.chat.clone(), open, |_| ());
        Ok(info)
    }

    /// Posts a customer message; answers its offset (read the agent's answer after it).
    pub fn send(&self, chat: &str, message: &str) -> Result<u64> {
        let open = self.get(chat)?;
        if message.trim().is_empty() {
            return Err(Error::Unsupported("the message is empty".into()));
        }
        block_on(
            open.client
                .send_customer_message(&open.info.session, message),
        )?
    }

    /// The events at or after `from`, waiting up to `wait_secs` (at most 10) for the first.
    pub fn events(&self, chat: &str, from: u64, wait_secs: u64) -> Result<LiveEvents> {
        let open = self.get(chat)?;
        let raw = block_on(
            open.client
                .wait_events(&open.info.session, from, wait_secs.min(10)),
        )??;
        let events: Vec<LiveEvent> = raw.iter().map(LiveEvent::of).collect();
        let next = events
            .iter()
            .map(|e| e.offset.saturating_add(1))
            .max()
            .unwrap_or(from)
            .max(from);
        let last_status = events.iter().rev().find_map(|e| e.status.clone());
        let error = (last_status.as_deref() == Some("error")).then(|| {
            raw.iter()
                .rev()
                .find(|e| e.pointer("/data/status").and_then(Value::as_str) == Some("error"))
                .and_then(|e| e.pointer("/data/data/exception"))
                .map(|e| {
                    e.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| e.to_string())
                })
                .unwrap_or_else(|| "the engine failed".into())
                .chars()
                .take(300)
                .collect()
        });
        let journey_state = events
            .iter()
            .rev()
            .find_map(|e| e.journey.as_ref())
            .map(|activity| match &open.ids {
                Some(ids) => ids.state(activity),
                None => LiveJourneyState {
                    activity: activity.clone(),
                    document_journey: false,
                    states: Vec::new(),
                },
            });
        Ok(LiveEvents {
            journey_state,
            ready: last_status.as_deref() == Some("ready"),
            error,
            events,
            next,
        })
    }

    /// Forgets a chat (the server keeps its session).
    pub fn stop(&self, chat: &str) -> bool {
        self.open.remove(chat)
    }

    pub fn clear(&self) {
        self.open.clear();
    }
}

/// Where a block of a streamed Sim run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SimBlockState {
    /// Its chunks are arriving: nothing after it has arrived yet.
    Streaming,
    /// A later block's chunk, or the run's end, arrived after its last chunk.
    Done,
}

/// One block's part of a streamed Sim run: the chunks it sent, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SimBlockStream {
    pub block_id: String,
    /// The block's name in the workflow, when the remote's export has it.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub chunks: Vec<String>,
    pub state: SimBlockState,
    /// Milliseconds after the request was sent when its first chunk arrived.
    #[ts(type = "number")]
    pub first_ms: u64,
    /// Milliseconds after the request was sent when it was seen done.
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_ms: Option<u64>,
    /// The open document's block it is (same name), when the run is of the open document.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_block: Option<String>,
}

/// A deployed workflow run on a Sim remote as a Server-Sent Events stream, per block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SimStreamRun {
    /// The Sim workflow id run.
    pub workflow: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// `completed`, `failed`, `paused`, ...
    pub status: String,
    /// The blocks in the order their first chunk arrived.
    pub blocks: Vec<SimBlockStream>,
    /// The `final` event's output.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How many events the stream carried.
    #[ts(type = "number")]
    pub events: u64,
}

/// The Sim id of `given` on `remote`: a workspace document pushed to (or pulled from) it, else
/// `given` itself.
pub fn sim_workflow_id(store: &Store, remote: &str, given: &str) -> Result<String> {
    if let Some(doc) = store.documents()?.into_iter().find(|d| d.name == given) {
        if let Some(state) = store.sync_state(doc.id, remote)? {
            if !state
                .remote_id
                .starts_with(crate::sync::sim_sync::IMPORT_PREFIX)
            {
                return Ok(state.remote_id);
            }
        }
    }
    Ok(given.to_string())
}

/// The open workflow a streamed run may be drawn on: its workspace id and its blocks by name.
#[derive(Debug, Clone)]
pub struct DocumentBlocks {
    pub document_id: i64,
    /// Normalised block name (Sim's `normalize_block_name`) -> the document's block id.
    pub by_name: HashMap<String, String>,
}

impl DocumentBlocks {
    pub fn of(document_id: i64, state: &crate::sim::WorkflowState) -> DocumentBlocks {
        DocumentBlocks {
            document_id,
            by_name: state
                .blocks
                .0
                .iter()
                .map(|(id, b)| {
                    (
                        crate::sim::references::normalize_block_name(&b.name),
                        id.clone(),
                    )
                })
                .collect(),
        }
    }
}

/// A streamed run, ready to go: the remote checked, the workflow id resolved.
pub struct SimStreamPlan {
    remote: String,
    workflow: String,
    client: crate::sync::sim::SimClient,
    input: serde_json::Map<String, Value>,
    selected: Vec<String>,
    timeout: std::time::Duration,
    /// The open document, when this run is of it (same Sim workflow on this remote).
    document: Option<DocumentBlocks>,
}

impl SimStreamPlan {
    /// Checks `remote` (a Sim remote) and resolves `workflow` (a Sim id or a document synced
    /// with it). `document` is the open workflow: its blocks are lit only when the run is of it.
    pub fn new(
        store: &Store,
        remote: &str,
        workflow: &str,
        input: serde_json::Map<String, Value>,
        selected: &[String],
        timeout: std::time::Duration,
        document: Option<DocumentBlocks>,
    ) -> Result<SimStreamPlan> {
        let remote = store.remote(remote)?;
        if remote.kind != RemoteKind::Sim {
            return Err(Error::Unsupported(format!(
                "remote `{}` is a {} remote; a workflow run needs a Sim remote",
                remote.name,
                remote.kind.as_str()
            )));
        }
        let id = sim_workflow_id(store, &remote.name, workflow)?;
        let document = match document {
            Some(d) => store
                .sync_state(d.document_id, &remote.name)?
                .filter(|s| s.remote_id == id)
                .map(|_| d),
            None => None,
        };
        Ok(SimStreamPlan {
            client: crate::sync::sim_sync::sim_client(&remote)?,
            remote: remote.name,
            workflow: id,
            input,
            selected: selected.to_vec(),
            timeout,
            document,
        })
    }

    /// The Sim workflow id that runs.
    pub fn workflow(&self) -> &str {
        &self.workflow
    }

    /// Runs it; `on_update` sees the blocks after every event, as the stream arrives.
    pub async fn run(
        &self,
        mut on_update: impl FnMut(&[SimBlockStream], u64),
    ) -> Result<SimStreamRun> {
        // Names for the blocks, read first so they show while the run streams (the export is
        // not needed to run: a key that may not read it still runs).
        let names: HashMap<String, String> = match self.client.export(&self.workflow).await {
            Ok(Some(export)) => export
                .pointer("/state/blocks")
                .and_then(Value::as_object)
                .map(|blocks| {
                    blocks
                        .iter()
                        .filter_map(|(id, b)| {
                            Some((id.clone(), b.get("name")?.as_str()?.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            _ => HashMap::new(),
        };
        let started = std::time::Instant::now();
        let ms = || started.elapsed().as_millis() as u64;
        let mut blocks: Vec<SimBlockStream> = Vec::new();
        let mut events = 0u64;
        let finish = |blocks: &mut Vec<SimBlockStream>, except: Option<&str>, now: u64| {
            for b in blocks.iter_mut() {
                if b.state == SimBlockState::Streaming && Some(b.block_id.as_str()) != except {
                    b.state = SimBlockState::Done;
                    b.done_ms = Some(now);
                }
            }
        };
        let run = self
            .client
            .execute_stream(
                &self.workflow,
                &self.input,
                &self.selected,
                self.timeout,
                |event| {
                    events += 1;
                    let now = ms();
                    match event {
                        crate::sync::sim::StreamEvent::Chunk { block_id, chunk } => {
                            finish(&mut blocks, Some(block_id), now);
                            match blocks.iter_mut().find(|b| &b.block_id == block_id) {
                                Some(b) => {
                                    b.chunks.push(chunk.clone());
                                    b.state = SimBlockState::Streaming;
                                    b.done_ms = None;
                                }
                                None => {
                                    let name = names.get(block_id).cloned();
                                    let document_block = self.document.as_ref().and_then(|d| {
                                        let n = crate::sim::references::normalize_block_name(
                                            name.as_deref()?,
                                        );
                                        d.by_name.get(&n).cloned()
                                    });
                                    blocks.push(SimBlockStream {
                                        block_id: block_id.clone(),
                                        name,
                                        chunks: vec![chunk.clone()],
                                        state: SimBlockState::Streaming,
                                        first_ms: now,
                                        done_ms: None,
                                        document_block,
                                    })
                                }
                            }
                        }
                        crate::sync::sim::StreamEvent::Final(_)
                        | crate::sync::sim::StreamEvent::Error { .. } => {
                            finish(&mut blocks, None, now)
                        }
                        crate::sync::sim::StreamEvent::Other(_) => {}
                    }
                    on_update(&blocks, events);
                },
            )
            .await?;
        finish(&mut blocks, None, ms());
        let (output, error) = match &run.outcome {
            Some(crate::sync::sim::StreamEvent::Final(data)) => (
                data.get("output").cloned(),
                data.get("error")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            ),
            Some(crate::sync::sim::StreamEvent::Error { message }) => (None, Some(message.clone())),
            _ => (None, None),
        };
        Ok(SimStreamRun {
            workflow: self.workflow.clone(),
            run_id: run.run_id.clone(),
            status: run.status().to_string(),
            blocks,
            output,
            error,
            events: run.events as u64,
        })
    }
}

/// Runs the deployed `workflow` (a Sim id or a document synced with the remote) on the Sim
/// remote `remote` with `input`, streaming `selected` outputs (`Block.path`), and gathers the
/// stream per block (the whole run at once; the app follows it live with [`SimStreams`]).
pub fn sim_run_stream(
    store: &Store,
    remote: &str,
    workflow: &str,
    input: serde_json::Map<String, Value>,
    selected: &[String],
    timeout: std::time::Duration,
) -> Result<SimStreamRun> {
    let plan = SimStreamPlan::new(store, remote, workflow, input, selected, timeout, None)?;
    block_on(plan.run(|_, _| {}))?
}

/// The canvas marks of a streamed run of the open document: each block that sent a chunk, lit
/// in arrival order (`running` while its chunks arrive, `ran` once the stream moved on).
pub fn stream_marks(blocks: &[SimBlockStream]) -> crate::app::runs::RunMarks {
    use crate::app::runs::{BlockMark, MarkState, RunMarks};
    RunMarks {
        blocks: blocks
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                Some(BlockMark {
                    block: b.document_block.clone()?,
                    state: match b.state {
                        SimBlockState::Streaming => MarkState::Running,
                        SimBlockState::Done => MarkState::Ran,
                    },
                    runs: 1,
                    order: Some(i + 1),
                    iterations: None,
                })
            })
            .collect(),
        edges: Vec::new(),
    }
}

/// A streamed run as far as it has come, for the app's long poll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SimStreamProgress {
    /// The app's handle for the run.
    pub stream: String,
    pub remote: String,
    /// The Sim workflow id running.
    pub workflow: String,
    /// Grows with every event: ask again with it as `seen` to wait for the next.
    #[ts(type = "number")]
    pub version: u64,
    /// The blocks so far, in arrival order.
    pub blocks: Vec<SimBlockStream>,
    /// Events received so far.
    #[ts(type = "number")]
    pub events: u64,
    /// The stream ended (with `run` or `error`).
    pub done: bool,
    /// The run is of the open document: `marks` light its blocks.
    pub document: bool,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<crate::app::runs::RunMarks>,
    /// The finished run (status, output, run id).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<SimStreamRun>,
    /// The stream failed before it ended (the remote or the network).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

struct Streaming {
    progress: Mutex<SimStreamProgress>,
    changed: std::sync::Condvar,
}

/// The streamed runs the app follows, by handle: each runs on a thread of its own and the app
/// long-polls its progress (the same way over Tauri's IPC and `journey-studio serve`).
pub struct SimStreams {
    open: Handles<Streaming>,
}

/// How many streamed runs are kept at once (a finished one is forgotten first beyond).
const MAX_STREAMS: usize = 16;

impl Default for SimStreams {
    fn default() -> SimStreams {
        SimStreams {
            open: Handles::new(
                "streamed run",
                "it was forgotten; run it again",
                MAX_STREAMS,
            ),
        }
    }
}

impl SimStreams {
    /// Starts `plan` on a thread of its own; answers at once with its handle.
    pub fn start(&self, plan: SimStreamPlan) -> Result<SimStreamProgress> {
        let handle = format!("stream-{}", &crate::editor::edit::new_id()[..8]);
        let first = SimStreamProgress {
            stream: handle.clone(),
            remote: plan.remote.clone(),
            workflow: plan.workflow.clone(),
            version: 0,
            blocks: Vec::new(),
            events: 0,
            done: false,
            document: plan.document.is_some(),
            marks: plan.document.as_ref().map(|_| stream_marks(&[])),
            run: None,
            error: None,
        };
        let shared = Arc::new(Streaming {
            progress: Mutex::new(first.clone()),
            changed: std::sync::Condvar::new(),
        });
        // A running stream ranks above a finished one (false < true).
        self.open.insert(handle.clone(), shared.clone(), |s| {
            s.progress.lock().map(|p| !p.done).unwrap_or(false)
        });
        let worker = shared.clone();
        std::thread::Builder::new()
            .name(format!("sim-{handle}"))
            .spawn(move || {
                let update = |f: &mut dyn FnMut(&mut SimStreamProgress)| {
                    let mut p = worker.progress.lock().unwrap_or_else(|e| e.into_inner());
                    f(&mut p);
                    p.version += 1;
                    worker.changed.notify_all();
                };
                let lit = plan.document.is_some();
                let result = block_on(plan.run(|blocks, events| {
                    update(&mut |p| {
                        p.blocks = blocks.to_vec();
                        p.events = events;
                        if lit {
                            p.marks = Some(stream_marks(blocks));
                        }
                    })
                }));
                update(&mut |p| {
                    p.done = true;
                    match &result {
                        Ok(Ok(run)) => {
                            p.blocks = run.blocks.clone();
                            p.events = run.events;
                            if lit {
                                p.marks = Some(stream_marks(&run.blocks));
                            }
                            p.run = Some(run.clone());
                        }
                        Ok(Err(e)) | Err(e) => p.error = Some(e.to_string()),
                    }
                })
            })
            .map_err(|e| Error::Internal(format!("cannot start the streamed run's thread: {e}")))?;
        Ok(first)
    }

    /// The run's progress once its version passes `seen`, waiting up to `wait_secs` (at most
    /// 10) for that; answers what there is when the wait ends or the run is done.
    pub fn poll(&self, stream: &str, seen: u64, wait_secs: u64) -> Result<SimStreamProgress> {
        let shared = self.open.get(stream)?;
        let guard = shared.progress.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = shared
            .changed
            .wait_timeout_while(
                guard,
                std::time::Duration::from_secs(wait_secs.min(10)),
                |p| p.version <= seen && !p.done,
            )
            .unwrap_or_else(|e| e.into_inner());
        Ok(guard.clone())
    }

    /// Forgets a run (a running one finishes on its own thread, unseen).
    pub fn forget(&self, stream: &str) -> bool {
        self.open.remove(stream)
    }

    pub fn clear(&self) {
        self.open.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A `ready` event of a completed turn as Parlant 3.3.2 sends it: `EventDTO`
    /// (parlant/api/sessions.py `event_to_dto`) around the data of
    /// `AlphaEngine._emit_ready_event` (parlant/core/engines/alpha/engine.py): the matched
    /// journey nodes' ids come from `extract_node_id_from_journey_node_guideline_id` of guideline
    /// ids `journey_node:<node>:<edge>` (parlant/core/journey_guideline_projection.py).
    fn ready_event() -> Value {
        json!({
            "id": "evt_1", "source": "ai_agent", "kind": "status", "offset": 7,
            "creation_utc": "2026-12-03T00:00:00Z", "trace_id": "t1", "correlation_id": "t1",
            "metadata": {}, "deleted": false,
            "data": {"status": "ready", "data": {
                "stage": "completed",
                "matched_guidelines": [{"id": "gd_cond"}, {"id": "journey_node:jr_1.ask-order:jr_1.t1"}],
                "matched_journeys": [{"id": "jr_1"}],
                "matched_journey_states": [{"id": "jr_1.ask-order"}]
            }}
        })
    }

    #[test]
    fn a_completed_turns_ready_event_reports_the_journey_state() {
        let activity = JourneyActivity::of(&ready_event()).unwrap();
        assert_eq!(activity.journeys, vec!["jr_1"]);
        assert_eq!(activity.states, vec!["jr_1.ask-order"]);
        let event = LiveEvent::of(&ready_event());
        assert_eq!(event.status.as_deref(), Some("ready"));
        assert_eq!(event.journey, Some(activity.clone()));

        let ids = JourneyIds {
            journey: "jr_1".into(),
            states: [("jr_1.ask-order".to_string(), "ask-order".to_string())].into(),
        };
        let state = ids.state(&activity);
        assert!(state.document_journey);
        assert_eq!(state.states, vec!["ask-order"]);
        // Another journey's states are not the document's.
        let other = ids.state(&JourneyActivity {
            journeys: vec!["jr_2".into()],
            states: vec!["jr_2.x".into()],
        });
        assert!(!other.document_journey && other.states.is_empty());
    }

    #[test]
    fn other_events_carry_no_journey_state() {
        // The engine's other `ready` (`_emit_ready_event(context)` without a stage: data {}),
        // its `processing` status, a message: no journey state.
        for event in [
            json!({"kind": "status", "source": "ai_agent", "offset": 1, "data": {"status": "ready", "data": {}}}),
            json!({"kind": "status", "source": "ai_agent", "offset": 2, "data": {"status": "processing", "data": {"stage": "Interpreting"}}}),
            json!({"kind": "message", "source": "ai_agent", "offset": 3, "data": {"message": "hi", "participant": {"id": "a", "display_name": "A"}}}),
        ] {
            assert_eq!(JourneyActivity::of(&event), None, "{event}");
            assert_eq!(LiveEvent::of(&event).journey, None);
        }
        // A completed turn with no journey: present and empty.
        let none = json!({"kind": "status", "source": "ai_agent", "offset": 4, "data": {"status": "ready", "data": {
            "stage": "completed", "matched_guidelines": [], "matched_journeys": [], "matched_journey_states": []}}});
        assert_eq!(JourneyActivity::of(&none), Some(JourneyActivity::default()));
    }

    #[test]
    fn a_streamed_run_lights_the_open_documents_blocks_in_arrival_order() {
        let block = |id: &str, doc: Option<&str>, state: SimBlockState| SimBlockStream {
            block_id: id.into(),
            name: None,
            chunks: vec!["x".into()],
            state,
            first_ms: 0,
            done_ms: None,
            document_block: doc.map(str::to_string),
        };
        let marks = stream_marks(&[
            block("r1", Some("a"), SimBlockState::Done),
            block("r2", None, SimBlockState::Done),
            block("r3", Some("c"), SimBlockState::Streaming),
        ]);
        let got: Vec<_> = marks
            .blocks
            .iter()
            .map(|m| (m.block.as_str(), m.state, m.order))
            .collect();
        use crate::app::runs::MarkState;
        assert_eq!(
            got,
            vec![
                ("a", MarkState::Ran, Some(1)),
                ("c", MarkState::Running, Some(3))
            ]
        );
    }
}
