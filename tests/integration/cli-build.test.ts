// The compiled CLI (cli/build.mjs → build/cli) is used only while it matches its sources.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildCli } from "../../cli/build.mjs";
import { compiledEntry } from "../../cli/compiled.mjs";
import { BIN, ROOT } from "../helpers/cli";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "rapport-cli-build-"));
  dirs.push(d);
  return d;
}

describe("compiledEntry", () => {
  it("accepts a build while its sources are unchanged, even touched, and refuses it once one is edited or gone", async () => {
    const root = tempDir();
    mkdirSync(path.join(root, "cli"));
    writeFileSync(path.join(root, "cli/main.ts"), `import { answer } from "./lib";\nexport const main = async (): Promise<number> => answer;\n`);
    writeFileSync(path.join(root, "cli/lib.ts"), "export const answer: number = 41;\n");
    const outDir = path.join(root, "out");
    const manifest = await buildCli({ root, outDir, entry: "cli/main.ts", compiled: [] });
    expect(Object.keys(manifest.inputs)).toEqual(["cli/lib.ts", "cli/main.ts"]);

    const fresh = compiledEntry(root, outDir);
    expect(fresh).toEqual({ file: path.join(outDir, "main.mjs") });
    const ran = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", `console.log(await (await import(${JSON.stringify(pathToFileURL(fresh.file!).href)})).main())`],
      { encoding: "utf8" },
    );
    expect(ran.stdout).toBe("41\n");

    // Same content, newer mtime (a checkout or a touch): still fresh.
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(root, "cli/lib.ts"), later, later);
    expect(compiledEntry(root, outDir)).toEqual({ file: path.join(outDir, "main.mjs") });

    // Edited after the build, same size even: stale.
    writeFileSync(path.join(root, "cli/lib.ts"), "export const answer: number = 42;\n");
    expect(compiledEntry(root, outDir)).toEqual({ file: null, reason: "cli/lib.ts changed since the build" });

    await buildCli({ root, outDir, entry: "cli/main.ts", compiled: [] });
    expect(compiledEntry(root, outDir).file).toBe(path.join(outDir, "main.mjs"));
    rmSync(path.join(root, "cli/lib.ts"));
    expect(compiledEntry(root, outDir)).toEqual({ file: null, reason: "cli/lib.ts no longer exists" });
    expect(compiledEntry(root, path.join(root, "nothing")).file).toBeNull();
  });
});

describe("rapport with a compiled build", () => {
  const run = (args: string[], buildDir: string) =>
    spawnSync(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, RAPPORT_CLI_BUILD: buildDir, RAPPORT_CLI_EXPLAIN: "1" },
    });

  it("runs help, rfm and clv from the build when it is fresh, and the sources through tsx when a source is newer", async () => {
    // Inside the project, as build/cli is: the bundle imports its packages from node_modules.
    mkdirSync(path.join(ROOT, "build"), { recursive: true });
    const outDir = mkdtempSync(path.join(ROOT, "build", "cli-test-"));
    dirs.push(outDir);
    const manifest = await buildCli({ outDir });
    for (const f of ["cli/main.ts", "cli/csv.ts", "cli/commands/rfm.ts", "cli/commands/clv.ts", "app/domain/clv.ts", "app/domain/rfm.ts"]) {
      expect(Object.keys(manifest.inputs)).toContain(f);
    }
    expect(Object.keys(manifest.inputs).some((f: string) => f.includes("commands/db"))).toBe(false);

    const compiled = run(["--help"], outDir);
    expect(compiled.status).toBe(0);
    expect(compiled.stderr).toBe(`rapport: compiled build ${path.join(outDir, "main.mjs")}\n`);
    expect(compiled.stdout).toContain("Usage: rapport <command>");
    const rfmHelp = run(["rfm", "--help"], outDir);
    expect(rfmHelp.stderr).toBe(`rapport: compiled build ${path.join(outDir, "main.mjs")}\n`);
    expect(rfmHelp.stdout).toContain("Usage: rapport rfm");
    const clvHelp = run(["clv", "--help"], outDir);
    expect(clvHelp.stderr).toBe(`rapport: compiled build ${path.join(outDir, "main.mjs")}\n`);
    expect(clvHelp.stdout).toContain("Usage: rapport clv");

    // Other commands never use the build.
    const stats = run(["stats", "--help"], outDir);
    expect(stats.stderr).toContain('TypeScript sources through tsx: "stats" is not compiled');

    // cli/csv.ts saved after the build (as a test or an editor does): the manifest's record
    // no longer matches the file, so the sources run instead, with the same output.
    const file = path.join(outDir, "manifest.json");
    const m = JSON.parse(readFileSync(file, "utf8"));
    m.inputs["cli/csv.ts"].mtimeMs -= 1000;
    m.inputs["cli/csv.ts"].size += 1;
    writeFileSync(file, JSON.stringify(m));
    const stale = run(["--help"], outDir);
    expect(stale.status).toBe(0);
    expect(stale.stderr).toBe("rapport: TypeScript sources through tsx: cli/csv.ts changed since the build\n");
    expect(stale.stdout).toBe(compiled.stdout);
  });
});
