//! The handlers behind `commands!`: each translates its arguments to calls of the core modules
//! and their results to the command's result type.

use super::canvas::{self, CanvasView};
use super::settings::Settings;
use super::types::*;
use super::{edit, AppState};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::parlant::JourneyDocument;
use crate::simulate::{Mocks, Session, Snapshot};
use serde_json::{json, Value};

/// A document from a JSON value sent by the UI (`file` names it in errors).
pub(crate) fn document_from(content: &Value, file: &str) -> Result<Document> {
    let text = serde_json::to_string(content).map_err(|e| Error::Unsupported(e.to_string()))?;
    Document::parse(file, &text)
}

fn document_value(doc: &Document) -> Result<Value> {
    serde_json::from_str(&doc.to_json()).map_err(|e| Error::Unsupported(e.to_string()))
}

fn report(doc: &Document) -> Result<ValidationReport> {
    let r = crate::validate::validate(doc)?;
    Ok(ValidationReport {
        diagnostics: r
            .diagnostics
            .iter()
            .map(|d| DiagnosticEntry {
                code: d.code.to_string(),
                severity: d.severity.as_str().to_string(),
                message: d.message.clone(),
                node_ids: d.node_ids.clone(),
                edge_ids: d.edge_ids.clone(),
                path: d.path.to_string(),
                hint: d.hint.clone(),
            })
            .collect(),
        errors: r.errors,
        warnings: r.warnings,
        infos: r.infos,
    })
}

fn name_of(state: &AppState, id: i64) -> Result<String> {
    let store = state.store()?;
    store.documents()?.into_iter().find(|d| d.id == id).map(|d| d.name).ok_or_else(|| Error::NotFound(format!("no document with id {id} in the workspace")))
}

pub fn workspace_info(state: &AppState, _: NoArgs) -> Result<WorkspaceInfo> {
    let store = state.store()?;
    Ok(WorkspaceInfo {
        path: store.path().display().to_string(),
        workspace_id: store.workspace_id()?,
        schema_version: store.schema_version()?,
        documents: store.documents()?.len(),
        version: crate::VERSION.to_string(),
    })
}

pub fn open_workspace(state: &AppState, args: OpenWorkspaceArgs) -> Result<WorkspaceInfo> {
    let path = std::path::PathBuf::from(args.path.trim());
    if args.path.trim().is_empty() {
        return Err(Error::Unsupported("open_workspace: give the workspace file's path".into()));
    }
    if path.is_dir() {
        return Err(Error::Unsupported(format!("{} is a folder; give a workspace file inside it, e.g. {}", path.display(), path.join("journey-studio.db").display())));
    }
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) if !parent.is_dir() => {
            return Err(Error::NotFound(format!("{}: the folder {} does not exist", path.display(), parent.display())));
        }
        _ => {}
    }
    let previous = state.workspace().display().to_string();
    state.switch_workspace(&path)?;
    let opened = state.workspace().display().to_string();
    // Newest first: the one just opened, then the one it replaced, then the older ones.
    let mut recent = vec![opened];
    for p in std::iter::once(previous).chain(state.settings.load()?.recent_workspaces) {
        if !recent.contains(&p) {
            recent.push(p);
        }
    }
    recent.truncate(10);
    // The store ids of recent documents belong to the workspace they came from.
    let patch = serde_json::json!({"recent_workspaces": recent, "recent_documents": []});
    if let serde_json::Value::Object(patch) = patch {
        state.settings.update(&patch)?;
    }
    workspace_info(state, NoArgs::default())
}

pub fn list_documents(state: &AppState, args: ListDocumentsArgs) -> Result<DocumentList> {
    let query = args.query.unwrap_or_default().to_lowercase();
    let documents = state
        .store()?
        .documents()?
        .into_iter()
        .filter(|d| query.is_empty() || d.name.to_lowercase().contains(&query) || d.kind.contains(&query))
        .map(|d| DocumentEntry { id: d.id, name: d.name, kind: d.kind, revisions: d.revisions, updated_at: d.updated_at })
        .collect();
    Ok(DocumentList { documents })
}

