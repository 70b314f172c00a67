"""A stand-in for Sim's workflow API, for Journey Studio's tests (Sim itself cannot run here).

    python sim_standin.py --spec fixtures/specs/sim-openapi-v2-workflows.json \
        --config config.json --port-file port.txt [--cli target/debug/journey-studio]

Binds 127.0.0.1 on a free port (written to --port-file). Every v2 request and every v2 response
is checked against Sim's own OpenAPI spec with `openapi-core`: a request that fails is answered
400 in Sim's error envelope `{error: {code, message, details}}` (unknown fields included, the
spec says `additionalProperties: false`); a response of ours that fails is recorded as a
VIOLATION (`GET /__standin/violations`) so the tests fail. The spec's `servers` entry is
replaced by this server's own address (the only change to it).

Sim's rules kept: `X-API-Key` auth (401 without a known key, 403 for another workspace's
workflow), workspace keys may not deploy (403), per-key rate limits per window with
`X-RateLimit-*` headers and 429 + `Retry-After`, 423 for a locked workflow on writes, opaque
cursors, import = a NEW workflow with new block ids, each deploy = a new version, execute runs
the ACTIVE deployed version.

The editor's draft routes (`GET /api/workflows/{id}`, `PUT /api/workflows/{id}/state`) are not
in the v2 spec; they are checked against a JSON Schema written here from Sim's state route
(top-level fields allowed: blocks, edges, loops, parallels, variables, lastSaved, isDeployed,
deployedAt, metadata). PUT takes the session cookie `better-auth.session_token` only: an API key
is refused (401), as Sim's editor routes do.

Executions run the workflow with Journey Studio's simulator (`journey-studio simulate <file>
--format json`, input on stdin) when --cli is given, else they fail with a clear error.

Config (JSON): {"keys": [{"key", "kind": "personal"|"workspace", "workspaceId",
"rateLimit": N, "windowSeconds": S}], "sessions": [{"token", "workspaceId"}]}.
Control routes for tests (not part of Sim, never validated): GET /__standin/violations,
GET /__standin/requests, POST /__standin/lock/<id>, POST /__standin/unlock/<id>,
POST /__standin/fail-next-import-answer (the next import lands but its answer is dropped).
"""

from __future__ import annotations

import argparse
import base64
import copy
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from typing import Any

import jsonschema
from openapi_core import Config, OpenAPI
from openapi_core.deserializing.media_types.util import plain_loads
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.routing import Map, Rule
from werkzeug.exceptions import NotFound, MethodNotAllowed
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

# `server/` holds parent_watch, shared with the Parlant test server launcher.
sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from parent_watch import exit_with_parent  # noqa: E402

SESSION_COOKIE = "better-auth.session_token"
# openapi-core's errors for a request the spec has no operation for.
NOT_IN_SPEC = {"PathNotFound", "ServerNotFound", "OperationNotFound"}

DRAFT_STATE_SCHEMA = {
    "type": "object",
    "properties": {
        "blocks": {"type": "object"},
        "edges": {"type": "array", "items": {"type": "object", "required": ["id", "source", "target"]}},
        "loops": {"type": "object"},
        "parallels": {"type": "object"},
        "variables": {"type": "object"},
        "metadata": {"type": "object"},
        "lastSaved": {},
        "isDeployed": {"type": "boolean"},
        "deployedAt": {},
    },
    "required": ["blocks", "edges"],
    "additionalProperties": False,
}


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.datetime.now(dt.timezone.utc).microsecond // 1000:03d}Z"


def error_body(code: str, message: str, details: Any = None) -> dict:
    err: dict = {"code": code, "message": message}
    if details is not None:
        err["details"] = details
    return {"error": err}


