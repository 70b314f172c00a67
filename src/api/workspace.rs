//! The workspace and the settings.

use super::settings::Settings;
use super::types::*;
use super::{autosave_of, AppState};
use crate::error::{Error, Result};

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
        return Err(Error::Rejected(
            "open_workspace: give the workspace file's path".into(),
        ));
    }
    if path.is_dir() {
        return Err(Error::Rejected(format!(
            "{} is a folder; give a workspace file inside it, e.g. {}",
            path.display(),
            path.join("journey-studio.db").display()
        )));
    }
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) if !parent.is_dir() => {
            return Err(Error::NotFound(format!(
                "{}: the folder {} does not exist",
                path.display(),
                parent.display()
            )));
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

pub fn settings_get(state: &AppState, _: NoArgs) -> Result<Settings> {
    state.settings.load()
}

pub fn settings_update(state: &AppState, args: SettingsPatchArgs) -> Result<Settings> {
    let settings = state.settings.update(&args.patch)?;
    state.editor.set_autosave(autosave_of(&settings));
    Ok(settings)
}