pub fn import_document(state: &AppState, args: ImportDocumentArgs) -> Result<DocumentRef> {
    let doc = Document::parse(args.name.as_deref().unwrap_or("imported document"), &args.content)?;
    let base = args.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| match &doc {
        Document::Journey(j) => j.journey.title.clone(),
        Document::Sim(s) => s.state().metadata.get().and_then(|m| m.name.get().cloned()).unwrap_or_else(|| "workflow".into()),
    });
    let mut store = state.store()?;
    // Importing never overwrites: a taken name gets a number.
    let taken: Vec<String> = store.documents()?.into_iter().map(|d| d.name).collect();
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base} ({n})");
        n += 1;
    }
    let saved = store.save(&name, &doc, "imported")?;
    let info = store.document(&name)?;
    Ok(DocumentRef { id: saved.document_id, name, kind: info.kind, revision: saved.revision })
}

pub fn get_document(state: &AppState, args: DocumentIdArgs) -> Result<DocumentContent> {
    let name = name_of(state, args.id)?;
    let store = state.store()?;
    let head = store.head(&name)?;
    let info = store.document(&name)?;
    let content = serde_json::from_str(&head.content).map_err(|e| Error::Store { file: name.clone(), message: e.to_string() })?;
    Ok(DocumentContent { id: args.id, name, kind: info.kind, content, revision: head.info.id })
}

pub fn save_document(state: &AppState, args: SaveDocumentArgs) -> Result<SaveResult> {
    let name = name_of(state, args.id)?;
    let doc = document_from(&args.content, &name)?;
    let saved = state.store()?.save(&name, &doc, "edited in Journey Studio")?;
    Ok(SaveResult { revision: saved.revision, unchanged: saved.unchanged, diagnostics: report(&doc)? })
}

pub fn delete_document(state: &AppState, args: DocumentIdArgs) -> Result<Deleted> {
    let name = name_of(state, args.id)?;
    state.store()?.delete_document(&name)?;
    Ok(Deleted { id: args.id, name })
}

pub fn restore_revision(state: &AppState, args: RestoreRevisionArgs) -> Result<SaveResult> {
    let name = name_of(state, args.id)?;
    let saved = state.store()?.restore(&name, args.revision)?;
    let doc = state.store()?.head(&name)?.document(&name)?;
    Ok(SaveResult { revision: saved.revision, unchanged: saved.unchanged, diagnostics: report(&doc)? })
}

pub fn revision_diff(state: &AppState, args: RevisionDiffArgs) -> Result<DiffText> {
    Ok(DiffText { diff: state.store()?.diff(args.from, args.to)? })
}

pub fn export_document(state: &AppState, args: DocumentIdArgs) -> Result<ExportedDocument> {
    let name = name_of(state, args.id)?;
    let text = state.store()?.head(&name)?.content;
    Ok(ExportedDocument { name, text })
}

pub fn document_history(state: &AppState, args: DocumentIdArgs) -> Result<DocumentHistory> {
    let name = name_of(state, args.id)?;
    let revisions = state
        .store()?
        .history(&name)?
        .into_iter()
        .map(|r| RevisionEntry { id: r.id, parent: r.parent, message: r.message, created_at: r.created_at })
        .collect();
    Ok(DocumentHistory { revisions })
}

pub fn canvas_view(_: &AppState, args: ContentArgs) -> Result<CanvasView> {
    Ok(canvas::view(&document_from(&args.content, "content")?))
}

pub fn apply_edits(_: &AppState, args: ApplyEditsArgs) -> Result<ApplyEditsResult> {
    let doc = document_from(&args.content, "content")?;
    let (doc, created) = edit::apply(&doc, &args.edits)?;
    Ok(ApplyEditsResult { content: document_value(&doc)?, view: canvas::view(&doc), diagnostics: report(&doc)?, created })
}

pub fn validate(_: &AppState, args: ContentArgs) -> Result<ValidationReport> {
    report(&document_from(&args.content, "content")?)
}

