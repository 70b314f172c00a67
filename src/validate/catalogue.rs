//! The one catalogue of diagnostics: every code the validator can emit, with its severity, what
//! it means, an example and the fix. docs/validation.md's table is checked against it by a test,
//! so the two never drift. Codes are stable: a retired code is never reused.

use super::diagnostic::Severity;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    pub code: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub meaning: &'static str,
    pub example: &'static str,
    pub fix: &'static str,
}

use Severity::{Error, Info, Warning};

macro_rules! rules {
    ($( $code:literal $sev:ident $title:literal; meaning $meaning:literal; example $example:literal; fix $fix:literal; )*) => {
        pub const CATALOGUE: &[Rule] = &[ $( Rule { code: $code, title: $title, severity: $sev, meaning: $meaning, example: $example, fix: $fix }, )* ];
    };
}

rules! {
    // ---- Parlant journeys -------------------------------------------------------------------
    "J001" Error "more than one root";
        meaning "A journey has exactly one root: the state `root_id` names, with no action. Another state with no action and no kind is a second root that Parlant never enters.";
        example "`nodes[3]` has `action: null` and no `metadata.journey_node.kind`";
        fix "Give the state an action and a kind (chat, tool or fork), or delete it.";
    "J002" Error "state unreachable from the root";
        meaning "No chain of transitions leads from the root to this state, so the journey can never be in it.";
        example "`ask-email` has no incoming transition";
        fix "Add a transition into the state from a reachable state, or delete it.";
    "J003" Error "state cannot reach `end`";
        meaning "No chain of transitions leads from this state to `end` and it is not on a loop: the journey stops there without completing.";
        example "leaf state `confirm` has no outgoing transition";
        fix "Add a transition from the state to `end` (or to a state that reaches it).";
    "J004" Warning "loop that never reaches `end`";
        meaning "The state is on a loop none of whose states leads to `end`: once entered, the journey cycles until the agent leaves it. Fine when intended (a menu), a bug otherwise.";
        example "`ask` -> `check` -> `ask`, neither reaching `end`";
        fix "Add a conditional exit from the loop to `end`, or ignore when the loop is intended.";
    "J005" Error "unconditional transition beside others";
        meaning "Parlant requires a state to have either exactly one unconditional outgoing transition or only conditional ones.";
        example "`ask-order` -> `lookup` (no condition) and -> `ask-email` (\"no order number\")";
        fix "Give every outgoing transition a condition, or keep a single unconditional one.";
    "J006" Error "fork transition without a condition";
        meaning "A fork state only chooses between branches: every transition out of it needs a condition (the SDK refuses otherwise).";
        example "fork `eligible?` -> `refund` with no condition";
        fix "Write the condition under which this branch is taken.";
    "J007" Error "transition out of `end`";
        meaning "`end` is Parlant's virtual final state; it has no outgoing transitions.";
        example "edge `end` -> `root`";
        fix "Delete the transition, or start it from the state before `end`.";
    "J008" Error "transition outside the journey";
        meaning "A transition may only connect states of the same journey (or go to `end`); Parlant issue #819: the SDK crashed late on this.";
        example "edge `ask` -> `other-journey-state`";
        fix "Point the transition at a state of this journey, or copy the state into it.";
    "J009" Error "tool state names no tool";
        meaning "A tool state runs its tools; without one it does nothing.";
        example "`lookup` has kind tool and `tools: []`";
        fix "Add the tool (service and name) the state runs, or make it a chat state.";
    "J010" Warning "tool state not followed by a chat state";
        meaning "Parlant's docs say a tool state should be followed by a chat state, so the agent tells the customer what the tool found.";
        example "`lookup` (tool) -> `refund` (tool)";
        fix "Insert a chat state after the tool state.";
    "J011" Warning "empty condition";
        meaning "The transition's condition is blank text; Parlant reads it as unconditional, which is rarely what was meant.";
        example "`\"condition\": \"  \"`";
        fix "Write the condition, or set it to null for an unconditional transition.";
    "J012" Warning "duplicate condition on sibling transitions";
        meaning "Two transitions out of one state have the same condition, so the agent cannot tell which to take.";
        example "two edges from `ask` both \"the customer agrees\"";
        fix "Make the conditions distinct, or merge the transitions.";
    "J013" Error "title is not 1..100 characters";
        meaning "Parlant's API refuses a journey title that is empty or longer than 100 characters.";
        example "`\"title\": \"\"`";
        fix "Write a title of 1 to 100 characters.";
    "J014" Warning "journey has no condition";
        meaning "A journey becomes active only when one of its conditions holds; with none it never activates.";
        example "`\"conditions\": []`";
        fix "Add at least one condition describing when the journey applies.";
    "J015" Error "malformed agent tag";
        meaning "Tags of the form `agent:<id>` scope an entity to an agent; this one has an empty id, spaces, or a misspelt prefix, so it scopes to no agent.";
        example "`\"agent: support\"`, `\"Agent:support\"`, `\"agent:\"`";
        fix "Write it as `agent:<agent id>` with no spaces.";

    // ---- Sim workflows ----------------------------------------------------------------------
    "W001" Error "no enabled trigger";
        meaning "A run starts at a trigger (start, schedule, webhook, or a block in trigger mode); with no enabled trigger the workflow cannot run.";
        example "the only `start_trigger` has `enabled: false`";
        fix "Add a Start block, or enable the trigger.";
    "W002" Error "conflicting triggers";
        meaning "Sim allows one instance of each of start, API, input, manual and chat triggers, and the legacy `starter` cannot coexist with them.";
        example "two `start_trigger` blocks";
        fix "Keep one trigger of this type and delete the others.";
    "W003" Warning "block unreachable from a trigger";
        meaning "No chain of edges leads from an enabled trigger to this block, so Sim never runs it.";
        example "an agent block with no incoming edge";
        fix "Connect the block to the flow, or delete it.";
    "W004" Warning "disabled block still connected";
        meaning "A disabled block does not run, and edges through it carry nothing: blocks fed only by it do not run either.";
        example "`toneRewriter` is disabled but sits between two blocks";
        fix "Enable the block, or reconnect around it and delete its edges.";
    "W005" Error "edge to a missing block";
        meaning "The edge names a block that does not exist; Sim drops it on save.";
        example "edge `e7` targets `b-deleted`";
        fix "Delete the edge, or restore the block.";
    "W006" Error "edge into a trigger";
        meaning "Triggers only start runs; Sim drops any edge that targets one on save.";
        example "agent -> start_trigger";
        fix "Delete the edge; start another run from the trigger instead.";
    "W007" Error "edge from or to a note";
        meaning "Notes are annotations only; Sim drops edges touching them on save.";
        example "note -> agent";
        fix "Delete the edge.";
    "W008" Error "edge across a container boundary";
        meaning "An edge may only join blocks in the same container, or a container to its own children; Sim silently drops any other edge on save.";
        example "a block inside a loop -> a block outside it";
        fix "Connect to the container instead (its end handle leads out of it).";
    "W009" Error "condition is not valid JavaScript";
        meaning "Each branch of a Condition block is a JavaScript expression; this one does not parse, so the block fails when it runs.";
        example "`<agent.score> >= `";
        fix "Correct the expression (it must be a single JavaScript expression).";
    "W010" Error "`else` is not the last branch";
        meaning "Branches are tried in order and `else` always matches: branches after it are never tried.";
        example "if / else / else if";
        fix "Move the `else` branch to the end.";
    "W011" Error "duplicate branch id";
        meaning "Two condition branches (or router routes) share an id, so edges cannot tell them apart.";
        example "two branches with id `b1-if`";
        fix "Give each branch a distinct id (re-create the branch in Sim).";
    "W012" Error "unreadable branches";
        meaning "A Condition block's `conditions` (or a router's `routes`) must be a JSON array of `{id, title, value}`; this one cannot be read, so Sim cannot run it.";
        example "`conditions` is `\"[{\"`";
        fix "Re-create the branches in the block's editor.";
    "W013" Warning "router route without a description";
        meaning "The router's model picks a route by its description; a blank one is never chosen deliberately.";
        example "route `{\"id\": \"r2\", \"value\": \"\"}`";
        fix "Describe when this route should be taken.";
    "W014" Error "reference to an unknown block";
        meaning "`<name.path>` names no block of this workflow (names compare lower-cased, spaces removed); Sim resolves it to nothing.";
        example "`<agnet.content>`";
        fix "Correct the block name in the reference.";
    "W015" Warning "reference to a block that is not upstream";
        meaning "The referenced block never runs before this one (no chain of edges leads from it here), so the reference is empty at run time.";
        example "a block reads `<summary.content>` from a block downstream of it";
        fix "Connect the referenced block before this one, or reference an upstream block.";
    "W016" Warning "reference to an unknown output";
        meaning "The referenced block has no such output; the reference resolves to nothing.";
        example "`<agent.contnet>`";
        fix "Use one of the block's outputs (listed in the hint).";
    "W017" Error "container value outside its container";
        meaning "`<loop.index>`, `<loop.currentItem>`, `<parallel.currentItem>` and the like exist only inside that loop or parallel; outside, only `<container.results>` is available.";
        example "a block after the loop reads `<loop.currentItem>`";
        fix "Move the block into the container, or read `<containername.results>` after it.";
    "W018" Error "reserved block name";
        meaning "`loop`, `parallel` and `variable` are reference prefixes; a block with that name cannot be referenced.";
        example "a function block named `Loop`";
        fix "Rename the block.";
    "W019" Info "failure ends the run";
        meaning "This block can fail (a call out, a model, code) and has no error edge, so a failure ends the whole run.";
        example "an API block with no `error` edge";
        fix "Add an error edge to a fallback block if a failure should be handled.";
    "W020" Warning "secret in plain text";
        meaning "This sub-block is a password field in Sim, which expects a `{{ENV_VAR}}` reference; a plain value is a secret stored in the workflow (and Sim blanks it on export).";
        example "`apiKey: \"sk-live-...\"`";
        fix "Store the secret as an environment variable and write `{{NAME}}` here.";
    "W021" Warning "value looks like a secret";
        meaning "The text contains what looks like an API key or token (`sk-...`, `xoxb-...`, `AKIA...`, `ghp_...`) outside a password field.";
        example "a header value `Bearer sk-proj-...`";
        fix "Move the secret to an environment variable and reference it as `{{NAME}}`.";
    "W022" Warning "edge from a branch the block does not have";
        meaning "The edge leaves from `condition-<id>` or `router-<id>`, but the block has no branch with that id: the edge never fires.";
        example "`condition-b1-else-if-3` after that branch was deleted";
        fix "Reconnect the edge from an existing branch, or delete it.";
    "W023" Warning "duplicate block name";
        meaning "Two blocks have the same name once lower-cased with spaces removed, so `<name.path>` references are ambiguous.";
        example "`My Agent` and `myagent`";
        fix "Rename one of the blocks.";

    // ---- Conversion readiness: the converter's approximations (`convert::codes`) -------------
    // Reported by `validate::readiness`, which runs the conversion itself. Info: carried over or
    // documented structure, nothing to do. Warning: the converted side behaves differently, or
    // an edit made there has no effect on the way back.
    "C001" Info "disabled block left out of the journey";
        meaning "Converting the workflow to a journey leaves disabled blocks out (they are kept in the journey's `sim` metadata and come back on the way back).";
        example "a disabled `toneRewriter` agent";
        fix "Nothing to do if the block should not run; enable it if the journey needs the step.";
    "C002" Info "note kept as metadata, not a state";
        meaning "A note block is an annotation: the journey keeps it in its `sim` metadata, not as a state.";
        example "a note `Escalation policy: see wiki`";
        fix "Nothing to do; write guidance the agent must follow as a state action or guideline instead.";
    "C003" Info "loop becomes a cycle";
        meaning "A loop becomes a fork state whose body transitions back to it; the exit is a natural-language condition (\"<loop> has finished\") judged by the agent, not a counter.";
        example "`orderLoop` (forEach over `<start.orders>`)";
        fix "Check the cycle's conditions in the journey read as the loop's intent; reword them if not.";
    "C004" Warning "parallel becomes a sequence";
        meaning "A parallel runs its branch concurrently for each item; a journey follows one path at a time, so it becomes one branch repeated per item.";
        example "`enrichLeads` parallel over 3 lead sources";
        fix "Accept the sequential order, or restructure the work as one tool call that does it all.";
    "C005" Warning "extra trigger becomes a chat state";
        meaning "A journey has one root; a second trigger becomes an ordinary chat state that is entered only through its incoming transitions.";
        example "a `webhook` trigger beside the `start_trigger`";
        fix "Convert each trigger's flow as its own journey, or delete the extra trigger.";
    "C006" Info "no trigger: a root state is added";
        meaning "The workflow has no enabled trigger; the conversion adds a root state that leads to the top-level blocks without inputs.";
        example "a workflow whose `start_trigger` is disabled";
        fix "Add or enable a Start block so the journey starts where the workflow does.";
    "C007" Warning "concurrent fan-out becomes one transition";
        meaning "The block starts several blocks at once in Sim; Parlant follows one unconditional transition, so the journey does not do both.";
        example "`intake` -> `crm` and `intake` -> `notify`, both unconditional";
        fix "Chain the blocks one after another, or put conditions on the branches.";
    "C008" Info "edge to a missing element dropped";
        meaning "The edge (transition) names a block (state) that does not exist; the conversion drops it.";
        example "edge `e7` targets `b-deleted`";
        fix "Delete the edge, or restore the block (see W005 / J008).";
    "C009" Warning "empty condition expression";
        meaning "A Condition branch has no expression: Sim never takes it, but the journey gets a transition whose condition reads as the empty branch.";
        example "branch `else if` with value `\"\"`";
        fix "Write the branch's expression, or delete the branch and its edge.";
    "C010" Info "journey facts kept in `data.parlant`";
        meaning "The journey says something Sim has no field for (a canned response, a tool list, extra metadata); it travels in the block's or edge's `data.parlant` and comes back on the way back.";
        example "state `greet` with `metadata.canned_response`";
        fix "Nothing to do; edit these fields on the journey side.";
    "C011" Info "natural-language condition becomes a router route";
        meaning "A condition with no JavaScript expression becomes a route of a router_v2 block: a model picks it at run time, as Parlant's LLM judges conditions.";
        example "\"the customer wants a refund\" -> route of `triage-router`";
        fix "Nothing to do; write a JavaScript condition instead if the branch should be decided by code.";
    "C012" Info "tool state becomes a placeholder function block";
        meaning "A tool state with no Sim block behind it becomes a function block standing in for the tool; it does not call the tool.";
        example "tool state `lookup-order` (`crm:get_order`)";
        fix "Replace the function block in Sim with the block or API call that does the work.";
    "C013" Warning "condition text is not JavaScript";
        meaning "A transition leaving a Condition block was given text that is not a JavaScript expression; the branch keeps its code, so the edit has no effect in Sim.";
        example "condition `the order is late` on a Condition block's branch";
        fix "Write the condition as a JavaScript expression, or make the state a fork (router) in the journey.";
    "C014" Info "transition to `end` kept in `data.parlant`";
        meaning "Sim has no `end` block: the state's block becomes a leaf and the transition to `end` travels in its `data.parlant`.";
        example "`confirm` -> `end`";
        fix "Nothing to do; a Sim run ends where no edge leads on.";
    "C015" Warning "edit of a conversion-added transition ignored";
        meaning "The transition was added by the conversion (a loop's repeat, a root's or `end` transition); editing it changes nothing in Sim.";
        example "the repeat transition of `orderLoop` given a new condition";
        fix "Edit the loop or the blocks in Sim, or delete the `sim` metadata to convert the element as new.";
    "C016" Warning "state kind change not carried";
        meaning "The state changed kind (chat, tool, fork) in the journey, but its Sim block keeps its type.";
        example "chat state `ask` made a tool state";
        fix "Replace the block in Sim, or delete the state's `sim` metadata so it converts as a new block.";
    "C017" Warning "conversion fails";
        meaning "The document cannot be converted at all (e.g. a `data.parlant` or `metadata.sim` carrier no longer makes a valid element); the message says where.";
        example "`data.parlant.node` of `ask` holds a number where a transition list is expected";
        fix "Correct or delete the carrier the message names; it is regenerated on the next conversion.";
}

