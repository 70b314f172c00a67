#!/usr/bin/env python3
"""Smoke test of the real desktop window: WebKitWebDriver (Debian's webkit2gtk-driver) drives the
built app under Xvfb over the W3C WebDriver protocol (standard library only). Opens the app on a
workspace, waits for a canvas node, clicks it, saves a screenshot.

usage: smoke.py APP_BINARY SCREENSHOT_PNG   (env: WEBDRIVER_URL, default http://127.0.0.1:4445)
"""
import base64
import json
import os
import sys
import time
import urllib.request

DRIVER = os.environ.get("WEBDRIVER_URL", "http://127.0.0.1:4445")
# Where the UI lists documents, tried in order when no document is open yet.
DOCUMENT_SELECTORS = ["[data-testid=document-item]", "[data-document-id]", ".document-list li", "nav li"]


def wd(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(DRIVER + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"{}").get("value")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"smoke: WebDriver {method} {path} failed: {e.code} {e.read()[:500]!r}")


def find_all(session, css):
    return wd("POST", f"/session/{session}/elements", {"using": "css selector", "value": css}) or []


def element_id(el):
    return next(iter(el.values()))


def main():
    app, screenshot = sys.argv[1], sys.argv[2]
    caps = {"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {"binary": os.path.abspath(app), "args": []}}}}
    started = time.time()
    session = wd("POST", "/session", caps)["sessionId"]
    print(f"smoke: session open in {time.time() - started:.1f}s")
    try:
        nodes, clicked_document = [], False
        deadline = time.time() + 45
        while time.time() < deadline:
            nodes = find_all(session, ".react-flow__node")
            if nodes:
                break
            if not clicked_document:
                for css in DOCUMENT_SELECTORS:
                    docs = find_all(session, css)
                    if docs:
                        wd("POST", f"/session/{session}/element/{element_id(docs[0])}/click", {})
                        print(f"smoke: opened the first document ({css})")
                        clicked_document = True
                        break
            time.sleep(0.5)
        if not nodes:
            time.sleep(0.5)
            png = wd("GET", f"/session/{session}/screenshot")
            open(screenshot, "wb").write(base64.b64decode(png))
            raise SystemExit(f"smoke: no .react-flow__node appeared within 45 s (screenshot: {screenshot})")
        first = element_id(nodes[0])
        label = wd("GET", f"/session/{session}/element/{first}/text")
        wd("POST", f"/session/{session}/element/{first}/click", {})
        selected = find_all(session, ".react-flow__node.selected")
        print(f"smoke: {len(nodes)} nodes; clicked {label!r}; selected after click: {len(selected)}")
        if not selected:
            raise SystemExit("smoke: clicking a node did not select it")
        time.sleep(0.5)  # screenshots can lag the page
        png = wd("GET", f"/session/{session}/screenshot")
        os.makedirs(os.path.dirname(os.path.abspath(screenshot)), exist_ok=True)
        with open(screenshot, "wb") as f:
            f.write(base64.b64decode(png))
        print(f"smoke: screenshot {screenshot} ({os.path.getsize(screenshot)} bytes); total {time.time() - started:.1f}s")
    finally:
        wd("DELETE", f"/session/{session}")


if __name__ == "__main__":
    main()
