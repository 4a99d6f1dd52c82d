// ESLint: typescript-eslint's recommended rules, the Rules of Hooks, and import rules that encode
// the layers of docs (README "Architecture"). tests/unit/architecture-lint.test.ts proves each
// layer rule fires; when a rule here changes, change that test with it.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

// Files that may use the Prisma client and the database drivers as values. Everything else may
// import Prisma *types* only (`import type`): model functions return Prisma rows and take a
// `Db`, so callers naming those types is honest and cannot run a query; a value import (the
// client, `Prisma.sql`, `Prisma.Decimal`) is where queries and schema coupling start.
const DATABASE_FILES = [
  "app/models/**",
  "app/lib/database.server.ts",
  "app/lib/db.server.ts",
  "app/lib/transaction.server.ts",
  // The worker's liveness lock is held on a connection of its own (ADR 006).
  "app/lib/workerLiveness.server.ts",
  // The backfill's COPY connection (ADR 010).
  "app/lib/bulkConnection.server.ts",
  "prisma/**",
  "tests/**",
  "bench/**",
];

const DATABASE_PACKAGES = ["@prisma/*", ".prisma/*", "pg", "@electric-sql/pglite", "pglite-prisma-adapter"];

const prismaValuesOnlyInModels = {
  group: DATABASE_PACKAGES,
  allowTypeImports: true,
  message:
    "Only app/models (and the database set-up in app/lib) use Prisma or a database driver; import types with `import type`, call a model function for data.",
};

// app/domain is pure: no package at all (no Prisma, Remix, Shopify, React, node:fs…). Relative
// imports and `~/` imports are checked by import-x/no-restricted-paths below, which resolves them.
const noPackagesInDomain = {
  regex: "^[^.~]",
  message: "app/domain is pure TypeScript: it imports nothing outside app/domain (pass data and `now` in).",
};

// Layer rules on resolved paths, so `~/models/x`, `../models/x` and `../../app/models/x` are
// the same import. `target` is the importing file, `from` what it may not import.
const layerZones = [
  {
    target: "./app/domain",
    from: "./app",
    except: ["./domain"],
    message: "app/domain is pure TypeScript: it imports nothing outside app/domain.",
  },
  {
    target: "./app/domain",
    from: ["./cli", "./server", "./prisma", "./bench", "./tests"],
    message: "app/domain is pure TypeScript: it imports nothing outside app/domain.",
  },
  {
    target: "./app/routes",
    from: "./app/models",
    message: "Routes call services; only services (and jobs) call models.",
  },
  {
    target: "./cli",
    from: "./app/models",
    message: "The CLI is thin: it calls services and domain code, not models.",
  },
  {
    target: "./app/models",
    from: ["./app/services", "./app/jobs"],
    message: "Models are the bottom layer: they never import services or jobs (pass data in instead).",
  },
  {
    target: [
      "./app/domain",
      "./app/models",
      "./app/services",
      "./app/jobs",
      "./app/lib",
      "./app/i18n",
      "./app/graphql",
      "./app/components",
      "./cli",
      "./server",
    ],
    from: "./app/routes",
    message: "Nothing imports a route: move shared code to a service, app/lib or app/components.",
  },
];

// Prisma calls that only models and the transaction helper make. The rest of the code opens a
// transaction with `inTransaction` (app/lib/transaction.server.ts) and hands it to models.
const noRawPrismaCalls = {
  selector: "MemberExpression[property.name=/^\\$(transaction|queryRaw|queryRawUnsafe|executeRaw|executeRawUnsafe)$/]",
  message: "Open transactions with inTransaction (app/lib/transaction.server.ts) and run SQL only in app/models.",
};

export default defineConfig(
  {
    ignores: [
      "build/**",
      "public/build/**",
      ".cache/**",
      "data/**",
      "tmp/**",
      "tmp-*/**",
      "test-results/**",
      "bench/results/**",
      ".shopify/**",
      "**/node_modules/**",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
    },
  },
  {
    files: ["app/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ["app/**/*.{ts,tsx}"],
    ...reactHooks.configs.flat.recommended,
  },

  // Architecture.
  {
    files: ["**/*.{ts,tsx,js,mjs}"],
    plugins: { "import-x": importX },
    settings: {
      // Without these import-x parses no .ts file, and no-cycle silently finds nothing.
      "import-x/extensions": [".ts", ".tsx", ".js", ".mjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones: layerZones }],
      "@typescript-eslint/no-restricted-imports": ["error", { patterns: [prismaValuesOnlyInModels] }],
    },
  },
  {
    files: ["app/**/*.{ts,tsx}", "cli/**/*.ts", "server/**/*.ts"],
    ignores: ["app/models/**", "app/lib/database.server.ts", "app/lib/db.server.ts", "app/lib/transaction.server.ts"],
    rules: { "no-restricted-syntax": ["error", noRawPrismaCalls] },
  },
  {
    files: DATABASE_FILES,
    rules: { "@typescript-eslint/no-restricted-imports": "off" },
  },
  {
    files: ["app/domain/**"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns: [noPackagesInDomain] }] },
  },
  {
    // Cycles make module initialisation order-dependent (a model importing a service that imports it back).
    files: ["app/**/*.{ts,tsx}"],
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
);
