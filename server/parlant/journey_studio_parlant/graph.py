"""Journey graph endpoints over Parlant's own JourneyStore (parlant==3.3.2).

Parlant's REST API creates journeys but has no endpoint for their nodes and edges (the SDK
writes them in-process). This module adds them, under `/journey-studio`, so an external editor
can push and pull a journey graph over HTTP. Everything is written through `JourneyStore`, so
the stock `/journeys/{id}/mermaid` and the engine see exactly what was written.

Loading:
- CLI: `parlant-server run --module journey_studio_parlant.graph` (the module wraps the API
  factory to register its routes; Parlant's CLI offers no other hook for routes).
- SDK: `p.Server(..., configure_api=journey_studio_parlant.graph.configure_api_for(container))`
  or call `install_routes(app, journey_store)` yourself.
"""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, FastAPI, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field

from parlant.core.common import ItemNotFoundError
from parlant.core.journeys import (
    JourneyEdge,
    JourneyNode,
    JourneyNodeId,
    JourneyEdgeId,
    JourneyId,
    JourneyStore,
)
from parlant.core.tools import ToolId

MODULE_NAME = "journey-studio-graph"
MODULE_VERSION = 1
PREFIX = "/journey-studio"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolIdDTO(Strict):
    service_name: str
    tool_name: str


class MetadataUpdateDTO(Strict):
    set: dict[str, Any] = Field(default_factory=dict)
    unset: list[str] = Field(default_factory=list)


class NodeCreateDTO(Strict):
    id: Optional[str] = None
    action: Optional[str] = None
    tools: list[ToolIdDTO] = Field(default_factory=list)
    description: Optional[str] = None
    composition_mode: Optional[str] = None
    labels: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class NodeUpdateDTO(Strict):
    action: Optional[str] = None
    clear_action: bool = False
    tools: Optional[list[ToolIdDTO]] = None
    description: Optional[str] = None
    metadata: Optional[MetadataUpdateDTO] = None


class JourneyFieldsDTO(Strict):
    # Parlant 3.3.2's PATCH /journeys treats `composition_mode: null` as "unchanged", so a
    # mode once set cannot be cleared over the stock API; this clears it in the store.
    clear_composition_mode: bool = False


class EdgeCreateDTO(Strict):
    source: str
    target: str
    condition: Optional[str] = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class EdgeUpdateDTO(Strict):
    condition: Optional[str] = None
    clear_condition: bool = False
    metadata: Optional[MetadataUpdateDTO] = None


def node_dto(node: JourneyNode) -> dict[str, Any]:
    return {
        "id": node.id,
        "action": node.action,
        "tools": [{"service_name": t.service_name, "tool_name": t.tool_name} for t in node.tools],
        "metadata": dict(node.metadata),
        "description": node.description,
        "composition_mode": node.composition_mode,
        "labels": sorted(node.labels),
    }


def edge_dto(edge: JourneyEdge) -> dict[str, Any]:
    return {
        "id": edge.id,
        "source": edge.source,
        "target": edge.target,
        "condition": edge.condition,
        "metadata": dict(edge.metadata),
    }


async def apply_metadata(item: Any, update: MetadataUpdateDTO, set_one: Any, unset_one: Any) -> Any:
    """Sets and unsets metadata keys of a node or edge through the store's own calls (one per
    key: the store has no batch call); returns the item as the last call left it."""
    for key, value in update.set.items():
        item = await set_one(item.id, key, value)
    for key in update.unset:
        if key in item.metadata:
            item = await unset_one(item.id, key)
    return item


