//! `journey-studio sim <remote> ...`: deployments, versions and runs of a workflow on a Sim
//! remote (v2 API). The workflow is a Sim id, or the name of a workspace document pushed to
//! (or pulled from) that remote. Answers are printed as JSON (Sim's `data`).

use crate::workspace::{block_on_here, spinner, WorkspaceArg};
use crate::Outcome;
use journey_studio::store::{RemoteKind, Store};
use journey_studio::sync::sim::{ExecuteOptions, Execution, SimClient};
use journey_studio::sync::sim_sync;
use journey_studio::Error;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// A Sim remote.
    remote: String,
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Deploy the current draft as a new version (each call mints one).
    Deploy {
        workflow: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Take the workflow's deployment down.
    Undeploy { workflow: String },
    /// The current deployment state.
    Deployment { workflow: String },
    /// Every deployment version (all pages).
    Versions { workflow: String },
    /// Reactivate a version (the previous one without --version).
    Rollback {
        workflow: String,
        #[arg(long)]
        version: Option<u64>,
    },
    /// Run the deployed version with an input object (JSON).
    Execute {
        workflow: String,
        #[arg(long, default_value = "{}")]
        input: String,
        /// Queue the run (202) instead of waiting for it.
        #[arg(long = "async", conflicts_with = "stream")]
        run_async: bool,
        /// Stream the run (Server-Sent Events): each event prints as a JSON line as it arrives.
        #[arg(long)]
        stream: bool,
        /// With --stream: a block output to stream as it completes (`Block name.path` or
        /// `<block id>.path`); repeatable.
        #[arg(long = "select", requires = "stream")]
        selected: Vec<String>,
        /// With --stream: the longest the whole stream may take, in seconds.
        #[arg(long, default_value_t = 600, requires = "stream")]
        stream_timeout: u64,
    },
    /// Resume a run paused by a human-in-the-loop block (`run` shows its `paused.contextId`).
    Resume {
        workflow: String,
        run_id: String,
        /// The pause context (`paused.contextId` of the run).
        #[arg(long)]
        context: String,
        /// The answer for the paused block (JSON).
        #[arg(long)]
        input: Option<String>,
    },
    /// One page of runs (`--cursor` for the next).
    Runs {
        workflow: String,
        #[arg(long)]
        cursor: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// One run's status (with its output).
    Run { workflow: String, run_id: String },
    /// Cancel a run.
    Cancel { workflow: String, run_id: String },
}

/// A Sim id, or the remote id of a document linked to the remote.
fn workflow_id(store: &Store, remote: &str, given: &str) -> journey_studio::Result<String> {
    journey_studio::app::live::sim_workflow_id(store, remote, given)
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let store = args.ws.open()?;
    let remote = store.remote(&args.remote)?;
    if remote.kind != RemoteKind::Sim {
        return Err(Error::Unsupported(format!(
            "remote `{}` is a {} remote; `sim` needs a Sim remote",
            remote.name,
            remote.kind.as_str()
        )));
    }
    let client = sim_sync::sim_client(&remote)?;
    let id = |w: &str| workflow_id(&store, &remote.name, w);
    let progress = spinner(&format!("asking {}", remote.name));
    let result: journey_studio::Result<Value> = match &args.action {
        Action::Deploy { workflow, name } => {
            block_on_here(client.deploy(&id(workflow)?, name.as_deref()))?
        }
        Action::Undeploy { workflow } => block_on_here(client.undeploy(&id(workflow)?))?,
        Action::Deployment { workflow } => block_on_here(client.deployment(&id(workflow)?))?,
        Action::Versions { workflow } => {
            block_on_here(client.versions(&id(workflow)?))?.map(Value::Array)
        }
        Action::Rollback { workflow, version } => {
            block_on_here(client.rollback(&id(workflow)?, *version))?
        }
        Action::Execute {
            workflow,
            input,
            stream: true,
            selected,
            stream_timeout,
            ..
        } => {
            progress.finish_and_clear();
            return stream(
                &client,
                &id(workflow)?,
                &input_object(input)?,
                selected,
                *stream_timeout,
            );
        }
        Action::Resume {
            workflow,
            run_id,
            context,
            input,
        } => {
            let input = match input {
                Some(text) => Some(
                    serde_json::from_str::<Value>(text)
                        .map_err(|e| Error::Rejected(format!("--input is not JSON: {e}")))?,
                ),
                None => None,
            };
            block_on_here(client.resume(&id(workflow)?, run_id, context, input))?
                .map(execution_json)
        }
        Action::Execute {
            workflow,
            input,
            run_async,
            ..
        } => {
            let options = ExecuteOptions {
                input: input_object(input)?,
                run_async: *run_async,
                timeout_seconds: None,
            };
            block_on_here(client.execute(&id(workflow)?, &options))?.map(execution_json)
        }
        Action::Runs {
            workflow,
            cursor,
            limit,
        } => block_on_here(client.runs_page(&id(workflow)?, None, *limit, cursor.as_deref()))?
            .map(|p| json!({"data": p.items, "nextCursor": p.next_cursor})),
        Action::Run { workflow, run_id } => {
            block_on_here(client.run(&id(workflow)?, run_id, true))?
        }
        Action::Cancel { workflow, run_id } => {
            block_on_here(client.cancel(&id(workflow)?, run_id))?
        }
    };
    progress.finish_and_clear();
    let value = result?;
    println!(
        "{}",
        serde_json::to_string_pretty(&value).unwrap_or_default()
    );
    let failed_run = matches!(&args.action, Action::Execute { .. } | Action::Resume { .. })
        && value.get("status").and_then(|s| s.as_str()) == Some("failed");
    Ok(if failed_run {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}

fn input_object(text: &str) -> journey_studio::Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::Rejected(
            "--input must be a JSON object, e.g. '{\"input\": \"hi\"}'".into(),
        )),
    }
}

fn execution_json(e: Execution) -> Value {
    match e {
        Execution::Finished(run) => run,
        Execution::Queued { run_id, status_url } => {
            json!({"runId": run_id, "statusUrl": status_url})
        }
    }
}

/// A streamed execution: every event is printed (and flushed) the moment it arrives, then a
/// last line `{"runId", "status", "events"}`. Exit 1 when the run failed.
fn stream(
    client: &SimClient,
    id: &str,
    input: &Map<String, Value>,
    selected: &[String],
    timeout: u64,
) -> journey_studio::Result<Outcome> {
    let mut stdout = std::io::stdout();
    let run = block_on_here(client.execute_stream(
        id,
        input,
        selected,
        Duration::from_secs(timeout.max(1)),
        |event| {
            let _ = writeln!(stdout, "{}", event.to_json());
            let _ = stdout.flush();
        },
    ))??;
    println!(
        "{}",
        json!({"runId": run.run_id, "status": run.status(), "events": run.events})
    );
    Ok(if run.status() == "failed" {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}
