// Renders the theme app extension's REAL Liquid blocks for the demo storefront with liquidjs,
// the way Shopify's theme engine would: a `schema` tag that renders nothing, the `t` filter
// over the extension's locales, `render` of its snippets. Only the filters the blocks use are
// registered; with `strictFilters` (tests) anything else fails loudly.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Liquid, type TagToken, type TopLevelToken } from "liquidjs";

export const EXTENSION_DIR = path.resolve(process.cwd(), "extensions", "rapport-storefront");

type Translations = Record<string, unknown>;
const localeCache = new Map<string, Translations>();

function translations(locale: string): Translations {
  let value = localeCache.get(locale);
  if (!value) {
    const file = locale === "en" ? "en.default.json" : `${locale}.json`;
    try {
      value = JSON.parse(readFileSync(path.join(EXTENSION_DIR, "locales", file), "utf8")) as Translations;
    } catch {
      value = {};
    }
    localeCache.set(locale, value);
  }
  return value;
}

function lookup(tree: Translations, key: string): string | undefined {
  let node: unknown = tree;
  for (const part of key.split(".")) node = node && typeof node === "object" ? (node as Translations)[part] : undefined;
  return typeof node === "string" ? node : undefined;
}

/** Shopify's `t` filter: the shop locale's string, else the default locale's, with {{ var }} interpolation. */
export function translate(locale: string, key: string, vars: Record<string, unknown> = {}): string {
  const text = lookup(translations(locale), key) ?? lookup(translations("en"), key);
  if (text === undefined) return `translation missing: ${locale}.${key}`;
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(vars[name] ?? ""));
}

export function createEngine(options: { locale: string; strict?: boolean }): Liquid {
  const engine = new Liquid({
    root: [path.join(EXTENSION_DIR, "blocks")],
    partials: [path.join(EXTENSION_DIR, "snippets")],
    extname: ".liquid",
    strictFilters: options.strict ?? false,
    cache: !options.strict,
  });
  // {% schema %}…{% endschema %} is read by Shopify, never rendered.
  engine.registerTag("schema", {
    parse(_token: TagToken, remain: TopLevelToken[]) {
      for (;;) {
        const next = remain.shift();
        if (!next) throw new Error("{% schema %} without {% endschema %}");
        if ((next as TagToken).name === "endschema") return;
      }
    },
    render() {
      return "";
    },
  });
  engine.registerFilter("t", (key: string, ...args: unknown[]) => {
    const vars = Object.fromEntries(args.filter((a): a is [string, unknown] => Array.isArray(a) && a.length === 2));
    return translate(options.locale, key, vars);
  });
  return engine;
}

export interface BlockSchema {
  javascript?: string;
  stylesheet?: string;
  settings: { id: string; default?: unknown }[];
}

/** The block's {% schema %} JSON: its default settings and the assets Shopify loads for it. */
export function readBlockSchema(block: string): BlockSchema {
  const text = readFileSync(path.join(EXTENSION_DIR, "blocks", `${block}.liquid`), "utf8");
  const match = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(text);
  if (!match) throw new Error(`blocks/${block}.liquid has no schema`);
  return JSON.parse(match[1]) as BlockSchema;
}

export function defaultSettings(schema: BlockSchema): Record<string, unknown> {
  return Object.fromEntries(schema.settings.filter((s) => s.default !== undefined).map((s) => [s.id, s.default]));
}

export function renderBlock(engine: Liquid, block: string, context: Record<string, unknown>): Promise<string> {
  return engine.renderFile(block, context) as Promise<string>;
}
