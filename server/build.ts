// Builds the Remix app when the build is missing or older than its sources, so that
// `npm run demo` works on a fresh clone and tests never serve a stale build.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const SERVER_BUILD = path.join(ROOT, "build", "server", "index.js");

function newestMtime(target: string): number {
  const info = statSync(target);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(target).map((entry) => newestMtime(path.join(target, entry))));
}

export function buildIsStale(): boolean {
  if (!existsSync(SERVER_BUILD)) return true;
  const sources = ["app", "public", "vite.config.ts", "package-lock.json"].map((p) => path.join(ROOT, p)).filter(existsSync);
  return statSync(SERVER_BUILD).mtimeMs < Math.max(...sources.map(newestMtime));
}

/** Returns true when it built. Throws a sentence when the build fails. */
export function buildIfStale(): boolean {
  if (!buildIsStale()) return false;
  const require = createRequire(import.meta.url);
  const remixCli = path.join(path.dirname(require.resolve("@remix-run/dev/package.json")), "dist", "cli.js");
  const result = spawnSync(process.execPath, [remixCli, "vite:build"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (result.status !== 0) throw new Error("the app build failed (see the messages above); run `npm run build` to see them in full.");
  return true;
}