pub fn convert(_: &AppState, args: ConvertArgs) -> Result<ConvertResult> {
    let doc = document_from(&args.content, "content")?;
    let opts = crate::convert::ConvertOptions::default();
    match (args.to.as_str(), &doc) {
        ("journey", Document::Sim(sim)) => {
            let c = crate::convert::workflow_to_journey(sim, &opts)?;
            Ok(ConvertResult { output: document_value(&Document::Journey(c.output))?, mapping: c.mapping })
        }
        ("workflow", Document::Journey(j)) => {
            let c = crate::convert::journey_to_workflow(j, &opts)?;
            Ok(ConvertResult { output: document_value(&Document::Sim(c.output))?, mapping: c.mapping })
        }
        ("journey", _) => Err(Error::Unsupported("convert: the document is already a journey".into())),
        ("workflow", _) => Err(Error::Unsupported("convert: the document is already a workflow".into())),
        (other, _) => Err(Error::Unsupported(format!("convert: `to` is `journey` or `workflow`, not `{other}`"))),
    }
}

/// The opaque session the UI holds: the journey, the mocks and the simulator's snapshot.
fn session_from(value: &Value) -> Result<(JourneyDocument, Value, Session)> {
    let bad = |what: &str| Error::Simulation(format!("the session has no valid `{what}`; start a new one"));
    let content = value.get("content").ok_or_else(|| bad("content"))?;
    let Document::Journey(journey) = document_from(content, "session content")? else {
        return Err(Error::Simulation("the simulator plays journeys; convert the workflow first".into()));
    };
    let mocks_value = value.get("mocks").cloned().unwrap_or(Value::Null);
    let mocks: Mocks = if mocks_value.is_null() { Mocks::default() } else { serde_json::from_value(mocks_value.clone()).map_err(|e| Error::Simulation(format!("mocks: {e}")))? };
    let mut session = Session::new(&journey, mocks)?;
    if let Some(snapshot) = value.get("snapshot") {
        let snapshot: Snapshot = serde_json::from_value(snapshot.clone()).map_err(|_| bad("snapshot"))?;
        session.restore(snapshot)?;
    }
    Ok((journey, mocks_value, session))
}

fn step(journey: &JourneyDocument, mocks: Value, session: &Session, events: Vec<crate::simulate::Event>) -> Result<SimStep> {
    let ser = |v: &dyn erased::Ser| v.value();
    let snapshot = session.snapshot();
    let p = session.position();
    Ok(SimStep {
        session: json!({
            "content": serde_json::from_str::<Value>(&journey.to_json()).map_err(|e| Error::Simulation(e.to_string()))?,
            "mocks": mocks,
            "snapshot": ser(&snapshot)?,
        }),
        events,
        active_node: session.current().map(str::to_string),
        variables: ser(&p.variables)?,
        transcript: ser(&p.transcript)?,
        ended: session.ended(),
    })
}

/// Serialising simulator types behind one small object-safe trait.
mod erased {
    pub trait Ser {
        fn value(&self) -> crate::Result<serde_json::Value>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn value(&self) -> crate::Result<serde_json::Value> {
            serde_json::to_value(self).map_err(|e| crate::Error::Simulation(e.to_string()))
        }
    }
}

pub fn sim_start(_: &AppState, args: SimStartArgs) -> Result<SimStep> {
    let Document::Journey(journey) = document_from(&args.content, "content")? else {
        return Err(Error::Simulation("the simulator plays journeys; convert the workflow first".into()));
    };
    let mocks = args.mocks.unwrap_or(Value::Null);
    let parsed: Mocks = if mocks.is_null() { Mocks::default() } else { serde_json::from_value(mocks.clone()).map_err(|e| Error::Simulation(format!("mocks: {e}")))? };
    let mut session = Session::new(&journey, parsed)?;
    if let Some(Value::Object(context)) = args.context {
        session.set_context(context.into_iter().collect());
    }
    let events = session.start()?;
    step(&journey, mocks, &session, events)
}

