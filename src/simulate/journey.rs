//! The journey preview: a conversation session the editor drives step by step, offline and
//! without an LLM. Chat states say their canned response (or their action), tool states call
//! mocked tools and move on, and transitions are chosen by the explainable matcher — keywords,
//! and with the sentence-embedding model installed, paraphrase understanding
//! ([`super::understand`]) — or forced by the designer. The session walks a journey at the pace
//! of Parlant 3.3.2's engine (see [`super::pacing`]): it stays on a step until it is complete,
//! skips steps the customer already answered, goes back when an earlier answer changes, exits on
//! abandon and on the message after the last step, resumes, and runs at most 3 tool rounds per
//! message. Every step returns the events the chat panel renders; the whole state is a
//! serialisable [`Snapshot`] the UI can hold between IPC calls.

use super::embed::{self, Embedder, Vector};
use super::matcher::{Matcher, Score, Terms, THRESHOLD, TIE_EPSILON, TOOL_THRESHOLD};
use super::mocks::{MockResult, Mocks};
use super::pacing::{self, Pace};
use super::understand::{self, judge, Judged, MatcherKind, Message, Prototype, Slot};
use crate::error::{Error, Result};
use crate::graph::GraphView;
use crate::json::excerpt;
use crate::parlant::{JourneyDocument, NodeKind, END_NODE_ID};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

/// How many steps `back` can undo.
pub const MAX_BACK_STEPS: usize = 50;
/// Bounds on what a snapshot may hold (it comes from the UI, so it is input).
pub const MAX_SNAPSHOT_ENTRIES: usize = 1_000_000;
/// A tool's call counter in a snapshot may be at most this.
pub const MAX_TOOL_CALLS: usize = 1_000_000_000;
/// An earlier step's other transition must beat the current step's best score by this much for
/// the session to go back (Parlant backtracks only when the customer changed an earlier answer).
pub const BACKTRACK_MARGIN: f64 = 0.15;
/// A reply's best transition below the threshold is still taken when it scores at least this...
pub const RELATIVE_FLOOR: f64 = 0.15;
/// ... and beats every other transition of the step by this much.
pub const RELATIVE_MARGIN: f64 = 0.1;
/// Backtracking looks at most this many earlier steps, within the last `LOOKBACK_PATH` path entries.
pub const LOOKBACK_STEPS: usize = 20;
pub const LOOKBACK_PATH: usize = 200;
/// A step counts as answered by at most this many of the latest customer messages, found within
/// the last `LOOKBACK_TRANSCRIPT` transcript entries.
pub const LOOKBACK_MESSAGES: usize = 10;
pub const LOOKBACK_TRANSCRIPT: usize = 200;

fn default_threshold() -> f64 {
    THRESHOLD
}
fn default_max_skip() -> usize {
    3
}
fn default_max_tool_rounds() -> usize {
    3
}
fn default_true() -> bool {
    true
}

/// Which matcher a session asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MatcherSetting {
    /// The paraphrase matcher when the model is installed, otherwise keywords (and the events say so).
    #[default]
    Auto,
    /// Keywords only, even with the model installed.
    Keywords,
}

/// A session's settings; every field has a default, so `{}` is valid JSON for them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct SessionOptions {
    #[serde(default)]
    pub matcher: MatcherSetting,
    /// A conditional transition is taken when its score (0..1) reaches this (default 0.5).
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Walk at Parlant's pace (default). Off: any reply moves on, as a plain state machine.
    #[serde(default = "default_true")]
    pub parlant_pace: bool,
    /// Steps the customer already answered that one message may skip (Parlant: 3).
    #[serde(default = "default_max_skip")]
    pub max_skip: usize,
    /// Tool rounds one message may run (Parlant's `max_engine_iterations`: 3).
    #[serde(default = "default_max_tool_rounds")]
    pub max_tool_rounds: usize,
    /// Start inactive and wait for a message matching one of the journey's conditions.
    #[serde(default)]
    pub wait_for_activation: bool,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            matcher: MatcherSetting::Auto,
            threshold: THRESHOLD,
            parlant_pace: true,
            max_skip: 3,
            max_tool_rounds: 3,
            wait_for_activation: false,
        }
    }
}

impl SessionOptions {
    /// Checks the bounds of every number.
    pub fn check(&self) -> Result<()> {
        if !(self.threshold.is_finite() && (0.0..=1.0).contains(&self.threshold)) {
            return Err(Error::Simulation(format!(
                "options.threshold is {}; it must be between 0 and 1",
                self.threshold
            )));
        }
        if self.max_skip > 20 {
            return Err(Error::Simulation(format!(
                "options.max_skip is {}; at most 20",
                self.max_skip
            )));
        }
        if self.max_tool_rounds == 0 || self.max_tool_rounds > 100 {
            return Err(Error::Simulation(format!(
                "options.max_tool_rounds is {}; it must be 1..=100",
                self.max_tool_rounds
            )));
        }
        Ok(())
    }
}

/// One thing that happened in a step, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// Which matcher the session runs, and why (the first event of `start`).
    Matcher {
        matcher: MatcherKind,
        detail: String,
    },
    CustomerMessage {
        text: String,
    },
    AgentMessage {
        state: String,
        text: String,
        canned: bool,
    },
    ToolCall {
        state: String,
        tool: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        output: Option<Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        error: Option<String>,
        mocked: bool,
    },
    /// A transition was taken. `condition` is the edge's condition (none when unconditional).
    Transition {
        from: String,
        to: String,
        edge: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        condition: Option<String>,
        score: f64,
        reason: String,
        forced: bool,
        candidates: Vec<Candidate>,
    },
    /// Several edges scored the same best score; the first in document order was taken.
    Tie {
        state: String,
        edges: Vec<String>,
        score: f64,
        chosen: String,
    },
    /// No edge out of the state matched; the session waits there for the next message.
    NoMatch {
        state: String,
        candidates: Vec<Candidate>,
    },
    /// A decision of Parlant's pace: stayed, skipped, went back, exited, resumed, ... with the
    /// reason and the Parlant source the rule follows.
    Pacing {
        decision: Pace,
        state: String,
        reason: String,
        rule: String,
    },
    End {
        state: String,
    },
}

/// One outgoing edge as the matcher saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Candidate {
    pub edge: String,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub condition: Option<String>,
    pub score: f64,
    pub reason: String,
    /// The keyword matcher's score alone.
    #[serde(default)]
    pub keyword: f64,
    /// The paraphrase matcher's score alone (none without the model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub semantic: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptEntry {
    pub role: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// Everything a session knows, without its history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// The state the session is in; none before `start`.
    pub current: Option<String>,
    pub ended: bool,
    pub variables: IndexMap<String, Value>,
    pub transcript: Vec<TranscriptEntry>,
    /// States entered, in order (the root, skipped states and `end` included).
    pub path: Vec<String>,
    pub last_customer_message: Option<String>,
    /// Calls made per tool, so a mock with several outputs answers each call in turn.
    pub tool_calls: BTreeMap<String, usize>,
    /// The current state is the journey's last step: the next message exits (Parlant).
    #[serde(default)]
    pub last_step: bool,
    /// The journey is not active yet: it waits for a message matching its conditions.
    #[serde(default)]
    pub inactive: bool,
    /// Transcript index where the journey's latest activation began (its messages count as answers).
    #[serde(default)]
    pub journey_from: usize,
    /// Transcript index where the current step was asked.
    #[serde(default)]
    pub asked_from: usize,
    /// The last tool results as evidence text, when the session paused at a tool state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_evidence: Option<String>,
}

/// Where `back` returns to. The transcript and path only grow within a step, so a checkpoint
/// keeps their lengths instead of copies: a step costs the same on turn 10 and turn 10,000.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub current: Option<String>,
    pub ended: bool,
    pub variables: IndexMap<String, Value>,
    pub last_customer_message: Option<String>,
    pub tool_calls: BTreeMap<String, usize>,
    pub transcript_len: usize,
    pub path_len: usize,
    #[serde(default)]
    pub last_step: bool,
    #[serde(default)]
    pub inactive: bool,
    #[serde(default)]
    pub journey_from: usize,
    #[serde(default)]
    pub asked_from: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_evidence: Option<String>,
}

impl Position {
    fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            current: self.current.clone(),
            ended: self.ended,
            variables: self.variables.clone(),
            last_customer_message: self.last_customer_message.clone(),
            tool_calls: self.tool_calls.clone(),
            transcript_len: self.transcript.len(),
            path_len: self.path.len(),
            last_step: self.last_step,
            inactive: self.inactive,
            journey_from: self.journey_from,
            asked_from: self.asked_from,
            tool_evidence: self.tool_evidence.clone(),
        }
    }

    fn rewind(&mut self, to: Checkpoint) {
        self.current = to.current;
        self.ended = to.ended;
        self.variables = to.variables;
        self.last_customer_message = to.last_customer_message;
        self.tool_calls = to.tool_calls;
        self.transcript.truncate(to.transcript_len);
        self.path.truncate(to.path_len);
        self.last_step = to.last_step;
        self.inactive = to.inactive;
        self.journey_from = to.journey_from;
        self.asked_from = to.asked_from;
        self.tool_evidence = to.tool_evidence;
    }
}