/// The catalogue entry for a code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    CATALOGUE.iter().find(|r| r.code == code)
}

/// The Markdown table of the catalogue, as docs/validation.md holds it.
pub fn markdown_table() -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from("| code | severity | title | meaning | example | fix |\n|---|---|---|---|---|---|\n");
    for r in CATALOGUE {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.code,
            r.severity.as_str(),
            cell(r.title),
            cell(r.meaning),
            cell(r.example),
            cell(r.fix)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for r in CATALOGUE {
            assert!(seen.insert(r.code), "duplicate code {}", r.code);
            let (prefix, digits) = r.code.split_at(1);
            assert!(matches!(prefix, "J" | "W" | "C") && digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()));
            assert!(!r.meaning.is_empty() && !r.fix.is_empty() && !r.example.is_empty());
        }
    }

    #[test]
    fn every_approximation_code_is_catalogued_once() {
        let catalogued: Vec<&str> = CATALOGUE.iter().map(|r| r.code).filter(|c| c.starts_with('C')).collect();
        let mut expected: Vec<&str> = crate::convert::codes::ALL.to_vec();
        expected.push(super::super::readiness::CONVERSION_FAILS);
        assert_eq!(catalogued, expected, "the catalogue's C codes are the converter's approximation codes plus C017");
        for r in CATALOGUE.iter().filter(|r| r.code.starts_with('C')) {
            assert_ne!(r.severity, Error, "{}: readiness never blocks a document that is valid for its own system", r.code);
        }
    }
}
