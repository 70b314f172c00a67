"""Shared by Journey Studio's test servers (the Parlant test server launcher and the Sim
stand-in): a server started by a test must not outlive it. A crashed or killed test run never
gets to stop its servers by PID, so each server watches the process that started it and stops
itself (SIGTERM to itself, so its own shutdown path runs) once that parent is gone."""

from __future__ import annotations

import os
import signal
import threading
import time


def _watch(parent: int, every: float) -> None:
    while True:
        time.sleep(every)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def exit_with_parent(every: float = 0.5) -> None:
    """Starts the watchdog thread (a daemon) for the current parent process."""
    threading.Thread(target=_watch, args=(os.getppid(), every), daemon=True, name="parent-watch").start()
