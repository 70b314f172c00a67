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
    /// What the rule is grounded in: the Parlant or Sim source (module and function) or the
    /// documented behaviour it encodes.
    pub ground: &'static str,
    pub example: &'static str,
    pub fix: &'static str,
}

use Severity::{Error, Info, Warning};

macro_rules! rules {
    ($( $code:literal $sev:ident $title:literal; meaning $meaning:literal; ground $ground:literal; example $example:literal; fix $fix:literal; )*) => {
        pub const CATALOGUE: &[Rule] = &[ $( Rule { code: $code, title: $title, severity: $sev, meaning: $meaning, ground: $ground, example: $example, fix: $fix }, )* ];
    };
}

rules! {
    // ---- Parlant journeys -------------------------------------------------------------------
    // Ground: what Parlant 3.3.2 does (the installed `parlant` package; S = `parlant/sdk.py`,
    // NS = `core/engines/alpha/guideline_matching/generic/journey/`, RN =
    // `core/services/indexing/journey_reachable_nodes_evaluation.py`, P =
    // `core/journey_guideline_projection.py`). Refused or broken at run time: error; accepted but
    // almost certainly not meant: warning.
    "J001" Error "state with no action";
        meaning "A chat or tool state (any state but the root and forks) has no action (`null` or empty). When Parlant enters a state whose action is empty it ends the journey there, so the state does nothing and its transitions are never followed.";
        ground "NS `journey_next_step_selection` `process`: a next node whose guideline action is None exits the journey; RN `do_node_evaluation`: a non-fork child without an action gets the path `None` (exit). The SDK always writes an action (`_create_state` fills \"Use the tool <name>\" for one tool).";
        example "`nodes[3]` has `action: null` and kind chat";
        fix "Write what the agent does in this state, make it a fork if it only branches, or delete it.";
    "J002" Warning "state unreachable from the root";
        meaning "No chain of transitions leads from the root to this state: Parlant never uses it (nor its transitions).";
        ground "P `project_journey_to_guidelines` walks the graph from `root_id` only: unreached states get no guideline and are silently unused; `/journeys/{id}/mermaid` lists them under `%% Unreachable states`.";
        example "`ask-email` has no incoming transition";
        fix "Add a transition into the state from a reachable state, or delete it.";
    "J003" Warning "state leads only into a loop that never ends";
        meaning "Every path from this state runs into a loop with no way out: no chain of transitions reaches `end` or a state without transitions (a leaf ends the journey too). Parlant still lets the agent leave, so it is a warning.";
        ground "RN `do_node_evaluation`: a state without transitions gets the follow-up path `None` (the journey ends there), like a transition to `end`; S `_transition_to_sub_journey` treats a leaf as an exit. NS `journey_next_step_selection` always offers \"None\" (leave the journey), so a closed loop is not a trap.";
        example "`a` -> `b` -> `c` -> `b`, none of them reaching `end` or a leaf";
        fix "Add a conditional exit from the loop (to `end` or a final state).";
    "J004" Warning "loop that never ends";
        meaning "The state is on a loop none of whose states leads to `end` or to a leaf: once entered, the journey cycles until the agent decides to leave. Fine when intended (a menu), a bug otherwise.";
        ground "RN `_find_cycles` / `_break_cycles` accept loops (they duplicate a node to index them); NS `journey_next_step_selection` always offers \"None\" (leave the journey).";
        example "`ask` -> `check` -> `ask`, neither reaching `end` or a leaf";
        fix "Add a conditional exit from the loop to `end`, or ignore when the loop is intended.";
    "J005" Error "unconditional transition beside others";
        meaning "A state has either exactly one unconditional outgoing transition or only conditional ones. An empty condition (`\"\"`) counts as none.";
        ground "S `JourneyState._transition` raises \"Cannot connect a new state without a condition if there are already connected states without conditions\" (it tests `not condition`, so `\"\"` is unconditional); the docs: \"If a state has a conditional transition to another state, it cannot also have a direct transition coming out of it.\"";
        example "`ask-order` -> `lookup` (no condition) and -> `ask-email` (\"no order number\")";
        fix "Give every outgoing transition a condition, or keep a single unconditional one.";
    "J006" Error "fork transition without a condition";
        meaning "A fork state only chooses between branches: every transition out of it needs a condition.";
        ground "S `_validate_transition_parameters` raises \"ForkJourneyState requires a condition\" when `condition is None`.";
        example "fork `eligible?` -> `refund` with no condition";
        fix "Write the condition under which this branch is taken.";
    "J007" Error "transition out of `end`";
        meaning "`end` is Parlant's virtual final state; it has no outgoing transitions.";
        ground "S `END_JOURNEY` has no journey: `JourneyState._transition` raises \"EndState cannot be connected to any other states\".";
        example "edge `end` -> `root`";
        fix "Delete the transition, or start it from the state before `end`.";
    "J008" Error "transition outside the journey";
        meaning "A transition may only connect states of the same journey (or go to `end`). Parlant stores such a transition, then fails on every message that activates the journey.";
        ground "P `project_journey_to_guidelines` looks each target up in the journey's nodes (`nodes[node_id]`): KeyError while evaluating the journey and whenever its guidelines are projected for a message (`core/entity_cq.py` `find_guidelines_for_context`); Parlant issue #819.";
        example "edge `ask` -> `other-journey-state`";
        fix "Point the transition at a state of this journey, or copy the state into it.";
    "J009" Error "tool state names no tool";
        meaning "A tool state runs its tools; without one the SDK refuses it and the engine waits for a tool call that never comes.";
        ground "S `_validate_transition_parameters`: `tool_state=[]` is no target (\"Must provide at least one target parameter\"); NS `journey_node_selection_batch.auto_return_match` advances a tool state only after one of its tools ran.";
        example "`lookup` has kind tool and `tools: []`";
        fix "Add the tool (service and name) the state runs, or make it a chat state.";
    "J010" Warning "tool state followed by a tool state";
        meaning "Parlant's docs: a tool state cannot transition to another tool state; it must be followed by a chat state that presents what the tool found (use one tool state with several tools instead).";
        ground "Documented: parlant.io Journeys, \"Transitioning from Tool to Chat\" (\"a tool state cannot transition to another tool state; it must always be followed by a chat state\"). The SDK does not enforce it.";
        example "`lookup` (tool) -> `refund` (tool)";
        fix "Merge the tools into one tool state, or insert a chat state between them.";
    "J011" Warning "blank condition";
        meaning "The transition's condition is empty or only spaces. Parlant reads `\"\"` as no condition at all; spaces are a condition that says nothing, judged by the model anyway.";
        ground "S `JourneyState._transition` and RN `evaluate_reachable_follow_ups` test `not condition`: `\"\"` is unconditional, `\"  \"` is a condition; P copies the text into the target's guideline condition.";
        example "`\"condition\": \"  \"`";
        fix "Write the condition, or set it to null for an unconditional transition.";
    "J012" Warning "duplicate condition on sibling transitions";
        meaning "Two transitions out of one state have the same condition, so the agent cannot tell which to take.";
        ground "No check in Parlant; NS `journey_next_step_selection` lists both conditions to the model, which picks one of two identical options.";
        example "two edges from `ask` both \"the customer agrees\"";
        fix "Make the conditions distinct, or merge the transitions.";
    "J013" Error "title is not 1..100 characters";
        meaning "Parlant's API refuses a journey title that is empty or longer than 100 characters.";
        ground "REST `JourneyCreationParamsDTO.title` / `JourneyUpdateParamsDTO.title` (`min_length=1, max_length=100`): 422.";
        example "`\"title\": \"\"`";
        fix "Write a title of 1 to 100 characters.";
    "J014" Warning "journey has no condition";
        meaning "A journey becomes active only when one of its conditions holds; with none it never activates.";
        ground "`core/engines/alpha/engine.py` activates a journey when one of its condition guidelines matches (`_filter_activated_journeys`); a journey with no condition guideline never matches.";
        example "`\"conditions\": []`";
        fix "Add at least one condition describing when the journey applies.";
    "J015" Error "malformed agent tag";
        meaning "Tags of the form `agent:<id>` scope an entity to an agent; this one has an empty id, spaces, or a misspelt prefix, so it scopes to no agent.";
        ground "`core/tags.py` `Tag.extract_agent_id` reads only the exact prefix `agent:`; a journey's tags are stored unchecked and then match no agent (`core/entity_cq.py`), a guideline's or context variable's is refused (`core/app_modules` `_ensure_tag`: 404).";
        example "`\"agent: support\"`, `\"Agent:support\"`, `\"agent:\"`";
        fix "Write it as `agent:<agent id>` with no spaces.";
    "J016" Error "unknown state kind";
        meaning "`metadata.journey_node.kind` is not one Parlant knows (chat, tool, fork): the engine fails on the journey.";
        ground "NS `journey_node_selection_batch._get_kind`, `journey_next_step_selection._create_node` and RN `_build_node_wrappers` call `JourneyNodeKind(kind)`, which raises ValueError for anything but `fork`, `chat`, `tool`, `NA`.";
        example "`\"journey_node\": {\"kind\": \"message\"}`";
        fix "Set the kind to chat, tool or fork.";
    "J017" Warning "parallel transitions";
        meaning "Two transitions join the same two states: Parlant keeps one of them, and which one (with its condition) is arbitrary.";
        ground "RN `_build_node_wrappers` registers one edge per (source, target) pair; P `add_edge_guideline_metadata` de-duplicates follow-ups through `list(set(...))`.";
        example "`ask` -> `confirm` twice, \"yes\" and \"sure\"";
        fix "Merge the transitions into one whose condition says both.";
    "J018" Error "empty journey condition";
        meaning "One of the journey's conditions is an empty string: Parlant's API refuses the journey.";
        ground "REST `JourneyCreationParamsDTO.conditions` items (`min_length=1`): 422 on `POST /journeys`.";
        example "`\"conditions\": [\"the customer wants a refund\", \"\"]`";
        fix "Write the condition, or delete it.";
    "J019" Warning "tool state followed by `end`";
        meaning "A tool state's only transition goes straight to `end`: after the tool runs Parlant moves the journey onto `end` as if it were a step, instead of leaving cleanly; nothing presents the tool's result.";
        ground "NS `journey_node_selection_batch.auto_return_match`: a tool state with one follow-up is advanced to it automatically, and the path then ends on END's index rather than `None` (the exit every other path uses). A tool state without transitions exits cleanly (RN: path `None`).";
        example "`refund` (tool) -> `end`";
        fix "Add a chat state that tells the customer what happened, or delete the transition (a state without transitions ends the journey).";
    "J020" Warning "state with no kind";
        meaning "The state has no `metadata.journey_node.kind`: Parlant reads its kind as NA, so a tool state is not advanced after its tool runs and a chat state is not treated as one that needs the agent to speak.";
        ground "NS and RN read `metadata.journey_node.kind` with the default `\"NA\"`; `auto_return_match` advances only kind tool, and `agent_dependent_action` defaults to true only for kind chat. The SDK always records the kind (`Journey._create_state`).";
        example "`{\"id\": \"ask\", \"action\": \"Ask for the order number\", \"metadata\": {}}`";
        fix "Set `metadata.journey_node.kind` to chat, tool or fork.";
    "J021" Warning "fork with an action";
        meaning "A fork state only branches: Parlant replaces its action with a fixed text, so the action written here is ignored.";
        ground "NS `journey_next_step_selection._create_node`: kind fork gets `FORK_NODE_ACTION_STR` whatever its action.";
        example "fork `eligible?` with action \"Check eligibility\"";
        fix "Move the action to a chat state before the fork, or make the state a chat state with conditional transitions.";
    "J022" Error "fork with no transitions";
        meaning "A fork state exists to choose between branches, and this one has none: a conditional transition into it is never offered, so that branch of the journey cannot be taken.";
        ground "RN `evaluate_reachable_follow_ups` skips a state with no action and no transitions, and `do_node_evaluation` gives a fork child no path of its own: the transition into an empty fork leads nowhere.";
        example "fork `check` with no outgoing transition";
        fix "Add the branches, transition to `end`, or delete the fork.";
    "J023" Warning "journey has no states";
        meaning "The root has no transition: the journey activates and has nothing to guide.";
        ground "RN skips a root with no action and no transitions; NS `journey_next_step_selection` can then only leave the journey.";
        example "a journey whose only node is the root";
        fix "Add the first state with a transition from the root.";
    "J024" Error "tag name is not 1..50 characters";
        meaning "A tag the journey relies on (`tags[].name`) is created on push; Parlant's API refuses a name that is empty or longer than 50 characters.";
        ground "REST `TagCreationParamsDTO.name` (`min_length=1, max_length=50`): 422 on `POST /tags`.";
        example "`{\"id\": \"vip\", \"name\": \"\"}`";
        fix "Name the tag with 1 to 50 characters.";

    // ---- Sim workflows ----------------------------------------------------------------------
    "W001" Error "no enabled trigger";
        meaning "A run starts at a trigger (start, schedule, webhook, or a block in trigger mode); with no enabled trigger the workflow cannot run.";
        ground "Sim v0.8.9 executor (`apps/sim/executor`): a run starts at the given trigger, else the first enabled `start_trigger`/`starter`, else a root block; with none there is nothing to run.";
        example "the only `start_trigger` has `enabled: false`";
        fix "Add a Start block, or enable the trigger.";
    "W002" Error "conflicting triggers";
        meaning "Sim allows one instance of each of start, API, input, manual and chat triggers, and the legacy `starter` cannot coexist with them.";
        ground "Sim v0.8.9 `TriggerUtils.wouldViolateSingleInstance` (`apps/sim/lib/workflows/triggers`): one start/API/input/manual/chat trigger each; the legacy `starter` excludes them.";
        example "two `start_trigger` blocks";
        fix "Keep one trigger of this type and delete the others.";
    "W003" Warning "block unreachable from a trigger";
        meaning "No chain of edges leads from an enabled trigger to this block, so Sim never runs it.";
        ground "Sim v0.8.9 executor: only blocks on a path from the starting trigger run (dead paths are skipped).";
        example "an agent block with no incoming edge";
        fix "Connect the block to the flow, or delete it.";
    "W004" Warning "disabled block still connected";
        meaning "A disabled block does not run, and edges through it carry nothing: blocks fed only by it do not run either.";
        ground "Sim v0.8.9 executor: a disabled block is not run and its outgoing edges are not activated.";
        example "`toneRewriter` is disabled but sits between two blocks";
        fix "Enable the block, or reconnect around it and delete its edges.";
    "W005" Error "edge to a missing block";
        meaning "The edge names a block that does not exist; Sim drops it on save.";
        ground "Sim v0.8.9 `validateEdges` drops an edge whose source or target block is missing when the workflow is saved.";
        example "edge `e7` targets `b-deleted`";
        fix "Delete the edge, or restore the block.";
    "W006" Error "edge into a trigger";
        meaning "Triggers only start runs; Sim drops any edge that targets one on save.";
        ground "Sim v0.8.9 `validateEdges` drops an edge that targets a trigger block on save.";
        example "agent -> start_trigger";
        fix "Delete the edge; start another run from the trigger instead.";
    "W007" Error "edge from or to a note";
        meaning "Notes are annotations only; Sim drops edges touching them on save.";
        ground "Sim v0.8.9 `validateEdges` drops an edge touching a `note` block on save.";
        example "note -> agent";
        fix "Delete the edge.";
    "W008" Error "edge across a container boundary";
        meaning "An edge may only join blocks in the same container, or a container to its own children; Sim silently drops any other edge on save.";
        ground "Sim v0.8.9 `getWorkflowEdgeScopeDropReason` drops an edge across a loop/parallel boundary on save.";
        example "a block inside a loop -> a block outside it";
        fix "Connect to the container instead (its end handle leads out of it).";
    "W009" Error "condition is not valid JavaScript";
        meaning "Each branch of a Condition block is a JavaScript expression; this one does not parse, so the block fails when it runs.";
        ground "Sim v0.8.9 condition handler evaluates each branch as one JavaScript expression (after inlining references); a syntax error fails the block. Checked with QuickJS in Sim's wrapper.";
        example "`<agent.score> >= `";
        fix "Correct the expression (it must be a single JavaScript expression).";
    "W010" Error "`else` is not the last branch";
        meaning "Branches are tried in order and `else` always matches: branches after it are never tried.";
        ground "Sim v0.8.9 condition handler tries branches in order and `isElseConditionTitle` branches always match.";
        example "if / else / else if";
        fix "Move the `else` branch to the end.";
    "W011" Error "duplicate branch id";
        meaning "Two condition branches (or router routes) share an id, so edges cannot tell them apart.";
        ground "Sim v0.8.9: an edge's `sourceHandle` is `condition-<branch id>` / `router-<route id>`; two branches with one id share a handle.";
        example "two branches with id `b1-if`";
        fix "Give each branch a distinct id (re-create the branch in Sim).";
    "W012" Error "unreadable branches";
        meaning "A Condition block's `conditions` (or a router's `routes`) must be a JSON array of `{id, title, value}`; this one cannot be read, so Sim cannot run it.";
        ground "Sim v0.8.9 condition and router handlers parse `conditions`/`routes` as a JSON array of `{id, title, value}`; anything else fails the block.";
        example "`conditions` is `\"[{\"`";
        fix "Re-create the branches in the block's editor.";
    "W013" Warning "router route without a description";
        meaning "The router's model picks a route by its description; a blank one is never chosen deliberately.";
        ground "Sim v0.8.9 router_v2 handler: the model chooses a route from the route descriptions.";
        example "route `{\"id\": \"r2\", \"value\": \"\"}`";
        fix "Describe when this route should be taken.";
    "W014" Error "reference to an unknown block";
        meaning "`<name.path>` names no block of this workflow (names compare lower-cased, spaces removed); Sim resolves it to nothing.";
        ground "Sim v0.8.9 reference resolver: `<name.path>` resolves block names lower-cased with spaces removed; an unknown name resolves to nothing.";
        example "`<agnet.content>`";
        fix "Correct the block name in the reference.";
    "W015" Warning "reference to a block that is not upstream";
        meaning "The referenced block never runs before this one (no chain of edges leads from it here), so the reference is empty at run time.";
        ground "Sim v0.8.9 executor: a block that has not run yet has no outputs, so its reference resolves to nothing (inlined as `null` in conditions).";
        example "a block reads `<summary.content>` from a block downstream of it";
        fix "Connect the referenced block before this one, or reference an upstream block.";
    "W016" Warning "reference to an unknown output";
        meaning "The referenced block has no such output; the reference resolves to nothing.";
        ground "Sim v0.8.9 reference resolver: a path the block's outputs do not have resolves to nothing.";
        example "`<agent.contnet>`";
        fix "Use one of the block's outputs (listed in the hint).";
    "W017" Error "container value outside its container";
        meaning "`<loop.index>`, `<loop.currentItem>`, `<parallel.currentItem>` and the like exist only inside that loop or parallel; outside, only `<container.results>` is available.";
        ground "Sim v0.8.9 loop/parallel resolvers: `<loop.*>`/`<parallel.*>` exist only inside their container; after it only `<name.results>`.";
        example "a block after the loop reads `<loop.currentItem>`";
        fix "Move the block into the container, or read `<containername.results>` after it.";
    "W018" Error "reserved block name";
        meaning "`loop`, `parallel` and `variable` are reference prefixes; a block with that name cannot be referenced.";
        ground "Sim v0.8.9 reference parser: `loop`, `parallel` and `variable` are reserved reference prefixes.";
        example "a function block named `Loop`";
        fix "Rename the block.";
    "W019" Info "failure ends the run";
        meaning "This block can fail (a call out, a model, code) and has no error edge, so a failure ends the whole run.";
        ground "Sim v0.8.9 executor: a block error with no `error` edge ends the run with that error.";
        example "an API block with no `error` edge";
        fix "Add an error edge to a fallback block if a failure should be handled.";
    "W020" Warning "secret in plain text";
        meaning "This sub-block is a password field in Sim, which expects a `{{ENV_VAR}}` reference; a plain value is a secret stored in the workflow (and Sim blanks it on export).";
        ground "Sim v0.8.9 block definitions mark password sub-blocks (`password: true`); export sanitising blanks them unless the value is a whole `{{ENV}}` reference.";
        example "`apiKey: \"sk-live-...\"`";
        fix "Store the secret as an environment variable and write `{{NAME}}` here.";
    "W021" Warning "value looks like a secret";
        meaning "The text contains what looks like an API key or token (`sk-...`, `xoxb-...`, `AKIA...`, `ghp_...`) outside a password field.";
        ground "Common key shapes (`sk-...`, `xoxb-...`, `AKIA...`, `ghp_...`, `AIza...`): a secret stored in the workflow is exported and shared with it.";
        example "a header value `Bearer sk-proj-...`";
        fix "Move the secret to an environment variable and reference it as `{{NAME}}`.";
    "W022" Warning "edge from a branch the block does not have";
        meaning "The edge leaves from `condition-<id>` or `router-<id>`, but the block has no branch with that id: the edge never fires.";
        ground "Sim v0.8.9: a branch edge fires only when the block selects that branch id; an id the block lacks is never selected.";
        example "`condition-b1-else-if-3` after that branch was deleted";
        fix "Reconnect the edge from an existing branch, or delete it.";
    "W023" Warning "duplicate block name";
        meaning "Two blocks have the same name once lower-cased with spaces removed, so `<name.path>` references are ambiguous.";
        ground "Sim v0.8.9 reference resolver: names compare lower-cased with spaces removed, so two such blocks make references ambiguous.";
        example "`My Agent` and `myagent`";
        fix "Rename one of the blocks.";

    // ---- Conversion readiness: the converter's approximations (`convert::codes`) -------------
    // Reported by `validate::readiness`, which runs the conversion itself. Info: carried over or
    // documented structure, nothing to do. Warning: the converted side behaves differently, or
    // an edit made there has no effect on the way back.
    "C001" Info "disabled block left out of the journey";
        meaning "Converting the workflow to a journey leaves disabled blocks out (they are kept in the journey's `sim` metadata and come back on the way back).";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "a disabled `toneRewriter` agent";
        fix "Nothing to do if the block should not run; enable it if the journey needs the step.";
    "C002" Info "note kept as metadata, not a state";
        meaning "A note block is an annotation: the journey keeps it in its `sim` metadata, not as a state.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "a note `Escalation policy: see wiki`";
        fix "Nothing to do; write guidance the agent must follow as a state action or guideline instead.";
    "C003" Info "loop becomes a cycle";
        meaning "A loop becomes a fork state whose body transitions back to it; the exit is a natural-language condition (\"<loop> has finished\") judged by the agent, not a counter.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "`orderLoop` (forEach over `<start.orders>`)";
        fix "Check the cycle's conditions in the journey read as the loop's intent; reword them if not.";
    "C004" Warning "parallel becomes a sequence";
        meaning "A parallel runs its branch concurrently for each item; a journey follows one path at a time, so it becomes one branch repeated per item.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "`enrichLeads` parallel over 3 lead sources";
        fix "Accept the sequential order, or restructure the work as one tool call that does it all.";
    "C005" Warning "extra trigger becomes a chat state";
        meaning "A journey has one root; a second trigger becomes an ordinary chat state that is entered only through its incoming transitions.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "a `webhook` trigger beside the `start_trigger`";
        fix "Convert each trigger's flow as its own journey, or delete the extra trigger.";
    "C006" Info "no trigger: a root state is added";
        meaning "The workflow has no enabled trigger; the conversion adds a root state that leads to the top-level blocks without inputs.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "a workflow whose `start_trigger` is disabled";
        fix "Add or enable a Start block so the journey starts where the workflow does.";
    "C007" Warning "concurrent fan-out becomes one transition";
        meaning "The block starts several blocks at once in Sim; Parlant follows one unconditional transition, so the journey does not do both.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "`intake` -> `crm` and `intake` -> `notify`, both unconditional";
        fix "Chain the blocks one after another, or put conditions on the branches.";
    "C008" Info "edge to a missing element dropped";
        meaning "The edge (transition) names a block (state) that does not exist; the conversion drops it.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "edge `e7` targets `b-deleted`";
        fix "Delete the edge, or restore the block (see W005 / J008).";
    "C009" Warning "empty condition expression";
        meaning "A Condition branch has no expression: Sim never takes it, but the journey gets a transition whose condition reads as the empty branch.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "branch `else if` with value `\"\"`";
        fix "Write the branch's expression, or delete the branch and its edge.";
    "C010" Info "journey facts kept in `data.parlant`";
        meaning "The journey says something Sim has no field for (a canned response, a tool list, extra metadata); it travels in the block's or edge's `data.parlant` and comes back on the way back.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "state `greet` with `metadata.canned_response`";
        fix "Nothing to do; edit these fields on the journey side.";
    "C011" Info "natural-language condition becomes a router route";
        meaning "A condition with no JavaScript expression becomes a route of a router_v2 block: a model picks it at run time, as Parlant's LLM judges conditions.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "\"the customer wants a refund\" -> route of `triage-router`";
        fix "Nothing to do; write a JavaScript condition instead if the branch should be decided by code.";
    "C012" Info "tool state becomes a placeholder function block";
        meaning "A tool state with no Sim block behind it becomes a function block standing in for the tool; it does not call the tool.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "tool state `lookup-order` (`crm:get_order`)";
        fix "Replace the function block in Sim with the block or API call that does the work.";
    "C013" Warning "condition text is not JavaScript";
        meaning "A transition leaving a Condition block was given text that is not a JavaScript expression; the branch keeps its code, so the edit has no effect in Sim.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "condition `the order is late` on a Condition block's branch";
        fix "Write the condition as a JavaScript expression, or make the state a fork (router) in the journey.";
    "C014" Info "transition to `end` kept in `data.parlant`";
        meaning "Sim has no `end` block: the state's block becomes a leaf and the transition to `end` travels in its `data.parlant`.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "`confirm` -> `end`";
        fix "Nothing to do; a Sim run ends where no edge leads on.";
    "C015" Warning "edit of a conversion-added transition ignored";
        meaning "The transition was added by the conversion (a loop's repeat, a root's or `end` transition); editing it changes nothing in Sim.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "the repeat transition of `orderLoop` given a new condition";
        fix "Edit the loop or the blocks in Sim, or delete the `sim` metadata to convert the element as new.";
    "C016" Warning "state kind change not carried";
        meaning "The state changed kind (chat, tool, fork) in the journey, but its Sim block keeps its type.";
        ground "Journey Studio's converter (`src/convert`, `convert::codes`): reported by running the conversion; not a rule of Sim or Parlant.";
        example "chat state `ask` made a tool state";
        fix "Replace the block in Sim, or delete the state's `sim` metadata so it converts as a new block.";
    "C017" Warning "conversion fails";
        meaning "The document cannot be converted at all (e.g. a `data.parlant` or `metadata.sim` carrier no longer makes a valid element); the message says where.";
        ground "Journey Studio's converter: the conversion itself returned an error.";
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
    let mut out = String::from("| code | severity | title | meaning | ground | example | fix |\n|---|---|---|---|---|---|---|\n");
    for r in CATALOGUE {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r.code,
            r.severity.as_str(),
            cell(r.title),
            cell(r.meaning),
            cell(r.ground),
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
            assert!(
                matches!(prefix, "J" | "W" | "C")
                    && digits.len() == 3
                    && digits.bytes().all(|b| b.is_ascii_digit())
            );
            assert!(
                !r.meaning.is_empty()
                    && !r.fix.is_empty()
                    && !r.example.is_empty()
                    && !r.ground.is_empty()
            );
        }
    }

    #[test]
    fn every_approximation_code_is_catalogued_once() {
        let catalogued: Vec<&str> = CATALOGUE
            .iter()
            .map(|r| r.code)
            .filter(|c| c.starts_with('C'))
            .collect();
        let mut expected: Vec<&str> = crate::convert::codes::ALL.to_vec();
        expected.push(super::super::readiness::CONVERSION_FAILS);
        assert_eq!(
            catalogued, expected,
            "the catalogue's C codes are the converter's approximation codes plus C017"
        );
        for r in CATALOGUE.iter().filter(|r| r.code.starts_with('C')) {
            assert_ne!(
                r.severity, Error,
                "{}: readiness never blocks a document that is valid for its own system",
                r.code
            );
        }
    }
}
