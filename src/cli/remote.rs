use crate::workspace::WorkspaceArg;
use crate::{Outcome, OutputFormat};
use journey_studio::app::remotes::{self, RemoteSpec};
use journey_studio::store::RemoteKind;
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
        Command::Add {
            ws,
            name,
            kind,
            url,
            agent,
            sim_workspace,
            sim_folder,
            api_key_stdin,
            session_cookie_stdin,
        } => {
            let store = ws.open()?;
            let spec = RemoteSpec {
                name: name.clone(),
                kind: RemoteKind::parse(&kind)?,
                url,
                agent,
                sim_workspace,
                sim_folder,
            };
            let secret_kind = if api_key_stdin {
                Some(secrets::SecretKind::ApiKey)
            } else if session_cookie_stdin {
                Some(secrets::SecretKind::SessionCookie)
            } else {
                None
            };
            let mut given = Vec::new();
            if let Some(kind) = secret_kind {
                let mut value = String::new();
                std::io::stdin().read_to_string(&mut value).map_err(|e| {
                    journey_studio::Error::Secret {
                        remote: name.clone(),
                        message: format!("cannot read standard input: {e}"),
                    }
                })?;
                given.push((kind, value));
            }
            let (_, stored) = remotes::add(&store, &spec, &given)?;
            let what = secret_kind.map(|k| k.describe());
            match (what, stored.first()) {
                (Some(what), Some(secrets::KeyLocation::Keyring)) => {
                    println!("remote `{name}` added; {what} stored in the OS keyring")
                }
                (Some(what), Some(secrets::KeyLocation::File(p))) => println!(
                    "remote `{name}` added; no keyring here, {what} stored in {} (mode 0600)",
                    p.display()
                ),
                _ => println!("remote `{name}` added"),
            }
            Ok(Outcome::Ok)
        }
        Command::List { ws, format } => {
            let store = ws.open()?;
            let summaries: Vec<remotes::RemoteSummary> =
                store.remotes()?.iter().map(remotes::summary).collect();
            match format {
                OutputFormat::Json => {
                    println!("{}", serde_json::to_string(&summaries).unwrap_or_default())
                }
                OutputFormat::Text => {
                    for r in &summaries {
                        println!(
                            "{}\t{}\t{}\t{}",
                            r.name,
                            r.kind.as_str(),
                            r.url,
                            if r.has_key { "key: set" } else { "key: none" }
                        );
                    }
                }
            }
            Ok(Outcome::Ok)
        }
        Command::Remove { ws, name } => {
            remotes::remove(&ws.open()?, &name)?;
            println!("remote `{name}` removed");
            Ok(Outcome::Ok)
        }
    }
}
