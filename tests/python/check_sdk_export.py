"""Checks SDK code exported by Journey Studio against the REAL parlant package (3.3.2), offline:
compiles and imports the module (importing parlant.sdk), then runs `build_journey` with an
agent that binds every call to the real SDK signatures (Agent.create_journey,
JourneyState.transition_to) and records the graph it builds. Prints the graph as JSON."""

import asyncio
import importlib.util
import inspect
import json
import sys

import parlant.sdk as p

CREATE_JOURNEY = inspect.signature(p.Agent.create_journey)
# Each kind of state has its own transition_to in the SDK.
TRANSITION = {
    "root": inspect.signature(p.InitialJourneyState.transition_to),
    "chat": inspect.signature(p.ChatJourneyState.transition_to),
    "tool": inspect.signature(p.ToolJourneyState.transition_to),
    "fork": inspect.signature(p.ForkJourneyState.transition_to),
}


class State:
    def __init__(self, graph, sid, kind, kwargs):
        self.graph, self.id, self.kind = graph, sid, kind
        graph["nodes"].append({"id": sid, "kind": kind, **kwargs})

    async def transition_to(self, **kwargs):
        TRANSITION[self.kind].bind(self, **kwargs)  # raises TypeError on an argument the SDK lacks
        target = kwargs.get("state")
        if target is p.END_JOURNEY:
            tid = "end"
        elif target is not None:
            assert isinstance(target, State), f"state= must be a state built before, got {target!r}"
            tid = target.id
        else:
            tools = kwargs.get("tool_state") or []
            if tools:
                for t in tools:
                    assert isinstance(t, p.ToolId), t
                kind = "tool"
            elif kwargs.get("chat_state") is not None:
                kind = "chat"
            else:
                kind = "fork"
            info = {
                "action": kwargs.get("chat_state") or kwargs.get("tool_instruction"),
                "tools": [[t.service_name, t.tool_name] for t in tools],
            }
            new = State(self.graph, f"s{len(self.graph['nodes'])}", kind, info)
            tid = new.id
            target = new
        self.graph["edges"].append({"source": self.id, "target": tid, "condition": kwargs.get("condition")})

        class Transition:
            pass

        t = Transition()
        t.target = target
        return t


class Journey:
    def __init__(self, graph):
        self.initial_state = State(graph, "root", "root", {})


class Agent:
    def __init__(self):
        self.graph = {"nodes": [], "edges": []}

    async def create_journey(self, **kwargs):
        CREATE_JOURNEY.bind(self, **kwargs)
        self.graph["journey"] = kwargs
        return Journey(self.graph)


def main() -> None:
    path = sys.argv[1]
    source = open(path, encoding="utf-8").read()
    compile(source, path, "exec")
    spec = importlib.util.spec_from_file_location("exported_journey", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert inspect.iscoroutinefunction(module.main)
    agent = Agent()
    asyncio.run(module.build_journey(agent))
    print(json.dumps(agent.graph))


main()
