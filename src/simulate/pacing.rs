//! Parlant's pace: the rules by which Parlant 3.3.2's engine walks a journey, as the preview
//! models them (read from the installed `parlant==3.3.2` package; file names below are under
//! `parlant/`). Each pacing decision is an [`super::journey::Event::Pacing`] naming its rule.
//!
//! - **Stay and ask again** until the step is complete — `core/engines/alpha/guideline_matching/
//!   generic/journey/journey_next_step_selection.py` (prompt "2: Current Step Completion": a
//!   CUSTOMER DEPENDENT step is complete when the customer provided the information; otherwise
//!   `applied_condition_id` "0" = stay on the same node).
//! - **Skip** steps already answered, up to 3 — `core/services/indexing/
//!   journey_reachable_nodes_evaluation.py` (`evaluate_reachable_follow_ups(max_depth=3)`: a
//!   step's follow-ups reach up to 3 nodes ahead; paths are truncated at a child that is a TOOL
//!   or an agent-dependent step: "truncate paths that starts with tool node / agent action node").
//! - **Go back** when the customer changes an earlier answer — `journey_backtrack_check.py`
//!   ("The customer has changed a previous decision, which requires returning to an earlier
//!   step"), `journey_backtrack_node_selection.py`; not after a tool step
//!   (`journey_node_selection_batch.py`: "If last executed step is a tool call, backtracking is
//!   not necessary").
//! - **Exit on abandon** — `journey_next_step_selection.py` ("continue following it unless the
//!   customer explicitly indicates they no longer want to pursue the journey's original goal";
//!   "return None").
//! - **Exit on the next message after the last step** — `journey_reachable_nodes_evaluation.py`
//!   (`do_node_evaluation`: a step without children gets the follow-up "step action completed"
//!   with path `["None"]`), and `journey_next_step_selection.py` maps `None` to exiting.
//! - **Resume** after exiting — `journey_backtrack_check.py` ("The customer wants to resume to
//!   the journey process that was stopped midway"; `backtrack_to_same_journey_process`; a new
//!   purpose restarts the journey).
//! - **At most 3 tool rounds per message** — `core/engines/alpha/engine.py`
//!   (`_run_preparation_iteration`: "Reached max tool call iterations"), `core/agents.py`
//!   (`max_engine_iterations or 3`).
//! - **Activation by the journey's conditions** — `core/engines/alpha/engine.py`
//!   (`_filter_activated_journeys`: a journey is active when its conditions match or it has a
//!   path whose last step is not None; several journeys can be active at once: see
//!   [`super::conversation`]).

use crate::parlant::NodeKind;
use serde_json::Value;

/// A pacing decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Pace {
    /// A message matched one of the journey's conditions: the journey starts.
    Activated,
    /// The journey waits: no condition of it matches yet.
    NotActivated,
    /// The step is not complete: the agent asks again.
    Stayed,
    /// The step was already answered: the journey moves past it.
    Skipped,
    /// The customer changed an earlier answer: the journey returns to that step.
    WentBack,
    /// The journey exits (abandoned, or the message after the last step).
    Exited,
    /// After exiting, the customer came back to the journey.
    Resumed,
    /// The agent did the last step; the journey exits on the next message.
    LastStep,
    /// The message's tool rounds are used up (max_engine_iterations).
    Paused,
}

pub const RULE_STAY: &str =
    "parlant 3.3.2 core/engines/alpha/guideline_matching/generic/journey/journey_next_step_selection.py: current step completion ('0' = stay)";
pub const RULE_SKIP: &str =
    "parlant 3.3.2 core/services/indexing/journey_reachable_nodes_evaluation.py: evaluate_reachable_follow_ups(max_depth=3), truncated at tool and agent-action steps";
pub const RULE_BACKTRACK: &str =
    "parlant 3.3.2 core/engines/alpha/guideline_matching/generic/journey/journey_backtrack_check.py and journey_backtrack_node_selection.py";
pub const RULE_EXIT_ON_ABANDON: &str =
    "parlant 3.3.2 core/engines/alpha/guideline_matching/generic/journey/journey_next_step_selection.py: journey context check ('None' = exit)";
