// Starts the REAL core (`journey-studio serve`) on a fresh temporary workspace with the built
// UI, and Debian's Chromium through playwright-core. Used by the e2e tests and the benchmark.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = resolve(UI_DIR, "..");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Runs `journey-studio serve --port 0 --workspace <tmp> --ui ui/dist` (the binary from
 * JOURNEY_STUDIO_BIN, else target/debug/journey-studio when built, else `cargo run` in the repo)
 * and resolves with the printed URL. `env`: more environment variables for the core.
 */
export async function startCore({ timeoutMs = 600_000, env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "js-e2e-"));
  const workspace = join(dir, "workspace.sqlite");
  const serveArgs = ["serve", "--port", "0", "--workspace", workspace, "--ui", join(UI_DIR, "dist")];
  const built = join(REPO, "target/debug/journey-studio");
  const bin = process.env.JOURNEY_STUDIO_BIN ?? (existsSync(built) ? built : undefined);
  const [cmd, args] = bin ? [bin, serveArgs] : ["cargo", ["run", "--quiet", "--", ...serveArgs]];
  // Its own process group, so stopping it also stops the binary `cargo run` started.
  const child = spawn(cmd, args, { cwd: REPO, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let out = "";
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve printed no URL within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (b) => {
      out += b.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\S*#token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`serve exited (${code}) before printing its URL:\n${out}`));
    });
  });
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, stop, dir, workspace, token: new URL(url).hash.replace(/^#token=/, ""), origin: new URL(url).origin };
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Calls a core command over the HTTP bridge (test setup only; the UI itself is driven by clicks). */
export async function api(core, command, args) {
  const res = await fetch(`${core.origin}/api/${command}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${core.token}` },
    body: JSON.stringify(args),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${command}: ${body.error.message}`);
  return body.ok;
}

/** Where the e2e run saves its screenshots of the main screens (looked at by people). */
export const SCREENS = join(REPO, "target/e2e-screens");

/** A free TCP port on 127.0.0.1. */
async function freePort() {
  const net = await import("node:net");
  return new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * Starts a REAL Parlant 3.3.2 server (the repo's module in server/parlant, as tests/common/servers.rs
 * does) on 127.0.0.1 with the venv's python: JOURNEY_STUDIO_PARLANT_PYTHON, else the repo's
 * .venv-parlant. Resolves with `{url, stop}`, or null when no python is there (a failure under
 * CI=true). `stop` ends it by its PID (SIGTERM, then SIGKILL after 15 s). `echo`: its engine is
 * the deterministic EchoEngine (live chat without an LLM answers `echo: <message>`).
 */
export async function startParlant({ timeoutMs = 120_000, echo = false } = {}) {
  const { createWriteStream, readFileSync } = await import("node:fs");
  const local = join(REPO, ".venv-parlant/bin/python");
  const python = process.env.JOURNEY_STUDIO_PARLANT_PYTHON || (existsSync(local) ? local : null);
  const ci = process.env.CI === "true" || process.env.CI === "1";
  if (!python || !existsSync(python)) {
    if (ci) throw new Error("JOURNEY_STUDIO_PARLANT_PYTHON is not set (or missing): the e2e run needs the Parlant venv from scripts/setup");
    console.log("NOTICE: no Parlant python (JOURNEY_STUDIO_PARLANT_PYTHON): the tests that push to Parlant are skipped");
    return null;
  }
  const home = mkdtempSync(join(tmpdir(), "js-e2e-parlant-"));
  const logPath = join(home, "server.log");
  const log = createWriteStream(logPath);
  await new Promise((ok) => log.on("open", ok));
  const port = await freePort();
  const args = ["-m", "journey_studio_parlant.testserver", "--port", String(port), "--home", home, ...(echo ? ["--echo"] : [])];
  const child = spawn(python, args, {
    cwd: REPO,
    env: { ...process.env, PYTHONPATH: join(REPO, "server/parlant") },
    stdio: ["ignore", log, log],
  });
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  const readLog = () => {
    try {
      return readFileSync(logPath, "utf8").slice(-4000);
    } catch {
      return "";
    }
  };
  for (;;) {
    if (exited) throw new Error(`the Parlant server exited (${JSON.stringify(exited)}) before it was ready:\n${readLog()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      process.kill(child.pid, "SIGKILL");
      throw new Error(`the Parlant server was not ready after ${timeoutMs} ms:\n${readLog()}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      const until = Date.now() + 15_000;
      while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (!exited) {
        try {
          process.kill(child.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    }
    log.end();
    rmSync(home, { recursive: true, force: true });
  };
  return { url, port, stop, pid: child.pid };
}

/**
 * Starts the Sim stand-in (server/sim_standin: Sim's v2 API checked against Sim's OpenAPI spec,
 * runs by the core's simulator) on 127.0.0.1 with the Parlant venv's python, as
 * tests/common/sim_standin.rs does: one workspace `ws` with a personal key `sk-sim-personal-<ws>`
 * and a session `sess-<ws>`. `streamGap`: seconds between an execute stream's frames. Resolves
 * with `{url, key, session, workspace, stop, violations}`, or null without the venv (a failure
 * under CI=true). `stop` ends it by its PID (SIGTERM, then SIGKILL after 10 s).
 */
export async function startSimStandin({ ws = "e2e", streamGap = 0.2, timeoutMs = 60_000 } = {}) {
  const { createWriteStream, readFileSync, writeFileSync } = await import("node:fs");
  const local = join(REPO, ".venv-parlant/bin/python");
  const python = process.env.JOURNEY_STUDIO_PARLANT_PYTHON || (existsSync(local) ? local : null);
  const ci = process.env.CI === "true" || process.env.CI === "1";
  if (!python || !existsSync(python)) {
    if (ci) throw new Error("JOURNEY_STUDIO_PARLANT_PYTHON is not set (or missing): the Sim stand-in needs the venv from scripts/setup");
    console.log("NOTICE: no python venv (JOURNEY_STUDIO_PARLANT_PYTHON): the tests against the Sim stand-in are skipped");
    return null;
  }
  const built = join(REPO, "target/debug/journey-studio");
  const cli = process.env.JOURNEY_STUDIO_BIN ?? built;
  const dir = mkdtempSync(join(tmpdir(), "js-e2e-sim-"));
  const key = `sk-sim-personal-${ws}`;
  const session = `sess-${ws}`;
  const config = join(dir, "config.json");
  writeFileSync(
    config,
    JSON.stringify({
      keys: [{ key, kind: "personal", workspaceId: ws, rateLimit: 10000, windowSeconds: 60 }],
      sessions: [{ token: session, workspaceId: ws }],
    }),
  );
  const portFile = join(dir, "port");
  const logPath = join(dir, "server.log");
  const log = createWriteStream(logPath);
  await new Promise((ok) => log.on("open", ok));
  const args = [
    join(REPO, "server/sim_standin/sim_standin.py"),
    "--spec", join(REPO, "fixtures/specs/sim-openapi-v2-workflows.json"),
    "--config", config,
    "--port-file", portFile,
    "--cli", cli,
    "--stream-gap", String(streamGap),
  ];
  const child = spawn(python, args, { cwd: REPO, stdio: ["ignore", log, log] });
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));
  const readLog = () => {
    try {
      return readFileSync(logPath, "utf8").slice(-4000);
    } catch {
      return "";
    }
  };
  const deadline = Date.now() + timeoutMs;
  let port = null;
  while (port === null) {
    if (exited) throw new Error(`the Sim stand-in exited (${JSON.stringify(exited)}) before it was ready:\n${readLog()}`);
    try {
      port = Number(readFileSync(portFile, "utf8").trim()) || null;
    } catch {
      /* not written yet */
    }
    if (port === null) {
      if (Date.now() > deadline) {
        process.kill(child.pid, "SIGKILL");
        throw new Error(`the Sim stand-in wrote no port after ${timeoutMs} ms:\n${readLog()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      const until = Date.now() + 10_000;
      while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (!exited) {
        try {
          process.kill(child.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    }
    log.end();
    rmSync(dir, { recursive: true, force: true });
  };
  const violations = async () => (await fetch(`${url}/__standin/violations`)).json();
  return { url, key, session, workspace: ws, pid: child.pid, stop, violations };
}
