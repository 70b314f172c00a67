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
 * and resolves with the printed URL.
 */
export async function startCore({ timeoutMs = 600_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "js-e2e-"));
  const workspace = join(dir, "workspace.sqlite");
  const serveArgs = ["serve", "--port", "0", "--workspace", workspace, "--ui", join(UI_DIR, "dist")];
  const built = join(REPO, "target/debug/journey-studio");
  const bin = process.env.JOURNEY_STUDIO_BIN ?? (existsSync(built) ? built : undefined);
  const [cmd, args] = bin ? [bin, serveArgs] : ["cargo", ["run", "--quiet", "--", ...serveArgs]];
  // Its own process group, so stopping it also stops the binary `cargo run` started.
  const child = spawn(cmd, args, { cwd: REPO, detached: true, stdio: ["ignore", "pipe", "pipe"] });
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
