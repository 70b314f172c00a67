"""Graph endpoints plus an offline NLP service, for a REAL Parlant server without network:
`OPENAI_API_KEY=unused parlant-server run --openai --module journey_studio_parlant.offline`.
The `--openai` choice is replaced by the offline service (the key is never read); see
docs/store-and-sync.md."""

from __future__ import annotations

from typing import Any

from journey_studio_parlant import graph
from journey_studio_parlant.offline_nlp import OfflineNLPService


async def configure_module(container: Any) -> Any:
    import parlant.bin.server as server

    # initialize_container looks the service up by name after modules are configured.
    server.NLP_SERVICE_INITIALIZERS["openai"] = lambda _container: OfflineNLPService()
    return await graph.configure_module(container)
