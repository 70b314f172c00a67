"""Runs SDK code exported by Journey Studio against the REAL parlant package (3.3.2): imports the
module (which imports parlant.sdk), then awaits its `build_journey(agent)` in an offline
in-process Parlant server, so every call is the SDK's own (its refusals raise), and prints what
Parlant's stores then hold as a `parlant-journey` document (see sdk_dump.py).

Usage: check_sdk_export.py <exported module.py>...  (PYTHONPATH: server/parlant and tests/python)
prints a JSON list, one dump per module, in order (one server, one agent per module)."""

import importlib.util
import inspect
import sys

from sdk_dump import print_dump, run


def load(n: int, path: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"exported_journey_{n}", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert inspect.iscoroutinefunction(module.main), f"{path}: the module has an async main()"
    return module.build_journey


def main() -> None:
    builds = [load(n, path) for n, path in enumerate(sys.argv[1:])]
    print_dump(run(*builds))


main()