pub const RULE_EXIT_AFTER_LAST: &str =
    "parlant 3.3.2 core/services/indexing/journey_reachable_nodes_evaluation.py: do_node_evaluation, a step without children completes to path ['None']";
pub const RULE_TOOL_ROUNDS: &str =
    "parlant 3.3.2 core/engines/alpha/engine.py: _run_preparation_iteration stops at agent.max_engine_iterations (default 3, core/agents.py)";
pub const RULE_ACTIVATION: &str =
    "parlant 3.3.2 core/engines/alpha/engine.py: _filter_activated_journeys";

/// Cosine with a prototype of giving up at or above which a message abandons the journey.
pub const ABANDON_COSINE: f64 = 0.6;

/// Verbs with which an action asks the customer for something.
const ASKING: &[&str] = &[
    "ask",
    "get",
    "collect",
    "request",
    "find out",
    "check whether",
    "check if",
    "confirm with",
];
/// Verbs with which an action has the agent tell something (Parlant: REQUIRES AGENT ACTION).
const TELLING: &[&str] = &[
    "tell",
    "say",
    "explain",
    "present",
    "recommend",
    "offer",
    "provide",
    "give",
    "share",
    "confirm",
    "summarise",
    "summarize",
    "apologise",
    "apologize",
    "thank",
    "welcome",
    "greet",
    "congratulate",
    "inform",
    "answer",
    "suggest",
    "list",
];

/// Whether a step is customer-dependent (asks the customer for something) and agent-dependent
/// (the agent must say something). Parlant learns both from its action with an LLM and stores
/// them in the node's `customer_dependent_action_data` (`is_customer_dependent`,
/// `is_agent_dependent`); that metadata wins when present. Otherwise they are read from the
/// action's verbs; a chat step that asks nothing is agent-dependent (Parlant's default:
/// `not customer_dependent and kind == CHAT`).
pub fn dependence(kind: &NodeKind, action: Option<&str>, metadata: Option<&Value>) -> (bool, bool) {
    if *kind != NodeKind::Chat && !matches!(kind, NodeKind::Other(_)) {
        return (false, false);
    }
    let lower = action.unwrap_or("").to_lowercase();
    // "Step 1: Ask them to ..." reads from after the label.
    let body = match lower.split_once(':') {
        Some((label, rest)) if label.split_whitespace().count() <= 2 => rest.trim(),
        _ => lower.trim(),
    };
    let words: Vec<&str> = body
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has_phrase = |p: &str| {
        let parts: Vec<&str> = p.split(' ').collect();
        words.windows(parts.len()).any(|w| w == parts.as_slice())
    };
    let asks = ASKING.iter().any(|p| has_phrase(p)) || body.contains('?');
    let tells = TELLING.iter().any(|p| has_phrase(p));
    let customer = asks;
    let agent = tells || !asks;
    let data = metadata.and_then(Value::as_object);
    let flag = |k: &str| data.and_then(|d| d.get(k)).and_then(Value::as_bool);
    let customer = flag("is_customer_dependent").unwrap_or(customer);
    let agent = flag("is_agent_dependent").unwrap_or(if flag("is_customer_dependent").is_some() {
        !customer
    } else {
        agent
    });
    (customer, agent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn questions_are_customer_dependent_and_telling_is_agent_dependent() {
        let chat = NodeKind::Chat;
        assert_eq!(
            dependence(&chat, Some("Ask if they have a destination in mind"), None),
            (true, false)
        );
        assert_eq!(
            dependence(
                &chat,
                Some("Get the dates of travel and the number of passengers"),
                None
            ),
            (true, false)
        );
        assert_eq!(
            dependence(&chat, Some("Present the three best flight options"), None),
            (false, true)
        );
        assert_eq!(
            dependence(
                &chat,
                Some("Summarise the order and ask which items they want refunded and why"),
                None
            ),
            (true, true)
        );
        assert_eq!(
            dependence(
                &chat,
                Some("Step 1: Ask them to install the desktop app"),
                None
            ),
            (true, false)
        );
        assert_eq!(
            dependence(&NodeKind::Tool, Some("Use the tool x"), None),
            (false, false)
        );
        let meta = json!({"is_customer_dependent": true});
        assert_eq!(
            dependence(&chat, Some("Present the options"), Some(&meta)),
            (true, false)
        );
    }
}
