//! Documents of a workspace by id, and the document linked to a remote's journey or workflow.

use crate::error::{Error, Result};
use crate::store::Store;

/// The name of the document with store id `id`.
pub fn name_of(store: &Store, id: i64) -> Result<String> {
    store
        .documents()?
        .into_iter()
        .find(|d| d.id == id)
        .map(|d| d.name)
        .ok_or_else(|| Error::NotFound(format!("no document with id `{id}` in the workspace")))
}

/// The document already synced with `remote`'s `remote_id`, if one is.
pub fn linked_document(store: &Store, remote: &str, remote_id: &str) -> Result<Option<String>> {
    for d in store.documents()? {
        if store
            .sync_state(d.id, remote)?
            .is_some_and(|s| s.remote_id == remote_id)
        {
            return Ok(Some(d.name));
        }
    }
    Ok(None)
}

/// The document a pull of `remote_id` goes into: the one asked for, else the one linked to it,
/// else a new one named after the remote id.
pub fn pull_target(
    store: &Store,
    remote: &str,
    remote_id: &str,
    asked: Option<&str>,
) -> Result<String> {
    match asked.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => Ok(name.to_string()),
        None => {
            Ok(linked_document(store, remote, remote_id)?.unwrap_or_else(|| remote_id.to_string()))
        }
    }
}