def install_routes(app: FastAPI, store: JourneyStore) -> None:
    router = APIRouter(prefix=PREFIX)

    async def journey_or_404(journey_id: str) -> Any:
        try:
            return await store.read_journey(JourneyId(journey_id))
        except ItemNotFoundError:
            raise HTTPException(status_code=404, detail=f"journey `{journey_id}` not found")

    async def node_of(journey_id: str, node_id: str) -> JourneyNode:
        nodes = await store.list_nodes(JourneyId(journey_id))
        for n in nodes:
            if n.id == node_id:
                return n
        raise HTTPException(
            status_code=404, detail=f"node `{node_id}` not found in journey `{journey_id}`"
        )

    async def edge_of(journey_id: str, edge_id: str) -> JourneyEdge:
        for e in await store.list_edges(JourneyId(journey_id)):
            if e.id == edge_id:
                return e
        raise HTTPException(
            status_code=404, detail=f"edge `{edge_id}` not found in journey `{journey_id}`"
        )

    @router.get("/probe")
    async def probe() -> dict[str, Any]:
        return {"module": MODULE_NAME, "version": MODULE_VERSION}

    @router.get("/journeys/{journey_id}/graph")
    async def read_graph(journey_id: str) -> dict[str, Any]:
        journey = await journey_or_404(journey_id)
        nodes = await store.list_nodes(journey.id)
        edges = await store.list_edges(journey.id)
        return {
            "journey_id": journey.id,
            "root_id": journey.root_id,
            "nodes": [node_dto(n) for n in nodes if n.id != JourneyStore.END_NODE_ID],
            "edges": [edge_dto(e) for e in edges],
        }

    @router.patch("/journeys/{journey_id}")
    async def update_journey_fields(journey_id: str, params: JourneyFieldsDTO) -> dict[str, Any]:
        journey = await journey_or_404(journey_id)
        if params.clear_composition_mode and journey.composition_mode is not None:
            journey = await store.update_journey(journey.id, {"composition_mode": None})
        mode = journey.composition_mode
        return {"id": journey.id, "composition_mode": mode.value if mode is not None else None}

    @router.post("/journeys/{journey_id}/nodes", status_code=201)
    async def create_node(journey_id: str, params: NodeCreateDTO) -> dict[str, Any]:
        journey = await journey_or_404(journey_id)
        if params.id is not None:
            if params.id == JourneyStore.END_NODE_ID:
                raise HTTPException(status_code=422, detail="`end` is the virtual end node")
            try:
                await store.read_node(JourneyNodeId(params.id))
                raise HTTPException(status_code=409, detail=f"node `{params.id}` already exists")
            except ItemNotFoundError:
                pass
        node = await store.create_node(
            journey_id=journey.id,
            action=params.action,
            tools=[ToolId(t.service_name, t.tool_name) for t in params.tools],
            description=params.description,
            composition_mode=params.composition_mode,  # type: ignore[arg-type]
            id=JourneyNodeId(params.id) if params.id is not None else None,
            labels=set(params.labels),
        )
        for key, value in params.metadata.items():
            node = await store.set_node_metadata(node.id, key, value)
        return node_dto(node)

    @router.patch("/journeys/{journey_id}/nodes/{node_id}")
    async def update_node(journey_id: str, node_id: str, params: NodeUpdateDTO) -> dict[str, Any]:
        await journey_or_404(journey_id)
        node = await node_of(journey_id, node_id)
        update: dict[str, Any] = {}
        if params.clear_action:
            update["action"] = None
        elif params.action is not None:
            update["action"] = params.action
        if params.tools is not None:
            update["tools"] = [ToolId(t.service_name, t.tool_name) for t in params.tools]
        if params.description is not None:
            update["description"] = params.description
        if update:
            node = await store.update_node(node.id, update)  # type: ignore[arg-type]
        if params.metadata:
            node = await apply_metadata(node, params.metadata, store.set_node_metadata, store.unset_node_metadata)
        return node_dto(node)

    @router.delete("/journeys/{journey_id}/nodes/{node_id}", status_code=204)
    async def delete_node(journey_id: str, node_id: str) -> Response:
        journey = await journey_or_404(journey_id)
        if node_id == journey.root_id:
            raise HTTPException(status_code=422, detail="the root node cannot be deleted")
        await node_of(journey_id, node_id)
        await store.delete_node(JourneyNodeId(node_id))
        return Response(status_code=204)

    @router.post("/journeys/{journey_id}/edges", status_code=201)
    async def create_edge(journey_id: str, params: EdgeCreateDTO) -> dict[str, Any]:
        journey = await journey_or_404(journey_id)
        ids = {n.id for n in await store.list_nodes(journey.id)}
        if params.source not in ids:
            raise HTTPException(
                status_code=422, detail=f"source `{params.source}` is not a node of this journey"
            )
        if params.target != JourneyStore.END_NODE_ID and params.target not in ids:
            raise HTTPException(
                status_code=422, detail=f"target `{params.target}` is not a node of this journey"
            )
        edge = await store.create_edge(
            journey_id=journey.id,
            source=JourneyNodeId(params.source),
            target=JourneyNodeId(params.target),
            condition=params.condition,
        )
        for key, value in params.metadata.items():
            edge = await store.set_edge_metadata(edge.id, key, value)
        return edge_dto(edge)

    @router.patch("/journeys/{journey_id}/edges/{edge_id}")
    async def update_edge(journey_id: str, edge_id: str, params: EdgeUpdateDTO) -> dict[str, Any]:
        await journey_or_404(journey_id)
        edge = await edge_of(journey_id, edge_id)
        if params.clear_condition:
            edge = await store.update_edge(edge.id, {"condition": None})
        elif params.condition is not None:
            edge = await store.update_edge(edge.id, {"condition": params.condition})
        if params.metadata:
            edge = await apply_metadata(edge, params.metadata, store.set_edge_metadata, store.unset_edge_metadata)
        return edge_dto(edge)

    @router.delete("/journeys/{journey_id}/edges/{edge_id}", status_code=204)
    async def delete_edge(journey_id: str, edge_id: str) -> Response:
        await journey_or_404(journey_id)
        await edge_of(journey_id, edge_id)
        await store.delete_edge(JourneyEdgeId(edge_id))
        return Response(status_code=204)

    app.include_router(router)


def configure_api_for(container: Any):  # type: ignore[no-untyped-def]
    """An SDK-mode `configure_api` hook bound to the server's container."""

    async def configure_api(app: FastAPI) -> None:
        install_routes(app, container[JourneyStore])

    return configure_api


def _wrap_api_factory() -> None:
    """CLI mode: `parlant.bin.server.load_app` builds the FastAPI app via its module-level
    `create_api_app`; wrap it once so our routes are added with the real container."""
    import parlant.bin.server as server

    original = server.create_api_app
    if getattr(original, "_journey_studio", False):
        return

    async def create_api_app(container: Any, configure: Any = None, *args: Any, **kwargs: Any) -> Any:
        async def configure_with_graph(app: FastAPI) -> Any:
            install_routes(app, container[JourneyStore])
            if configure:
                return await configure(app)
            return None

        return await original(container, configure_with_graph, *args, **kwargs)

    create_api_app._journey_studio = True  # type: ignore[attr-defined]
    server.create_api_app = create_api_app


async def configure_module(container: Any) -> Any:
    _wrap_api_factory()
    return container
