//! The Scenarios panel: the open document's golden conversations, listed, run (one or all, on
//! the document as it is now in the editor) and their expectations edited. The work is
//! `app::scenarios`', which `journey-studio simulate --all` shares.

use super::documents::name_of;
use super::types::*;
use super::AppState;
use crate::app::scenarios as s;
use crate::error::Result;

/// The open document's name and content as edited now.
fn open_document(state: &AppState, session: &str) -> Result<(String, crate::document::Document)> {
    let editor = state.editor.session(session)?;
    let doc = editor.read(|open| open.document());
    let name = name_of(&*state.store()?, editor.document_id)?;
    Ok((name, doc))
}

pub fn scenarios_list(state: &AppState, args: SessionArgs) -> Result<ScenarioList> {
    let editor = state.editor.session(&args.session)?;
    let store = state.store()?;
    let document = name_of(&store, editor.document_id)?;
    let scenarios = s::summaries(&store, &document)?;
    Ok(ScenarioList {
        document,
        scenarios,
    })
}

pub fn scenarios_run(state: &AppState, args: ScenariosRunArgs) -> Result<s::SuiteOutcome> {
    let (document, doc) = open_document(state, &args.session)?;
    let store = state.store()?;
    s::run_stored(&store, &document, &doc, args.name.as_deref())
}

pub fn scenario_set_expectations(
    state: &AppState,
    args: ScenarioExpectationsArgs,
) -> Result<ScenarioRef> {
    let editor = state.editor.session(&args.session)?;
    let store = state.store()?;
    let document = name_of(&store, editor.document_id)?;
    let id = s::set_expectations(&store, &document, &args.name, args.expect)?;
    Ok(ScenarioRef { id })
}

pub fn scenario_delete(state: &AppState, args: ScenarioNameArgs) -> Result<Message> {
    let editor = state.editor.session(&args.session)?;
    let store = state.store()?;
    let document = name_of(&store, editor.document_id)?;
    if store.delete_scenario(&document, &args.name)? {
        Ok(Message {
            message: format!("scenario `{}` deleted", args.name),
        })
    } else {
        Err(crate::error::Error::NotFound(format!(
            "document `{document}` has no scenario named `{}`",
            args.name
        )))
    }
}
