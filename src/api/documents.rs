//! Documents of the workspace: list, import, export, delete, history.

use super::types::*;
use super::AppState;
use crate::document::{Document, DocumentKind};
use crate::error::{Error, Result};
use crate::store::Store;

pub(crate) use crate::app::documents::name_of;

pub(crate) fn kind_of(stored: &str) -> Result<DocumentKind> {
    DocumentKind::from_store_name(stored).ok_or_else(|| Error::Store {
        file: "workspace".into(),
        message: format!("unknown document kind `{stored}`"),
    })
}

/// `base`, or `base (2)`, `base (3)`, ... the first name not taken: adding never overwrites.
pub(crate) fn free_name(store: &Store, base: &str) -> Result<String> {
    let taken: std::collections::HashSet<String> =
        store.documents()?.into_iter().map(|d| d.name).collect();
    let mut name = base.to_string();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base} ({n})");
        n += 1;
    }
    Ok(name)
}

/// Saves `doc` as a new document named after `base`.
pub(crate) fn add_document(
    state: &AppState,
    base: &str,
    doc: &Document,
    message: &str,
) -> Result<DocumentRef> {
    let mut store = state.store()?;
    let name = free_name(&store, base)?;
    let saved = store.save(&name, doc, message)?;
    Ok(DocumentRef {
        id: saved.document_id,
        name,
        kind: doc.kind(),
        revision: saved.revision,
    })
}

/// The title a document gives itself (journey title, workflow name).
pub(crate) fn title_of(doc: &Document) -> String {
    match doc {
        Document::Journey(j) => j.journey.title.clone(),
        Document::Sim(s) => s
            .state()
            .metadata
            .get()
            .and_then(|m| m.name.get().cloned())
            .unwrap_or_else(|| "workflow".into()),
    }
}

pub fn list_documents(state: &AppState, args: ListDocumentsArgs) -> Result<DocumentList> {
    let query = args.query.unwrap_or_default().to_lowercase();
    let mut documents = Vec::new();
    for d in state.store()?.documents()? {
        if query.is_empty() || d.name.to_lowercase().contains(&query) || d.kind.contains(&query) {
            documents.push(DocumentEntry {
                id: d.id,
                name: d.name,
                kind: kind_of(&d.kind)?,
                revisions: d.revisions,
                updated_at: d.updated_at,
            });
        }
    }
    Ok(DocumentList { documents })
}

pub fn import_document(state: &AppState, args: ImportDocumentArgs) -> Result<DocumentRef> {
    // Errors locate the problem in "imported document `name`" (line, column, JSON path).
    let label = match args.name.as_deref() {
        Some(name) => format!("imported document `{}`", crate::json::excerpt(name)),
        None => "imported document".to_string(),
    };
    let doc = Document::parse(&label, &args.content)?;
    let base = args
        .name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| title_of(&doc));
    add_document(state, &base, &doc, "imported")
}

pub fn delete_document(state: &AppState, args: DocumentIdArgs) -> Result<Deleted> {
    let name = name_of(&*state.store()?, args.id)?;
    state.editor.discard_document(args.id);
    state.previews.forget_document(args.id);
    state.runs.forget_document(args.id);
    state.store()?.delete_document(&name)?;
    Ok(Deleted { id: args.id, name })
}

pub fn restore_revision(state: &AppState, args: RestoreRevisionArgs) -> Result<RevisionRef> {
    let name = name_of(&*state.store()?, args.id)?;
    state.editor.close_document(args.id)?;
    let saved = state.store()?.restore(&name, args.revision)?;
    Ok(RevisionRef {
        revision: saved.revision,
        unchanged: saved.unchanged,
    })
}

pub fn revision_diff(state: &AppState, args: RevisionDiffArgs) -> Result<DiffText> {
    Ok(DiffText {
        diff: state.store()?.diff(args.from, args.to)?,
    })
}

pub fn export_document(state: &AppState, args: DocumentIdArgs) -> Result<ExportedDocument> {
    let store = state.store()?;
    let name = name_of(&store, args.id)?;
    drop(store);
    // What the editor holds is what the designer sees: save it before exporting.
    if let Some(session) = state.editor.session_of_document(args.id) {
        state.editor.save_now(&session.id)?;
    }
    let text = state.store()?.head(&name)?.content;
    Ok(ExportedDocument { name, text })
}

pub fn document_history(state: &AppState, args: DocumentIdArgs) -> Result<DocumentHistory> {
    let store = state.store()?;
    let name = name_of(&store, args.id)?;
    let revisions = store
        .history(&name)?
        .into_iter()
        .map(|r| RevisionEntry {
            id: r.id,
            parent: r.parent,
            message: r.message,
            created_at: r.created_at,
        })
        .collect();
    Ok(DocumentHistory { revisions })
}

/// A new document: a blank workflow (Sim's start block), a blank journey, or a template's.
pub fn create_document(state: &AppState, args: CreateDocumentArgs) -> Result<DocumentRef> {
    let name = args.name.trim();
    if name.is_empty() && args.kind != NewDocumentKind::Template {
        return Err(Error::Rejected(
            "create_document: `name` is empty; a new document needs a name".into(),
        ));
    }
    if name.chars().count() > 200 {
        return Err(Error::Rejected(format!(
            "create_document: `name` has {} characters; a name has at most 200",
            name.chars().count()
        )));
    }
    match args.kind {
        NewDocumentKind::Workflow => {
            let mut sim = crate::sim::registry::blank_workflow();
            sim.state_mut().metadata = crate::json::Maybe::Value(crate::sim::WorkflowMetadata {
                name: crate::json::Maybe::Value(name.to_string()),
                description: crate::json::Maybe::Absent,
                exported_at: crate::json::Maybe::Absent,
                extra: Default::default(),
            });
            add_document(state, name, &Document::Sim(sim), "new workflow")
        }
        NewDocumentKind::Journey => add_document(
            state,
            name,
            &Document::Journey(crate::sim::registry::blank_journey(name)?),
            "new journey",
        ),
        NewDocumentKind::Template => {
            let id = args
                .template
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| {
                    Error::Rejected(
                        "create_document: `template` names the template (`id` or `id@version`)"
                            .into(),
                    )
                })?;
            super::templates::instantiate_named(
                state,
                id,
                &args.params,
                (!name.is_empty()).then_some(name),
            )
        }
    }
}
