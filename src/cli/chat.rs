//! `journey-studio chat <remote> --agent NAME`: talk to a Parlant agent. Each line of standard
//! input (which may be a pipe) is a customer message; the agent's events stream back until it
//! is ready again. `/quit` ends. The journey state a completed turn reports (Parlant's `ready`
//! event) is printed after it, in `--document`'s state ids when that journey was pushed there.

use crate::workspace::{block_on_here, WorkspaceArg};
use crate::{Outcome, OutputFormat};
use journey_studio::app::live;
use journey_studio::sync::chat::{agent_message, TurnEnd};
use journey_studio::Error;
use std::io::Write;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// A Parlant remote.
    remote: String,
    /// The agent to talk to (name or id); default: the remote's agent.
    #[arg(long)]
    agent: Option<String>,
    /// A customer id for the session (default: Parlant's guest).
    #[arg(long)]
    customer: Option<String>,
    /// A journey document of the workspace pushed to this remote: the journey state is printed
    /// in its state ids (else in the server's node ids).
    #[arg(long)]
    document: Option<String>,
    /// Seconds to wait for the agent to finish a turn.
    #[arg(long, default_value_t = 60)]
    wait: u64,
    /// `json`: every event as one line; `text`: agent messages and the end of each turn.
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

pub fn run(args: Args) -> journey_studio::Result<Outcome> {
    let store = args.ws.open()?;
    let (client, agent) = live::chat_client(&store, &args.remote, args.agent.as_deref())?;
    let journey = match args.document.as_deref() {
        Some(name) => {
            let doc = store
                .documents()?
                .into_iter()
                .find(|d| d.name == name)
                .ok_or_else(|| Error::NotFound(format!("no document named `{name}`")))?;
            Some(store.sync_state(doc.id, &args.remote)?.map(|s| s.remote_id))
        }
        None => None,
    };
    let mut trouble = false;
    block_on_here(async {
        let ids = match &journey {
            Some(journey) => {
                match live::journey_ids(&client, &args.remote, journey.as_deref()).await? {
                    Ok(ids) => Some(ids),
                    Err(why) => {
                        eprintln!("journey-studio chat: {why}");
                        None
                    }
                }
            }
            None => None,
        };
        let agent_id = client.find_agent(&agent).await?;
        let session = client
            .create_session(&agent_id, args.customer.as_deref())
            .await?;
        let mut stdout = std::io::stdout();
        if args.format == OutputFormat::Text {
            let _ = writeln!(
                stdout,
                "session {session} with {agent}; one message per line, /quit to stop"
            );
        }
        for line in super::input::typed_lines() {
            let line = line?;
            let offset = client.send_customer_message(&session, &line).await?;
            let format = args.format;
            let (end, _) = client
                .stream_turn(
                    &session,
                    offset,
                    Duration::from_secs(args.wait.max(1)),
                    |event| {
                        match format {
                            OutputFormat::Json => {
                                let _ = writeln!(std::io::stdout(), "{event}");
                            }
                            OutputFormat::Text => {
                                if let Some(text) = agent_message(event) {
                                    let _ = writeln!(std::io::stdout(), "agent: {text}");
                                }
                                if let Some(activity) = live::JourneyActivity::of(event)
                                    .filter(|a| !a.journeys.is_empty() || !a.states.is_empty())
                                {
                                    let _ = writeln!(
                                        std::io::stdout(),
                                        "{}",
                                        journey_line(&activity, ids.as_ref())
                                    );
                                }
                            }
                        }
                        let _ = std::io::stdout().flush();
                    },
                )
                .await?;
            match end {
                TurnEnd::Ready => {}
                TurnEnd::Error(why) => {
                    trouble = true;
                    if format == OutputFormat::Text {
                        let _ = writeln!(stdout, "(the agent failed: {why})");
                    }
                }
                TurnEnd::TimedOut => {
                    trouble = true;
                    if format == OutputFormat::Text {
                        let _ = writeln!(stdout, "(no answer within {} s)", args.wait);
                    }
                }
            }
        }
        Ok::<_, Error>(())
    })??;
    Ok(if trouble {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}

/// `journey: <journey ids> at <states>`, the states in the document's ids when it is mapped.
pub fn journey_line(activity: &live::JourneyActivity, ids: Option<&live::JourneyIds>) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.join(", ")
        }
    };
    match ids {
        Some(ids) => {
            let state = ids.state(activity);
            format!(
                "journey state: {} (document states: {})",
                list(&activity.states),
                list(&state.states)
            )
        }
        None => format!(
            "journey state: journeys {} at {}",
            list(&activity.journeys),
            list(&activity.states)
        ),
    }
}
