//! Parlant 3.3.2 client: pull a journey (stock REST + the graph module, or the stock mermaid
//! chart when the module is absent) and push one (create, or update in place by diffing
//! against what the server holds and sending only the changes). A push that fails part-way is
//! compensated: a journey it created is deleted; an update is reverted by pushing the state
//! read before it started.
//!
//! Server node ids are chosen by the client (`<journey id>.<document node id>`) and every node
//! and edge carries `metadata.journey_studio` with its document id, so a retried push finds
//! what an earlier attempt wrote instead of writing it twice.

use super::http::Http;
use super::mermaid;
use super::parlant_entities::{self as entities, RemoteEntities};
use crate::error::{Error, Result};
use crate::json::Maybe;
use crate::parlant::{JourneyDocument, JourneyEdge, JourneyNode, ToolId, END_NODE_ID};
use indexmap::IndexMap;
use reqwest::Method;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The metadata key that links server entities to document ids.
pub const MARKER: &str = "journey_studio";

pub struct ParlantClient {
    pub(crate) http: Http,
}

/// A journey as the server holds it, in document form, plus the server ids behind it.
#[derive(Debug, Clone)]
pub struct RemoteJourney {
    pub doc: JourneyDocument,
    /// Document node id -> server node id.
    pub node_ids: HashMap<String, String>,
    /// Document edge id -> server edge id.
    pub edge_ids: HashMap<String, String>,
    /// Condition text -> guideline id.
    pub conditions: Vec<(String, String)>,
    /// True when the graph came from the graph module (exact), false from the mermaid chart.
    pub exact: bool,
    /// The journey's tags as the server holds them (tag ids; `doc` names them).
    pub raw_tags: Vec<String>,
    /// The context variables the root's marker links to the journey (server ids).
    pub variable_ids: Vec<String>,
    /// Its guidelines, variables and tag names as the server holds them.
    pub entities: RemoteEntities,
}

/// A failed push: the error, and whether the server may hold part of it (the undo failed too).
#[derive(Debug)]
pub struct PushFailure {
    pub error: Error,
    pub dirty: bool,
}

