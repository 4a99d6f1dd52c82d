// The theme app extension passes Shopify's own Theme Check (offline, the theme-app-extension
// rule set) with no error and no warning, and each JavaScript asset stays within Shopify's
// budget for app blocks: 10,000 bytes raw (AssetSizeAppBlockJavaScript) and 5 KB gzip (ours).
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { themeCheckRun } from "@shopify/theme-check-node";
import { describe, expect, it } from "vitest";

const EXTENSION = path.resolve(import.meta.dirname, "../../extensions/rapport-storefront");

describe("the theme app extension", () => {
  it("passes Theme Check with zero errors and zero warnings", async () => {
    const { offenses } = await themeCheckRun(EXTENSION, undefined, () => {});
    const problems = offenses.filter((o) => o.severity <= 1).map((o) => `${o.check} ${o.uri}: ${o.message}`);
    expect(problems).toEqual([]);
  });

  it("Theme Check really checks it: a missing translation key is reported", async () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), "rapport-theme-check-"));
    try {
      cpSync(EXTENSION, copy, { recursive: true });
      const block = path.join(copy, "blocks", "recommendations.liquid");
      writeFileSync(block, readFileSync(block, "utf8").replace("'recommendations.added' | t", "'recommendations.missing_key' | t"));
      const { offenses } = await themeCheckRun(copy, undefined, () => {});
      expect(offenses.map((o) => o.check)).toContain("TranslationKeyExists");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("keeps each JavaScript asset under 10,000 bytes raw and 5 KB gzip", () => {
    const assets = path.join(EXTENSION, "assets");
    const scripts = readdirSync(assets).filter((name) => name.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(0);
    for (const name of scripts) {
      const raw = statSync(path.join(assets, name)).size;
      const gzip = gzipSync(readFileSync(path.join(assets, name)), { level: 9 }).length;
      expect({ name, raw: raw <= 10_000, gzip: gzip <= 5 * 1024 }).toEqual({ name, raw: true, gzip: true });
    }
  });

  it("has the same storefront and schema keys in English and French", () => {
    const keys = (file: string): string[] => {
      const walk = (value: unknown, prefix: string): string[] =>
        typeof value === "object" && value !== null ? Object.entries(value).flatMap(([k, v]) => walk(v, prefix ? `${prefix}.${k}` : k)) : [prefix];
      return walk(JSON.parse(readFileSync(path.join(EXTENSION, "locales", file), "utf8")), "").sort();
    };
    expect(keys("fr.json")).toEqual(keys("en.default.json"));
    expect(keys("fr.schema.json")).toEqual(keys("en.default.schema.json"));
  });
});