/// A session's whole state: where it is and the checkpoints `back` returns to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub position: Position,
    pub history: Vec<Checkpoint>,
}

#[derive(Debug, Clone)]
struct EdgeInfo {
    id: String,
    target: String,
    condition: Option<String>,
    terms: Option<Vec<Terms>>,
    /// Condition (and its customer-words form) and the designer's examples, embedded.
    prototypes: Prototypes,
}

/// A transition's prototypes, embedded the first time the transition is weighed (a session
/// touches a few states of a big journey; embedding them all at start took minutes at 100,000
/// states). Shared by the clones of the edge; `Err` says why the model could not embed them.
#[derive(Debug, Clone, Default)]
struct Prototypes {
    texts: Arc<[(String, understand::Origin)]>,
    embedded: Arc<OnceLock<std::result::Result<Vec<Prototype>, String>>>,
}

impl Prototypes {
    fn of(texts: Vec<(String, understand::Origin)>) -> Prototypes {
        Prototypes {
            texts: texts.into(),
            embedded: Arc::default(),
        }
    }

    fn ready(protos: Vec<Prototype>) -> Prototypes {
        let embedded = OnceLock::new();
        let _ = embedded.set(Ok(protos));
        Prototypes {
            texts: Arc::from(Vec::new()),
            embedded: Arc::new(embedded),
        }
    }

    fn pending(&self) -> bool {
        !self.texts.is_empty() && self.embedded.get().is_none()
    }
}

#[derive(Debug, Clone)]
struct NodeInfo {
    kind: NodeKind,
    action: Option<String>,
    canned: Option<String>,
    tools: Vec<(String, String)>,
    out: Vec<EdgeInfo>,
    /// The step asks the customer for something (Parlant: CUSTOMER DEPENDENT).
    customer_dependent: bool,
    /// The agent must say something for the step to be done (Parlant: REQUIRES AGENT ACTION).
    agent_dependent: bool,
    slots: Vec<Slot>,
    /// The action asks for one of its slots ("the order number or the email address").
    slots_any: bool,
}

/// A journey prepared for simulation: nodes indexed, conditions reduced to keywords and
/// (with the model) embedded, once per session.
#[derive(Debug, Clone)]
pub struct JourneyModel {
    root: String,
    nodes: HashMap<String, NodeInfo>,
    initial_variables: IndexMap<String, Value>,
    matcher: Matcher,
    /// The journey's activation conditions, as pseudo-edges to the root.
    conditions: Vec<EdgeInfo>,
    abandon: Vec<Prototype>,
    embedder: Option<Arc<Embedder>>,
    kind: MatcherKind,
    matcher_detail: String,
}

/// Example customer messages a designer attached to a transition (`metadata.examples`).
pub fn edge_examples(edge: &crate::parlant::JourneyEdge) -> Vec<String> {
    match edge.meta("examples") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .take(100)
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

impl JourneyModel {
    /// Embeds the prototypes of the transitions not embedded yet, in one batch (the process
    /// cache keeps texts seen before). A failure is kept per transition: it is weighed by
    /// keywords and its reason says why.
    fn embed_pending(&self, edges: &[EdgeInfo]) {
        let Some(embedder) = &self.embedder else {
            return;
        };
        let pending: Vec<&EdgeInfo> = edges.iter().filter(|e| e.prototypes.pending()).collect();
        if pending.is_empty() {
            return;
        }
        let texts: Vec<(String, understand::Origin)> = pending
            .iter()
            .flat_map(|e| e.prototypes.texts.iter().cloned())
            .collect();
        match understand::embed_prototypes(embedder, &self.matcher, &texts) {
            Ok(protos) => {
                let mut at = 0;
                for e in pending {
                    let len = e.prototypes.texts.len();
                    let _ = e.prototypes.embedded.set(Ok(protos[at..at + len].to_vec()));
                    at += len;
                }
            }
            Err(why) => {
                for e in pending {
                    let _ = e.prototypes.embedded.set(Err(why.clone()));
                }
            }
        }
    }

    pub fn new(doc: &JourneyDocument, mocks: &Mocks) -> Result<JourneyModel> {
        JourneyModel::with_options(doc, mocks, &SessionOptions::default())
    }

    pub fn with_options(
        doc: &JourneyDocument,
        mocks: &Mocks,
        options: &SessionOptions,
    ) -> Result<JourneyModel> {
        options.check()?;
        let matcher = Matcher::new(&mocks.synonyms);
        let graph = GraphView::of_journey(doc);
        if let Some(&i) = graph.dangling.first() {
            let e = &doc.edges[i];
            let end = if doc.node(&e.source).is_none() && e.source != END_NODE_ID {
                "source"
            } else {
                "target"
            };
            return Err(Error::Simulation(format!(
                "edges[{i}].{end}: edge `{}` goes from `{}` to `{}`, but `{}` is not a state of the journey",
                excerpt(&e.id),
                excerpt(&e.source),
                excerpt(&e.target),
                excerpt(if end == "source" { &e.source } else { &e.target })
            )));
        }
        if doc.node(&doc.journey.root_id).is_none() {
            return Err(Error::Simulation(format!(
                "journey.root_id: the journey's root `{}` is not one of its states",
                excerpt(&doc.journey.root_id)
            )));
        }
        let (embedder, kind, matcher_detail) = match options.matcher {
            MatcherSetting::Keywords => (
                None,
                MatcherKind::Keywords,
                "keywords: chosen in the session's options".to_string(),
            ),
            MatcherSetting::Auto => match embed::shared() {
                Ok(e) => {
                    let detail = format!(
                        "paraphrase: {} sentence embeddings ({:.0} MB, loaded in {} ms) with keywords, negation and entities",
                        e.info().name,
                        e.info().bytes as f64 / 1e6,
                        e.info().load_time.as_millis()
                    );
                    (Some(e), MatcherKind::Paraphrase, detail)
                }
                Err(why) => (None, MatcherKind::Keywords, format!("keywords only: {why}")),
            },
        };
        // The journey's conditions and the abandon phrases are embedded now (batched, cached
        // process-wide); each state's transitions when the session first weighs them.
        let mut texts: Vec<(String, understand::Origin)> = Vec::new();
        let mut nodes = HashMap::new();
        let mut pending: Vec<(String, NodeInfo)> = Vec::new();
        for node in &doc.nodes {
            let kind = doc.kind_of(&node.id).unwrap_or(NodeKind::Chat);
            let mut out = Vec::new();
            for e in graph
                .out_edges(&node.id)
                .into_iter()
                .filter_map(|i| doc.edges.get(i))
            {
                let condition = e.condition_text().map(str::to_string);
                let terms = condition.as_deref().map(|c| matcher.alternatives(c));
                let prototypes = match (&condition, &embedder) {
                    (Some(c), Some(_)) => {
                        Prototypes::of(understand::prototype_texts(c, &edge_examples(e)))
                    }
                    _ => Prototypes::default(),
                };
                out.push(EdgeInfo {
                    id: e.id.clone(),
                    target: e.target.clone(),
                    condition,
                    terms,
                    prototypes,
                });
            }
            let canned = node
                .meta("canned_response")
                .and_then(Value::as_str)
                .map(str::to_string);
            let tools = node
                .tool_ids()
                .iter()
                .map(|t| (t.service_name.clone(), t.tool_name.clone()))
                .collect();
            let action = node.action_text().map(str::to_string);
            let (customer_dependent, agent_dependent) = pacing::dependence(
                &kind,
                action.as_deref(),
                node.meta("customer_dependent_action_data"),
            );
            let slots = action
                .as_deref()
                .map(understand::requested_slots)
                .unwrap_or_default();
            let slots_any = slots.len() > 1
                && action
                    .as_deref()
                    .is_some_and(|a| a.to_lowercase().contains(" or "));
            pending.push((
                node.id.clone(),
                NodeInfo {
                    kind,
                    action,
                    canned,
                    tools,
                    out,
                    customer_dependent,
                    agent_dependent,
                    slots,
                    slots_any,
                },
            ));
        }
        let mut conditions: Vec<EdgeInfo> = doc
            .journey
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| EdgeInfo {
                id: format!("journey.conditions[{i}]"),
                target: doc.journey.root_id.clone(),
                condition: Some(c.clone()),
                terms: Some(matcher.alternatives(c)),
                prototypes: Prototypes::default(),
            })
            .collect();
        let condition_start = texts.len();
        if embedder.is_some() {
            for c in &doc.journey.conditions {
                texts.extend(understand::prototype_texts(c, &[]));
            }
        }
        let abandon_start = texts.len();
        if embedder.is_some() {
            texts.extend(
                understand::ABANDON_PROTOTYPES
                    .iter()
                    .map(|t| (t.to_string(), understand::Origin::Example)),
            );
        }
        let mut abandon = Vec::new();
        if let Some(e) = &embedder {
            let protos = understand::embed_prototypes(e, &matcher, &texts)
                .map_err(|why| Error::Simulation(format!("the paraphrase matcher: {why}")))?;
            let mut at = condition_start;
            for (c, edge) in doc.journey.conditions.iter().zip(conditions.iter_mut()) {
                let len = understand::prototype_texts(c, &[]).len();
                edge.prototypes = Prototypes::ready(protos[at..at + len].to_vec());
                at += len;
            }
            abandon = protos[abandon_start..].to_vec();
        }
        for (id, info) in pending {
            nodes.insert(id, info);
        }
        let initial_variables = doc
            .context_variables()
            .iter()
            .map(|v| {
                (
                    v.name.clone(),
                    v.value.get().cloned().unwrap_or(Value::Null),
                )
            })
            .collect();
        Ok(JourneyModel {
            root: doc.journey.root_id.clone(),
            nodes,
            initial_variables,
            matcher,
            conditions,
            abandon,
            embedder,
            kind,
            matcher_detail,
        })
    }

    pub fn state_count(&self) -> usize {
        self.nodes.len()
    }

    /// The matcher this model runs and why.
    pub fn matcher_kind(&self) -> (MatcherKind, &str) {
        (self.kind, &self.matcher_detail)
    }
}

