#!/usr/bin/env python3
"""Smoke test of the real desktop window (standard library only).

Seeds a temporary workspace with one fixture through the CLI, starts Xvfb and Debian's
WebKitWebDriver (with TAURI_WEBVIEW_AUTOMATION=true, without which a session hangs), opens a
W3C WebDriver session on the built app, and checks that the document list shows the fixture,
that opening it draws one `.react-flow__node` per block the core reports (`journey-studio
inspect`), and saves a screenshot. Every process it started (Xvfb, WebKitWebDriver, the app and
its WebKit helpers) is stopped by PID, whatever happens.

usage: smoke.py --app BIN --cli BIN --fixture FILE --screenshot PNG
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

# The UI marks document list entries with one of these (the newer name first).
DOCUMENT_ITEM = "[data-testid=document-item], [data-testid=doc-item]"
NODE = ".react-flow__node"
WAIT = 45.0  # seconds for the window, the list and the canvas to appear (cold WebKit start)


def log(msg):
    print(f"smoke: {msg}", flush=True)


class Failure(Exception):
    pass


class Driver:
    def __init__(self, url):
        self.url = url
        self.session = None

    def request(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise Failure(f"WebDriver {method} {path}: HTTP {e.code}: {e.read()[:400]!r}") from None

    def s(self, method, path, body=None):
        return self.request(method, f"/session/{self.session}{path}", body)

    def find_all(self, css):
        return self.s("POST", "/elements", {"using": "css selector", "value": css}) or []

    def text(self, element):
        return self.s("GET", f"/element/{element_id(element)}/text") or ""

    def click(self, element):
        self.s("POST", f"/element/{element_id(element)}/click", {})

    def screenshot(self, path):
        time.sleep(0.5)  # the captured surface can lag the page
        png = base64.b64decode(self.s("GET", "/screenshot"))
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as f:
            f.write(png)
        return len(png)


def element_id(element):
    return next(iter(element.values()))


def wait_for(what, check, timeout=WAIT):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.time() > deadline:
            raise Failure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.25)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid):
    """PIDs of every process below `pid` (read from /proc, no external tools)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces; the ppid follows it.
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def running(pid):
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def stop(pids, name):
    """SIGTERM, then SIGKILL what is still alive after 3 s; reaps our own children."""
    alive = []
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
            alive.append(pid)
        except ProcessLookupError:
            pass
    deadline = time.time() + 3
    for pid in alive:
        while time.time() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    break
            except ChildProcessError:  # not our child: poll for its exit instead
                if not running(pid):
                    break
            time.sleep(0.05)
        else:
            try:
                os.kill(pid, signal.SIGKILL)
                log(f"{name} {pid} did not stop on SIGTERM; killed")
            except ProcessLookupError:
                pass


def start_xvfb(tmp):
    """Xvfb on a free display (it writes the number it picked to -displayfd)."""
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "xvfb.log"), "w"),
    )
    os.close(write)
    with os.fdopen(read) as f:
        display = f.readline().strip()
    if not display:
        raise Failure("Xvfb did not start (see xvfb.log)")
    return proc, f":{display}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--app", required=True, help="the built journey-studio-desktop binary")
    ap.add_argument("--cli", required=True, help="the journey-studio CLI binary (seeds the workspace)")
    ap.add_argument("--fixture", required=True, help="the document to open")
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, workspace)")
    opts = ap.parse_args()
    for tool in ("Xvfb", "WebKitWebDriver"):
        if not shutil.which(tool):
            raise SystemExit(f"smoke: {tool} is missing; run scripts/setup (packages xvfb, webkit2gtk-driver)")

    started = time.time()
    tmp = tempfile.mkdtemp(prefix="journey-studio-smoke-")
    workspace = os.path.join(tmp, "workspace.db")
    name = "smoke " + os.path.splitext(os.path.basename(opts.fixture))[0]
    subprocess.run([opts.cli, "save", "--workspace", workspace, "--name", name, "-m", "smoke test", opts.fixture],
                   check=True, stdout=subprocess.DEVNULL)
    inspected = json.loads(subprocess.run([opts.cli, "inspect", "--format", "json", opts.fixture],
                                          check=True, capture_output=True, text=True).stdout)
    blocks = inspected["blocks"]
    log(f"workspace {workspace}: `{name}` ({inspected['kind']}, {blocks} blocks)")

    procs = []  # (name, Popen) in start order
    driver = None
    app_pids = []
    ok = False
    try:
        xvfb, display = start_xvfb(tmp)
        procs.append(("Xvfb", xvfb))
        port = free_port()
        env = dict(os.environ, DISPLAY=display, TAURI_WEBVIEW_AUTOMATION="true",
                   # Keep the app's settings store and WebKit caches out of the user's home.
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
        caps = {"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {
            "binary": os.path.abspath(opts.app), "args": ["--workspace", workspace]}}}}
        t = time.time()
        driver.session = driver.request("POST", "/session", caps)["sessionId"]
        app_pids = descendants(wd.pid)
        log(f"session open in {time.time() - t:.1f} s (app and WebKit processes: {app_pids})")

        t = time.time()
        items = wait_for("the document list", lambda: driver.find_all(DOCUMENT_ITEM))
        texts = [driver.text(i) for i in items]
        log(f"document list after {time.time() - t:.1f} s: {texts}")
        match = [i for i, text in zip(items, texts) if name in text]
        if len(items) != 1 or not match:
            raise Failure(f"the list should show exactly `{name}`, shows {texts}")
        driver.click(match[0])

        t = time.time()
        nodes = wait_for(f"{blocks} canvas nodes", lambda: (lambda n: n if len(n) >= blocks else None)(driver.find_all(NODE)))
        time.sleep(0.5)  # and no more than that once the canvas settled
        nodes = driver.find_all(NODE)
        log(f"{len(nodes)} `{NODE}` after {time.time() - t:.1f} s")
        if not nodes or len(nodes) != blocks:
            raise Failure(f"the canvas shows {len(nodes)} nodes; the core reports {blocks} blocks")
        size = driver.screenshot(opts.screenshot)
        log(f"screenshot {opts.screenshot} ({size} bytes)")
        ok = True
    except Failure as e:
        log(f"FAILED: {e}")
        if driver and driver.session:
            try:
                driver.screenshot(opts.screenshot)
                log(f"screenshot of the failure: {opts.screenshot}")
            except (OSError, Failure):
                pass
    finally:
        if driver and driver.session:
            try:
                driver.request("DELETE", f"/session/{driver.session}", timeout=10)
            except (OSError, Failure) as e:
                log(f"closing the session failed: {e}")
        # The app first (WebKitWebDriver may already have closed it), then the driver, then X.
        app_pids = sorted(set(app_pids) | set(descendants(procs[1][1].pid) if len(procs) > 1 else []))
        stop(app_pids, "app")
        for pname, proc in reversed(procs):
            stop([proc.pid], pname)
        left = [p for p in app_pids + [proc.pid for _, proc in procs] if running(p)]
        if left:
            log(f"WARNING: still running: {left}")
            ok = False
        if opts.keep or not ok:
            log(f"logs and workspace kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"{'passed' if ok else 'FAILED'} in {time.time() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
