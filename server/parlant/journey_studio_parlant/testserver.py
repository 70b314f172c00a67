"""Runs a real Parlant server offline for tests: `python -m journey_studio_parlant.testserver
--port N [--home DIR]`. It is `parlant-server run --openai --module journey_studio_parlant.offline`
(or `offline_echo` with `--echo`: a deterministic engine that answers customers) with a placeholder key (never read: the offline module replaces the service), plus a watchdog
that stops the server if the process that started it dies, so a crashed test run leaves no
server behind. Tests still stop it by PID (SIGTERM)."""

from __future__ import annotations

import argparse
import os
import sys

# `server/` holds parent_watch, shared with the Sim stand-in.
sys.path.append(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from parent_watch import exit_with_parent  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--home", default=None)
    parser.add_argument("--echo", action="store_true", help="answer customers with the deterministic EchoEngine")
    args = parser.parse_args()
    if args.home:
        os.environ["PARLANT_HOME"] = args.home
    os.environ.setdefault("OPENAI_API_KEY", "unused-offline")
    exit_with_parent()
    sys.argv = [
        "parlant-server", "run", "--host", "127.0.0.1", "--port", str(args.port),
        "--openai", "--module", "journey_studio_parlant.offline_echo" if args.echo else "journey_studio_parlant.offline",
    ]
    from parlant.bin.server import main as parlant_main

    parlant_main()


if __name__ == "__main__":
    main()
