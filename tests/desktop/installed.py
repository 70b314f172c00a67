#!/usr/bin/env python3
"""Checks an installed Journey Studio (the binary from the .deb, see scripts/package) and
measures its start-up to interactive (standard library only; smoke.py's WebDriver helpers).

Under one Xvfb and one Debian WebKitWebDriver, it starts the app `--runs` times on `--workspace`
(a WebDriver session per start: WebKitWebDriver launches the binary) and measures, for each,
the time from the session request (the process start) until the document list shows every
document of the workspace (`journey-studio status --format json`): the window is interactive.
The first start also checks the names listed, opens a Sim workflow and checks that the canvas
draws one node per block (`journey-studio inspect`), and saves a screenshot. With
`--baseline-app`, the same starts of that binary (the debug build) are measured in the same run.
Every process started is stopped by PID.

usage: installed.py --app BIN --cli BIN --workspace DB [--runs N] [--screenshot PNG] [--baseline-app BIN]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ beside smoke.py in the work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smoke  # noqa: E402
from smoke import (DOCUMENT_ITEM, NODE, Driver, Failure, descendants, free_port, running, start_xvfb,  # noqa: E402
                   stop, wait_for)


def log(msg):
    print(f"installed: {msg}", flush=True)


smoke.log = log  # smoke's helpers report under this script's name

POLL = 0.02  # seconds between looks at the document list while timing a start


def documents(cli, workspace):
    status = json.loads(subprocess.run([cli, "status", "--workspace", workspace, "--format", "json"],
                                       check=True, capture_output=True, text=True).stdout)
    return status["documents"]


def block_count(cli, workspace, name, tmp):
    """Blocks of a Sim document of the workspace, as the core counts them."""
    path = os.path.join(tmp, "head.json")
    subprocess.run([cli, "history", name, "--workspace", workspace, "-o", path], check=True, stdout=subprocess.DEVNULL)
    return json.loads(subprocess.run([cli, "inspect", "--format", "json", path], check=True, capture_output=True, text=True).stdout)["blocks"]


def one_start(driver, wd, app, workspace, expected):
    """Starts `app` in a new session; returns (seconds to interactive, seconds until the WebDriver
    session was open: the process, its window and WebKit's page loaded), the list items, the
    pids under the driver)."""
    caps = {"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {"binary": os.path.abspath(app), "args": ["--workspace", workspace]}}}}
    started = time.time()
    driver.session = driver.request("POST", "/session", caps)["sessionId"]
    session = time.time() - started
    items = []
    deadline = started + 45
    while len(items) < expected:
        if time.time() > deadline:
            raise Failure(f"the document list shows {len(items)} of {expected} documents after 45 s")
        items = driver.find_all(DOCUMENT_ITEM)
        if len(items) < expected:
            time.sleep(POLL)
    took = time.time() - started
    return took, session, items, descendants(wd.pid)


def close(driver, pids):
    if driver.session:
        try:
            driver.request("DELETE", f"/session/{driver.session}", timeout=10)
        except (OSError, Failure) as e:
            log(f"closing the session failed: {e}")
        driver.session = None
    stop(sorted(set(pids)), "app")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--app", required=True, help="the installed journey-studio-desktop")
    ap.add_argument("--cli", required=True, help="the journey-studio CLI (reads the workspace)")
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--screenshot", default="target/package/screenshot.png")
    ap.add_argument("--baseline-app", help="another build of the app to time the same way (e.g. the debug build)")
    opts = ap.parse_args()
    for tool in ("Xvfb", "WebKitWebDriver"):
        if not shutil.which(tool):
            raise SystemExit(f"installed: {tool} is missing; run scripts/setup (packages xvfb, webkit2gtk-driver)")
    docs = documents(opts.cli, opts.workspace)
    if not docs:
        raise SystemExit(f"installed: {opts.workspace} holds no documents")
    names = [d["name"] for d in docs]
    sims = [d["name"] for d in docs if d["kind"] == "sim"]
    log(f"workspace {opts.workspace}: {len(docs)} documents")

    tmp = tempfile.mkdtemp(prefix="journey-studio-installed-")
    procs = []
    driver = None
    ok = False
    times = {"installed": [], "baseline": []}
    try:
        xvfb, display = start_xvfb(tmp)
        procs.append(("Xvfb", xvfb))
        port = free_port()
        env = dict(os.environ, DISPLAY=display, TAURI_WEBVIEW_AUTOMATION="true",
                   XDG_DATA_HOME=os.path.join(tmp, "data"), XDG_CONFIG_HOME=os.path.join(tmp, "config"),
                   XDG_CACHE_HOME=os.path.join(tmp, "cache"))
        env.pop("WAYLAND_DISPLAY", None)
        wd = subprocess.Popen(["WebKitWebDriver", f"--port={port}"], env=env,
                              stdout=open(os.path.join(tmp, "webdriver.log"), "w"), stderr=subprocess.STDOUT)
        procs.append(("WebKitWebDriver", wd))
        driver = Driver(f"http://127.0.0.1:{port}")

        def ready():
            try:
                return (driver.request("GET", "/status", timeout=2) or {}).get("ready")
            except (OSError, Failure):
                return False

        wait_for("WebKitWebDriver", ready, timeout=15)

        apps = [("installed", opts.app)] + ([("baseline", opts.baseline_app)] if opts.baseline_app else [])
        for run in range(opts.runs):
            # Alternate the builds so both see the same machine load.
            for label, app in apps:
                pids = []
                try:
                    took, session, items, pids = one_start(driver, wd, app, opts.workspace, len(docs))
                    times[label].append(took)
                    log(f"{label} start {run + 1}: interactive after {took * 1000:.0f} ms (WebDriver session open after "
                        f"{session * 1000:.0f} ms, then {len(items)} documents listed after {(took - session) * 1000:.0f} ms; "
                        f"load average {os.getloadavg()[0]:.1f})")
                    if run == 0 and label == "installed":
                        texts = [driver.text(i) for i in items]
                        missing = [n for n in names if not any(n in t for t in texts)]
                        if len(items) != len(docs) or missing:
                            raise Failure(f"the list should show the {len(docs)} documents of the workspace; missing {missing}, shows {texts}")
                        if sims:
                            blocks = block_count(opts.cli, opts.workspace, sims[0], tmp)
                            item = next(i for i, t in zip(items, texts) if sims[0] in t)
                            driver.click(item)
                            t = time.time()
                            wait_for(f"{blocks} canvas nodes", lambda: len(driver.find_all(NODE)) >= blocks)
                            time.sleep(0.5)
                            nodes = len(driver.find_all(NODE))
                            if nodes != blocks:
                                raise Failure(f"`{sims[0]}`: the canvas shows {nodes} nodes; the core reports {blocks} blocks")
                            log(f"`{sims[0]}` opened: {nodes} canvas nodes after {time.time() - t:.1f} s")
                        size = driver.screenshot(opts.screenshot)
                        log(f"screenshot {opts.screenshot} ({size} bytes)")
                finally:
                    close(driver, pids + descendants(wd.pid))
        ok = True
    except Failure as e:
        log(f"FAILED: {e}")
    finally:
        if driver and driver.session:
            close(driver, descendants(procs[1][1].pid) if len(procs) > 1 else [])
        for pname, proc in reversed(procs):
            stop([proc.pid], pname)
        left = [proc.pid for _, proc in procs if running(proc.pid)]
        if left:
            log(f"WARNING: still running: {left}")
            ok = False
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"logs kept in {tmp}")
    for label, values in times.items():
        if values:
            ms = sorted(v * 1000 for v in values)
            log(f"start-up to interactive, {label}: median {statistics.median(ms):.0f} ms, "
                f"min {ms[0]:.0f}, max {ms[-1]:.0f} over {len(ms)} starts ({', '.join(f'{v:.0f}' for v in ms)})")
    if times["installed"]:
        median = statistics.median(times["installed"])
        log(f"goal < 1000 ms: {'met' if median < 1.0 else 'NOT met'} (median {median * 1000:.0f} ms)")
    log("passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
