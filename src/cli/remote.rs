use crate::workspace::WorkspaceArg;
use crate::{OutputFormat, Outcome};
use journey_studio::store::{Remote, RemoteKind};
use journey_studio::sync::secrets;
use std::io::Read;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Add (or update) a remote server.
    Add {
        #[command(flatten)]
        ws: WorkspaceArg,
        /// A short name: letters, digits, `-`, `_`.
        name: String,
        /// `parlant` or `sim`.
        #[arg(long)]
        kind: String,
        /// The server's base URL, e.g. http://127.0.0.1:8800
        #[arg(long)]
        url: String,
        /// Parlant: the agent journeys are scoped to (created when absent).
        #[arg(long)]
        agent: Option<String>,
        /// Sim: the workspace id new workflows go to.
        #[arg(long)]
        sim_workspace: Option<String>,
        /// Sim: the folder new workflows are imported into (e.g. `/Operations/Support`;
        /// created when missing). Default: the workspace root.
        #[arg(long)]
        sim_folder: Option<String>,
        /// Read an API key from standard input and store it in the OS keyring (or the 0600
        /// fallback file; see docs/store-and-sync.md). Never stored in the workspace.
        #[arg(long, conflicts_with = "session_cookie_stdin")]
        api_key_stdin: bool,
        /// Sim: read the editor's session cookie value (`better-auth.session_token`) from
        /// standard input and store it like a key. Needed to update workflows in place.
        #[arg(long)]
        session_cookie_stdin: bool,
    },
    /// List remotes (and whether a key is available, never the key).
    List {
        #[command(flatten)]
        ws: WorkspaceArg,
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Remove a remote and its stored key.
    Remove {
        #[command(flatten)]
        ws: WorkspaceArg,
        name: String,
    },
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    match args.command {
        Command::Add { ws, name, kind, url, agent, sim_workspace, sim_folder, api_key_stdin, session_cookie_stdin } => {
            let store = ws.open()?;
            let mut options = serde_json::Map::new();
            if let Some(a) = agent {
                options.insert("agent".into(), a.into());
            }
            if let Some(w) = sim_workspace {
                options.insert("workspace_id".into(), w.into());
            }
            if let Some(f) = sim_folder {
                let canonical = journey_studio::sync::sim_sync::canonical_folder_path(&f)
                    .map_err(|why| journey_studio::Error::Unsupported(format!("--sim-folder `{f}` is not a valid Sim folder path: {why}")))?;
                options.insert("folder".into(), canonical.into());
            }
            let remote = Remote { name: name.clone(), kind: RemoteKind::parse(&kind)?, url, options };
            store.add_remote(&remote)?;
            let secret_kind = if api_key_stdin {
                Some(secrets::SecretKind::ApiKey)
            } else if session_cookie_stdin {
                Some(secrets::SecretKind::SessionCookie)
            } else {
                None
            };
            if let Some(kind) = secret_kind {
                let mut key = String::new();
                std::io::stdin()
                    .read_to_string(&mut key)
                    .map_err(|e| journey_studio::Error::Secret { remote: name.clone(), message: format!("cannot read standard input: {e}") })?;
                let what = kind.describe();
                match secrets::store_secret(&name, kind, key.trim())? {
                    secrets::KeyLocation::Keyring => println!("remote `{name}` added; {what} stored in the OS keyring"),
                    secrets::KeyLocation::File(p) => println!("remote `{name}` added; no keyring here, {what} stored in {} (mode 0600)", p.display()),
                }
            } else {
                println!("remote `{name}` added");
            }
            Ok(Outcome::Ok)
        }
        Command::List { ws, format } => {
            let store = ws.open()?;
            let remotes = store.remotes()?;
            let rows: Vec<serde_json::Value> = remotes
                .iter()
                .map(|r| {
                    let has_key = secrets::api_key(&r.name).ok().flatten().is_some();
                    let has_cookie = secrets::secret(&r.name, secrets::SecretKind::SessionCookie).ok().flatten().is_some();
                    serde_json::json!({"name": r.name, "kind": r.kind, "url": r.url, "options": r.options, "api_key": has_key, "session_cookie": has_cookie})
                })
                .collect();
            match format {
                OutputFormat::Json => println!("{}", serde_json::Value::Array(rows)),
                OutputFormat::Text => {
                    for r in &remotes {
                        let has_key = secrets::api_key(&r.name).ok().flatten().is_some();
                        println!("{}\t{}\t{}\t{}", r.name, r.kind.as_str(), r.url, if has_key { "key: set" } else { "key: none" });
                    }
                }
            }
            Ok(Outcome::Ok)
        }
        Command::Remove { ws, name } => {
            let store = ws.open()?;
            if !store.remove_remote(&name)? {
                return Err(journey_studio::Error::NotFound(format!("no remote named `{name}`")));
            }
            secrets::delete_api_key(&name)?;
            println!("remote `{name}` removed");
            Ok(Outcome::Ok)
        }
    }
}
