"""Builds journeys with the REAL parlant SDK (parlant==3.3.2) in an offline in-process server and
dumps what Parlant's own stores hold, in Journey Studio's `parlant-journey` format.

`run(*builds)` starts `p.Server` with Journey Studio's offline NLP service (no network, no key;
server/parlant must be on PYTHONPATH) on free ports, and for each build creates an agent, awaits
`build(agent)` (which returns the journey it built) and dumps it; it returns the dumps. The server is left through an
exception, so it never starts serving: nothing listens after setup.

The dump is read from the stores as Parlant fills them: nodes come from
`JourneyStore.list_nodes` (the synthetic `end` node Parlant appends included), edges from
`list_edges`, the journey's conditions are its condition guidelines' texts, its guidelines are
those with a dependency on the journey's tag (what `Journey.create_guideline` makes), and the
context variables are the agent's. Ids are the ones Parlant generated."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from typing import Any, Awaitable, Callable

import parlant.sdk as p
from parlant.core.context_variables import ContextVariableStore
from parlant.core.guidelines import GuidelineStore
from parlant.core.journeys import JourneyStore
from parlant.core.relationships import RelationshipKind, RelationshipStore
from parlant.core.tags import Tag

from journey_studio_parlant.offline_nlp import OfflineNLPService


class _Done(Exception):
    """Leaves the server's context before it starts serving."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tool(t: Any) -> dict[str, str]:
    return {"service_name": t.service_name, "tool_name": t.tool_name}


def _node(n: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": n.id, "action": n.action, "tools": [_tool(t) for t in n.tools], "metadata": dict(n.metadata)}
    if n.description is not None:
        out["description"] = n.description
    mode = getattr(n, "composition_mode", None)
    if mode is not None:
        out["composition_mode"] = mode.value
    labels = sorted(getattr(n, "labels", None) or [])
    if labels:
        out["labels"] = labels
    return out


async def dump(server: p.Server, journey_id: str, agent_id: str) -> dict[str, Any]:
    c = server.container
    store = c[JourneyStore]
    guidelines = c[GuidelineStore]
    journey = await store.read_journey(journey_id)
    conditions = [(await guidelines.read_guideline(g)).content.condition for g in journey.conditions]
    header: dict[str, Any] = {
        "id": journey.id,
        "title": journey.title,
        "description": journey.description,
        "conditions": conditions,
        "root_id": journey.root_id,
        "tags": list(journey.tags),
    }
    if journey.composition_mode is not None:
        header["composition_mode"] = journey.composition_mode.value
    if journey.labels:
        header["labels"] = sorted(journey.labels)
    if journey.priority:
        header["priority"] = journey.priority
    doc: dict[str, Any] = {
        "format": "parlant-journey",
        "version": 1,
        "journey": header,
        "nodes": [_node(n) for n in await store.list_nodes(journey.id)],
        "edges": [
            {"id": e.id, "source": e.source, "target": e.target, "condition": e.condition, "metadata": dict(e.metadata)}
            for e in await store.list_edges(journey.id)
        ],
    }
    scoped = await c[RelationshipStore].list_relationships(
        kind=RelationshipKind.DEPENDENCY, indirect=False, target_id=Tag.for_journey_id(journey.id).id
    )
    rules = []
    for r in scoped:
        g = await guidelines.read_guideline(r.source.id)
        rule: dict[str, Any] = {"id": g.id, "condition": g.content.condition, "criticality": g.criticality.value, "tags": list(g.tags)}
        if g.content.action is not None:
            rule["action"] = g.content.action
        if g.content.description is not None:
            rule["description"] = g.content.description
        if g.metadata:
            rule["metadata"] = dict(g.metadata)
        rules.append(rule)
    if rules:
        doc["guidelines"] = sorted(rules, key=lambda g: g["condition"])
    variables = []
    for v in await c[ContextVariableStore].list_variables(tags=[Tag.for_agent_id(agent_id).id]):
        var: dict[str, Any] = {"id": v.id, "name": v.name, "tags": list(v.tags)}
        if v.description is not None:
            var["description"] = v.description
        if v.tool_id is not None:
            var["tool_id"] = _tool(v.tool_id)
        if v.freshness_rules is not None:
            var["freshness_rules"] = v.freshness_rules
        variables.append(var)
    if variables:
        doc["context_variables"] = sorted(variables, key=lambda v: v["name"])
    return doc


async def _run(builds: list[Callable[[p.Agent], Awaitable[Any]]]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    try:
        async with p.Server(
            nlp_service=lambda _c: OfflineNLPService(),
            host="127.0.0.1",
            port=_free_port(),
            tool_service_port=_free_port(),
            log_level=p.LogLevel.WARNING,
        ) as server:
            # One agent per journey: the context variables dumped are that agent's.
            for n, build in enumerate(builds):
                agent = await server.create_agent(name=f"Journey Studio {n + 1}", description="Builds an exported journey")
                journey = await build(agent)
                results.append(await dump(server, journey.id, agent.id))
            raise _Done()
    except _Done:
        pass
    return results


# Parlant prints a banner and progress bars on standard output: while it runs, file descriptor 1
# goes to standard error, and the dump alone is written to the real standard output.
_REAL_STDOUT = os.dup(1)


def run(*builds: Callable[[p.Agent], Awaitable[Any]]) -> list[dict[str, Any]]:
    """Builds each journey (in one server, each with its own agent) and returns their dumps."""
    sys.stdout.flush()
    os.dup2(2, 1)
    return asyncio.run(_run(list(builds)))


def print_dump(doc: Any) -> None:
    sys.stdout.flush()
    data = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    while data:
        data = data[os.write(_REAL_STDOUT, data) :]
