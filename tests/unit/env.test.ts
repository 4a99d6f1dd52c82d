import { describe, expect, it } from "vitest";
import { DEFAULT_SCOPES, DEMO_DEFAULTS, EnvError, loadEnv } from "~/lib/env.server";

const production = {
  NODE_ENV: "production",
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://rapport.example.com/",
};

function problemsOf(source: Record<string, string | undefined>): string[] {
  try {
    loadEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as EnvError).problems;
  }
  throw new Error("expected loadEnv to throw");
}

describe("environment validation", () => {
  it("accepts a complete production environment and normalises it", () => {
    const env = loadEnv({ ...production, PORT: "8080", DATABASE_URL: "postgresql://u@db:5432/rapport" });
    expect(env.PORT).toBe(8080);
    expect(env.demo).toBe(false);
    expect(env.SHOPIFY_APP_URL).toBe("https://rapport.example.com");
    expect(env.SCOPES).toEqual(DEFAULT_SCOPES.split(","));
    expect(env.DATABASE_URL).toBe("postgresql://u@db:5432/rapport");
  });

  it("names every missing Shopify variable in one message", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^SHOPIFY_API_KEY is required/);
    expect(problems[1]).toMatch(/^SHOPIFY_API_SECRET is required/);
    expect(problems[2]).toMatch(/^SHOPIFY_APP_URL is required/);
    try {
      loadEnv({ NODE_ENV: "production" });
    } catch (error) {
      expect((error as Error).message).toContain("3 environment variables are missing or invalid");
      expect((error as Error).message).toContain("  - SHOPIFY_API_KEY");
    }
  });

  it("explains bad values: port, URL, database URL, log level, flags", () => {
    const problems = problemsOf({
      ...production,
      PORT: "seventy",
      SHOPIFY_APP_URL: "ftp://example.com",
      DATABASE_URL: "mysql://root@localhost/db",
      LOG_LEVEL: "loud",
      RAPPORT_DEMO: "maybe",
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT must be a port number/),
        expect.stringMatching(/^SHOPIFY_APP_URL must be an http\(s\) URL \(got "ftp:\/\/example.com"\)/),
        expect.stringMatching(/^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/),
        expect.stringMatching(/^LOG_LEVEL must be one of/),
        expect.stringMatching(/^RAPPORT_DEMO must be 1\/true or 0\/false \(got "maybe"\)/),
      ]),
    );
  });

  it("rejects a port out of range", () => {
    expect(problemsOf({ ...production, PORT: "70000" })).toEqual(["PORT must be between 1 and 65535"]);
  });

  it("refuses demo mode in production", () => {
    const problems = problemsOf({ ...production, RAPPORT_DEMO: "1" });
    expect(problems).toEqual([expect.stringMatching(/^RAPPORT_DEMO demo mode is refused when NODE_ENV=production/)]);
  });

  it("gives demo mode defaults where variables are unset, and keeps the ones that are set", () => {
    const demo = loadEnv({ RAPPORT_DEMO: "true", PORT: "4000" });
    expect(demo.demo).toBe(true);
    expect(demo.SHOPIFY_API_KEY).toBe(DEMO_DEFAULTS.SHOPIFY_API_KEY);
    expect(demo.SHOPIFY_API_SECRET).toBe(DEMO_DEFAULTS.SHOPIFY_API_SECRET);
    expect(demo.SHOPIFY_APP_URL).toBe("http://localhost:4000");

    const signed = loadEnv({ RAPPORT_DEMO: "1", SHOPIFY_API_SECRET: "my-secret", SHOPIFY_APP_URL: "https://demo.example.com" });
    expect(signed.SHOPIFY_API_SECRET).toBe("my-secret");
    expect(signed.SHOPIFY_APP_URL).toBe("https://demo.example.com");
  });
});