/// A running preview of one journey. Owns all its data (`Send + 'static`): the app keeps
/// sessions between turns.
#[derive(Debug, Clone)]
pub struct Session {
    model: JourneyModel,
    mocks: Mocks,
    options: SessionOptions,
    /// Context variables the scenario sets over the journey's preview values.
    context: IndexMap<String, Value>,
    /// The customer message that activated the journey, known from the root on.
    opening: Option<String>,
    state: Snapshot,
    /// Embeddings of this session's recent customer messages: each is embedded once.
    seen: SeenMessages,
}

/// The session's cache of message embeddings (a lock, so a session stays `Send + Sync`): the
/// latest [`SEEN_MESSAGES`], oldest dropped first — the recent messages a turn looks back at
/// (skipping answered steps reads the last [`LOOKBACK_MESSAGES`]) are always there.
#[derive(Debug, Default)]
struct SeenMessages(std::sync::Mutex<Seen>);

#[derive(Debug, Default, Clone)]
struct Seen {
    vectors: HashMap<String, Vector>,
    order: std::collections::VecDeque<String>,
}

impl Seen {
    fn get(&self, text: &str) -> Option<Vector> {
        self.vectors.get(text).cloned()
    }

    fn insert(&mut self, text: &str, vector: Vector) {
        if self.vectors.insert(text.to_string(), vector).is_none() {
            self.order.push_back(text.to_string());
        }
        while self.order.len() > SEEN_MESSAGES {
            if let Some(old) = self.order.pop_front() {
                self.vectors.remove(&old);
            }
        }
    }
}

impl Clone for SeenMessages {
    fn clone(&self) -> Self {
        SeenMessages(std::sync::Mutex::new(
            self.0.lock().map(|m| m.clone()).unwrap_or_default(),
        ))
    }
}

/// The session keeps at most this many message embeddings (more than the messages a turn reads).
const SEEN_MESSAGES: usize = 64;
const _: () = assert!(SEEN_MESSAGES > LOOKBACK_MESSAGES);

/// A transition about to be taken, with why.
#[derive(Clone)]
struct Chosen {
    edge: EdgeInfo,
    score: f64,
    reason: String,
    candidates: Vec<Candidate>,
    tie: Option<Vec<String>>,
}

/// How a transition was decided.
enum Decision {
    Take(Chosen),
    None { candidates: Vec<Candidate> },
}

/// What one call (`start`, `send`, `choose`) carries while it walks.
struct Turn {
    message: Option<Message>,
    tool_rounds: usize,
    skips: usize,
}

/// A customer-facing step's decision: its own transitions, or — when its only way on is an
/// unconditional transition into a fork whose transitions are all conditional — the fork's.
struct Decisions {
    /// The fork passed through, if any.
    via: Option<(EdgeInfo, String)>,
    edges: Vec<EdgeInfo>,
    /// An unconditional transition to take once the step is complete.
    fallback: Option<EdgeInfo>,
}

impl Session {
    pub fn new(doc: &JourneyDocument, mocks: Mocks) -> Result<Session> {
        Session::with_options(doc, mocks, SessionOptions::default())
    }

    pub fn with_options(
        doc: &JourneyDocument,
        mocks: Mocks,
        options: SessionOptions,
    ) -> Result<Session> {
        let model = JourneyModel::with_options(doc, &mocks, &options)?;
        Ok(Session {
            model,
            mocks,
            options,
            context: IndexMap::new(),
            opening: None,
            state: Snapshot::default(),
            seen: Default::default(),
        })
    }

    pub fn from_model(model: JourneyModel, mocks: Mocks) -> Session {
        Session {
            model,
            mocks,
            options: SessionOptions::default(),
            context: IndexMap::new(),
            opening: None,
            state: Snapshot::default(),
            seen: Default::default(),
        }
    }

    pub fn options(&self) -> &SessionOptions {
        &self.options
    }

    /// The matcher the session runs and why (paraphrase, or keywords with the reason).
    pub fn matcher(&self) -> (MatcherKind, &str) {
        self.model.matcher_kind()
    }

    /// Sets context variables (over the journey's preview values) for the next `start`.
    pub fn set_context(&mut self, context: IndexMap<String, Value>) {
        self.context = context;
    }

    /// The customer message that activated the journey (Parlant activates a journey on a
    /// message matching its conditions): from the next `start`, the root, forks and tool states
    /// before the first chat state can decide on it.
    pub fn set_opening_message(&mut self, text: Option<String>) {
        self.opening = text;
    }

    pub fn snapshot(&self) -> Snapshot {
        self.state.clone()
    }

