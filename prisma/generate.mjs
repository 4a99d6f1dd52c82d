// Generates the Prisma client offline. The Prisma CLI downloads a native schema engine on
// every command unless PRISMA_SCHEMA_ENGINE_BINARY points at an executable; generation never
// runs it, so a stub is enough. On a machine with internet access the variable can be unset.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, "prisma", "schema-engine-stub.sh");

const prismaCli = path.join(root, "node_modules", "prisma", "build", "index.js");
const result = spawnSync(process.execPath, [prismaCli, "generate", "--schema", "prisma/schema.prisma"], {
  cwd: root,
  env,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
