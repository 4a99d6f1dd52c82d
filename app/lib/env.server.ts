// The environment, validated once at start-up. A bad or missing variable stops the process
// with a sentence per variable, instead of failing later in a request.
import { z } from "zod";
import { DatabaseUrlError, parseDatabaseUrl } from "./database.server";

const flag = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === "") return false;
    if (["1", "true", "yes", "on"].includes(value.toLowerCase())) return true;
    if (["0", "false", "no", "off"].includes(value.toLowerCase())) return false;
    ctx.addIssue({ code: "custom", message: `must be 1/true or 0/false (got "${value}")` });
    return z.NEVER;
  });

export const DEMO_DEFAULTS = {
  SHOPIFY_API_KEY: "rapport-demo-api-key",
  SHOPIFY_API_SECRET: "rapport-demo-api-secret",
  SHOP: "rapport-demo.myshopify.com",
} as const;

export const DEFAULT_SCOPES = "read_orders,read_all_orders,read_customers,read_products,write_customers,write_app_proxy";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"], { error: "must be development, production or test" }).default("development"),
  PORT: z.coerce
    .number({ error: "must be a port number" })
    .int("must be a whole number")
    .min(1, "must be between 1 and 65535")
    .max(65535, "must be between 1 and 65535")
    .default(3000),
  RAPPORT_DEMO: flag,
  SHOPIFY_API_KEY: z.string().optional(),
  SHOPIFY_API_SECRET: z.string().optional(),
  SHOPIFY_APP_URL: z.string().optional(),
  SCOPES: z.string().default(DEFAULT_SCOPES),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  SHOPIFY_ADMIN_ORIGIN: z.string().optional(),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { error: "must be one of fatal, error, warn, info, debug, trace, silent" })
    .default("info"),
});

/** Checks across variables, on the raw values so they run even when a field failed above. */
function crossChecks(source: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const demo = flag.safeParse(source.RAPPORT_DEMO);
  const isDemo = demo.success && demo.data;
  if (isDemo && source.NODE_ENV === "production") {
    problems.push("RAPPORT_DEMO demo mode is refused when NODE_ENV=production (it opens /app without Shopify authentication)");
  }
  if (!isDemo) {
    const required = {
      SHOPIFY_API_KEY: "the app's client id, from the Partner Dashboard or `shopify app env show`",
      SHOPIFY_API_SECRET: "the app's client secret, from the Partner Dashboard or `shopify app env show`",
      SHOPIFY_APP_URL: "the public HTTPS address of this server, e.g. https://rapport.example.com",
    } as const;
    for (const [name, hint] of Object.entries(required)) {
      if (!source[name]) problems.push(`${name} is required: ${hint}`);
    }
  }
  if (source.SHOPIFY_APP_URL) {
    let valid: boolean;
    try {
      valid = ["http:", "https:"].includes(new URL(source.SHOPIFY_APP_URL).protocol);
    } catch {
      valid = false;
    }
    if (!valid) problems.push(`SHOPIFY_APP_URL must be an http(s) URL (got "${source.SHOPIFY_APP_URL}")`);
  }
  if (source.SHOPIFY_ADMIN_ORIGIN) {
    // A local Admin API (tests, `rapport simulate-shopify`): never in production, where it would
    // send a shop's access token to another host.
    if (source.NODE_ENV === "production") {
      problems.push("SHOPIFY_ADMIN_ORIGIN is refused when NODE_ENV=production (it sends Admin API calls and access tokens to another host)");
    } else if (!/^https?:\/\/[^/]+$/.test(source.SHOPIFY_ADMIN_ORIGIN.replace(/\/$/, ""))) {
      problems.push(`SHOPIFY_ADMIN_ORIGIN must be an origin such as http://127.0.0.1:8787, without a path (got "${source.SHOPIFY_ADMIN_ORIGIN}")`);
    }
  }
  try {
    parseDatabaseUrl(source.DATABASE_URL);
  } catch (error) {
    if (!(error instanceof DatabaseUrlError)) throw error;
    problems.push(`DATABASE_URL ${error.message.replace(/^DATABASE_URL /, "")}`);
  }
  return problems;
}

export interface Env {
  NODE_ENV: "development" | "production" | "test";
  PORT: number;
  demo: boolean;
  SHOPIFY_API_KEY: string;
  SHOPIFY_API_SECRET: string;
  SHOPIFY_APP_URL: string;
  SCOPES: string[];
  SHOP_CUSTOM_DOMAIN?: string;
  DATABASE_URL?: string;
  /** Where Admin API calls go instead of https://<shop> (tests and the local simulator only). */
  SHOPIFY_ADMIN_ORIGIN?: string;
  LOG_LEVEL: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
}

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(
      `Rapport cannot start: ${problems.length === 1 ? "one environment variable is" : `${problems.length} environment variables are`} missing or invalid.\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        '\nSee .env.example and the README section "Connecting a real Shopify store".',
    );
    this.name = "EnvError";
  }
}

/** Validates `source` (process.env by default); throws EnvError naming each bad variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = schema.safeParse(source);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".") || "environment"} ${issue.message}`);
  problems.push(...crossChecks(source));
  if (!parsed.success || problems.length) throw new EnvError(problems);
  const env = parsed.data;
  // Demo mode reads the same variables as production, with demo defaults where unset, so that
  // signed webhooks and app proxy calls can be sent to a demo server.
  const demo = env.RAPPORT_DEMO;
  return {
    NODE_ENV: env.NODE_ENV,
    PORT: env.PORT,
    demo,
    SHOPIFY_API_KEY: env.SHOPIFY_API_KEY || DEMO_DEFAULTS.SHOPIFY_API_KEY,
    SHOPIFY_API_SECRET: env.SHOPIFY_API_SECRET || DEMO_DEFAULTS.SHOPIFY_API_SECRET,
    SHOPIFY_APP_URL: (env.SHOPIFY_APP_URL || `http://localhost:${env.PORT}`).replace(/\/$/, ""),
    SCOPES: env.SCOPES.split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    SHOP_CUSTOM_DOMAIN: env.SHOP_CUSTOM_DOMAIN || undefined,
    DATABASE_URL: env.DATABASE_URL || undefined,
    SHOPIFY_ADMIN_ORIGIN: env.SHOPIFY_ADMIN_ORIGIN ? env.SHOPIFY_ADMIN_ORIGIN.replace(/\/$/, "") : undefined,
    LOG_LEVEL: env.LOG_LEVEL,
  };
}

let cached: Env | undefined;
/** The validated environment of this process (validated on first use). */
export function env(): Env {
  cached ??= loadEnv();
  return cached;
}
