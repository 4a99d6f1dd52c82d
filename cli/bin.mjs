#!/usr/bin/env node
// The `rapport` command. `help`, `rfm` and `clv` run from the compiled bundle in build/cli
// (cli/build.mjs, made on install and by `npm run build`) when it is up to date with every
// source it was built from; every other command, and every command when the build is missing
// or stale, runs the TypeScript sources through tsx. RAPPORT_CLI_EXPLAIN=1 says which on stderr.
import { fileURLToPath, pathToFileURL } from "node:url";
import { compiledEntry } from "./compiled.mjs";

const argv = process.argv.slice(2);
const COMPILED = new Set([undefined, "--help", "-h", "help", "rfm", "clv", "recommend"]);
const explain = process.env.RAPPORT_CLI_EXPLAIN === "1";
let main;
if (COMPILED.has(argv[0])) {
  const found = compiledEntry();
  if (explain)
    process.stderr.write(found.file ? `rapport: compiled build ${found.file}\n` : `rapport: TypeScript sources through tsx: ${found.reason}\n`);
  if (found.file) ({ main } = await import(pathToFileURL(found.file).href));
} else if (explain) {
  process.stderr.write(`rapport: TypeScript sources through tsx: "${argv[0]}" is not compiled\n`);
}
if (!main) {
  const { register } = await import("tsx/esm/api");
  // The project's tsconfig (its "~" paths), whatever the working directory.
  register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
  ({ main } = await import("./main.ts"));
}
process.exitCode = await main(argv);