class Reply(Exception):
    """Raised to answer at once."""

    def __init__(self, status: int, body: Any, headers: dict | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


def fail(status: int, code: str, message: str, details: Any = None, headers: dict | None = None) -> Reply:
    return Reply(status, error_body(code, message, details), headers)


def describe_errors(errors: list) -> list[str]:
    out = []
    for e in errors:
        schema_errors = getattr(e.__cause__, "schema_errors", None) or []
        if not schema_errors:
            out.append(f"{type(e).__name__}: {str(e)[:300]}")
        for se in schema_errors:
            path = "/".join(str(p) for p in getattr(se, "absolute_path", []))
            out.append(f"{type(e).__name__} at /{path}: {se.message[:300]}")
    return out


def sse(data: Any) -> str:
    """One Server-Sent Event as Sim frames it (`encodeSSE`): `data: <JSON>` and a blank line."""
    return f"data: {json.dumps(data)}\n\n"


class EventStream:
    """A `text/event-stream` answer: its frames are sent one by one, `gap` seconds apart, with
    Sim's SSE headers (so a client must read them as they come, not as one body)."""

    def __init__(self, frames: list[str], gap: float = 0.2):
        self.frames, self.gap = frames, gap

    def response(self, status: int, headers: dict) -> Response:
        def body():
            for i, frame in enumerate(self.frames):
                if i:
                    time.sleep(self.gap)
                yield frame.encode()

        headers = dict(headers, **{"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return Response(body(), status=status, headers=headers, content_type="text/event-stream", direct_passthrough=True)


def normalize_name(name: str) -> str:
    """Sim's `normalizeName`: lower case, no spaces (how references and selectedOutputs name blocks)."""
    return "".join(name.split()).lower()


class Store:
    def __init__(self, config: dict):
        self.lock = threading.RLock()
        self.keys = {k["key"]: k for k in config.get("keys", [])}
        self.sessions = {s["token"]: s for s in config.get("sessions", [])}
        self.workflows: dict[str, dict] = {}
        self.order: list[str] = []
        self.runs: dict[str, dict] = {}
        self.hits: dict[str, list[float]] = {}
        self.violations: list[dict] = []
        self.requests: list[str] = []
        self.drop_next_import_answer = False
        self.folders: dict[tuple[str, str], dict] = {}


class StandIn:
    def __init__(self, spec: dict, config: dict, cli: str | None):
        # The spec types the execute stream as `text/event-stream` with a string schema; the
        # body is checked as that text (openapi-core knows no decoder for the media type).
        validation = Config(extra_media_type_deserializers={"text/event-stream": plain_loads})
        self.openapi = OpenAPI.from_dict(spec, config=validation)
        self.db = Store(config)
        self.cli = cli
        self.stream_gap = 0.2
        self.url = ""
        self.routes = Map(
            [
                Rule("/api/v2/workflows", methods=["GET"], endpoint="list"),
                Rule("/api/v2/workflows", methods=["POST"], endpoint="create"),
                Rule("/api/v2/workflows/import", methods=["POST"], endpoint="import_"),
                Rule("/api/v2/workflows/folders", methods=["GET"], endpoint="folders"),
                Rule("/api/v2/workflows/folders", methods=["POST"], endpoint="create_folder"),
                Rule("/api/v2/workflows/<id>", methods=["GET"], endpoint="get"),
                Rule("/api/v2/workflows/<id>", methods=["PATCH"], endpoint="patch"),
                Rule("/api/v2/workflows/<id>", methods=["DELETE"], endpoint="delete"),
                Rule("/api/v2/workflows/<id>/export", methods=["GET"], endpoint="export"),
                Rule("/api/v2/workflows/<id>/deploy", methods=["POST"], endpoint="deploy"),
                Rule("/api/v2/workflows/<id>/deploy", methods=["DELETE"], endpoint="undeploy"),
                Rule("/api/v2/workflows/<id>/deployment", methods=["GET"], endpoint="deployment"),
                Rule("/api/v2/workflows/<id>/versions", methods=["GET"], endpoint="versions"),
                Rule("/api/v2/workflows/<id>/versions/<int:version>", methods=["GET"], endpoint="version"),
                Rule("/api/v2/workflows/<id>/rollback", methods=["POST"], endpoint="rollback"),
                Rule("/api/v2/workflows/<id>/execute", methods=["POST"], endpoint="execute"),
                Rule("/api/v2/workflows/<id>/runs", methods=["GET"], endpoint="runs"),
                Rule("/api/v2/workflows/<id>/runs/<run_id>", methods=["GET"], endpoint="run"),
                Rule("/api/v2/workflows/<id>/runs/<run_id>/cancel", methods=["POST"], endpoint="cancel"),
                Rule("/api/v2/workflows/<id>/runs/<run_id>/resume", methods=["POST"], endpoint="resume"),
            ],
            strict_slashes=False,
        )

    # ---- WSGI ------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith("/__standin/"):
            return self.control(request)(environ, start_response)
        if request.path.startswith("/api/workflows/"):
            response = self.draft(request)
        else:
            response = self.v2(request)
        with self.db.lock:
            self.db.requests.append(f"{request.method} {request.path} {response.status_code}")
        return response(environ, start_response)

    def respond(self, status: int, body: Any, headers: dict | None = None) -> Response:
        return Response(json.dumps(body), status=status, headers=headers or {}, content_type="application/json")

    # ---- v2 --------------------------------------------------------------------------------

    def v2(self, request: Request) -> Response:
        headers: dict = {}
        try:
            key = self.authenticate(request)
            headers = self.rate_limit(key)
            errors = list(self.openapi.iter_request_errors(WerkzeugOpenAPIRequest(request)))
            if any(type(e).__name__ in NOT_IN_SPEC for e in errors):
                raise fail(404, "NOT_FOUND", f"no route {request.method} {request.path}")
            if errors:
                raise fail(400, "VALIDATION_ERROR", "the request does not match the API", describe_errors(errors))
            try:
                endpoint, args = self.routes.bind("x").match(request.path, method=request.method)
            except (NotFound, MethodNotAllowed):
                raise fail(404, "NOT_FOUND", f"no route {request.method} {request.path}")
            body = request.get_json(silent=True) if request.data else None
            with self.db.lock:
                status, payload, extra = getattr(self, "op_" + endpoint)(request, key, body, **args)
                dropped, self.drop_answer = getattr(self, "drop_answer", False), False
            if dropped:
                # Fault injection: the write landed, the client is told the service failed.
                raise fail(503, "SERVICE_UNAVAILABLE", "injected: the answer was lost", None, {"Retry-After": "1"})
            headers.update(extra)
            if isinstance(payload, EventStream):
                # Checked as a whole against the spec, then sent frame by frame.
                self.check_response(request, Response("".join(payload.frames), status=status, headers=headers, content_type="text/event-stream"))
                return payload.response(status, headers)
            response = self.respond(status, payload, headers)
        except Reply as r:
            headers.update(r.headers)
            response = self.respond(r.status, r.body, headers)
        self.check_response(request, response)
        return response

    def check_response(self, request: Request, response: Response) -> None:
        errors = list(self.openapi.iter_response_errors(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)))
        # A route the spec does not have was answered 404 above; nothing to check it against.
        errors = [e for e in errors if type(e).__name__ not in NOT_IN_SPEC]
        if errors:
            with self.db.lock:
                self.db.violations.append({
                    "request": f"{request.method} {request.full_path}",
                    "status": response.status_code,
                    "errors": describe_errors(errors),
                    "body": response.get_data(as_text=True)[:2000],
                })

    def authenticate(self, request: Request) -> dict:
        given = request.headers.get("X-API-Key")
        if not given:
            raise fail(401, "UNAUTHORIZED", "an API key is required (X-API-Key)")
        key = self.db.keys.get(given)
        if key is None:
            raise fail(401, "UNAUTHORIZED", "invalid API key")
        return key

    def rate_limit(self, key: dict) -> dict:
        limit = int(key.get("rateLimit", 1000))
        window = float(key.get("windowSeconds", 60))
        t = time.time()
        with self.db.lock:
            hits = [h for h in self.db.hits.get(key["key"], []) if h > t - window]
            reset_at = (hits[0] if hits else t) + window
            reset = dt.datetime.fromtimestamp(reset_at, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            if len(hits) >= limit:
                self.db.hits[key["key"]] = hits
                retry = max(1, int(reset_at - t + 0.999))
                raise fail(429, "RATE_LIMITED", "rate limit exceeded", None, {
                    "Retry-After": str(retry), "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset,
                })
            hits.append(t)
            self.db.hits[key["key"]] = hits
            return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(limit - len(hits)), "X-RateLimit-Reset": reset}

    def workflow(self, key: dict | None, wid: str, workspace: str | None = None) -> dict:
        wf = self.db.workflows.get(wid)
        if wf is None:
            raise fail(404, "NOT_FOUND", f"workflow {wid} not found")
        ws = workspace if workspace is not None else key.get("workspaceId") if key else None
        if ws is not None and wf["workspaceId"] != ws:
            raise fail(403, "FORBIDDEN", "this key has no access to the workflow's workspace")
        return wf

    def writable(self, wf: dict) -> None:
        if wf["locked"]:
            raise fail(423, "LOCKED", f"workflow {wf['id']} is locked")

    def check_workspace(self, key: dict, workspace_id: str) -> None:
        if key.get("workspaceId") != workspace_id:
            raise fail(403, "FORBIDDEN", "this key has no access to that workspace")

    # summaries --------------------------------------------------------------------------

    def summary(self, wf: dict) -> dict:
        active = self.active_version(wf)
        return {
            "id": wf["id"], "name": wf["name"], "description": wf["description"], "folderPath": wf["folderPath"],
            "workspaceId": wf["workspaceId"], "isDeployed": active is not None,
            "deployedAt": active["createdAt"] if active else None, "runCount": wf["runCount"],
            "lastRunAt": wf["lastRunAt"], "createdAt": wf["createdAt"], "updatedAt": wf["updatedAt"],
        }

    def active_version(self, wf: dict) -> dict | None:
        if not wf["deployed"]:
            return None
        return next((v for v in wf["versions"] if v["isActive"]), None)

    def deployment_view(self, wf: dict, with_version: bool = False) -> dict:
        active = self.active_version(wf)
        view: dict = {
            "id": wf["id"], "isDeployed": active is not None, "deployedAt": active["createdAt"] if active else None,
            "warnings": [],
            "activeDeployment": {"deploymentVersionId": active["id"], "version": active["version"], "deployedAt": active["createdAt"]} if active else None,
            "latestDeploymentAttempt": None,
        }
        if active:
            view["latestDeploymentAttempt"] = {
                "id": "op-" + active["id"], "deploymentVersionId": active["id"], "version": active["version"],
                "action": "deploy", "status": "active", "isCurrent": True,
                "readiness": {"webhooks": "not_applicable", "schedules": "not_applicable", "mcp": "not_applicable"},
                "requestedAt": active["createdAt"], "activatedAt": active["createdAt"], "error": None,
            }
        if with_version and active:
            view["version"] = active["version"]
        return view

    @staticmethod
    def cursor_encode(offset: int, sig: str) -> str:
        return base64.urlsafe_b64encode(json.dumps({"o": offset, "s": sig}).encode()).decode()

    @staticmethod
    def cursor_decode(cursor: str | None, sig: str) -> int:
        if not cursor:
            return 0
        try:
            c = json.loads(base64.urlsafe_b64decode(cursor.encode()))
            if c["s"] != sig:
                raise ValueError("filters changed")
            return int(c["o"])
        except Exception:
            raise fail(400, "INVALID_CURSOR", "the cursor is not valid for this query")

    def paginate(self, items: list, request: Request, sig: str, default_limit: int = 50) -> tuple[list, str | None]:
        limit = int(request.args.get("limit", default_limit))
        offset = self.cursor_decode(request.args.get("cursor"), sig)
        page = items[offset: offset + limit]
        nxt = self.cursor_encode(offset + limit, sig) if offset + limit < len(items) else None
        return page, nxt

    # operations ---------------------------------------------------------------------------

    def op_list(self, request, key, body):
        ws = request.args["workspaceId"]
        self.check_workspace(key, ws)
        search = (request.args.get("search") or "").lower()
        items = [self.db.workflows[i] for i in self.db.order if self.db.workflows[i]["workspaceId"] == ws]
        if search:
            items = [w for w in items if search in w["name"].lower() or search in (w["description"] or "").lower()]
        if request.args.get("folderPath"):
            folder = self.resolve_folder(ws, request.args["folderPath"])
            items = [w for w in items if w["folderPath"] == folder]
        if request.args.get("deployedOnly") == "true":
            items = [w for w in items if self.active_version(w)]
        sig = json.dumps([ws, search, request.args.get("deployedOnly"), request.args.get("folderPath")])
        page, nxt = self.paginate(items, request, sig)
        return 200, {"data": [self.summary(w) for w in page], "nextCursor": nxt}, {}

    def new_workflow(self, ws: str, name: str, description: str, folder: str | None, state: dict) -> dict:
        t = now()
        wid = str(uuid.uuid4())
        wf = {
            "id": wid, "name": name, "description": description, "folderPath": folder or "/", "workspaceId": ws,
            "state": state, "createdAt": t, "updatedAt": t, "locked": False, "deployed": False, "versions": [],
            "runCount": 0, "lastRunAt": None,
        }
        self.db.workflows[wid] = wf
        self.db.order.append(wid)
        return wf

    def op_create(self, request, key, body):
        self.check_workspace(key, body["workspaceId"])
        folder = self.resolve_folder(body["workspaceId"], body.get("folderPath"))
        wf = self.new_workflow(body["workspaceId"], body["name"], "", folder, {"blocks": {}, "edges": [], "loops": {}, "parallels": {}})
        return 201, {"data": self.summary(wf)}, {}

    def op_get(self, request, key, body, id):
        wf = self.workflow(key, id)
        inputs = []
        for b in wf["state"].get("blocks", {}).values():
            if b.get("type") in ("start_trigger", "starter"):
                fmt = (b.get("subBlocks", {}).get("inputFormat") or {}).get("value") or []
                inputs = [{"name": f.get("name", ""), "type": f.get("type", "string")} for f in fmt if isinstance(f, dict)]
        detail = dict(self.summary(wf), variables=wf["state"].get("variables", {}) or {}, inputs=inputs)
        return 200, {"data": detail}, {}

    def op_patch(self, request, key, body, id):
        wf = self.workflow(key, id)
        self.writable(wf)
        if "name" in body:
            wf["name"] = body["name"]
        if "folderPath" in body:
            wf["folderPath"] = self.resolve_folder(wf["workspaceId"], body["folderPath"])
        if "description" in body:
            wf["description"] = body["description"] or ""
        wf["updatedAt"] = now()
        return 200, {"data": self.summary(wf)}, {}

    def op_delete(self, request, key, body, id):
        wf = self.workflow(key, id)
        self.writable(wf)
        del self.db.workflows[id]
        self.db.order.remove(id)
        return 200, {"data": {"id": id, "deleted": True}}, {}

    def export_payload(self, wf: dict) -> dict:
        return {
            "version": "1.0", "exportedAt": now(),
            "workflow": {"id": wf["id"], "name": wf["name"], "description": wf["description"], "workspaceId": wf["workspaceId"], "folderPath": wf["folderPath"]},
            "state": copy.deepcopy(wf["state"]),
        }

    def op_export(self, request, key, body, id):
        return 200, {"data": self.export_payload(self.workflow(key, id))}, {}

    def op_import_(self, request, key, body):
        self.check_workspace(key, body["workspaceId"])
        raw = body["workflow"]
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError as e:
                raise fail(400, "INVALID_WORKFLOW", f"workflow is not JSON: {e}")
        if not isinstance(raw, dict):
            raise fail(400, "INVALID_WORKFLOW", "workflow must be an object")
        state = raw.get("state") if isinstance(raw.get("state"), dict) else raw
        if not isinstance(state.get("blocks"), dict) or not isinstance(state.get("edges"), list):
            raise fail(400, "INVALID_WORKFLOW", "the workflow state needs `blocks` (object) and `edges` (array)")
        meta = raw.get("workflow") if isinstance(raw.get("workflow"), dict) else {}
        name = body.get("name") or meta.get("name") or (state.get("metadata") or {}).get("name") or "Imported workflow"
        description = meta.get("description") or (state.get("metadata") or {}).get("description") or ""
        folder = self.resolve_folder(body["workspaceId"], body.get("folderPath"))
        wf = self.new_workflow(body["workspaceId"], name, body.get("description") or description, folder, regenerate_ids(state))
        if self.db.drop_next_import_answer:
            self.db.drop_next_import_answer = False
            self.drop_answer = True
        return 201, {"data": {k: self.summary(wf)[k] for k in ("id", "name", "description", "workspaceId", "folderPath", "createdAt", "updatedAt")}}, {}

    def op_folders(self, request, key, body):
        ws = request.args["workspaceId"]
        self.check_workspace(key, ws)
        items = sorted((f for f in self.db.folders.values() if f["workspaceId"] == ws), key=lambda f: f["path"])
        if request.args.get("parentPath"):
            items = [f for f in items if f["parentPath"] == request.args["parentPath"]]
        return 200, {"data": [{k: f[k] for k in ("name", "path", "parentPath", "createdAt", "updatedAt", "locked")} for f in items], "nextCursor": None}, {}

    def op_create_folder(self, request, key, body):
        ws = body["workspaceId"]
        self.check_workspace(key, ws)
        path = self.folder_path(body["path"])
        if path == "/":
            raise fail(400, "BAD_REQUEST", "the root folder cannot be created")
        if (ws, path) in self.db.folders:
            raise fail(409, "CONFLICT", f"folder {path} already exists")
        parent = path.rsplit("/", 1)[0] or "/"
        if parent != "/" and (ws, parent) not in self.db.folders:
            raise fail(404, "NOT_FOUND", "Parent folder not found")
        t = now()
        folder = {"workspaceId": ws, "name": urllib.parse.unquote(path.rsplit("/", 1)[1]), "path": path, "parentPath": parent,
                  "createdAt": t, "updatedAt": t, "locked": False}
        self.db.folders[(ws, path)] = folder
        return 201, {"data": {k: folder[k] for k in ("name", "path", "parentPath", "createdAt", "updatedAt", "locked")}}, {}

    @staticmethod
    def folder_path(given: str) -> str:
        """Sim's FolderPathInput rules: leading `/` added, exact percent-encoding, no empty /
        `.` / `..` segment, no trailing `/`."""
        path = given if given.startswith("/") else "/" + given
        if path == "/":
            return path
        segments = path[1:].split("/")
        for seg in segments:
            decoded = urllib.parse.unquote(seg)
            if seg == "" or decoded in (".", "..") or urllib.parse.quote(decoded, safe="-_.~") != seg:
                raise fail(400, "VALIDATION_ERROR", f"folder path {given!r} is not canonical")
        if len(segments) > 64:
            raise fail(400, "VALIDATION_ERROR", "a folder path has at most 64 segments")
        return path

    def resolve_folder(self, ws: str, given: str | None) -> str:
        """The canonical path of an existing folder (the root when none is given); Sim answers
        404 "Folder not found" for a folder that does not exist."""
        path = self.folder_path(given or "/")
        if path != "/" and (ws, path) not in self.db.folders:
            raise fail(404, "NOT_FOUND", "Folder not found")
        return path

    def op_deploy(self, request, key, body, id):
        if key.get("kind") == "workspace":
            raise fail(403, "FORBIDDEN", "workspace API keys cannot deploy; use a personal API key")
        wf = self.workflow(key, id)
        self.writable(wf)
        for v in wf["versions"]:
            v["isActive"] = False
        version = {
            "id": str(uuid.uuid4()), "version": len(wf["versions"]) + 1, "name": (body or {}).get("name"),
            "description": None, "isActive": True, "createdAt": now(), "state": copy.deepcopy(wf["state"]),
        }
        wf["versions"].append(version)
        wf["deployed"] = True
        return 200, {"data": self.deployment_view(wf, with_version=True)}, {}

    def op_undeploy(self, request, key, body, id):
        if key.get("kind") == "workspace":
            raise fail(403, "FORBIDDEN", "workspace API keys cannot undeploy; use a personal API key")
        wf = self.workflow(key, id)
        self.writable(wf)
        wf["deployed"] = False
        return 200, {"data": self.deployment_view(wf)}, {}

    def op_deployment(self, request, key, body, id):
        wf = self.workflow(key, id)
        view = self.deployment_view(wf)
        active = self.active_version(wf)
        view["needsRedeployment"] = bool(active and active["state"] != wf["state"])
        return 200, {"data": view}, {}

    def version_summary(self, v: dict) -> dict:
        return {"id": v["id"], "version": v["version"], "name": v["name"], "isActive": v["isActive"], "createdAt": v["createdAt"], "deployedBy": None, "latestOperationStatus": "active" if v["isActive"] else "superseded"}

    def op_versions(self, request, key, body, id):
        wf = self.workflow(key, id)
        items = sorted(wf["versions"], key=lambda v: -v["version"])
        page, nxt = self.paginate(items, request, json.dumps(["versions", id]))
        return 200, {"data": [self.version_summary(v) for v in page], "nextCursor": nxt}, {}

    def op_version(self, request, key, body, id, version):
        wf = self.workflow(key, id)
        v = next((v for v in wf["versions"] if v["version"] == version), None)
        if v is None:
            raise fail(404, "NOT_FOUND", f"workflow {id} has no version {version}")
        return 200, {"data": {k: v[k] for k in ("id", "version", "name", "description", "isActive", "createdAt", "state")}}, {}

    def op_rollback(self, request, key, body, id):
        if key.get("kind") == "workspace":
            raise fail(403, "FORBIDDEN", "workspace API keys cannot roll back; use a personal API key")
        wf = self.workflow(key, id)
        self.writable(wf)
        active = self.active_version(wf)
        wanted = (body or {}).get("version")
        if wanted is None:
            if active is None or active["version"] <= 1:
                raise fail(409, "NO_PREVIOUS_VERSION", "there is no previous version to roll back to")
            earlier = [v for v in wf["versions"] if v["version"] < active["version"]]
            wanted = max(v["version"] for v in earlier)
        target = next((v for v in wf["versions"] if v["version"] == wanted), None)
        if target is None:
            raise fail(404, "NOT_FOUND", f"workflow {id} has no version {wanted}")
        for v in wf["versions"]:
            v["isActive"] = v is target
        wf["deployed"] = True
        return 200, {"data": self.deployment_view(wf, with_version=True)}, {}

    def simulate(self, state: dict, payload: dict, resumes: list | None = None) -> dict:
        """Runs a state with the Rust simulator: {status, output, error, trace, pauses}. `resumes`
        are answers to earlier pauses (`[{"pause": block id, "input": ...}]`), given to the
        simulator's REPL as `/resume` lines after the run: the simulator resumes the run as Sim
        does (the answer merged into the paused block's output, its error edge pruned)."""
        if not self.cli:
            return {"status": "failed", "output": None, "trace": [], "pauses": [], "error": {"code": "EXECUTION_FAILED", "message": "the stand-in was started without --cli: it cannot run workflows"}}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "workflow.json")
            with open(path, "w") as f:
                json.dump({"version": "1.0", "state": state}, f)
            command = [self.cli, "simulate", path, "--format", "json"]
            lines = [json.dumps(payload)] + [f"/resume {r['pause']} {json.dumps(r.get('input') or {})}" for r in (resumes or [])]
            proc = subprocess.run(command, input="\n".join(lines) + "\n/quit\n", capture_output=True, text=True, timeout=60)
        reports = [l for l in proc.stdout.splitlines() if l.startswith("{")]
        if proc.returncode != 0 or len(reports) != len(lines):
            message = (proc.stderr or "").strip() or next((l for l in proc.stdout.splitlines() if l.startswith("error:")), "simulator gave no report")
            return {"status": "failed", "output": None, "trace": [], "pauses": [], "error": {"code": "EXECUTION_FAILED", "message": message[:500]}}
        report = json.loads(reports[-1])
        status = {"completed": "completed", "failed": "failed", "paused": "paused"}.get(report.get("status"), "failed")
        error = None
        if status == "failed":
            error = {"code": "BLOCK_EXECUTION_FAILED", "message": report.get("error") or "the run failed"}
        return {"status": status, "output": report.get("output"), "error": error, "trace": report.get("trace") or [], "pauses": report.get("pauses") or []}

    @staticmethod
    def check_modes(body: dict, anonymous: bool = False) -> None:
        """Sim's execute-mode rules (the spec states them in prose, the route enforces them)."""
        if body.get("async") and body.get("stream"):
            raise fail(400, "BAD_REQUEST", "async and stream cannot be combined")
        if body.get("executionTimeoutSeconds") is not None and not body.get("async"):
            raise fail(400, "BAD_REQUEST", "executionTimeoutSeconds is supported only for async execution")
        shaping = ("selectedOutputs", "includeThinking", "includeToolCalls", "includeFileBase64", "base64MaxBytes")
        if body.get("async") and any(body.get(k) not in (None, False, []) for k in shaping):
            raise fail(400, "BAD_REQUEST", "Async execution does not support streaming or output-shaping options")
        if (body.get("includeThinking") or body.get("includeToolCalls")) and not body.get("stream"):
            raise fail(400, "BAD_REQUEST", "includeThinking and includeToolCalls require stream: true")

    def record_run(self, wf: dict, run_id: str, result: dict, started: float, ended: float, payload: dict, resumes: list) -> dict:
        run = {
            "runId": run_id, "workflowId": wf["id"], "status": result["status"], "output": result["output"], "error": result["error"],
            "startedAt": iso(started), "endedAt": iso(ended), "durationMs": round((ended - started) * 1000, 3), "trigger": "api",
            "paused": None, "input": payload, "resumes": resumes,
        }
        if result["status"] == "paused":
            # The pause the run waits on: the simulator's first open pause point.
            pauses = result.get("pauses") or []
            first = pauses[0] if pauses else {}
            blocked = first.get("context_id") or next((e.get("block") for e in result["trace"] if e.get("status") == "paused"), None)
            run["paused"] = {
                "contextId": "ctx_" + uuid.uuid4().hex, "pausedAt": iso(ended), "resumeAt": None, "pauseKind": first.get("kind") or "human",
                "blockedOnBlockId": first.get("block") or blocked, "automaticResumeWaitingReason": None,
                "pausePointCount": max(1, len(pauses)), "resumedCount": 0,
            }
            run["simulatorPause"] = blocked
        self.db.runs[run_id] = run
        wf["runCount"] += 1
        wf["lastRunAt"] = run["endedAt"]
        return run

    @staticmethod
    def run_result(run: dict) -> dict:
        return {k: run[k] for k in ("runId", "workflowId", "status", "output", "error", "startedAt", "endedAt", "durationMs")}

    def stream_frames(self, state: dict, result: dict, selected: list[str]) -> list[str]:
        """Sim's execute stream (lib/workflows/streaming): `{blockId, chunk}` per selected output
        as its block completes, then `{event: "final", data: {success, error?, output}}` (with
        `status: "paused"` for a paused run), then `[DONE]`."""
        blocks = state.get("blocks", {})
        wanted = []
        for ref in selected:
            head, _, path = ref.partition(".")
            block_id = head if head in blocks else next((b for b, blk in blocks.items() if normalize_name(blk.get("name", "")) == normalize_name(head)), None)
            if block_id is not None:
                wanted.append((block_id, path))
        frames, streamed = [], set()
        for event in result["trace"]:
            if event.get("status") not in ("ok", "error"):
                continue
            for block_id, path in wanted:
                if block_id != event.get("block") or (block_id, path) in streamed:
                    continue
                value: Any = event.get("output")
                for part in [p for p in path.split(".") if p]:
                    value = value.get(part) if isinstance(value, dict) else None
                if value is None:
                    continue
                streamed.add((block_id, path))
                frames.append(sse({"blockId": block_id, "chunk": value if isinstance(value, str) else json.dumps(value, indent=2)}))
        final: dict = {"success": result["status"] != "failed", "output": {} if selected else (result["output"] if isinstance(result["output"], dict) else {"result": result["output"]})}
        if result["error"]:
            final["error"] = result["error"]["message"]
        if result["status"] == "paused":
            final["status"] = "paused"
        frames.append(sse({"event": "final", "data": final}))
        frames.append(sse("[DONE]"))
        return frames

    def op_execute(self, request, key, body, id):
        wf = self.workflow(key, id)
        self.check_modes(body)
        active = self.active_version(wf)
        if active is None:
            raise fail(400, "NOT_DEPLOYED", f"workflow {id} is not deployed: deploy it before executing")
        run_id = request.headers.get("x-run-id") or ("run_" + uuid.uuid4().hex)
        if run_id in self.db.runs:
            raise fail(409, "RUN_ID_CONFLICT", f"run id {run_id} is already used", None, {"X-Run-Id": run_id})
        started = time.time()
        payload = body.get("input") or {}
        result = self.simulate(active["state"], payload)
        run = self.record_run(wf, run_id, result, started, time.time(), payload, [])
        headers = {"X-Run-Id": run_id}
        if body.get("async"):
            return 202, {"data": {"runId": run_id, "statusUrl": f"{self.url}/api/v2/workflows/{id}/runs/{run_id}"}}, headers
        if body.get("stream"):
            return 200, EventStream(self.stream_frames(active["state"], result, body.get("selectedOutputs") or []), self.stream_gap), headers
        return 200, {"data": self.run_result(run)}, headers

    def op_runs(self, request, key, body, id):
        self.workflow(key, id)
        items = [r for r in self.db.runs.values() if r["workflowId"] == id]
        if request.args.get("status"):
            items = [r for r in items if r["status"] == request.args["status"]]
        if request.args.get("order", "desc") == "desc":
            items = list(reversed(items))
        page, nxt = self.paginate(items, request, json.dumps(["runs", id, request.args.get("status"), request.args.get("order")]), 20)
        data = [{"runId": r["runId"], "workflowId": id, "status": r["status"], "trigger": r["trigger"], "startedAt": r["startedAt"],
                 "endedAt": r["endedAt"], "durationMs": r["durationMs"], "cost": None} for r in page]
        return 200, {"data": data, "nextCursor": nxt}, {}

    def get_run(self, id: str, run_id: str) -> dict:
        run = self.db.runs.get(run_id)
        if run is None or run["workflowId"] != id:
            raise fail(404, "NOT_FOUND", f"run {run_id} not found")
        return run

    def op_run(self, request, key, body, id, run_id):
        self.workflow(key, id)
        r = self.get_run(id, run_id)
        data = {"runId": r["runId"], "workflowId": id, "status": r["status"], "trigger": r["trigger"], "startedAt": r["startedAt"],
                "endedAt": r["endedAt"], "durationMs": r["durationMs"], "paused": r["paused"] if r["status"] == "paused" else None, "cost": None, "error": r["error"],
                "output": r["output"] if request.args.get("includeOutput") == "true" else None, "blockOutputs": None}
        return 200, {"data": data}, {}

    def op_cancel(self, request, key, body, id, run_id):
        self.workflow(key, id)
        r = self.get_run(id, run_id)
        reason = {"completed": "already_completed", "failed": "already_failed", "cancelled": "already_cancelled"}.get(r["status"], "recorded")
        if reason == "recorded":
            r["status"] = "cancelled"
        return 200, {"data": {"success": reason == "recorded", "runId": run_id, "redisAvailable": False, "durablyRecorded": True,
                              "locallyAborted": False, "pausedCancelled": False, "reason": reason}}, {}

    def op_resume(self, request, key, body, id, run_id):
        """Resumes a pause: the simulator resumes the run as Sim does (the answer merged into the
        paused block's output as `submission`, `resumeInput`, `submittedAt` and the submission's
        fields; the block's error edge pruned) and the workflow runs on as a NEW run id. The
        stand-in replays the run from its start with the answers given so far: the same result as
        continuing it, for the simulator's deterministic blocks."""
        wf = self.workflow(key, id)
        r = self.get_run(id, run_id)
        if r["status"] != "paused" or not r["paused"]:
            raise fail(409, "CONFLICT", f"run {run_id} is {r['status']}, not paused")
        pause = r["paused"]
        if pause["contextId"] is None:
            raise fail(409, "CONFLICT", f"run {run_id} was already resumed")
        if body["contextId"] != pause["contextId"]:
            raise fail(404, "NOT_FOUND", f"run {run_id} has no pause context {body['contextId']}")
        active = self.active_version(wf)
        if active is None:
            raise fail(400, "NOT_DEPLOYED", f"workflow {id} is not deployed")
        answer = body.get("input")
        resumes = copy.deepcopy(r.get("resumes") or []) + [{"pause": r.get("simulatorPause") or pause["blockedOnBlockId"], "input": answer}]
        pause.update(contextId=None, resumedCount=1)
        new_id = "run_" + uuid.uuid4().hex
        started = time.time()
        result = self.simulate(active["state"], r["input"], resumes)
        run = self.record_run(wf, new_id, result, started, time.time(), r["input"], resumes)
        return 200, {"data": self.run_result(run)}, {"X-Run-Id": new_id}

    # ---- draft (editor) routes -------------------------------------------------------------

    def draft(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")  # api, workflows, id[, state]
        try:
            if len(parts) == 3 and request.method == "GET":
                wf = self.draft_auth(request, parts[2], allow_key=True)
                return self.respond(200, {"data": {"id": wf["id"], "name": wf["name"], "description": wf["description"],
                                                   "workspaceId": wf["workspaceId"], "state": copy.deepcopy(wf["state"]),
                                                   "variables": wf["state"].get("variables", {})}})
            if len(parts) == 4 and parts[3] == "state" and request.method == "PUT":
                wf = self.draft_auth(request, parts[2], allow_key=False)
                body = request.get_json(silent=True)
                try:
                    jsonschema.validate(body, DRAFT_STATE_SCHEMA)
                except jsonschema.ValidationError as e:
                    raise fail(400, "VALIDATION_ERROR", "invalid workflow state", [e.message])
                with self.db.lock:
                    self.writable(wf)
                    wf["state"] = body
                    wf["updatedAt"] = now()
                return self.respond(200, {"success": True, "warnings": []})
            raise fail(404, "NOT_FOUND", f"no route {request.method} {request.path}")
        except Reply as r:
            return self.respond(r.status, r.body, r.headers)

    def draft_auth(self, request: Request, wid: str, allow_key: bool) -> dict:
        token = request.cookies.get(SESSION_COOKIE)
        session = self.db.sessions.get(token) if token else None
        if session is None:
            if request.headers.get("X-API-Key") and not allow_key:
                raise fail(401, "UNAUTHORIZED", "this route takes a session, not an API key")
            if allow_key and request.headers.get("X-API-Key"):
                key = self.authenticate(request)
                with self.db.lock:
                    return self.workflow(key, wid)
            raise fail(401, "UNAUTHORIZED", "not signed in")
        with self.db.lock:
            return self.workflow(None, wid, session["workspaceId"])

    # ---- control ---------------------------------------------------------------------------

    def control(self, request: Request) -> Response:
        path = request.path[len("/__standin/"):]
        with self.db.lock:
            if path == "violations":
                return self.respond(200, self.db.violations)
            if path == "requests":
                return self.respond(200, self.db.requests)
            if path == "fail-next-import-answer":
                self.db.drop_next_import_answer = True
                return self.respond(200, {"ok": True})
            for verb in ("lock", "unlock"):
                if path.startswith(verb + "/") and request.method == "POST":
                    wf = self.db.workflows.get(path[len(verb) + 1:])
                    if wf is None:
                        return self.respond(404, {"error": "no such workflow"})
                    wf["locked"] = verb == "lock"
                    return self.respond(200, {"ok": True})
        return self.respond(404, {"error": "unknown control route"})


def iso(t: float) -> str:
    d = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def regenerate_ids(state: dict) -> dict:
    """New block ids, as Sim's importer gives: every string equal to an old id (keys too), and
    handles / condition ids built from one (`condition-<id>-if`, `<id>-else`), are rewritten."""
    mapping = {old: str(uuid.uuid4()) for old in state.get("blocks", {})}

    def fix(s: str) -> str:
        if s in mapping:
            return mapping[s]
        for old, new in mapping.items():
            for prefix in ("", "condition-", "router-"):
                if s.startswith(prefix + old + "-"):
                    return prefix + new + s[len(prefix + old):]
        return s

    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            return {fix(k): walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, str):
            return fix(v)
        return v

    out = walk(copy.deepcopy(state))
    # Condition sub-blocks hold their branches as a JSON string: rewrite inside it too.
    for b in out.get("blocks", {}).values():
        cond = (b.get("subBlocks") or {}).get("conditions")
        if isinstance(cond, dict) and isinstance(cond.get("value"), str):
            try:
                cond["value"] = json.dumps(walk(json.loads(cond["value"])))
            except ValueError:
                pass
    for e in out.get("edges", []):
        e["id"] = str(uuid.uuid4())
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--cli", default=None)
    parser.add_argument("--stream-gap", type=float, default=0.2, help="seconds between the frames of an execute stream")
    args = parser.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    with open(args.config) as f:
        config = json.load(f)
    server = make_server("127.0.0.1", 0, lambda e, s: app(e, s), threaded=True)
    port = server.server_port
    spec["servers"] = [{"url": f"http://127.0.0.1:{port}"}]
    app = StandIn(spec, config, args.cli)
    app.stream_gap = args.stream_gap
    app.url = f"http://127.0.0.1:{port}"
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.replace(tmp, args.port_file)
    exit_with_parent()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