impl From<Error> for PushFailure {
    fn from(error: Error) -> Self {
        PushFailure {
            error,
            dirty: false,
        }
    }
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct PushReport {
    pub created: bool,
    pub requests: usize,
    /// What this push created besides the journey, for undoing it.
    #[serde(skip)]
    pub created_guidelines: Vec<String>,
    #[serde(skip)]
    pub created_variables: Vec<String>,
    #[serde(skip)]
    pub created_tags: Vec<String>,
}

/// What a push sends for the journey's tags: the journey's own (server tag ids, the remote's
/// agent tag added), the document's tags by server id, and the tags every guideline and
/// variable gets (the agent's).
struct Plan {
    journey_tags: Vec<String>,
    tag_ids: HashMap<String, String>,
    entity_tags: Vec<String>,
}

fn obj(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(|x| x.as_str()).map(str::to_string)
}

fn marker_id(meta: &Map<String, Value>, key: &str) -> Option<String> {
    meta.get(MARKER)?.get(key)?.as_str().map(str::to_string)
}

fn strip_marker(mut meta: Map<String, Value>) -> IndexMap<String, Value> {
    meta.remove(MARKER);
    meta.into_iter().collect()
}

fn tools_json(tools: &[ToolId]) -> Value {
    Value::Array(
        tools
            .iter()
            .map(|t| json!({"service_name": t.service_name, "tool_name": t.tool_name}))
            .collect(),
    )
}

fn node_meta(node: &JourneyNode) -> Map<String, Value> {
    node.metadata
        .get()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn edge_meta(edge: &JourneyEdge) -> Map<String, Value> {
    edge.metadata
        .get()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// The metadata update a PATCH sends to turn `have` into `want` (Parlant 3.3.2's
/// `{"set": {..}, "unset": [..]}`); `None` when they are already equal.
pub(super) fn metadata_update(
    have: &Map<String, Value>,
    want: &Map<String, Value>,
) -> Option<Value> {
    let set: Map<String, Value> = want
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let unset: Vec<&String> = have.keys().filter(|k| !want.contains_key(*k)).collect();
    (!set.is_empty() || !unset.is_empty()).then(|| json!({"set": set, "unset": unset}))
}

/// The part of a journey a server holds, canonical (sorted), for comparing sides: title,
/// description, condition texts, tags (less `ignore_tags`), and the graph. Editor data, ids of
/// dependent entities and unknown fields are not part of it.
pub fn projection(doc: &JourneyDocument, ignore_tags: &[String]) -> Value {
    let mut conditions: Vec<&String> = doc.journey.conditions.iter().collect();
    conditions.sort();
    // Tag references compare by tag name (a document's own tags by their entity).
    let tags = entities::resolve_names(
        doc,
        doc.journey.tags.get().map(Vec::as_slice).unwrap_or(&[]),
        ignore_tags,
    );
    let nodes: BTreeMap<&str, Value> = doc
        .nodes
        .iter()
        .map(|n| {
            let mut meta = node_meta(n);
            meta.remove(MARKER);
            let meta: BTreeMap<String, Value> = meta.into_iter().collect();
            (
                n.id.as_str(),
                json!({"action": n.action.get(), "tools": tools_json(n.tool_ids()), "description": n.description.get(), "metadata": meta}),
            )
        })
        .collect();
    let edges: BTreeMap<&str, Value> = doc
        .edges
        .iter()
        .map(|e| {
            let mut meta = edge_meta(e);
            meta.remove(MARKER);
            let meta: BTreeMap<String, Value> = meta.into_iter().collect();
            (e.id.as_str(), json!({"source": e.source, "target": e.target, "condition": e.condition_text(), "metadata": meta}))
        })
        .collect();
    let mut out = json!({
        "title": doc.journey.title,
        "description": doc.journey.description,
        "conditions": conditions,
        "tags": tags,
        "root_id": doc.journey.root_id,
        "nodes": nodes,
        "edges": edges,
    });
    // Parlant 3.3.2's journey fields, only when they differ from Parlant's defaults (no mode,
    // no labels, priority 0): a journey that does not use them hashes as it did before they
    // were compared, so existing sync bases stay valid.
    let fields = JourneyFields::of(doc);
    if let Some(mode) = &fields.composition_mode {
        out["composition_mode"] = json!(mode);
    }
    if !fields.labels.is_empty() {
        out["labels"] = json!(fields.labels);
    }
    if fields.priority != 0 {
        out["priority"] = json!(fields.priority);
    }
    // Guidelines and context variables, only when the journey has some (as above).
    let (guidelines, variables) = entities::projection(doc, ignore_tags);
    if let Some(g) = guidelines {
        out["guidelines"] = g;
    }
    if let Some(v) = variables {
        out["context_variables"] = v;
    }
    out
}

/// Parlant 3.3.2's `CompositionModeDTO`.
pub const COMPOSITION_MODES: &[&str] = &[
    "fluid",
    "canned_fluid",
    "composited_canned",
    "strict_canned",
];

/// A journey's `composition_mode`, `labels` and `priority` with Parlant's defaults filled in
/// (absent mode = none, absent labels = empty, absent priority = 0), labels sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JourneyFields {
    pub composition_mode: Option<String>,
    pub labels: BTreeSet<String>,
    pub priority: i64,
}

impl JourneyFields {
    pub fn of(doc: &JourneyDocument) -> JourneyFields {
        JourneyFields {
            composition_mode: doc
                .journey
                .composition_mode
                .get()
                .filter(|m| !m.is_empty())
                .cloned(),
            labels: doc
                .journey
                .labels
                .get()
                .map(|l| l.iter().cloned().collect())
                .unwrap_or_default(),
            priority: doc
                .journey
                .priority
                .get()
                .and_then(|p| p.as_i64())
                .unwrap_or(0),
        }
    }

    /// Refuses values Parlant 3.3.2 would reject (422 after a half-made push otherwise).
    pub fn check(doc: &JourneyDocument) -> Result<()> {
        let bad = |path: &str, why: String| {
            Error::Rejected(format!("journey `{}`: {path} {why}", doc.journey.title))
        };
        if let Some(mode) = doc.journey.composition_mode.get().filter(|m| !m.is_empty()) {
            if !COMPOSITION_MODES.contains(&mode.as_str()) {
                return Err(bad(
                    "journey.composition_mode",
                    format!(
                        "is `{mode}`; Parlant 3.3.2 takes {}",
                        COMPOSITION_MODES.join(", ")
                    ),
                ));
            }
        }
        if let Some(p) = doc.journey.priority.get() {
            if p.as_i64().is_none() {
                return Err(bad(
                    "journey.priority",
                    format!("is `{p}`; Parlant takes a whole number"),
                ));
            }
        }
        Ok(())
    }

    /// From Parlant's `JourneyDTO`.
    fn of_dto(journey: &Value) -> JourneyFields {
        JourneyFields {
            composition_mode: s(journey, "composition_mode"),
            labels: journey
                .get("labels")
                .and_then(|l| l.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|l| l.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            priority: journey
                .get("priority")
                .and_then(|p| p.as_i64())
                .unwrap_or(0),
        }
    }

    /// Writes them into a document: only what differs from the defaults, so a pulled journey
    /// that does not use them reads like one written without them.
    fn write_to(&self, doc: &mut JourneyDocument) {
        doc.journey.composition_mode = self
            .composition_mode
            .clone()
            .map_or(Maybe::Absent, Maybe::Value);
        doc.journey.labels = if self.labels.is_empty() {
            Maybe::Absent
        } else {
            Maybe::Value(self.labels.iter().cloned().collect())
        };
        doc.journey.priority = if self.priority == 0 {
            Maybe::Absent
        } else {
            Maybe::Value(self.priority.into())
        };
    }
}

/// Hash of `projection`: equal hashes mean both sides hold the same journey.
pub fn projection_hash(doc: &JourneyDocument, ignore_tags: &[String]) -> String {
    crate::store::content_hash(&projection(doc, ignore_tags).to_string())
}

impl ParlantClient {
    pub fn new(remote: &str, url: &str, api_key: Option<String>) -> Result<ParlantClient> {
        let auth = api_key.map(|k| ("Authorization".to_string(), format!("Bearer {k}")));
        Ok(ParlantClient {
            http: Http::new(remote, url, auth)?,
        })
    }

    fn remote_err(&self, message: String) -> Error {
        Error::Remote {
            remote: self.http.remote.clone(),
            message,
            retryable: false,
            retry_after: None,
        }
    }

    /// A GET whose 404 is `None`.
    pub(super) async fn get(&self, path: &str) -> Result<Option<Value>> {
        match self.http.send_opt(Method::GET, path, None).await? {
            Some(reply) => Ok(Some(reply.json(&self.http.remote, path)?)),
            None => Ok(None),
        }
    }

    /// A request counted in the push's report; an empty reply is `null`.
    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        report: &mut PushReport,
    ) -> Result<Value> {
        report.requests += 1;
        let reply = self.http.send(method, path, body.as_ref()).await?;
        if reply.text.trim().is_empty() {
            return Ok(Value::Null);
        }
        reply.json(&self.http.remote, path)
    }

    /// Whether the server has Journey Studio's graph module loaded.
    pub async fn has_graph_module(&self) -> Result<bool> {
        Ok(self.get("/journey-studio/probe").await?.is_some_and(|v| {
            v.get("module").and_then(|m| m.as_str()) == Some("journey-studio-graph")
        }))
    }

    pub async fn health(&self) -> Result<Value> {
        self.get("/healthz")
            .await?
            .ok_or_else(|| self.remote_err("/healthz: not found".into()))
    }

    /// Journeys on the server: `(id, title)`.
    pub async fn list_journeys(&self) -> Result<Vec<(String, String)>> {
        let list = self
            .get("/journeys")
            .await?
            .unwrap_or(Value::Array(Vec::new()));
        Ok(list
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|j| Some((s(j, "id")?, s(j, "title").unwrap_or_default())))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Finds the agent by name, creating it when absent; returns its id.
    pub async fn ensure_agent(&self, name: &str) -> Result<String> {
        if let Some(id) = self.first_agent_named(name).await? {
            return Ok(id);
        }
        let mut report = PushReport::default();
        let created = self
            .call(
                Method::POST,
                "/agents",
                Some(json!({"name": name})),
                &mut report,
            )
            .await?;
        let id = s(&created, "id")
            .ok_or_else(|| self.remote_err("POST /agents: the answer has no id".into()))?;
        // Two clients that found no agent at once both create one: each then takes the first
        // of that name the server lists, so both scope their journeys to the same agent.
        Ok(self.first_agent_named(name).await?.unwrap_or(id))
    }

    async fn first_agent_named(&self, name: &str) -> Result<Option<String>> {
        let agents = self
            .get("/agents")
            .await?
            .unwrap_or(Value::Array(Vec::new()));
        Ok(agents
            .as_array()
            .and_then(|a| a.iter().find(|x| s(x, "name").as_deref() == Some(name)))
            .and_then(|a| s(a, "id")))
    }

    /// Reads a journey (None when the server has no such journey).
    pub async fn fetch(&self, journey_id: &str) -> Result<Option<RemoteJourney>> {
        let path = format!("/journeys/{journey_id}");
        let Some(journey) = self.get(&path).await? else {
            return Ok(None);
        };
        let mut conditions = Vec::new();
        for gid in journey
            .get("conditions")
            .and_then(|c| c.as_array())
            .into_iter()
            .flatten()
            .filter_map(|g| g.as_str())
        {
            let g = self.get(&format!("/guidelines/{gid}")).await?;
            let text = g
                .as_ref()
                .and_then(|g| g.pointer("/guideline/condition"))
                .and_then(|c| c.as_str());
            if let Some(text) = text {
                conditions.push((text.to_string(), gid.to_string()));
            }
        }
        let tags: Vec<String> = journey
            .get("tags")
            .and_then(|t| t.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let title = s(&journey, "title").unwrap_or_default();
        let description = s(&journey, "description").unwrap_or_default();
        let mut doc = JourneyDocument::new(
            title,
            description,
            conditions.iter().map(|(t, _)| t.clone()).collect(),
        );
        doc.journey.id = Maybe::Value(journey_id.to_string());
        doc.journey.tags = Maybe::Value(tags.clone());
        let raw_tags = tags;
        let mut variable_ids: Vec<String> = Vec::new();
        JourneyFields::of_dto(&journey).write_to(&mut doc);
        let mut node_ids = HashMap::new();
        let mut edge_ids = HashMap::new();
        let exact = self.has_graph_module().await?;
        if exact {
            let graph = self
                .get(&format!("/journey-studio/journeys/{journey_id}/graph"))
                .await?
                .ok_or_else(|| {
                    self.remote_err(format!("journey `{journey_id}` vanished while reading it"))
                })?;
            let root = s(&graph, "root_id").unwrap_or_default();
            let mut server_to_doc: HashMap<String, String> = HashMap::new();
            let mut nodes = Vec::new();
            for n in graph
                .get("nodes")
                .and_then(|n| n.as_array())
                .into_iter()
                .flatten()
            {
                let server_id = s(n, "id").unwrap_or_default();
                let meta = obj(n.get("metadata").unwrap_or(&Value::Null));
                if server_id == root {
                    variable_ids = meta
                        .get(MARKER)
                        .and_then(|m| m.get("context_variables"))
                        .and_then(|v| v.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                }
                let doc_id = marker_id(&meta, "node_id").unwrap_or_else(|| server_id.clone());
                let tools: Vec<ToolId> = n
                    .get("tools")
                    .and_then(|t| t.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|t| Some(ToolId::new(s(t, "service_name")?, s(t, "tool_name")?)))
                    .collect();
                let mut node = JourneyNode::new(
                    doc_id.clone(),
                    &crate::parlant::NodeKind::Root,
                    s(n, "action"),
                );
                node.tools = Maybe::Value(tools);
                node.metadata = Maybe::Value(strip_marker(meta));
                if let Some(d) = s(n, "description") {
                    node.description = Maybe::Value(d);
                }
                if server_id == root {
                    doc.journey.root_id = doc_id.clone();
                }
                server_to_doc.insert(server_id.clone(), doc_id.clone());
                node_ids.insert(doc_id, server_id);
                nodes.push(node);
            }
            let to_doc = |id: String| {
                if id == END_NODE_ID {
                    id
                } else {
                    server_to_doc.get(&id).cloned().unwrap_or(id)
                }
            };
            let mut edges = Vec::new();
            for e in graph
                .get("edges")
                .and_then(|e| e.as_array())
                .into_iter()
                .flatten()
            {
                let server_id = s(e, "id").unwrap_or_default();
                let meta = obj(e.get("metadata").unwrap_or(&Value::Null));
                let doc_id = marker_id(&meta, "edge_id").unwrap_or_else(|| server_id.clone());
                let mut edge = JourneyEdge::new(
                    doc_id.clone(),
                    to_doc(s(e, "source").unwrap_or_default()),
                    to_doc(s(e, "target").unwrap_or_default()),
                    s(e, "condition"),
                );
                edge.metadata = Maybe::Value(strip_marker(meta));
                edge_ids.insert(doc_id, server_id);
                edges.push(edge);
            }
            nodes.sort_by_key(|n| n.id != doc.journey.root_id);
            doc.nodes = nodes;
            doc.edges = edges;
        } else {
            let reply = self
                .http
                .send(
                    Method::GET,
                    &format!("/journeys/{journey_id}/mermaid"),
                    None,
                )
                .await?;
            let chart: String = serde_json::from_str::<String>(&reply.text).unwrap_or(reply.text);
            let parsed = mermaid::parse(&chart);
            doc.journey.root_id = mermaid::ROOT_ALIAS.to_string();
            doc.nodes = parsed.nodes;
            doc.edges = parsed.edges;
        }
        let remote_entities = self
            .fetch_entities(journey_id, &raw_tags, &variable_ids)
            .await?;
        entities::write_into(&mut doc, &remote_entities);
        Ok(Some(RemoteJourney {
            doc,
            node_ids,
            edge_ids,
            conditions,
            exact,
            raw_tags,
            variable_ids,
            entities: remote_entities,
        }))
    }

    /// Pushes `local` as journey `journey_id` with `extra_tags` (the agent scope) added. Creates
    /// the journey when absent, else updates it in place. On failure, undoes what it did.
    pub async fn push(
        &self,
        local: &JourneyDocument,
        journey_id: &str,
        extra_tags: &[String],
    ) -> std::result::Result<PushReport, PushFailure> {
        if !self.has_graph_module().await? {
            return Err(self
                .remote_err(
                    "this Parlant server has no journey graph endpoints: load Journey Studio's module (`parlant-server run --module journey_studio_parlant.graph`, see docs/store-and-sync.md)".into(),
                )
                .into());
        }
        JourneyFields::check(local)?;
        let mut report = PushReport::default();
        let before = self.fetch(journey_id).await?;
        // Reads only: a tag Parlant would refuse stops the push before anything is written.
        self.check_entities(local).await?;
        let plan = match self.plan(local, extra_tags, extra_tags, &mut report).await {
            Ok(plan) => plan,
            Err(e) => return Err(self.undo_created(journey_id, e, &report).await),
        };
        match before {
            None => {
                let fields = JourneyFields::of(local);
                let mut body = json!({"id": journey_id, "title": local.journey.title, "description": local.journey.description,
                                      "conditions": local.journey.conditions, "tags": plan.journey_tags,
                                      "labels": fields.labels, "priority": fields.priority});
                if let Some(mode) = &fields.composition_mode {
                    body["composition_mode"] = json!(mode);
                }
                if let Err(e) = self
                    .call(Method::POST, "/journeys", Some(body), &mut report)
                    .await
                {
                    return Err(self.undo_created(journey_id, e, &report).await);
                }
                report.created = true;
                let result = match self.fetch(journey_id).await {
                    Ok(Some(current)) => {
                        self.apply(local, &plan, &current, journey_id, &mut report)
                            .await
                    }
                    Ok(None) => Err(self.remote_err(format!(
                        "journey `{journey_id}` was created but cannot be read back"
                    ))),
                    Err(e) => Err(e),
                };
                if let Err(e) = result {
                    // What it created around the journey first (its guidelines' relationships
                    // name the journey), then the journey.
                    let mut undo = PushReport::default();
                    let undone = match self.delete_created(journey_id, &report).await {
                        Ok(()) => self
                            .call(
                                Method::DELETE,
                                &format!("/journeys/{journey_id}"),
                                None,
                                &mut undo,
                            )
                            .await
                            .map(|_| ()),
                        Err(err) => Err(err),
                    };
                    return Err(match undone {
                        Ok(()) => e.into(),
                        Err(undo_err) => PushFailure {
                            error: self.half_done(e, undo_err),
                            dirty: true,
                        },
                    });
                }
            }
            Some(current) => {
                if let Err(e) = self
                    .apply(local, &plan, &current, journey_id, &mut report)
                    .await
                {
                    // Revert to what the server held before this push: its graph, guidelines
                    // and variable links (guidelines this push created go with the revert), then
                    // the variables and tags it created.
                    let mut undo = PushReport::default();
                    let reverted = match self.fetch(journey_id).await {
                        Ok(Some(now)) => match self.plan(&current.doc, &[], &[], &mut undo).await {
                            Ok(previous) => {
                                self.apply(&current.doc, &previous, &now, journey_id, &mut undo)
                                    .await
                            }
                            Err(err) => Err(err),
                        },
                        Ok(None) => Ok(()),
                        Err(err) => Err(err),
                    };
                    let created = PushReport {
                        created_guidelines: Vec::new(),
                        ..report.clone()
                    };
                    let reverted = match reverted {
                        Ok(()) => self.delete_created(journey_id, &created).await,
                        Err(err) => Err(err),
                    };
                    return Err(match reverted {
                        Ok(()) => e.into(),
                        Err(undo_err) => PushFailure {
                            error: self.half_done(e, undo_err),
                            dirty: true,
                        },
                    });
                }
            }
        }
        Ok(report)
    }

    /// The tags a push sends: the document's tags found or created by name, the journey's tags
    /// as server ids plus `journey_extra`, and `entity_extra` for every guideline and variable.
    async fn plan(
        &self,
        doc: &JourneyDocument,
        journey_extra: &[String],
        entity_extra: &[String],
        report: &mut PushReport,
    ) -> Result<Plan> {
        let tag_ids = self.ensure_tags(doc, report).await?;
        let mut journey_tags: Vec<String> = Vec::new();
        for t in doc
            .journey
            .tags
            .get()
            .into_iter()
            .flatten()
            .chain(journey_extra)
        {
            let id = tag_ids.get(t).cloned().unwrap_or_else(|| t.clone());
            if !journey_tags.contains(&id) {
                journey_tags.push(id);
            }
        }
        Ok(Plan {
            journey_tags,
            tag_ids,
            entity_tags: entity_extra.to_vec(),
        })
    }

    /// A push failed before the journey was written: deletes the tags it created.
    async fn undo_created(&self, journey_id: &str, e: Error, report: &PushReport) -> PushFailure {
        match self.delete_created(journey_id, report).await {
            Ok(()) => e.into(),
            Err(undo_err) => PushFailure {
                error: self.half_done(e, undo_err),
                dirty: true,
            },
        }
    }

    fn half_done(&self, e: Error, undo_err: Error) -> Error {
        let retryable = e.retry_hint().is_some() || undo_err.retry_hint().is_some();
        Error::Remote {
            remote: self.http.remote.clone(),
            message: format!("{e}; undoing the partial push also failed ({undo_err}): the push stays in the outbox and the next attempt completes it"),
            retryable,
            retry_after: None,
        }
    }

    /// Makes the server's journey equal to `target` (its tags as `plan` says), given its current
    /// state: the journey's fields, its guidelines and variables, then its graph.
    async fn apply(
        &self,
        target: &JourneyDocument,
        plan: &Plan,
        current: &RemoteJourney,
        jid: &str,
        report: &mut PushReport,
    ) -> Result<()> {
        let tags = &plan.journey_tags;
        let base = format!("/journey-studio/journeys/{jid}");
        // Journey fields.
        let mut patch = Map::new();
        if target.journey.title != current.doc.journey.title {
            patch.insert("title".into(), json!(target.journey.title));
        }
        if target.journey.description != current.doc.journey.description
            && !target.journey.description.is_empty()
        {
            patch.insert("description".into(), json!(target.journey.description));
        }
        let current_tags: Vec<String> = current.raw_tags.clone();
        let add_tags: Vec<&String> = tags.iter().filter(|t| !current_tags.contains(t)).collect();
        let remove_tags: Vec<&String> = current_tags.iter().filter(|t| !tags.contains(t)).collect();
        if !add_tags.is_empty() || !remove_tags.is_empty() {
            patch.insert(
                "tags".into(),
                json!({"add": add_tags, "remove": remove_tags}),
            );
        }
        let mut add_conditions = Vec::new();
        for text in &target.journey.conditions {
            if !current.conditions.iter().any(|(t, _)| t == text) {
                let g = self
                    .call(
                        Method::POST,
                        "/guidelines",
                        Some(json!({"condition": text})),
                        report,
                    )
                    .await?;
                add_conditions.push(
                    s(&g, "id").ok_or_else(|| self.remote_err("POST /guidelines: no id".into()))?,
                );
            }
        }
        let remove_conditions: Vec<&String> = current
            .conditions
            .iter()
            .filter(|(t, _)| !target.journey.conditions.contains(t))
            .map(|(_, g)| g)
            .collect();
        if !add_conditions.is_empty() || !remove_conditions.is_empty() {
            patch.insert(
                "conditions".into(),
                json!({"add": add_conditions, "remove": remove_conditions}),
            );
        }
        let (want, have) = (JourneyFields::of(target), JourneyFields::of(&current.doc));
        if want.priority != have.priority {
            patch.insert("priority".into(), json!(want.priority));
        }
        if want.labels != have.labels {
            let upsert: Vec<&String> = want.labels.difference(&have.labels).collect();
            let remove: Vec<&String> = have.labels.difference(&want.labels).collect();
            patch.insert("labels".into(), json!({"upsert": upsert, "remove": remove}));
        }
        let clear_mode = want.composition_mode.is_none() && have.composition_mode.is_some();
        if let Some(mode) = want
            .composition_mode
            .as_ref()
            .filter(|m| Some(*m) != have.composition_mode.as_ref())
        {
            patch.insert("composition_mode".into(), json!(mode));
        }
        if !patch.is_empty() {
            self.call(
                Method::PATCH,
                &format!("/journeys/{jid}"),
                Some(Value::Object(patch)),
                report,
            )
            .await?;
        }
        if clear_mode {
            // Parlant's PATCH reads `composition_mode: null` as "unchanged": the module clears it.
            self.call(
                Method::PATCH,
                &base,
                Some(json!({"clear_composition_mode": true})),
                report,
            )
            .await?;
        }

        // Guidelines and context variables; the root's marker links the variables to the journey.
        let variable_ids = self
            .apply_entities(
                target,
                plan.tag_ids.clone(),
                &plan.entity_tags,
                &current.entities,
                jid,
                report,
            )
            .await?;
        let marker_of = |node: &JourneyNode, root: bool, variables: &[String]| {
            let mut m = json!({"node_id": node.id});
            if root && !variables.is_empty() {
                m["context_variables"] = json!(variables);
            }
            m
        };

        // Nodes: map document ids to server ids; the root is the server's root.
        let server_root = current
            .node_ids
            .get(&current.doc.journey.root_id)
            .cloned()
            .unwrap_or_default();
        let mut ids: HashMap<String, String> = current.node_ids.clone();
        ids.remove(&current.doc.journey.root_id);
        ids.insert(target.journey.root_id.clone(), server_root.clone());
        let current_nodes: HashMap<&str, &JourneyNode> = current
            .doc
            .nodes
            .iter()
            .map(|n| (n.id.as_str(), n))
            .collect();
        let mut current_by_server: HashMap<&str, &JourneyNode> = HashMap::new();
        for n in &current.doc.nodes {
            if let Some(sid) = current.node_ids.get(&n.id) {
                current_by_server.insert(sid.as_str(), n);
            }
        }
        let target_ids: BTreeSet<&str> = target.nodes.iter().map(|n| n.id.as_str()).collect();
        for node in &target.nodes {
            let mut meta = node_meta(node);
            meta.insert(
                MARKER.into(),
                marker_of(node, node.id == target.journey.root_id, &variable_ids),
            );
            match ids.get(&node.id) {
                None => {
                    let sid = format!("{jid}.{}", node.id);
                    let mut body = json!({"id": sid, "action": node.action.get(), "tools": tools_json(node.tool_ids()), "metadata": meta});
                    if let Some(d) = node.description.get() {
                        body["description"] = json!(d);
                    }
                    self.call(Method::POST, &format!("{base}/nodes"), Some(body), report)
                        .await?;
                    ids.insert(node.id.clone(), sid);
                }
                Some(sid) => {
                    let Some(old) = current_by_server
                        .get(sid.as_str())
                        .copied()
                        .or_else(|| current_nodes.get(node.id.as_str()).copied())
                    else {
                        continue;
                    };
                    let mut body = Map::new();
                    if old.action.get() != node.action.get() {
                        match node.action.get() {
                            Some(a) => body.insert("action".into(), json!(a)),
                            None => body.insert("clear_action".into(), json!(true)),
                        };
                    }
                    if old.tool_ids() != node.tool_ids() {
                        body.insert("tools".into(), tools_json(node.tool_ids()));
                    }
                    if let Some(d) = node.description.get() {
                        if old.description.get() != Some(d) {
                            body.insert("description".into(), json!(d));
                        }
                    }
                    let mut old_meta = node_meta(old);
                    old_meta.insert(
                        MARKER.into(),
                        marker_of(
                            old,
                            old.id == current.doc.journey.root_id,
                            &current.variable_ids,
                        ),
                    );
                    if let Some(update) = metadata_update(&old_meta, &meta) {
                        body.insert("metadata".into(), update);
                    }
                    if !body.is_empty() {
                        self.call(
                            Method::PATCH,
                            &format!("{base}/nodes/{sid}"),
                            Some(Value::Object(body)),
                            report,
                        )
                        .await?;
                    }
                }
            }
        }

        // Edges: matched by document edge id.
        let server = |doc_id: &str| -> String {
            if doc_id == END_NODE_ID {
                END_NODE_ID.to_string()
            } else {
                ids.get(doc_id)
                    .cloned()
                    .unwrap_or_else(|| doc_id.to_string())
            }
        };
        let current_edges: HashMap<&str, &JourneyEdge> = current
            .doc
            .edges
            .iter()
            .map(|e| (e.id.as_str(), e))
            .collect();
        let target_edges: BTreeSet<&str> = target.edges.iter().map(|e| e.id.as_str()).collect();
        let current_server = |doc_id: &str| -> String {
            if doc_id == END_NODE_ID {
                END_NODE_ID.to_string()
            } else {
                current
                    .node_ids
                    .get(doc_id)
                    .cloned()
                    .unwrap_or_else(|| doc_id.to_string())
            }
        };
        for e in &current.doc.edges {
            let keep = target.edges.iter().find(|t| t.id == e.id).is_some_and(|t| {
                server(&t.source) == current_server(&e.source)
                    && server(&t.target) == current_server(&e.target)
            });
            if !keep {
                if let Some(sid) = current.edge_ids.get(&e.id) {
                    self.call(Method::DELETE, &format!("{base}/edges/{sid}"), None, report)
                        .await?;
                }
            }
        }
        for edge in &target.edges {
            let mut meta = edge_meta(edge);
            meta.insert(MARKER.into(), json!({"edge_id": edge.id}));
            let existing = current_edges.get(edge.id.as_str()).filter(|e| {
                server(&edge.source) == current_server(&e.source)
                    && server(&edge.target) == current_server(&e.target)
            });
            match existing {
                None => {
                    let body = json!({"source": server(&edge.source), "target": server(&edge.target), "condition": edge.condition_text(), "metadata": meta});
                    self.call(Method::POST, &format!("{base}/edges"), Some(body), report)
                        .await?;
                }
                Some(old) => {
                    let Some(sid) = current.edge_ids.get(&old.id) else {
                        continue;
                    };
                    let mut body = Map::new();
                    if old.condition_text() != edge.condition_text() {
                        match edge.condition_text() {
                            Some(c) => body.insert("condition".into(), json!(c)),
                            None => body.insert("clear_condition".into(), json!(true)),
                        };
                    }
                    let mut old_meta = edge_meta(old);
                    old_meta.insert(MARKER.into(), json!({"edge_id": old.id}));
                    if let Some(update) = metadata_update(&old_meta, &meta) {
                        body.insert("metadata".into(), update);
                    }
                    if !body.is_empty() {
                        self.call(
                            Method::PATCH,
                            &format!("{base}/edges/{sid}"),
                            Some(Value::Object(body)),
                            report,
                        )
                        .await?;
                    }
                }
            }
        }
        let _ = target_edges;
        // Nodes the target no longer has (their edges went with them).
        for n in &current.doc.nodes {
            let Some(sid) = current.node_ids.get(&n.id) else {
                continue;
            };
            if *sid == server_root {
                continue;
            }
            let still = target_ids.contains(n.id.as_str()) && ids.get(&n.id) == Some(sid);
            if !still {
                self.call(Method::DELETE, &format!("{base}/nodes/{sid}"), None, report)
                    .await?;
            }
        }
        Ok(())
    }

    pub async fn delete_journey(&self, journey_id: &str) -> Result<()> {
        let mut report = PushReport::default();
        self.call(
            Method::DELETE,
            &format!("/journeys/{journey_id}"),
            None,
            &mut report,
        )
        .await
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> JourneyDocument {
        JourneyDocument::new("Book", "d", vec!["wants a flight".to_string()])
    }

    #[test]
    fn a_metadata_update_sets_what_changed_and_unsets_what_went() {
        let map = |v: Value| v.as_object().cloned().unwrap();
        let have = map(json!({"a": 1, "b": 2, "c": 3}));
        let want = map(json!({"a": 1, "b": 5, "d": 4}));
        assert_eq!(
            metadata_update(&have, &want),
            Some(json!({"set": {"b": 5, "d": 4}, "unset": ["c"]}))
        );
        assert_eq!(metadata_update(&want, &want), None);
    }

    #[test]
    fn journey_fields_count_only_when_they_differ_from_parlants_defaults() {
        let plain = doc();
        let base = projection(&plain, &[]);
        assert!(
            base.get("priority").is_none()
                && base.get("labels").is_none()
                && base.get("composition_mode").is_none()
        );
        // Defaults written out hash like absent ones (a sync base from before stays valid).
        let mut defaults = doc();
        defaults.journey.labels = Maybe::Value(vec![]);
        defaults.journey.priority = Maybe::Value(0.into());
        assert_eq!(
            projection_hash(&defaults, &[]),
            projection_hash(&plain, &[])
        );
        // Each field, and label order, counts as it should.
        let mut set = doc();
        set.journey.labels = Maybe::Value(vec!["b".into(), "a".into()]);
        let mut reordered = doc();
        reordered.journey.labels = Maybe::Value(vec!["a".into(), "b".into()]);
        assert_eq!(projection_hash(&set, &[]), projection_hash(&reordered, &[]));
        assert_ne!(projection_hash(&set, &[]), projection_hash(&plain, &[]));
        let mut prio = doc();
        prio.journey.priority = Maybe::Value(2.into());
        assert_ne!(projection_hash(&prio, &[]), projection_hash(&plain, &[]));
        let mut mode = doc();
        mode.journey.composition_mode = Maybe::Value("fluid".into());
        assert_ne!(projection_hash(&mode, &[]), projection_hash(&plain, &[]));
    }

    #[test]
    fn values_parlant_rejects_are_refused_with_their_path() {
        let mut bad = doc();
        bad.journey.composition_mode = Maybe::Value("loud".into());
        assert!(JourneyFields::check(&bad)
            .unwrap_err()
            .to_string()
            .contains("journey.composition_mode"));
        let mut bad = doc();
        bad.journey.priority = Maybe::Value(serde_json::Number::from_f64(1.5).unwrap());
        assert!(JourneyFields::check(&bad)
            .unwrap_err()
            .to_string()
            .contains("journey.priority"));
        assert!(JourneyFields::check(&doc()).is_ok());
    }

    #[test]
    fn fields_read_from_parlants_dto_and_written_back_sparse() {
        let dto = json!({"composition_mode": "strict_canned", "labels": ["vip"], "priority": 4});
        let mut d = doc();
        JourneyFields::of_dto(&dto).write_to(&mut d);
        assert_eq!(JourneyFields::of(&d), JourneyFields::of_dto(&dto));
        let mut d = doc();
        JourneyFields::of_dto(&json!({"composition_mode": null, "labels": [], "priority": 0}))
            .write_to(&mut d);
        assert!(
            d.journey.composition_mode.is_absent()
                && d.journey.labels.is_absent()
                && d.journey.priority.is_absent()
        );
    }
}
