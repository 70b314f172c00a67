"""The offline module (graph endpoints, offline NLP service) plus the deterministic
`EchoEngine`, so live chat can be exercised against a REAL Parlant server without an LLM:
`OPENAI_API_KEY=unused parlant-server run --openai --module journey_studio_parlant.offline_echo`."""

from __future__ import annotations

from typing import Any

from journey_studio_parlant import offline
from journey_studio_parlant.echo_engine import EchoEngine


async def configure_module(container: Any) -> Any:
    from parlant.core.agents import AgentStore  # noqa: F401 (resolved lazily)
    from parlant.core.engines.types import Engine
    from parlant.core.guidelines import GuidelineStore
    from parlant.core.journeys import JourneyStore
    from parlant.core.sessions import SessionStore

    from lagom import Singleton

    container = await offline.configure_module(container) or container
    container[EchoEngine] = Singleton(lambda c: EchoEngine(c[SessionStore], c[AgentStore], c[JourneyStore], c[GuidelineStore]))
    container[Engine] = lambda c: c[EchoEngine]
    return container
