"""Journey Studio's Parlant server modules (parlant==3.3.2).

- `journey_studio_parlant.graph`: adds journey graph endpoints (nodes, edges, metadata) over
  Parlant's own JourneyStore. Load it into any Parlant server:
  `parlant-server run --module journey_studio_parlant.graph ...`
- `journey_studio_parlant.offline`: the graph endpoints plus an offline NLP service (deterministic
  local embedder, no moderation, a generator that refuses with a clear error), so a REAL Parlant
  server starts without network or API keys. For tests and offline design work.
"""
