//! The journey preview: a conversation session the editor drives step by step, offline and
//! without an LLM. Chat states say their canned response (or their action), tool states call
//! mocked tools and move on, and transitions are chosen by the explainable [`Matcher`] (or
//! forced by the designer). Every step returns the events the chat panel renders; the whole
//! state is a serialisable [`Snapshot`] the UI can hold between IPC calls.

use super::matcher::{Matcher, Score, Terms, THRESHOLD, TIE_EPSILON, TOOL_THRESHOLD};
use super::mocks::{MockResult, Mocks};
use crate::error::{Error, Result};
use crate::graph::GraphView;
use crate::parlant::{JourneyDocument, NodeKind, END_NODE_ID};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// How many steps `back` can undo.
pub const MAX_BACK_STEPS: usize = 50;

/// One thing that happened in a step, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    CustomerMessage { text: String },
    AgentMessage { state: String, text: String, canned: bool },
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
    Tie { state: String, edges: Vec<String>, score: f64, chosen: String },
    /// No edge out of the state matched; the session waits there for the next message.
    NoMatch { state: String, candidates: Vec<Candidate> },
    End { state: String },
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
    /// States entered, in order (the root and `end` included).
    pub path: Vec<String>,
    pub last_customer_message: Option<String>,
    /// Calls made per tool, so a mock with several outputs answers each call in turn.
    pub tool_calls: BTreeMap<String, usize>,
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
}

#[derive(Debug, Clone)]
struct NodeInfo {
    kind: NodeKind,
    action: Option<String>,
    canned: Option<String>,
    tools: Vec<(String, String)>,
    out: Vec<EdgeInfo>,
}

/// A journey prepared for simulation: nodes indexed, conditions reduced to keywords once.
#[derive(Debug, Clone)]
pub struct JourneyModel {
    root: String,
    nodes: HashMap<String, NodeInfo>,
    initial_variables: IndexMap<String, Value>,
    matcher: Matcher,
}

impl JourneyModel {
    pub fn new(doc: &JourneyDocument, mocks: &Mocks) -> Result<JourneyModel> {
        let matcher = Matcher::new(&mocks.synonyms);
        let graph = GraphView::of_journey(doc);
        if let Some(&i) = graph.dangling.first() {
            let e = &doc.edges[i];
            return Err(Error::Simulation(format!(
                "edge `{}` goes from `{}` to `{}`, but one of them is not a state of the journey",
                e.id, e.source, e.target
            )));
        }
        if doc.node(&doc.journey.root_id).is_none() {
            return Err(Error::Simulation(format!("the journey's root `{}` is not one of its states", doc.journey.root_id)));
        }
        let mut nodes = HashMap::new();
        for node in &doc.nodes {
            let kind = doc.kind_of(&node.id).unwrap_or(NodeKind::Chat);
            let out = graph
                .out_edges(&node.id)
                .into_iter()
                .filter_map(|i| doc.edges.get(i))
                .map(|e| {
                    let condition = e.condition_text().map(str::to_string);
                    let terms = condition.as_deref().map(|c| matcher.alternatives(c));
                    EdgeInfo { id: e.id.clone(), target: e.target.clone(), condition, terms }
                })
                .collect();
            let canned = node.meta("canned_response").and_then(Value::as_str).map(str::to_string);
            let tools = node.tool_ids().iter().map(|t| (t.service_name.clone(), t.tool_name.clone())).collect();
            let action = node.action_text().map(str::to_string);
            nodes.insert(node.id.clone(), NodeInfo { kind, action, canned, tools, out });
        }
        let initial_variables =
            doc.context_variables().iter().map(|v| (v.name.clone(), v.value.get().cloned().unwrap_or(Value::Null))).collect();
        Ok(JourneyModel { root: doc.journey.root_id.clone(), nodes, initial_variables, matcher })
    }

    pub fn state_count(&self) -> usize {
        self.nodes.len()
    }
}

/// A running preview of one journey.
#[derive(Debug, Clone)]
pub struct Session {
    model: JourneyModel,
    mocks: Mocks,
    /// Context variables the scenario sets over the journey's preview values.
    context: IndexMap<String, Value>,
    /// The customer message that activated the journey, known from the root on.
    opening: Option<String>,
    state: Snapshot,
}

/// A transition about to be taken, with why.
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

impl Session {
    pub fn new(doc: &JourneyDocument, mocks: Mocks) -> Result<Session> {
        let model = JourneyModel::new(doc, &mocks)?;
        Ok(Session::from_model(model, mocks))
    }