pub fn sim_send(_: &AppState, args: SimSendArgs) -> Result<SimStep> {
    let (journey, mocks, mut session) = session_from(&args.session)?;
    let events = session.send(&args.message)?;
    step(&journey, mocks, &session, events)
}

pub fn sim_choose(_: &AppState, args: SimChooseArgs) -> Result<SimStep> {
    let (journey, mocks, mut session) = session_from(&args.session)?;
    let events = session.choose(&args.edge_id)?;
    step(&journey, mocks, &session, events)
}

pub fn sim_back(_: &AppState, args: SimSessionArgs) -> Result<SimStep> {
    let (journey, mocks, mut session) = session_from(&args.session)?;
    if !session.back() {
        return Err(Error::Simulation("nothing to go back to".into()));
    }
    step(&journey, mocks, &session, Vec::new())
}

pub fn sim_restart(_: &AppState, args: SimSessionArgs) -> Result<SimStep> {
    let (journey, mocks, mut session) = session_from(&args.session)?;
    let events = session.restart()?;
    step(&journey, mocks, &session, events)
}

pub fn sim_save_scenario(state: &AppState, args: SimSaveScenarioArgs) -> Result<ScenarioRef> {
    let name = name_of(state, args.document_id)?;
    let (_, mocks, session) = session_from(&args.session)?;
    let content = json!({ "mocks": mocks, "transcript": session.position().transcript, "path": session.position().path });
    let id = state.store()?.save_scenario(&name, &args.name, &content)?;
    Ok(ScenarioRef { id })
}

fn entry(t: &crate::template::Template) -> TemplateEntry {
    TemplateEntry {
        id: t.id.clone(),
        version: t.version.to_string(),
        name: t.name.clone(),
        description: t.description.clone(),
        category: t.category.clone(),
        tags: t.tags.clone(),
    }
}

pub fn templates_list(_: &AppState, args: TemplatesListArgs) -> Result<TemplateList> {
    let library = crate::template::Library::builtin()?;
    let query = crate::template::Query { text: args.query, category: args.category, tag: args.tag, all_versions: false };
    Ok(TemplateList { templates: library.search(&query).into_iter().map(|e| entry(&e.template)).collect() })
}

pub fn template_show(_: &AppState, args: TemplateIdArgs) -> Result<TemplateDetail> {
    let library = crate::template::Library::builtin()?;
    let found = library.find(&args.id)?;
    let (resolved, _) = crate::template::resolve(&library, &found.template)?;
    let to_value = |v: &dyn erased::Ser| v.value();
    Ok(TemplateDetail {
        entry: entry(&found.template),
        parameters: resolved.parameters.clone(),
        template: to_value(&found.template)?,
    })
}

pub fn template_instantiate(_: &AppState, args: TemplateInstantiateArgs) -> Result<TemplateInstance> {
    let library = crate::template::Library::builtin()?;
    let found = library.find(&args.id)?;
    let instance = crate::template::instantiate(&library, &found.template, &args.params)?;
    Ok(TemplateInstance { content: document_value(&instance.document)?, template: instance.template })
}

pub fn remotes_list(state: &AppState, _: NoArgs) -> Result<RemoteList> {
    let remotes = state
        .store()?
        .remotes()?
        .iter()
        .map(super::sync::entry)
        .collect();
    Ok(RemoteList { remotes })
}

pub fn sync_status(state: &AppState, _: NoArgs) -> Result<SyncStatus> {
    let store = state.store()?;
    let to_value = |v: &dyn erased::Ser| v.value();
    Ok(SyncStatus {
        outbox: store.outbox()?.iter().map(|e| to_value(e)).collect::<Result<_>>()?,
        conflicts: super::sync::conflicts(&store)?,
    })
}

pub fn settings_get(state: &AppState, _: NoArgs) -> Result<Settings> {
    state.settings.load()
}

pub fn settings_update(state: &AppState, args: SettingsPatchArgs) -> Result<Settings> {
    state.settings.update(&args.patch)
}
