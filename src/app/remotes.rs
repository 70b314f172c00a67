//! Remotes: what a remote is made of (one builder of its options for the CLI's `remote add` and
//! the app's Sync panel), its stored secrets, a connection test, and what it holds.

use super::block_on;
use crate::error::{Error, Result};
use crate::store::{Remote, RemoteKind, Store};
use crate::sync::secrets::{self, KeyLocation, SecretKind};
use crate::sync::{parlant_sync, sim_sync};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A remote as the user describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RemoteSpec {
    /// 1-64 letters, digits, `-` or `_`.
    pub name: String,
    pub kind: RemoteKind,
    pub url: String,
    /// Parlant: the agent journeys are scoped to (created when absent).
    #[ts(optional)]
    #[serde(default)]
    pub agent: Option<String>,
    /// Sim: the workspace id new workflows go to.
    #[ts(optional)]
    #[serde(default)]
    pub sim_workspace: Option<String>,
    /// Sim: the folder new workflows are imported into (e.g. `/Operations/Support`; created when
    /// missing).
    #[ts(optional)]
    #[serde(default)]
    pub sim_folder: Option<String>,
}

impl RemoteSpec {
    /// The remote it describes, its options checked.
    pub fn remote(&self) -> Result<Remote> {
        let kind = self.kind;
        reqwest::Url::parse(&self.url).map_err(|e| {
            Error::Rejected(format!(
                "remote `{}`: url `{}` is not a URL: {e}",
                self.name, self.url
            ))
        })?;
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let mut options = serde_json::Map::new();
        if let Some(agent) = given(&self.agent) {
            options.insert("agent".into(), agent.into());
        }
        if let Some(ws) = given(&self.sim_workspace) {
            options.insert("workspace_id".into(), ws.into());
        }
        if let Some(folder) = given(&self.sim_folder) {
            let canonical = sim_sync::canonical_folder_path(&folder).map_err(|why| {
                Error::Rejected(format!(
                    "remote `{}`: `{folder}` is not a valid Sim folder path: {why}",
                    self.name
                ))
            })?;
            options.insert("folder".into(), canonical.into());
        }
        if kind == RemoteKind::Parlant && options.keys().any(|k| k != "agent") {
            return Err(Error::Rejected(format!(
                "remote `{}`: a Sim workspace or folder is for Sim remotes",
                self.name
            )));
        }
        if kind == RemoteKind::Sim && options.contains_key("agent") {
            return Err(Error::Rejected(format!(
                "remote `{}`: an agent is for Parlant remotes",
                self.name
            )));
        }
        Ok(Remote {
            name: self.name.clone(),
            kind,
            url: self.url.clone(),
            options,
        })
    }
}

/// Adds (or updates) a remote and stores its secrets (never in the workspace).
pub fn add(
    store: &Store,
    spec: &RemoteSpec,
    secrets_given: &[(SecretKind, String)],
) -> Result<(Remote, Vec<KeyLocation>)> {
    let remote = spec.remote()?;
    if secrets_given
        .iter()
        .any(|(kind, _)| *kind == SecretKind::SessionCookie)
        && remote.kind != RemoteKind::Sim
    {
        return Err(Error::Rejected(format!(
            "remote `{}`: a session cookie is for Sim remotes",
            remote.name
        )));
    }
    store.add_remote(&remote)?;
    let mut stored = Vec::new();
    for (kind, value) in secrets_given {
        let value = value.trim();
        if !value.is_empty() {
            stored.push(secrets::store_secret(&remote.name, *kind, value)?);
        }
    }
    Ok((remote, stored))
}

/// Removes a remote and every secret stored for it.
pub fn remove(store: &Store, name: &str) -> Result<()> {
    if !store.remove_remote(name)? {
        return Err(Error::NotFound(format!("no remote named `{name}`")));
    }
    secrets::delete_api_key(name)
}

/// Which secrets a remote has (never the secrets themselves).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RemoteSummary {
    pub name: String,
    pub kind: RemoteKind,
    pub url: String,
    /// Parlant: the agent journeys are scoped to.
    #[ts(optional)]
    pub agent: Option<String>,
    /// Sim: the workspace new workflows go to.
    #[ts(optional)]
    pub sim_workspace: Option<String>,
    /// Sim: the folder new workflows are imported into.
    #[ts(optional)]
    pub sim_folder: Option<String>,
    pub has_key: bool,
    /// Sim: an editor session cookie is stored (pushes update workflows in place).
    pub has_session_cookie: bool,
}

pub fn summary(remote: &Remote) -> RemoteSummary {
    let option = |k: &str| remote.option(k).map(str::to_string);
    RemoteSummary {
        name: remote.name.clone(),
        kind: remote.kind,
        url: remote.url.clone(),
        agent: option("agent"),
        sim_workspace: option("workspace_id"),
        sim_folder: option("folder"),
        has_key: secrets::api_key(&remote.name).ok().flatten().is_some(),
        has_session_cookie: secrets::secret(&remote.name, SecretKind::SessionCookie)
            .ok()
            .flatten()
            .is_some(),
    }
}

/// Reaches the server with the stored credentials: Parlant's `/healthz`, Sim's workflow list.
/// Answers what the server said.
pub fn test(remote: &Remote) -> Result<String> {
    match remote.kind {
        RemoteKind::Parlant => {
            let client = parlant_sync::parlant_client(remote)?;
            block_on(async move {
                client
                    .health()
                    .await
                    .map(|h| format!("Parlant answered /healthz: {h}"))
            })?
        }
        RemoteKind::Sim => {
            let client = sim_sync::sim_client(remote)?;
            let ws = sim_sync::workspace_id(remote)?;
            block_on(async move {
                client
                    .list_page(&ws, None, Some(1), None)
                    .await
                    .map(|_| format!("Sim listed the workflows of workspace {ws}"))
            })?
        }
    }
}

/// A journey or workflow a remote holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RemoteItem {
    pub id: String,
    pub title: String,
}

/// What a remote holds: Parlant's journeys, the Sim workspace's workflows (every page).
pub fn list(remote: &Remote) -> Result<Vec<RemoteItem>> {
    let pairs = match remote.kind {
        RemoteKind::Parlant => {
            let client = parlant_sync::parlant_client(remote)?;
            block_on(async move { client.list_journeys().await })??
        }
        RemoteKind::Sim => {
            let client = sim_sync::sim_client(remote)?;
            let ws = sim_sync::workspace_id(remote)?;
            let all = block_on(async move { client.list_all(&ws, None, Some(100)).await })??;
            let field = |w: &serde_json::Value, k: &str| {
                w.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            all.iter()
                .map(|w| (field(w, "id"), field(w, "name")))
                .collect()
        }
    };
    Ok(pairs
        .into_iter()
        .map(|(id, title)| RemoteItem { id, title })
        .collect())
}
