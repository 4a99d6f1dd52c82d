// Is the compiled CLI (build/cli, written by cli/build.mjs) up to date with its sources?
// Plain JavaScript, read at every start of `rapport`: it must cost a millisecond, not tsx's
// start-up. A build is used only when every file recorded in its manifest still has the
// recorded size and either the recorded mtime or, when only the mtime moved (a checkout, a
// touch), the recorded SHA-1. Anything else (edited, missing, unreadable) means stale.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The compiled entry file when the build in outDir (default build/cli, or RAPPORT_CLI_BUILD)
 * is fresh; otherwise why not.
 * @returns {{ file: string } | { file: null, reason: string }}
 */
export function compiledEntry(root = ROOT, outDir = process.env.RAPPORT_CLI_BUILD || path.join(root, "build", "cli")) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(outDir, "manifest.json"), "utf8"));
  } catch {
    return { file: null, reason: `no compiled build in ${outDir} (node cli/build.mjs makes one)` };
  }
  if (manifest?.version !== 1 || typeof manifest.entry !== "string" || typeof manifest.inputs !== "object") {
    return { file: null, reason: "the compiled build's manifest is not understood" };
  }
  for (const [rel, rec] of Object.entries(manifest.inputs)) {
    const full = path.join(root, rel);
    let st;
    try {
      st = statSync(full);
    } catch {
      return { file: null, reason: `${rel} no longer exists` };
    }
    if (st.size !== rec.size) return { file: null, reason: `${rel} changed since the build` };
    if (st.mtimeMs === rec.mtimeMs) continue;
    // Same size, another mtime: compare the content.
    const { createHash } = process.getBuiltinModule("node:crypto");
    if (createHash("sha1").update(readFileSync(full)).digest("hex") !== rec.sha1) {
      return { file: null, reason: `${rel} changed since the build` };
    }
  }
  return { file: path.join(outDir, manifest.entry) };
}
