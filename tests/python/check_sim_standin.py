"""Checks that the Sim stand-in's response validation bites: a response missing a required
field, and one with a status the operation does not declare, are recorded as violations.
Run by tests/sync_sim.rs with the venv's Python: `python check_sim_standin.py <repo root>`."""

import json
import sys

root = sys.argv[1]
sys.path.insert(0, f"{root}/server/sim_standin")
import sim_standin  # noqa: E402
from werkzeug.test import Client  # noqa: E402

spec = json.load(open(f"{root}/fixtures/specs/sim-openapi-v2-workflows.json"))
spec["servers"] = [{"url": "http://localhost"}]
app = sim_standin.StandIn(spec, {"keys": [{"key": "k", "kind": "personal", "workspaceId": "w"}]}, None)
client = Client(app)
headers = {"X-API-Key": "k"}

ok = client.post("/api/v2/workflows", json={"workspaceId": "w", "name": "fine"}, headers=headers)
assert ok.status_code == 201 and app.db.violations == [], app.db.violations

summary = app.summary
app.summary = lambda wf: {k: v for k, v in summary(wf).items() if k != "runCount"}
client.post("/api/v2/workflows", json={"workspaceId": "w", "name": "broken"}, headers=headers)
assert len(app.db.violations) == 1 and "runCount" in json.dumps(app.db.violations), app.db.violations
app.summary = summary

app.op_folders = lambda request, key, body: (418, {"data": []}, {})
client.get("/api/v2/workflows/folders?workspaceId=w", headers=headers)
assert len(app.db.violations) == 2, app.db.violations
print("violations detected:", len(app.db.violations))
