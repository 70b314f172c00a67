"""A small deterministic `Engine` for offline servers: it answers each customer message with
`echo: <message>` through Parlant's own event emitter, so the real session / event / long-poll
code runs without an LLM (the stock engine needs one and, offline, ends in a `status: error`
event). Statuses follow the real engine's sequence: acknowledged, processing, typing, ready.

Journeys: Parlant 3.3.2's AlphaEngine ends a completed turn with a `ready` status event whose
`data` carries `stage: "completed"`, `matched_guidelines`, `matched_journeys` and
`matched_journey_states` (`parlant/core/engines/alpha/engine.py`, `_emit_ready_event`), and keeps
each journey's path in the session's `agent_states[-1].journey_paths` (`_add_agent_state`). This
engine reports its journeys in exactly that shape and keeps its paths in the same place, but
what it matches is its own deterministic rule, not Parlant's LLM matching:
- a journey starts when the customer's message and one of its conditions contain one another
  (case-insensitively); it is then at the state the root's first transition leads to;
- an active journey moves one transition per message: the first outgoing transition whose
  condition and the message contain one another, else its only unconditional one; a transition
  to the end ends the journey.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from parlant.core.agents import AgentStore
from parlant.core.emissions import EventEmitter
from parlant.core.engines.types import Context, Engine, UtteranceRequest
from parlant.core.sessions import AgentState, EventKind, EventSource, SessionStore

PREFIX = "echo: "
END = "end"


def _contain(a: Optional[str], b: str) -> bool:
    """The two texts contain one another, ignoring case and end punctuation."""
    if not a:
        return False
    x, y = a.strip().strip(".?!").lower(), b.strip().strip(".?!").lower()
    return len(x) >= 3 and len(y) >= 3 and (x in y or y in x)


def _guideline_id(node_id: str, edge_id: Optional[str] = None) -> str:
    # parlant.core.engines.alpha.guideline_matching.generic.common.format_journey_node_guideline_id
    return f"journey_node:{node_id}:{edge_id}" if edge_id else f"journey_node:{node_id}"


def _node_of(guideline_id: Optional[str]) -> Optional[str]:
    # parlant.core.journey_guideline_projection.extract_node_id_from_journey_node_guideline_id
    if not guideline_id or not guideline_id.startswith("journey_node:"):
        return None
    return guideline_id.split(":")[1]


class EchoEngine(Engine):
    def __init__(self, sessions: SessionStore, agents: AgentStore, journeys: Any = None, guidelines: Any = None) -> None:
        self._sessions = sessions
        self._agents = agents
        self._journeys = journeys
        self._guidelines = guidelines

    async def _walk(self, context: Context, message: str) -> Optional[dict[str, Any]]:
        """The journeys after `message` (this engine's rule, see the module's text): the ready
        event's data in Parlant's shape, or None when there are no journeys to follow."""
        if self._journeys is None or self._guidelines is None:
            return None
        session = await self._sessions.read_session(context.session_id)
        paths: dict[str, list[Optional[str]]] = (
            {k: list(v) for k, v in session.agent_states[-1].journey_paths.items()} if session.agent_states else {}
        )
        matched_guidelines: list[str] = []
        matched_journeys: list[str] = []
        states: list[str] = []
        for journey in await self._journeys.list_journeys():
            path = paths.get(journey.id, [])
            at = _node_of(path[-1]) if path else None
            edges = await self._journeys.list_edges(journey.id)
            taken = None
            if at is None:
                conditions = [await self._guidelines.read_guideline(g) for g in journey.conditions]
                started = next((g for g in conditions if _contain(g.content.condition, message)), None)
                if started is None:
                    continue
                matched_guidelines.append(started.id)
                taken = next((e for e in edges if e.source == journey.root_id), None)
                path = []
            else:
                out = [e for e in edges if e.source == at]
                taken = next((e for e in out if _contain(e.condition, message)), None)
                if taken is None:
                    plain = [e for e in out if not e.condition]
                    taken = plain[0] if len(plain) == 1 else None
            if taken is None:
                # Stays where it is (or, just started, at the root with nowhere to go).
                if at is not None:
                    matched_journeys.append(journey.id)
                    states.append(at)
                continue
            if taken.target == END:
                paths[journey.id] = [None]
                continue
            path.append(_guideline_id(taken.target, taken.id))
            paths[journey.id] = path
            matched_journeys.append(journey.id)
            matched_guidelines.append(_guideline_id(taken.target, taken.id))
            states.append(taken.target)
        await self._sessions.update_session(
            session.id,
            {
                "agent_states": list(session.agent_states)
                + [AgentState(trace_id=f"echo-{session.id}", applied_guideline_ids=[], journey_paths=paths)]
            },
        )
        return {
            "stage": "completed",
            "matched_guidelines": [{"id": g} for g in matched_guidelines],
            "matched_journeys": [{"id": j} for j in matched_journeys],
            "matched_journey_states": [{"id": s} for s in states],
        }

    async def _say(self, context: Context, emitter: EventEmitter, text: str, ready: Optional[dict[str, Any]] = None) -> None:
        agent = await self._agents.read_agent(context.agent_id)
        trace = f"echo-{context.session_id}"
        await emitter.emit_status_event(trace_id=trace, data={"status": "acknowledged", "data": {}})
        await emitter.emit_status_event(trace_id=trace, data={"status": "processing", "data": {"stage": "echo"}})
        await emitter.emit_status_event(trace_id=trace, data={"status": "typing", "data": {}})
        await emitter.emit_message_event(
            trace_id=trace,
            data={"message": text, "participant": {"id": agent.id, "display_name": agent.name}},
        )
        await emitter.emit_status_event(trace_id=trace, data={"status": "ready", "data": ready or {}})

    async def process(self, context: Context, event_emitter: EventEmitter) -> bool:
        events = await self._sessions.list_events(
            context.session_id, source=EventSource.CUSTOMER, kinds=[EventKind.MESSAGE]
        )
        if not events:
            return True
        last: Any = events[-1].data
        message = last.get("message", "") if isinstance(last, dict) else str(last)
        ready = await self._walk(context, message)
        await self._say(context, event_emitter, PREFIX + message, ready)
        return True

    async def utter(self, context: Context, event_emitter: EventEmitter, requests: Sequence[UtteranceRequest]) -> bool:
        for r in requests:
            await self._say(context, event_emitter, PREFIX + r.action)
        return True