    /// Puts the session back in a state taken by `snapshot` (for this journey). Everything in it
    /// is checked and bounded; an error names where (`history[3].current`).
    pub fn restore(&mut self, snapshot: Snapshot) -> Result<()> {
        let bad =
            |at: String, what: String| Err(Error::Simulation(format!("snapshot.{at}: {what}")));
        let p = &snapshot.position;
        if snapshot.history.len() > MAX_BACK_STEPS {
            return bad(
                "history".into(),
                format!(
                    "{} checkpoints; at most {MAX_BACK_STEPS}",
                    snapshot.history.len()
                ),
            );
        }
        if p.transcript.len() > MAX_SNAPSHOT_ENTRIES || p.path.len() > MAX_SNAPSHOT_ENTRIES {
            return bad(
                "position".into(),
                format!("the transcript or path has more than {MAX_SNAPSHOT_ENTRIES} entries"),
            );
        }
        let known = |s: &str| s == END_NODE_ID || self.model.nodes.contains_key(s);
        type Place<'a> = (
            String,
            &'a Option<String>,
            &'a BTreeMap<String, usize>,
            usize,
            usize,
            usize,
            usize,
        );
        let mut places: Vec<Place> = vec![(
            "position".into(),
            &p.current,
            &p.tool_calls,
            p.transcript.len(),
            p.path.len(),
            p.journey_from,
            p.asked_from,
        )];
        for (i, c) in snapshot.history.iter().enumerate() {
            places.push((
                format!("history[{i}]"),
                &c.current,
                &c.tool_calls,
                c.transcript_len,
                c.path_len,
                c.journey_from,
                c.asked_from,
            ));
        }
        for (at, current, calls, transcript_len, path_len, journey_from, asked_from) in places {
            if let Some(current) = current {
                if !known(current) {
                    return bad(format!("{at}.current"), format!("the snapshot is at state `{current}`, which this journey does not have"));
                }
            }
            if let Some((tool, n)) = calls.iter().find(|(_, n)| **n > MAX_TOOL_CALLS) {
                return bad(
                    format!("{at}.tool_calls[\"{tool}\"]"),
                    format!("{n} calls; at most {MAX_TOOL_CALLS}"),
                );
            }
            if transcript_len > p.transcript.len() {
                return bad(
                    format!("{at}.transcript_len"),
                    format!(
                        "{transcript_len} is past the transcript's {} entries",
                        p.transcript.len()
                    ),
                );
            }
            if path_len > p.path.len() {
                return bad(
                    format!("{at}.path_len"),
                    format!("{path_len} is past the path's {} entries", p.path.len()),
                );
            }
            if journey_from > transcript_len || asked_from > transcript_len {
                return bad(format!("{at}.journey_from"), format!("points past the transcript ({journey_from} / {asked_from} of {transcript_len})"));
            }
        }
        if let Some(i) = p.path.iter().position(|s| !known(s)) {
            return bad(
                format!("position.path[{i}]"),
                format!("`{}` is not a state of this journey", p.path[i]),
            );
        }
        self.state = snapshot;
        Ok(())
    }

    pub fn position(&self) -> &Position {
        &self.state.position
    }

    pub fn current(&self) -> Option<&str> {
        self.state.position.current.as_deref()
    }

    pub fn ended(&self) -> bool {
        self.state.position.ended
    }

    fn matcher_event(&self) -> Event {
        Event::Matcher {
            matcher: self.model.kind,
            detail: self.model.matcher_detail.clone(),
        }
    }

    /// Begins (or begins again) at the root and runs until the agent waits for the customer.
    pub fn start(&mut self) -> Result<Vec<Event>> {
        let mut variables = self.model.initial_variables.clone();
        variables.extend(self.context.clone());
        self.state = Snapshot {
            position: Position {
                variables,
                ..Position::default()
            },
            history: Vec::new(),
        };
        let root = self.model.root.clone();
        let mut events = vec![self.matcher_event()];
        let mut turn = Turn {
            message: None,
            tool_rounds: 0,
            skips: 0,
        };
        if let Some(text) = self.opening.clone() {
            let p = &mut self.state.position;
            p.last_customer_message = Some(text.clone());
            p.transcript.push(TranscriptEntry {
                role: "customer".into(),
                text: text.clone(),
                state: Some(root.clone()),
            });
            events.push(Event::CustomerMessage { text: text.clone() });
            if self.options.parlant_pace {
                turn.message = Some(self.message(&text)?);
                events.push(pace(
                    Pace::Activated,
                    &root,
                    "the opening message activated the journey".into(),
                    pacing::RULE_ACTIVATION,
                ));
            }
        } else if self.options.wait_for_activation {
            let p = &mut self.state.position;
            p.current = Some(root.clone());
            p.inactive = true;
            events.push(pace(
                Pace::NotActivated,
                &root,
                "the journey waits for a customer message that matches one of its conditions"
                    .into(),
                pacing::RULE_ACTIVATION,
            ));
            return Ok(events);
        }
        self.transactional(|s| s.enter(&root, &mut turn, &mut events))?;
        Ok(events)
    }

    pub fn restart(&mut self) -> Result<Vec<Event>> {
        self.start()
    }

    fn message(&self, text: &str) -> Result<Message> {
        let vector: Option<Vector> = match &self.model.embedder {
            Some(e) => {
                let known = self.seen.0.lock().ok().and_then(|m| m.get(text));
                match known {
                    Some(v) => Some(v),
                    None => {
                        let v = e.embed(text).map_err(|why| {
                            Error::Simulation(format!("the paraphrase matcher: {why}"))
                        })?;
                        if let Ok(mut seen) = self.seen.0.lock() {
                            seen.insert(text, v.clone());
                        }
                        Some(v)
                    }
                }
            }
            None => None,
        };
        Ok(Message {
            text: text.to_string(),
            terms: self.model.matcher.terms(text),
            vector,
        })
    }

    /// The customer says `text`; the session moves on as far as Parlant's pace allows.
    pub fn send(&mut self, text: &str) -> Result<Vec<Event>> {
        let current = match self.state.position.current.clone() {
            None => {
                return Err(Error::Simulation(
                    "the session has not started: call start first".into(),
                ))
            }
            Some(_) if self.state.position.ended && !self.options.parlant_pace => {
                return Err(Error::Simulation(
                    "the journey has ended: restart to play it again".into(),
                ))
            }
            Some(c) => c,
        };
        let mut events = vec![Event::CustomerMessage {
            text: text.to_string(),
        }];
        let message = self.message(text)?;
        self.transactional(|s| {
            let p = &mut s.state.position;
            p.last_customer_message = Some(text.to_string());
            p.transcript.push(TranscriptEntry {
                role: "customer".into(),
                text: text.to_string(),
                state: Some(current.clone()),
            });
            let mut turn = Turn {
                message: Some(message),
                tool_rounds: 0,
                skips: 0,
            };
            if !s.options.parlant_pace {
                return s.plain_reply(&current, &mut turn, &mut events);
            }
            if s.state.position.inactive {
                return s.activate(&mut turn, &mut events);
            }
            if s.state.position.ended {
                return s.resume(&mut turn, &mut events);
            }
            s.reply(&current, &mut turn, &mut events)
        })?;
        Ok(events)
    }

    /// The designer forces the edge `edge_id` out of the current state.
    pub fn choose(&mut self, edge_id: &str) -> Result<Vec<Event>> {
        let current = self.require_active()?;
        let node = self.node(&current)?;
        let Some(edge) = node.out.iter().find(|e| e.id == edge_id).cloned() else {
            let ids: Vec<&str> = node.out.iter().map(|e| e.id.as_str()).collect();
            return Err(Error::Simulation(format!(
                "edge `{edge_id}` does not leave state `{current}`; its edges are: {}",
                if ids.is_empty() {
                    "(none)".to_string()
                } else {
                    ids.join(", ")
                }
            )));
        };
        let mut events = Vec::new();
        let chosen = Chosen {
            edge,
            score: 1.0,
            reason: "chosen by the designer".into(),
            candidates: Vec::new(),
            tie: None,
        };
        let mut turn = Turn {
            message: None,
            tool_rounds: 0,
            skips: 0,
        };
        self.transactional(|s| {
            s.state.position.last_step = false;
            s.state.position.inactive = false;
            s.take(&current, chosen, true, &mut turn, &mut events)
        })?;
        Ok(events)
    }

    /// The designer puts a started session at `state`, as a fresh conversation that has just
    /// reached it (variables kept; transcript, path and `back` history start over). A chat state
    /// says its action and waits; tool and fork states move on.
    pub fn enter_state(&mut self, state: &str) -> Result<Vec<Event>> {
        if self.state.position.current.is_none() {
            return Err(Error::Simulation(
                "the session has not started: call start first".into(),
            ));
        }
        if state != END_NODE_ID && !self.model.nodes.contains_key(state) {
            return Err(Error::Simulation(format!(
                "state `{state}` is not in the journey"
            )));
        }
        let before = self.state.clone();
        let variables = self.state.position.variables.clone();
        self.state = Snapshot {
            position: Position {
                variables,
                ..Position::default()
            },
            history: Vec::new(),
        };
        let mut events = Vec::new();
        let mut turn = Turn {
            message: None,
            tool_rounds: 0,
            skips: 0,
        };
        if let Err(e) = self.enter(state, &mut turn, &mut events) {
            self.state = before;
            return Err(e);
        }
        Ok(events)
    }

    /// Undoes the last step (`send`, `choose`); false when there is nothing to undo.
    pub fn back(&mut self) -> bool {
        match self.state.history.pop() {
            Some(previous) => {
                self.state.position.rewind(previous);
                true
            }
            None => false,
        }
    }

    fn require_active(&self) -> Result<String> {
        let p = &self.state.position;
        match &p.current {
            None => Err(Error::Simulation(
                "the session has not started: call start first".into(),
            )),
            Some(_) if p.ended => Err(Error::Simulation(
                "the journey has ended: restart to play it again".into(),
            )),
            Some(current) => Ok(current.clone()),
        }
    }

    /// Runs a step; on error the session stays where it was. A successful step can be undone.
    fn transactional(&mut self, step: impl FnOnce(&mut Session) -> Result<()>) -> Result<()> {
        let before = self.state.position.checkpoint();
        match step(self) {
            Ok(()) => {
                if before.current.is_some() {
                    self.state.history.push(before);
                    if self.state.history.len() > MAX_BACK_STEPS {
                        self.state
                            .history
                            .drain(..self.state.history.len() - MAX_BACK_STEPS);
                    }
                }
                Ok(())
            }
            Err(e) => {
                self.state.position.rewind(before);
                Err(e)
            }
        }
    }

    fn node(&self, id: &str) -> Result<&NodeInfo> {
        self.model
            .nodes
            .get(id)
            .ok_or_else(|| Error::Simulation(format!("state `{id}` is not in the journey")))
    }

    fn take(
        &mut self,
        from: &str,
        chosen: Chosen,
        forced: bool,
        turn: &mut Turn,
        events: &mut Vec<Event>,
    ) -> Result<()> {
        let target = announce(from, chosen, forced, events);
        self.enter(&target, turn, events)
    }

    /// The reply without Parlant's pace: the message decides the current state's transition,
    /// or the session waits (an unconditional way out is always taken).
    fn plain_reply(
        &mut self,
        current: &str,
        turn: &mut Turn,
        events: &mut Vec<Event>,
    ) -> Result<()> {
        let message = turn.message.clone();
        match self.decide(current, message.as_ref(), &[]) {
            Decision::Take(chosen) => self.take(current, chosen, false, turn, events),
            Decision::None { candidates } => {
                events.push(Event::NoMatch {
                    state: current.to_string(),
                    candidates,
                });
                Ok(())
            }
        }
    }

    /// An inactive journey: does this message match one of its conditions?
    fn activate(&mut self, turn: &mut Turn, events: &mut Vec<Event>) -> Result<()> {
        let root = self.model.root.clone();
        let Some(message) = turn.message.clone() else {
            return Ok(());
        };
        let best = self
            .model
            .conditions
            .iter()
            .map(|c| (c, self.judge(c, &message)))
            .max_by(|a, b| a.1.score.total_cmp(&b.1.score));
        match best {
            Some((c, j)) if j.score >= self.options.threshold => {
                let p = &mut self.state.position;
                p.inactive = false;
                p.journey_from = p.transcript.len().saturating_sub(1);
                events.push(pace(
                    Pace::Activated,
                    &root,
                    format!(
                        "\"{}\" scored {:.2} ({})",
                        c.condition.as_deref().unwrap_or(""),
                        j.score,
                        j.reason
                    ),
                    pacing::RULE_ACTIVATION,
                ));
                self.enter(&root, turn, events)
            }
            other => {
                let why = match other {
                    Some((c, j)) => format!(
                        "no condition of the journey matches; the closest, \"{}\", scored {:.2} (below {:.2})",
                        c.condition.as_deref().unwrap_or(""),
                        j.score,
                        self.options.threshold
                    ),
                    None => "the journey has no conditions, so no message activates it".into(),
                };
                events.push(pace(
                    Pace::NotActivated,
                    &root,
                    why,
                    pacing::RULE_ACTIVATION,
                ));
                Ok(())
            }
        }
    }

    /// After the journey exited: a message about one of its earlier steps, or matching its
    /// conditions again, resumes it (Parlant's backtrack check on a path ending in None).
    fn resume(&mut self, turn: &mut Turn, events: &mut Vec<Event>) -> Result<()> {
        let Some(message) = turn.message.clone() else {
            return Ok(());
        };
        let end = END_NODE_ID.to_string();
        if let Some((state, decisions, chosen)) = self.backtrack_target(&message, None) {
            let p = &mut self.state.position;
            p.ended = false;
            p.last_step = false;
            events.push(pace(
                Pace::Resumed,
                &state,
                format!(
                    "the customer came back to an earlier step: {}",
                    chosen.reason
                ),
                pacing::RULE_BACKTRACK,
            ));
            p.path.push(state.clone());
            p.current = Some(state.clone());
            return self.take_decision(&state, &decisions, chosen, turn, events);
        }
        let best = self
            .model
            .conditions
            .iter()
            .map(|c| (c, self.judge(c, &message)))
            .max_by(|a, b| a.1.score.total_cmp(&b.1.score));
        if let Some((c, j)) = best.filter(|(_, j)| j.score >= self.options.threshold) {
            let root = self.model.root.clone();
            let p = &mut self.state.position;
            p.ended = false;
            p.last_step = false;
            p.journey_from = p.transcript.len().saturating_sub(1);
            events.push(pace(
                Pace::Resumed,
                &root,
                format!(
                    "the journey's condition \"{}\" matches again ({:.2}): it starts over for the new request",
                    c.condition.as_deref().unwrap_or(""),
                    j.score
                ),
                pacing::RULE_BACKTRACK,
            ));
            return self.enter(&root, turn, events);
        }
        events.push(pace(
            Pace::Exited,
            &end,
            "the journey has exited; this message neither changes an earlier answer nor matches its conditions".into(),
            pacing::RULE_BACKTRACK,
        ));
        Ok(())
    }

    /// A reply at a waiting state, at Parlant's pace.
    fn reply(&mut self, current: &str, turn: &mut Turn, events: &mut Vec<Event>) -> Result<()> {
        let Some(message) = turn.message.clone() else {
            return Ok(());
        };
        let node = self.node(current)?.clone();
        // Paused after the tool rounds of the last message: the tool step is complete; its results
        // (then the message) decide.
        if node.kind == NodeKind::Tool {
            let evidence = self.state.position.tool_evidence.take().unwrap_or_default();
            let tool_terms = self.model.matcher.terms(&evidence);
            let evidence = [
                ("the tool results", tool_terms, TOOL_THRESHOLD),
                ("the customer's message", message.terms.clone(), THRESHOLD),
            ];
            return match self.decide(current, None, &evidence) {
                Decision::Take(chosen) => self.take(current, chosen, false, turn, events),
                Decision::None { candidates } => {
                    events.push(Event::NoMatch {
                        state: current.to_string(),
                        candidates,
                    });
                    Ok(())
                }
            };
        }
        let decisions = self.decisions(current);
        let judged = self.judge_all(&decisions.edges, &message);
        let best = judged.iter().map(|(_, j)| j.score).fold(0.0, f64::max);
        // Backtracking: the customer changed an earlier answer (never after a tool step).
        if let Some((state, back, chosen)) = self.backtrack_target(&message, Some(current)) {
            if chosen.score >= best + BACKTRACK_MARGIN {
                events.push(pace(
                    Pace::WentBack,
                    &state,
                    format!("the customer changed an earlier answer ({:.2} against {:.2} for this step's transitions): {}", chosen.score, best, chosen.reason),
                    pacing::RULE_BACKTRACK,
                ));
                let p = &mut self.state.position;
                p.last_step = false;
                p.path.push(state.clone());
                p.current = Some(state.clone());
                return self.take_decision(&state, &back, chosen, turn, events);
            }
        }
        // The last step was done: the journey exits on this message.
        if self.state.position.last_step {
            self.state.position.last_step = false;
            events.push(pace(
                Pace::Exited,
                current,
                "the last step was done, so the journey exits on the next message".into(),
                pacing::RULE_EXIT_AFTER_LAST,
            ));
            return self.enter(END_NODE_ID, turn, events);
        }
        if let Some(chosen) = self.choose_from(&decisions, &judged, Some(&message)) {
            return self.take_decision(current, &decisions, chosen, turn, events);
        }
        // No transition matched: has the customer given up the journey?
        if let Some(why) = self.abandons(&message) {
            // A transition to the end is the journey's own way out: take the best such one.
            let to_end = judged
                .iter()
                .filter(|(e, _)| e.target == END_NODE_ID)
                .max_by(|a, b| a.1.score.total_cmp(&b.1.score));
            if let Some((edge, j)) = to_end {
                let chosen = Chosen {
                    edge: edge.clone(),
                    score: j.score,
                    reason: format!(
                        "the customer gave up ({why}); this transition leads to the end: {}",
                        j.reason
                    ),
                    candidates: self.candidates(&decisions.edges, &judged),
                    tie: None,
                };
                return self.take_decision(current, &decisions, chosen, turn, events);
            }
            events.push(pace(
                Pace::Exited,
                current,
                format!("the customer gave up: {why}"),
                pacing::RULE_EXIT_ON_ABANDON,
            ));
            return self.enter(END_NODE_ID, turn, events);
        }
        // Complete step with an unconditional way on?
        if let Some(fallback) = decisions.fallback.clone() {
            match self.completion(&node, &message) {
                Ok(why) => {
                    let candidates = self.candidates(&decisions.edges, &judged);
                    let chosen = Chosen {
                        edge: fallback,
                        score: 1.0,
                        reason: format!("unconditional; the step is complete: {why}"),
                        candidates,
                        tie: None,
                    };
                    return self.take_decision(
                        current,
                        &Decisions {
                            via: None,
                            edges: Vec::new(),
                            fallback: None,
                        },
                        chosen,
                        turn,
                        events,
                    );
                }
                Err(why) => return self.stay(current, &node, why, events),
            }
        }
        let candidates = self.candidates(&decisions.edges, &judged);
        let at = decisions
            .via
            .as_ref()
            .map(|(_, f)| f.clone())
            .unwrap_or_else(|| current.to_string());
        events.push(Event::NoMatch {
            state: at,
            candidates,
        });
        let why = format!(
            "no transition reached {:.2} (best {:.2})",
            self.options.threshold, best
        );
        self.stay(current, &node, why, events)
    }

    /// Stays at the step and asks again.
    fn stay(
        &mut self,
        current: &str,
        node: &NodeInfo,
        why: String,
        events: &mut Vec<Event>,
    ) -> Result<()> {
        events.push(pace(
            Pace::Stayed,
            current,
            format!("the step is not complete: {why}; the agent asks again"),
            pacing::RULE_STAY,
        ));
        let (text, canned) = self.say(node);
        let p = &mut self.state.position;
        p.transcript.push(TranscriptEntry {
            role: "agent".into(),
            text: text.clone(),
            state: Some(current.to_string()),
        });
        events.push(Event::AgentMessage {
            state: current.to_string(),
            text,
            canned,
        });
        Ok(())
    }

    fn say(&self, node: &NodeInfo) -> (String, bool) {
        match &node.canned {
            Some(c) => (fill_template(c, &self.state.position.variables), true),
            None => (node.action.clone().unwrap_or_default(), false),
        }
    }

    /// Is a step with an unconditional way on complete after this reply? Ok(why) or Err(why not).
    fn completion(
        &self,
        node: &NodeInfo,
        message: &Message,
    ) -> std::result::Result<String, String> {
        if !node.customer_dependent {
            return Ok("the agent did what the step says".into());
        }
        if let Some(phrase) = understand::evasive(&message.text) {
            return Err(format!("the reply does not answer (\"{phrase}\")"));
        }
        if node.slots.is_empty() {
            return Ok("the customer answered".into());
        }
        let p = &self.state.position;
        let mut filled: Vec<Slot> = Vec::new();
        let from = p.asked_from.min(p.transcript.len());
        for entry in p.transcript[from..].iter().filter(|t| t.role == "customer") {
            filled.extend(understand::filled_slots(&entry.text));
        }
        let missing: Vec<&str> = node
            .slots
            .iter()
            .filter(|s| !filled.contains(s))
            .map(|s| s.name())
            .collect();
        if node.slots_any && missing.len() < node.slots.len() {
            return Ok(format!(
                "the customer gave {}",
                node.slots
                    .iter()
                    .filter(|s| filled.contains(s))
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ));
        }
        if missing.is_empty() {
            Ok(format!(
                "the customer gave {}",
                node.slots
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ))
        } else {
            Err(format!("still missing {}", missing.join(" and ")))
        }
    }

    /// The transitions a reply at `state` decides between.
    fn decisions(&self, state: &str) -> Decisions {
        let Some(node) = self.model.nodes.get(state) else {
            return Decisions {
                via: None,
                edges: Vec::new(),
                fallback: None,
            };
        };
        let conditional: Vec<EdgeInfo> = node
            .out
            .iter()
            .filter(|e| e.condition.is_some())
            .cloned()
            .collect();
        let unconditional = node.out.iter().find(|e| e.condition.is_none()).cloned();
        if conditional.is_empty() {
            if let Some(u) = &unconditional {
                if let Some(fork) = self
                    .model
                    .nodes
                    .get(&u.target)
                    .filter(|n| n.kind == NodeKind::Fork)
                {
                    if !fork.out.is_empty() && fork.out.iter().all(|e| e.condition.is_some()) {
                        return Decisions {
                            via: Some((u.clone(), u.target.clone())),
                            edges: fork.out.clone(),
                            fallback: None,
                        };
                    }
                }
            }
        }
        Decisions {
            via: None,
            edges: conditional,
            fallback: unconditional,
        }
    }

    fn judge(&self, edge: &EdgeInfo, message: &Message) -> Judged {
        match &edge.terms {
            Some(alts) => {
                self.model.embed_pending(std::slice::from_ref(edge));
                match edge.prototypes.embedded.get() {
                    Some(Err(why)) => {
                        let mut judged = judge(&self.model.matcher, alts, &[], message);
                        judged
                            .reason
                            .push_str(&format!(" (paraphrase unavailable: {why})"));
                        judged
                    }
                    Some(Ok(protos)) => judge(&self.model.matcher, alts, protos, message),
                    None => judge(&self.model.matcher, alts, &[], message),
                }
            }
            None => Judged {
                score: 1.0,
                keyword: 1.0,
                semantic: None,
                reason: "unconditional".into(),
            },
        }
    }

    fn judge_all(&self, edges: &[EdgeInfo], message: &Message) -> Vec<(EdgeInfo, Judged)> {
        // One batch for the step's transitions not embedded yet.
        self.model.embed_pending(edges);
        edges
            .iter()
            .map(|e| (e.clone(), self.judge(e, message)))
            .collect()
    }

    fn candidates(&self, edges: &[EdgeInfo], judged: &[(EdgeInfo, Judged)]) -> Vec<Candidate> {
        edges
            .iter()
            .map(|e| match judged.iter().find(|(x, _)| x.id == e.id) {
                Some((_, j)) => Candidate {
                    edge: e.id.clone(),
                    target: e.target.clone(),
                    condition: e.condition.clone(),
                    score: j.score,
                    reason: j.reason.clone(),
                    keyword: j.keyword,
                    semantic: j.semantic,
                },
                // Going back weighs only the transitions the customer did not take before.
                None if e.condition.is_some() => Candidate {
                    edge: e.id.clone(),
                    target: e.target.clone(),
                    condition: e.condition.clone(),
                    score: 0.0,
                    reason: "not scored: the transition taken the last time".into(),
                    keyword: 0.0,
                    semantic: None,
                },
                None => unconditional_candidate(e),
            })
            .collect()
    }

    /// The best transition if it reaches the threshold — or, for a reply choosing between a
    /// step's transitions (`relative`), if it reaches [`RELATIVE_FLOOR`] and beats every other
    /// transition by [`RELATIVE_MARGIN`] (Parlant's LLM picks the condition that fits best once
    /// the step is complete). Equal best scores are a tie.
    fn choose_from(
        &self,
        decisions: &Decisions,
        judged: &[(EdgeInfo, Judged)],
        relative: Option<&Message>,
    ) -> Option<Chosen> {
        // A reply that only stalls ("hmm") chooses nothing by being the best of weak fits.
        let relative = relative.is_some_and(|m| !understand::stalls(&m.text));
        let best = judged
            .iter()
            .map(|(_, j)| j.score)
            .fold(f64::NEG_INFINITY, f64::max);
        // Nothing else fits: a catch-all condition ("fits none of these categories") holds.
        if relative && best < RELATIVE_FLOOR {
            let catch: Vec<&(EdgeInfo, Judged)> = judged
                .iter()
                .filter(|(e, _)| e.condition.as_deref().is_some_and(understand::catch_all))
                .collect();
            if let [(edge, j)] = catch.as_slice() {
                return Some(Chosen {
                    edge: edge.clone(),
                    score: j.score,
                    reason: format!("no other transition fits (best {best:.2}, below {RELATIVE_FLOOR}): the catch-all condition holds"),
                    candidates: self.candidates(&decisions.edges, judged),
                    tie: None,
                });
            }
        }
        if best.is_nan() || best <= 0.0 {
            return None;
        }
        let top: Vec<&(EdgeInfo, Judged)> = judged
            .iter()
            .filter(|(_, j)| (j.score - best).abs() < TIE_EPSILON)
            .collect();
        let (edge, j) = top[0];
        let second = judged
            .iter()
            .filter(|(e, _)| e.id != edge.id)
            .map(|(e, j)| (e, j.score))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let margin = best - second.map(|(_, s)| s).unwrap_or(0.0);
        let how = if best >= self.options.threshold {
            format!("reached the threshold {:.2}", self.options.threshold)
        } else if relative && best >= RELATIVE_FLOOR && margin >= RELATIVE_MARGIN {
            format!("the best fit by {margin:.2} (at least {RELATIVE_MARGIN} over the others, and at least {RELATIVE_FLOOR})")
        } else {
            return None;
        };
        let versus = match second {
            Some((e, s)) => format!("; next best `{}` {:.2}", e.id, s),
            None => String::new(),
        };
        Some(Chosen {
            edge: edge.clone(),
            score: j.score,
            reason: format!("{how}: {} (from the customer's message{versus})", j.reason),
            candidates: self.candidates(&decisions.edges, judged),
            tie: (top.len() > 1).then(|| top.iter().map(|(e, _)| e.id.clone()).collect()),
        })
    }

    /// Takes a decision: through the fork when the decision is the fork's.
    fn take_decision(
        &mut self,
        from: &str,
        decisions: &Decisions,
        chosen: Chosen,
        turn: &mut Turn,
        events: &mut Vec<Event>,
    ) -> Result<()> {
        if let Some((into_fork, fork)) = &decisions.via {
            let step = Chosen {
                edge: into_fork.clone(),
                score: 1.0,
                reason: "unconditional; the fork decides on the customer's reply".into(),
                candidates: vec![unconditional_candidate(into_fork)],
                tie: None,
            };
            announce(from, step, false, events);
            self.state.position.path.push(fork.clone());
            return self.take(fork, chosen, false, turn, events);
        }
        self.take(from, chosen, false, turn, events)
    }

    /// An earlier step (before `current`) whose other transition this message matches: where
    /// to go back to and the transition to take from there.
    fn backtrack_target(
        &self,
        message: &Message,
        current: Option<&str>,
    ) -> Option<(String, Decisions, Chosen)> {
        let p = &self.state.position;
        let path = &p.path;
        // Steps visited in the journey's latest activation, before the current one.
        let upto = match current {
            Some(c) => path.iter().rposition(|s| s == c).unwrap_or(path.len()),
            None => path.len(),
        };
        let mut best: Option<(String, Decisions, Chosen)> = None;
        let mut seen: Vec<&str> = Vec::new();
        // The latest visit of each of the most recent earlier steps (bounded: a turn costs the
        // same on turn 10 and turn 10,000).
        let from = upto.saturating_sub(LOOKBACK_PATH);
        for i in (from..upto).rev() {
            let state = &path[i];
            if seen.contains(&state.as_str()) || Some(state.as_str()) == current {
                continue;
            }
            if seen.len() >= LOOKBACK_STEPS {
                break;
            }
            seen.push(state);
            let Some(node) = self.model.nodes.get(state) else {
                continue;
            };
            if node.kind != NodeKind::Chat {
                continue;
            }
            let decisions = self.decisions(state);
            // The transition taken the last time: the state after it (or after its fork).
            let next = path
                .get(i + 1 + usize::from(decisions.via.is_some()))
                .map(String::as_str);
            let alternatives: Vec<EdgeInfo> = decisions
                .edges
                .iter()
                .filter(|e| Some(e.target.as_str()) != next)
                .cloned()
                .collect();
            if alternatives.is_empty() || next.is_none() {
                continue;
            }
            let judged = self.judge_all(&alternatives, message);
            if let Some(chosen) = self.choose_from(&decisions, &judged, None) {
                if best.as_ref().is_none_or(|(_, _, b)| chosen.score > b.score) {
                    best = Some((state.clone(), decisions, chosen));
                }
            }
        }
        best
    }

    /// Whether the message gives up the journey: a phrase of giving up, or (with the model) a
    /// close paraphrase of one.
    fn abandons(&self, message: &Message) -> Option<String> {
        if let Some(phrase) = understand::abandon_phrase(&message.text) {
            return Some(format!("\"{phrase}\""));
        }
        let v = message.vector.as_ref()?;
        self.model
            .abandon
            .iter()
            .map(|p| (p, embed::cosine(v, &p.vector)))
            .filter(|(_, c)| *c >= pacing::ABANDON_COSINE)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(p, c)| format!("cosine {c:.2} with \"{}\"", p.text))
    }

    /// Is a step the journey reaches already answered by the customer's messages in this
    /// journey (newest first)? The transition its answer takes, with why.
    fn answered(&self, state: &str, node: &NodeInfo, turn: &Turn) -> Option<(Decisions, Chosen)> {
        let p = &self.state.position;
        // Answers given since the journey began — or, for a step asked before, since it was last
        // asked (a step the journey returns to wants a new answer).
        let window = p
            .transcript
            .len()
            .saturating_sub(LOOKBACK_TRANSCRIPT)
            .max(p.journey_from)
            .min(p.transcript.len());
        let asked = p.transcript[window..]
            .iter()
            .rposition(|t| t.role == "agent" && t.state.as_deref() == Some(state))
            .map(|i| window + i + 1);
        let from = asked.unwrap_or(window).min(p.transcript.len());
        let mut texts: Vec<&str> = p.transcript[from..]
            .iter()
            .rev()
            .filter(|t| t.role == "customer")
            .map(|t| t.text.as_str())
            .take(LOOKBACK_MESSAGES)
            .collect();
        // A step the journey comes back to (its path holds it before now) wants a new answer:
        // only this message can give it.
        let recent = p.path.len().saturating_sub(LOOKBACK_PATH);
        let revisit =
            p.path.len() > 1 && p.path[recent..p.path.len() - 1].iter().any(|s| s == state);
        if revisit {
            texts.truncate(usize::from(turn.message.is_some()));
        }
        let decisions = self.decisions(state);
        if !decisions.edges.is_empty() {
            for (i, text) in texts.iter().enumerate() {
                let message = match (&turn.message, i) {
                    (Some(m), 0) if m.text == *text => m.clone(),
                    _ => self.message(text).ok()?,
                };
                // A step that asks for a value is answered only by a message that gives it.
                let given = understand::filled_slots(text);
                let gives = |slot: &Slot| given.contains(slot);
                if !(if node.slots_any {
                    node.slots.iter().any(gives)
                } else {
                    node.slots.iter().all(gives)
                }) {
                    continue;
                }
                let judged = self.judge_all(&decisions.edges, &message);
                if let Some(mut chosen) = self.choose_from(&decisions, &judged, None) {
                    chosen.reason = format!(
                        "{} — already answered in \"{}\"",
                        chosen.reason,
                        short(text)
                    );
                    return Some((decisions, chosen));
                }
            }
            return None;
        }
        let fallback = decisions.fallback.clone()?;
        if node.slots.is_empty() {
            return None;
        }
        let filled: Vec<Slot> = texts
            .iter()
            .flat_map(|t| understand::filled_slots(t))
            .collect();
        let enough = if node.slots_any {
            node.slots.iter().any(|s| filled.contains(s))
        } else {
            node.slots.iter().all(|s| filled.contains(s))
        };
        if enough {
            let gave = node
                .slots
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(" and ");
            let chosen = Chosen {
                edge: fallback,
                score: 1.0,
                reason: format!("unconditional; the customer already gave {gave}"),
                candidates: Vec::new(),
                tie: None,
            };
            return Some((
                Decisions {
                    via: None,
                    edges: Vec::new(),
                    fallback: None,
                },
                chosen,
            ));
        }
        None
    }

    /// Enters `id` and keeps going through states that do not wait for the customer.
    fn enter(&mut self, id: &str, turn: &mut Turn, events: &mut Vec<Event>) -> Result<()> {
        // Tool and fork states move on by themselves; a cycle of them would never stop.
        let budget = self.model.nodes.len() * 2 + 8;
        let mut target = id.to_string();
        let mut walked: Vec<String> = Vec::new();
        let pace_on = self.options.parlant_pace;
        loop {
            if walked.len() > budget {
                return Err(Error::Simulation(format!(
                    "the journey keeps moving without waiting for the customer: {} ...",
                    walked
                        .iter()
                        .rev()
                        .take(8)
                        .rev()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" -> ")
                )));
            }
            walked.push(target.clone());
            let p = &mut self.state.position;
            p.current = Some(target.clone());
            p.path.push(target.clone());
            p.last_step = false;
            if target == END_NODE_ID {
                p.ended = true;
                events.push(Event::End { state: target });
                return Ok(());
            }
            let node = self.node(&target)?.clone();
            let mut evidence: Vec<(&str, Terms, f64)> = Vec::new();
            let tool_evidence;
            match node.kind {
                NodeKind::Chat | NodeKind::Other(_) => {
                    // Skip a question the customer already answered (never one where the agent
                    // must say something, nor past a tool: tools stop the walk by themselves).
                    if pace_on
                        && turn.skips < self.options.max_skip
                        && node.customer_dependent
                        && !node.agent_dependent
                    {
                        if let Some((decisions, chosen)) = self.answered(&target, &node, turn) {
                            turn.skips += 1;
                            events.push(pace(
                                Pace::Skipped,
                                &target,
                                format!(
                                    "already answered ({} of at most {} this message): {}",
                                    turn.skips, self.options.max_skip, chosen.reason
                                ),
                                pacing::RULE_SKIP,
                            ));
                            let next = match &decisions.via {
                                Some((into_fork, fork)) => {
                                    let step = Chosen {
                                        edge: into_fork.clone(),
                                        score: 1.0,
                                        reason: "unconditional; the fork decides on the customer's answer".into(),
                                        candidates: vec![unconditional_candidate(into_fork)],
                                        tie: None,
                                    };
                                    announce(&target, step, false, events);
                                    self.state.position.path.push(fork.clone());
                                    announce(fork, chosen, false, events)
                                }
                                None => announce(&target, chosen, false, events),
                            };
                            target = next;
                            continue;
                        }
                    }
                    let (text, canned) = self.say(&node);
                    let p = &mut self.state.position;
                    p.transcript.push(TranscriptEntry {
                        role: "agent".into(),
                        text: text.clone(),
                        state: Some(target.clone()),
                    });
                    p.asked_from = p.transcript.len();
                    events.push(Event::AgentMessage {
                        state: target.clone(),
                        text,
                        canned,
                    });
                    // A chat state waits for the customer's reply, unless all it can do next is end.
                    let only_end = node
                        .out
                        .iter()
                        .all(|e| e.condition.is_none() && e.target == END_NODE_ID);
                    if !only_end || node.out.is_empty() {
                        if pace_on && node.out.is_empty() {
                            p.last_step = true;
                            events.push(pace(
                                Pace::LastStep,
                                &target,
                                "a step with no transitions: the journey exits on the next message"
                                    .into(),
                                pacing::RULE_EXIT_AFTER_LAST,
                            ));
                        }
                        return Ok(());
                    }
                    if pace_on {
                        p.last_step = true;
                        events.push(pace(
                            Pace::LastStep,
                            &target,
                            "the last step before the end: the journey exits on the next message"
                                .into(),
                            pacing::RULE_EXIT_AFTER_LAST,
                        ));
                        return Ok(());
                    }
                }
                NodeKind::Tool => {
                    tool_evidence = self.call_tools(&target, &node, events);
                    turn.tool_rounds += 1;
                    if pace_on
                        && turn.tool_rounds >= self.options.max_tool_rounds
                        && !node.out.is_empty()
                    {
                        self.state.position.tool_evidence = Some(tool_evidence);
                        events.push(pace(
                            Pace::Paused,
                            &target,
                            format!(
                                "{} tool rounds ran for this message (max_engine_iterations); the journey goes on with the next message",
                                turn.tool_rounds
                            ),
                            pacing::RULE_TOOL_ROUNDS,
                        ));
                        return Ok(());
                    }
                    evidence.push((
                        "the tool results",
                        self.model.matcher.terms(&tool_evidence),
                        TOOL_THRESHOLD,
                    ));
                }
                NodeKind::Root | NodeKind::Fork | NodeKind::End => {}
            }
            if let Some(message) = &self.state.position.last_customer_message {
                evidence.push((
                    "the customer's last message",
                    self.model.matcher.terms(message),
                    THRESHOLD,
                ));
            }
            evidence.push((
                "the context variables",
                self.model
                    .matcher
                    .terms(&evidence_text(&self.state.position.variables)),
                THRESHOLD,
            ));
            // The customer's message is judged with the paraphrase matcher too (at forks and the root).
            let message = if matches!(node.kind, NodeKind::Fork | NodeKind::Root) {
                turn.message.clone()
            } else {
                None
            };
            match self.decide(&target, message.as_ref(), &evidence) {
                Decision::Take(chosen) => target = announce(&target, chosen, false, events),
                Decision::None { candidates } => {
                    if !node.out.is_empty() {
                        events.push(Event::NoMatch {
                            state: target.clone(),
                            candidates,
                        });
                    }
                    return Ok(());
                }
            }
        }
    }

    /// Calls every tool of a state through its mock; returns the results as evidence text.
    fn call_tools(&mut self, state: &str, node: &NodeInfo, events: &mut Vec<Event>) -> String {
        let mut evidence = String::new();
        for (service, tool) in &node.tools {
            let key = format!("{service}:{tool}");
            // A state's own mock wins and counts its calls on its own.
            let state_mock = self.mocks.states.get(state);
            let counter = if state_mock.is_some() {
                format!("state:{state}")
            } else {
                key.clone()
            };
            let p = &mut self.state.position;
            let calls = p.tool_calls.entry(counter).or_insert(0);
            let call = *calls;
            *calls = calls.saturating_add(1).min(MAX_TOOL_CALLS);
            let (output, error, mocked) = match state_mock
                .or_else(|| self.mocks.tool(service, tool))
                .map(|m| m.answer(call))
            {
                Some(MockResult::Output(v)) => (Some(v), None, true),
                Some(MockResult::Error(e)) => (None, Some(e), true),
                None => (None, None, false),
            };
            if let Some(v) = &output {
                if let Value::Object(map) = v {
                    for (k, x) in map {
                        p.variables.insert(k.clone(), x.clone());
                    }
                }
                p.variables.insert(tool.clone(), v.clone());
                evidence.push_str(&evidence_text_of(v));
                evidence.push(' ');
            }
            if let Some(e) = &error {
                evidence.push_str("error failed ");
                evidence.push_str(e);
                evidence.push(' ');
            }
            let text = match (&output, &error) {
                (_, Some(e)) => format!("{key} failed: {e}"),
                (Some(v), None) => format!("{key} -> {v}"),
                (None, None) => format!("{key} (no mock)"),
            };
            p.transcript.push(TranscriptEntry {
                role: "tool".into(),
                text,
                state: Some(state.to_string()),
            });
            events.push(Event::ToolCall {
                state: state.to_string(),
                tool: key,
                output,
                error,
                mocked,
            });
        }
        evidence
    }

    /// Chooses an edge out of `state`: first the customer's message (paraphrase and keywords)
    /// when given, then each piece of keyword evidence in order; the first under which some
    /// conditional edge reaches its threshold decides.
    fn decide(
        &self,
        state: &str,
        message: Option<&Message>,
        evidence: &[(&str, Terms, f64)],
    ) -> Decision {
        let Some(node) = self.model.nodes.get(state) else {
            return Decision::None {
                candidates: Vec::new(),
            };
        };
        let mut last_candidates = Vec::new();
        if let Some(message) = message {
            let conditional: Vec<EdgeInfo> = node
                .out
                .iter()
                .filter(|e| e.condition.is_some())
                .cloned()
                .collect();
            if !conditional.is_empty() {
                let judged = self.judge_all(&conditional, message);
                let decisions = Decisions {
                    via: None,
                    edges: node.out.clone(),
                    fallback: None,
                };
                if let Some(chosen) = self.choose_from(&decisions, &judged, Some(message)) {
                    return Decision::Take(chosen);
                }
                last_candidates = self.candidates(&node.out, &judged);
            }
        }
        for (source, terms, threshold) in evidence {
            let scored: Vec<(&EdgeInfo, Score)> = node
                .out
                .iter()
                .filter_map(|e| {
                    e.terms
                        .as_ref()
                        .map(|t| (e, self.model.matcher.score_any(t, terms)))
                })
                .collect();
            let candidates: Vec<Candidate> = node
                .out
                .iter()
                .map(|e| match scored.iter().find(|(x, _)| x.id == e.id) {
                    Some((_, s)) => Candidate {
                        edge: e.id.clone(),
                        target: e.target.clone(),
                        condition: e.condition.clone(),
                        score: s.score,
                        reason: format!("keywords: {} (from {source})", s.reason),
                        keyword: s.score,
                        semantic: None,
                    },
                    None => unconditional_candidate(e),
                })
                .collect();
            let best = scored
                .iter()
                .map(|(_, s)| s.score)
                .fold(f64::NEG_INFINITY, f64::max);
            if best >= *threshold && best > 0.0 {
                let top: Vec<&(&EdgeInfo, Score)> = scored
                    .iter()
                    .filter(|(_, s)| (s.score - best).abs() < TIE_EPSILON)
                    .collect();
                let (edge, s) = top[0];
                let tie = (top.len() > 1).then(|| top.iter().map(|(e, _)| e.id.clone()).collect());
                return Decision::Take(Chosen {
                    edge: (*edge).clone(),
                    score: s.score,
                    reason: format!("keywords: {} (from {source})", s.reason),
                    candidates,
                    tie,
                });
            }
            if message.is_none() || last_candidates.is_empty() {
                last_candidates = candidates;
            }
        }
        if let Some(edge) = node.out.iter().find(|e| e.condition.is_none()) {
            let reason = if node.out.len() > 1 {
                "unconditional (no conditional edge matched)".to_string()
            } else {
                "unconditional".to_string()
            };
            return Decision::Take(Chosen {
                edge: edge.clone(),
                score: 1.0,
                reason,
                candidates: last_candidates,
                tie: None,
            });
        }
        if last_candidates.is_empty() {
            last_candidates = node
                .out
                .iter()
                .map(|e| Candidate {
                    edge: e.id.clone(),
                    target: e.target.clone(),
                    condition: e.condition.clone(),
                    score: 0.0,
                    reason: "no evidence yet".into(),
                    keyword: 0.0,
                    semantic: None,
                })
                .collect();
        }
        Decision::None {
            candidates: last_candidates,
        }
    }
}

