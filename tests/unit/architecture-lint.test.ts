// The import rules in eslint.config.js encode the layers (README, "Architecture"). Each case lints a
// small snippet as if it lived at a given path and checks exactly which rules fire, so a rule that
// stops matching (a renamed folder, a broken resolver, a misordered override) fails here.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it, vi } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// Loading the config, the TypeScript parser and walking the import graph (no-cycle) takes
// seconds on a busy machine: a generous timeout, no assertion on time.
vi.setConfig({ testTimeout: 60_000 });

let eslint: ESLint;
beforeAll(async () => {
  eslint = new ESLint({ cwd: ROOT });
  await eslint.lintText("export {};\n", { filePath: path.join(ROOT, "app/domain/warm-up.ts") });
}, 120_000);

/** The rule ids reported for `code` placed at `filePath` (relative to the repository), sorted. */
async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
  const fatal = result.messages.filter((m) => m.ruleId === null);
  expect(fatal, `parse errors or ignored file: ${JSON.stringify(fatal)}`).toEqual([]);
  return result.messages.map((m) => m.ruleId as string).sort();
}

const PATHS = "import-x/no-restricted-paths";
const PACKAGES = "@typescript-eslint/no-restricted-imports";

describe("app/domain imports nothing outside app/domain", () => {
  it.each([
    ["~/lib/db.server", PATHS],
    ["../lib/db.server", PATHS],
    ["~/models/shop.server", PATHS],
    ["../../cli/csv", PATHS],
    ["@prisma/client", PACKAGES],
    ["@remix-run/node", PACKAGES],
    ["@shopify/polaris", PACKAGES],
    ["react", PACKAGES],
    ["node:fs", PACKAGES],
    ["fs", PACKAGES],
  ])("import from %s reports %s", async (source, rule) => {
    expect(await ruleIds("app/domain/x.ts", `import * as m from "${source}";\nexport const y = m;\n`)).toEqual([rule]);
  });

  it("a type-only import of Prisma is still a dependency on Prisma", async () => {
    expect(await ruleIds("app/domain/x.ts", `import type { Shop } from "@prisma/client";\nexport type S = Shop;\n`)).toEqual([PACKAGES]);
  });

  it("imports within app/domain, relative or through ~/domain, report nothing", async () => {
    const code = `import * as stats from "./stats";\nimport * as time from "~/domain/time";\nexport const y = [stats, time];\n`;
    expect(await ruleIds("app/domain/x.ts", code)).toEqual([]);
  });
});

describe("only app/models and the database set-up use Prisma values", () => {
  const valueImport = `import { Prisma } from "@prisma/client";\nexport const d = new Prisma.Decimal(1);\n`;
  const typeImport = `import type { Prisma } from "@prisma/client";\nexport type D = Prisma.Decimal;\n`;

  it.each([
    "app/services/x.server.ts",
    "app/jobs/x.server.ts",
    "app/routes/app.x.tsx",
    "app/lib/format.ts",
    "app/shopify.server.ts",
    "cli/commands/x.ts",
    "server/x.ts",
  ])("a value import in %s is reported", async (file) => {
    expect(await ruleIds(file, valueImport)).toEqual([PACKAGES]);
  });

  it.each(["pg", "@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/adapter-pg"])("the driver %s is reported in a service", async (pkg) => {
    expect(await ruleIds("app/services/x.server.ts", `import * as driver from "${pkg}";\nexport const d = driver;\n`)).toEqual([PACKAGES]);
  });

  it("a type-only import in a service reports nothing", async () => {
    expect(await ruleIds("app/services/x.server.ts", typeImport)).toEqual([]);
  });

  it.each([
    "app/models/x.server.ts",
    "app/lib/database.server.ts",
    "app/lib/db.server.ts",
    "app/lib/transaction.server.ts",
    "prisma/x.ts",
    "tests/integration/x.test.ts",
    "bench/x.ts",
  ])("a value import in %s reports nothing", async (file) => {
    expect(await ruleIds(file, valueImport)).toEqual([]);
  });
});

describe("routes call services, never models", () => {
  it.each(["~/models/shop.server", "../models/shop.server"])("a route importing %s is reported", async (source) => {
    const code = `import * as shop from "${source}";\nexport const f = shop;\n`;
    expect(await ruleIds("app/routes/app.x.tsx", code)).toEqual([PATHS]);
  });

  it("a route importing a service, app/lib, i18n and domain code reports nothing", async () => {
    const code = [
      `import * as dataHealth from "~/services/dataHealth.server";`,
      `import * as adminAuth from "~/lib/adminAuth.server";`,
      `import * as i18n from "~/i18n";`,
      `import type * as rfm from "~/domain/rfm";`,
      `export const f = [dataHealth, adminAuth, i18n];`,
      `export type R = typeof rfm;`,
      ``,
    ].join("\n");
    expect(await ruleIds("app/routes/app.x.tsx", code)).toEqual([]);
  });

  it("the CLI importing a model is reported", async () => {
    const code = `import * as shop from "../../app/models/shop.server";\nexport const f = shop;\n`;
    expect(await ruleIds("cli/commands/x.ts", code)).toEqual([PATHS]);
  });
});

describe("one-way layers between services, models and routes", () => {
  it.each([
    ["app/services/x.server.ts", "~/routes/app._index"],
    ["app/models/x.server.ts", "~/services/sync.server"],
    ["app/models/x.server.ts", "../services/sync.server"],
    ["app/models/x.server.ts", "~/jobs/signals.server"],
    ["app/lib/x.server.ts", "~/routes/healthz"],
  ])("%s importing %s is reported", async (file, source) => {
    expect(await ruleIds(file, `import * as m from "${source}";\nexport const y = m;\n`)).toEqual([PATHS]);
  });

  it("a service importing a model and a model importing app/lib report nothing", async () => {
    expect(await ruleIds("app/services/x.server.ts", `import * as m from "~/models/shop.server";\nexport const y = m;\n`)).toEqual([]);
    expect(await ruleIds("app/models/x.server.ts", `import * as db from "~/lib/db.server";\nexport const y = db;\n`)).toEqual([]);
  });
});

describe("transactions and raw SQL stay in models and the transaction helper", () => {
  const code = [
    `type Client = { $transaction(work: () => Promise<unknown>): Promise<unknown>; $queryRaw(sql: TemplateStringsArray): Promise<unknown> };`,
    `export const run = (db: Client) => db.$transaction(async () => db.$queryRaw\`SELECT 1\`);`,
    ``,
  ].join("\n");

  it("a service calling $transaction and $queryRaw is reported once per call", async () => {
    expect(await ruleIds("app/services/x.server.ts", code)).toEqual(["no-restricted-syntax", "no-restricted-syntax"]);
  });

  it.each(["app/lib/transaction.server.ts", "app/models/x.server.ts"])("%s may", async (file) => {
    expect(await ruleIds(file, code)).toEqual([]);
  });
});

describe("no import cycles in app/", () => {
  it("a file importing a module that imports it back is reported", async () => {
    // Precondition on the real tree: cohorts.ts imports time.ts. If that changes, pick another pair.
    expect(readFileSync(path.join(ROOT, "app/domain/cohorts.ts"), "utf8")).toMatch(/from "\.\/time"/);
    const code = `import * as cohorts from "./cohorts";\nexport const y = cohorts;\n`;
    expect(await ruleIds("app/domain/time.ts", code)).toEqual(["import-x/no-cycle"]);
  });
});