    pub fn from_model(model: JourneyModel, mocks: Mocks) -> Session {
        Session { model, mocks, context: IndexMap::new(), opening: None, state: Snapshot::default() }
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

    /// Puts the session back in a state taken by `snapshot` (for this journey).
    pub fn restore(&mut self, snapshot: Snapshot) -> Result<()> {
        let currents = std::iter::once(&snapshot.position.current).chain(snapshot.history.iter().map(|c| &c.current));
        for current in currents.flatten() {
            if current != END_NODE_ID && !self.model.nodes.contains_key(current) {
                return Err(Error::Simulation(format!("the snapshot is at state `{current}`, which this journey does not have")));
            }
        }
        let p = &snapshot.position;
        if snapshot.history.iter().any(|c| c.transcript_len > p.transcript.len() || c.path_len > p.path.len()) {
            return Err(Error::Simulation("the snapshot's history points past its transcript or path".into()));
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

    /// Begins (or begins again) at the root and runs until the agent waits for the customer.
    pub fn start(&mut self) -> Result<Vec<Event>> {
        let mut variables = self.model.initial_variables.clone();
        variables.extend(self.context.clone());
        self.state = Snapshot { position: Position { variables, ..Position::default() }, history: Vec::new() };
        let root = self.model.root.clone();
        let mut events = Vec::new();
        if let Some(text) = &self.opening {
            let p = &mut self.state.position;
            p.last_customer_message = Some(text.clone());
            p.transcript.push(TranscriptEntry { role: "customer".into(), text: text.clone(), state: Some(root.clone()) });
            events.push(Event::CustomerMessage { text: text.clone() });
        }
        self.transactional(|s| s.enter(&root, &mut events))?;
        Ok(events)
    }

    pub fn restart(&mut self) -> Result<Vec<Event>> {
        self.start()
    }

    /// The customer says `text`; the session moves on as far as it can.
    pub fn send(&mut self, text: &str) -> Result<Vec<Event>> {
        let current = self.require_active()?;
        let mut events = vec![Event::CustomerMessage { text: text.to_string() }];
        self.transactional(|s| {
            let p = &mut s.state.position;
            p.last_customer_message = Some(text.to_string());
            p.transcript.push(TranscriptEntry { role: "customer".into(), text: text.to_string(), state: Some(current.clone()) });
            let evidence = s.model.matcher.terms(text);
            match s.decide(&current, &[("the customer's message", evidence, THRESHOLD)]) {
                Decision::Take(chosen) => s.take(&current, chosen, false, &mut events),
                Decision::None { candidates } => {
                    events.push(Event::NoMatch { state: current.clone(), candidates });
                    Ok(())
                }
            }
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
                if ids.is_empty() { "(none)".to_string() } else { ids.join(", ") }
            )));
        };
        let mut events = Vec::new();
        let chosen = Chosen { edge, score: 1.0, reason: "chosen by the designer".into(), candidates: Vec::new(), tie: None };
        self.transactional(|s| s.take(&current, chosen, true, &mut events))?;
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
            None => Err(Error::Simulation("the session has not started: call start first".into())),
            Some(_) if p.ended => Err(Error::Simulation("the journey has ended: restart to play it again".into())),
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
                        self.state.history.drain(..self.state.history.len() - MAX_BACK_STEPS);
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
        self.model.nodes.get(id).ok_or_else(|| Error::Simulation(format!("state `{id}` is not in the journey")))
    }

    fn take(&mut self, from: &str, chosen: Chosen, forced: bool, events: &mut Vec<Event>) -> Result<()> {
        let target = announce(from, chosen, forced, events);
        self.enter(&target, events)
    }

    /// Enters `id` and keeps going through states that do not wait for the customer.
    fn enter(&mut self, id: &str, events: &mut Vec<Event>) -> Result<()> {
        // Tool and fork states move on by themselves; a cycle of them would never stop.
        let budget = self.model.nodes.len() * 2 + 8;
        let mut target = id.to_string();
        let mut walked: Vec<String> = Vec::new();
        loop {
            if walked.len() > budget {
                return Err(Error::Simulation(format!(
                    "the journey keeps moving without waiting for the customer: {} ...",
                    walked.iter().rev().take(8).rev().cloned().collect::<Vec<_>>().join(" -> ")
                )));
            }
            walked.push(target.clone());
            let p = &mut self.state.position;
            p.current = Some(target.clone());
            p.path.push(target.clone());
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
                    let (text, canned) = match &node.canned {
                        Some(c) => (fill_template(c, &self.state.position.variables), true),
                        None => (node.action.clone().unwrap_or_default(), false),
                    };
                    let p = &mut self.state.position;
                    p.transcript.push(TranscriptEntry { role: "agent".into(), text: text.clone(), state: Some(target.clone()) });
                    events.push(Event::AgentMessage { state: target.clone(), text, canned });
                    // A chat state waits for the customer's reply, unless all it can do next is end.
                    if node.out.is_empty() || node.out.iter().any(|e| e.condition.is_some() || e.target != END_NODE_ID) {
                        return Ok(());
                    }
                }
                NodeKind::Tool => {
                    tool_evidence = self.call_tools(&target, &node, events);
                    evidence.push(("the tool results", self.model.matcher.terms(&tool_evidence), TOOL_THRESHOLD));
                }
                NodeKind::Root | NodeKind::Fork | NodeKind::End => {}
            }
            if let Some(message) = &self.state.position.last_customer_message {
                evidence.push(("the customer's last message", self.model.matcher.terms(message), THRESHOLD));
            }
            evidence.push((
                "the context variables",
                self.model.matcher.terms(&evidence_text(&self.state.position.variables)),
                THRESHOLD,
            ));
            match self.decide(&target, &evidence) {
                Decision::Take(chosen) => target = announce(&target, chosen, false, events),
                Decision::None { candidates } => {
                    if !node.out.is_empty() {
                        events.push(Event::NoMatch { state: target.clone(), candidates });
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
            let counter = if state_mock.is_some() { format!("state:{state}") } else { key.clone() };
            let p = &mut self.state.position;
            let calls = p.tool_calls.entry(counter).or_insert(0);
            let call = *calls;
            *calls += 1;
            let (output, error, mocked) = match state_mock.or_else(|| self.mocks.tool(service, tool)).map(|m| m.answer(call)) {
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
            p.transcript.push(TranscriptEntry { role: "tool".into(), text, state: Some(state.to_string()) });
            events.push(Event::ToolCall { state: state.to_string(), tool: key, output, error, mocked });
        }
        evidence
    }

    /// Chooses an edge out of `state` from the evidence, tried in order: the first piece of
    /// evidence under which some conditional edge reaches that evidence's threshold decides.
    fn decide(&self, state: &str, evidence: &[(&str, Terms, f64)]) -> Decision {
        let Some(node) = self.model.nodes.get(state) else { return Decision::None { candidates: Vec::new() } };
        let mut last_candidates = Vec::new();
        for (source, terms, threshold) in evidence {
            let scored: Vec<(&EdgeInfo, Score)> = node
                .out
                .iter()
                .filter_map(|e| e.terms.as_ref().map(|t| (e, self.model.matcher.score_any(t, terms))))
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
                        reason: format!("{} (from {source})", s.reason),
                    },
                    None => Candidate {
                        edge: e.id.clone(),
                        target: e.target.clone(),
                        condition: None,
                        score: 1.0,
                        reason: "unconditional".into(),
                    },
                })
                .collect();
            let best = scored.iter().map(|(_, s)| s.score).fold(f64::NEG_INFINITY, f64::max);
            if best >= *threshold && best > 0.0 {
                let top: Vec<&(&EdgeInfo, Score)> = scored.iter().filter(|(_, s)| (s.score - best).abs() < TIE_EPSILON).collect();
                let (edge, s) = top[0];
                let tie = (top.len() > 1).then(|| top.iter().map(|(e, _)| e.id.clone()).collect());
                return Decision::Take(Chosen {
                    edge: (*edge).clone(),
                    score: s.score,
                    reason: format!("{} (from {source})", s.reason),
                    candidates,
                    tie,
                });
            }
            last_candidates = candidates;
        }
        if let Some(edge) = node.out.iter().find(|e| e.condition.is_none()) {
            let reason = if node.out.len() > 1 {
                "unconditional (no conditional edge matched)".to_string()
            } else {
                "unconditional".to_string()
            };
            return Decision::Take(Chosen { edge: edge.clone(), score: 1.0, reason, candidates: last_candidates, tie: None });
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
                })
                .collect();
        }
        Decision::None { candidates: last_candidates }
    }
}

/// Records a transition (and its tie, if any); returns the state it leads to.
fn announce(from: &str, chosen: Chosen, forced: bool, events: &mut Vec<Event>) -> String {
    let Chosen { edge, score, reason, candidates, tie } = chosen;
    if let Some(edges) = tie {
        events.push(Event::Tie { state: from.to_string(), edges, score, chosen: edge.id.clone() });
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
        let value = parts.next().and_then(|first| variables.get(first)).and_then(|v| parts.try_fold(v, |v, p| v.get(p)));
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
        Value::Array(items) => items.iter().map(evidence_text_of).collect::<Vec<_>>().join(" "),
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
        let vars: IndexMap<String, Value> = [("amount".to_string(), json!("$40")), ("o".to_string(), json!({"n": 3}))].into_iter().collect();
        assert_eq!(fill_template("refund {{amount}} / {{ o.n }} / {{missing}}", &vars), "refund $40 / 3 / {{missing}}");
        assert_eq!(fill_template("open {{ no close", &vars), "open {{ no close");
    }

    #[test]
    fn tool_results_read_as_evidence() {
        assert_eq!(evidence_text_of(&json!({"eligible": false, "reason": "final sale"})), "not eligible reason final sale");
    }
}