fn unconditional_candidate(e: &EdgeInfo) -> Candidate {
    Candidate {
        edge: e.id.clone(),
        target: e.target.clone(),
        condition: None,
        score: 1.0,
        reason: "unconditional".into(),
        keyword: 1.0,
        semantic: None,
    }
}

fn pace(decision: Pace, state: &str, reason: String, rule: &str) -> Event {
    Event::Pacing {
        decision,
        state: state.to_string(),
        reason,
        rule: rule.to_string(),
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}

/// Records a transition (and its tie, if any); returns the state it leads to.
fn announce(from: &str, chosen: Chosen, forced: bool, events: &mut Vec<Event>) -> String {
    let Chosen {
        edge,
        score,
        reason,
        candidates,
        tie,
    } = chosen;
    if let Some(edges) = tie {
        events.push(Event::Tie {
            state: from.to_string(),
            edges,
            score,
            chosen: edge.id.clone(),
        });
    }
    events.push(Event::Transition {
        from: from.to_string(),
        to: edge.target.clone(),
        edge: edge.id,
        condition: edge.condition,
        score,
        reason,
        forced,
        candidates,
    });
    edge.target
}

/// `{{name}}` (or `{{a.b}}`) replaced by the variable's value; unknown names stay as written.
pub fn fill_template(text: &str, variables: &IndexMap<String, Value>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = after[..close].trim();
        let mut parts = name.split('.');
        let value = parts
            .next()
            .and_then(|first| variables.get(first))
            .and_then(|v| parts.try_fold(v, |v, p| v.get(p)));
        match value {
            Some(Value::String(s)) => out.push_str(s),
            Some(v) => out.push_str(&v.to_string()),
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

/// A value as matcher evidence: `{eligible: true}` reads "eligible", `false` reads "not eligible".
fn evidence_text_of(value: &Value) -> String {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                Value::Bool(true) => k.clone(),
                Value::Bool(false) | Value::Null => format!("not {k}"),
                other => format!("{k} {}", evidence_text_of(other)),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Value::Array(items) => items
            .iter()
            .map(evidence_text_of)
            .collect::<Vec<_>>()
            .join(" "),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn evidence_text(variables: &IndexMap<String, Value>) -> String {
    variables
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::Bool(true) => k.clone(),
            Value::Bool(false) => format!("not {k}"),
            other => format!("{k} {}", evidence_text_of(other)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_fill_known_names_only() {
        let vars: IndexMap<String, Value> = [
            ("amount".to_string(), json!("$40")),
            ("o".to_string(), json!({"n": 3})),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            fill_template("refund {{amount}} / {{ o.n }} / {{missing}}", &vars),
            "refund $40 / 3 / {{missing}}"
        );
        assert_eq!(fill_template("open {{ no close", &vars), "open {{ no close");
    }

    #[test]
    fn tool_results_read_as_evidence() {
        assert_eq!(
            evidence_text_of(&json!({"eligible": false, "reason": "final sale"})),
            "not eligible reason final sale"
        );
    }
}
