//! The editor's commands: documents open in the core, edits answered by what changed.

use super::documents::{add_document, kind_of, name_of, title_of};
use super::types::*;
use super::AppState;
use crate::document::Document;
use crate::editor::inspect::{self, InspectorView};
use crate::editor::{view, SessionStatus};
use crate::error::{Error, Result};

pub fn open_document(state: &AppState, args: DocumentIdArgs) -> Result<OpenedDocument> {
    let (name, head, kind) = {
        let store = state.store()?;
        let name = name_of(&store, args.id)?;
        let info = store.document(&name)?;
        (name.clone(), store.head(&name)?, kind_of(&info.kind)?)
    };
    let session = match state.editor.session_of_document(args.id) {
        Some(open) => open,
        None => {
            let doc = head.document(&name)?;
            state.editor.open(args.id, &name, head.info.id, doc)?
        }
    };
    let (view, diagnostics, counts) =
        session.read(|open| (open.view(), open.diagnostics(), open.counts()));
    Ok(OpenedDocument {
        session: session.id.clone(),
        id: args.id,
        name,
        kind,
        view,
        diagnostics,
        counts,
        status: session.status(),
    })
}

pub fn apply_edits(state: &AppState, args: ApplyEditsArgs) -> Result<EditResult> {
    let ((delta, created), status) = state.editor.apply_edits(&args.session, &args.edits)?;
    Ok(EditResult {
        delta,
        created,
        status,
    })
}

pub fn undo(state: &AppState, args: SessionArgs) -> Result<EditResult> {
    let (delta, status) = state.editor.undo(&args.session)?;
    Ok(EditResult {
        delta: delta.unwrap_or_else(|| empty(&status, state, &args.session)),
        created: Vec::new(),
        status,
    })
}

pub fn redo(state: &AppState, args: SessionArgs) -> Result<EditResult> {
    let (delta, status) = state.editor.redo(&args.session)?;
    Ok(EditResult {
        delta: delta.unwrap_or_else(|| empty(&status, state, &args.session)),
        created: Vec::new(),
        status,
    })
}

/// No change: an empty delta that still carries the totals.
fn empty(_: &SessionStatus, state: &AppState, session: &str) -> crate::editor::Delta {
    let counts = state
        .editor
        .session(session)
        .map(|s| s.read(|o| o.counts()))
        .unwrap_or_default();
    crate::editor::Delta {
        counts,
        ..Default::default()
    }
}

pub fn save_now(state: &AppState, args: SessionArgs) -> Result<SessionStatus> {
    state.editor.save_now(&args.session)
}

pub fn close_document(state: &AppState, args: SessionArgs) -> Result<SessionStatus> {
    state.previews.forget_session(&args.session);
    state.runs.forget_session(&args.session);
    state.editor.close(&args.session)
}

pub fn session_status(state: &AppState, args: SessionArgs) -> Result<SessionStatus> {
    Ok(state.editor.session(&args.session)?.status())
}

pub fn inspect(state: &AppState, args: InspectArgs) -> Result<InspectorView> {
    state
        .editor
        .session(&args.session)?
        .read(|open| inspect::inspect(open.doc_ref(), &args.target, &open.diagnostics()))
}

/// The open document converted, with its mapping.
fn converted(
    state: &AppState,
    session: &str,
    to: ConvertTo,
) -> Result<(Document, crate::convert::Mapping, String)> {
    let session = state.editor.session(session)?;
    let (doc, name) = (session.read(|open| open.document()), session.name.clone());
    let opts = crate::convert::ConvertOptions::default();
    match (to, &doc) {
        (ConvertTo::Journey, Document::Sim(sim)) => {
            let c = crate::convert::workflow_to_journey(sim, &opts)?;
            Ok((Document::Journey(c.output), c.mapping, name))
        }
        (ConvertTo::Workflow, Document::Journey(j)) => {
            let c = crate::convert::journey_to_workflow(j, &opts)?;
            Ok((Document::Sim(c.output), c.mapping, name))
        }
        (ConvertTo::Journey, _) => Err(Error::Unsupported(
            "convert: the document is already a journey".into(),
        )),
        (ConvertTo::Workflow, _) => Err(Error::Unsupported(
            "convert: the document is already a workflow".into(),
        )),
    }
}

pub fn convert(state: &AppState, args: ConvertArgs) -> Result<ConvertPreview> {
    let (output, mapping, _) = converted(state, &args.session, args.to)?;
    Ok(ConvertPreview {
        kind: output.kind(),
        view: view::view(&output),
        mapping,
    })
}

pub fn save_converted(state: &AppState, args: SaveConvertedArgs) -> Result<DocumentRef> {
    let (output, _, source) = converted(state, &args.session, args.to)?;
    let base = match args.name.filter(|n| !n.trim().is_empty()) {
        Some(name) => name,
        None if title_of(&output).trim().is_empty() => source.clone(),
        None => title_of(&output),
    };
    add_document(state, &base, &output, &format!("converted from `{source}`"))
}

/// The palette as a light list: look, handles and search words, no fields.
pub fn palette(_: &AppState, args: PaletteArgs) -> Result<PaletteList> {
    let full = crate::sim::registry::palette(args.kind);
    let items = full
        .items
        .into_iter()
        .filter(|i| !i.hidden)
        .map(|i| {
            let keywords = [
                i.item_type.replace('_', " "),
                format!("{:?}", i.category).to_lowercase(),
            ]
            .join(" ");
            PaletteEntry {
                item_type: i.item_type,
                name: i.name,
                category: i.category,
                icon: i.icon,
                color: i.color,
                description: i.description,
                handles: i.handles,
                keywords,
            }
        })
        .collect();
    Ok(PaletteList {
        kind: full.kind,
        sim: full.sim,
        items,
    })
}

/// One palette item whole: its fields and outputs.
pub fn palette_item(
    _: &AppState,
    args: PaletteItemArgs,
) -> Result<crate::sim::registry::PaletteItem> {
    crate::sim::registry::palette(args.kind)
        .items
        .into_iter()
        .find(|i| i.item_type == args.item_type)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "the {} palette has no `{}`",
                if args.kind == PaletteKind::Workflow {
                    "workflow"
                } else {
                    "journey"
                },
                args.item_type
            ))
        })
}

/// The `<block.path>` references a block's fields can use.
pub fn references(state: &AppState, args: ReferencesArgs) -> Result<ReferenceList> {
    let session = state.editor.session(&args.session)?;
    session.read(|open| match open.doc_ref() {
        crate::editor::edit::DocRef::Sim(sim) => Ok(ReferenceList {
            references: crate::editor::complete::references(sim, &args.block)?,
        }),
        crate::editor::edit::DocRef::Journey(_) => Err(Error::Unsupported(
            "references: `<block.path>` references are Sim's; this document is a journey".into(),
        )),
    })
}
