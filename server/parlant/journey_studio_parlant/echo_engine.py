"""A small deterministic `Engine` for offline servers: it answers each customer message with
`echo: <message>` through Parlant's own event emitter, so the real session / event / long-poll
code runs without an LLM (the stock engine needs one and, offline, ends in a `status: error`
event). Statuses follow the real engine's sequence: acknowledged, processing, typing, ready."""

from __future__ import annotations

from typing import Any, Sequence

from parlant.core.agents import AgentStore
from parlant.core.emissions import EventEmitter
from parlant.core.engines.types import Context, Engine, UtteranceRequest
from parlant.core.sessions import EventKind, EventSource, SessionStore

PREFIX = "echo: "


class EchoEngine(Engine):
    def __init__(self, sessions: SessionStore, agents: AgentStore) -> None:
        self._sessions = sessions
        self._agents = agents

    async def _say(self, context: Context, emitter: EventEmitter, text: str) -> None:
        agent = await self._agents.read_agent(context.agent_id)
        trace = f"echo-{context.session_id}"
        await emitter.emit_status_event(trace_id=trace, data={"status": "acknowledged", "data": {}})
        await emitter.emit_status_event(trace_id=trace, data={"status": "processing", "data": {"stage": "echo"}})
        await emitter.emit_status_event(trace_id=trace, data={"status": "typing", "data": {}})
        await emitter.emit_message_event(
            trace_id=trace,
            data={"message": text, "participant": {"id": agent.id, "display_name": agent.name}},
        )
        await emitter.emit_status_event(trace_id=trace, data={"status": "ready", "data": {}})

    async def process(self, context: Context, event_emitter: EventEmitter) -> bool:
        events = await self._sessions.list_events(
            context.session_id, source=EventSource.CUSTOMER, kinds=[EventKind.MESSAGE]
        )
        if not events:
            return True
        last: Any = events[-1].data
        message = last.get("message", "") if isinstance(last, dict) else str(last)
        await self._say(context, event_emitter, PREFIX + message)
        return True

    async def utter(self, context: Context, event_emitter: EventEmitter, requests: Sequence[UtteranceRequest]) -> bool:
        for r in requests:
            await self._say(context, event_emitter, PREFIX + r.action)
        return True
