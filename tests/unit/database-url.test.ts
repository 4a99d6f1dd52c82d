import path from "node:path";
import { describe, expect, it } from "vitest";
import { DatabaseUrlError, describeTarget, parseDatabaseUrl } from "~/lib/database.server";

describe("DATABASE_URL", () => {
  it("defaults to PGlite in ./data/pglite", () => {
    expect(parseDatabaseUrl(undefined, "/srv/app")).toEqual({ kind: "pglite", dataDir: "/srv/app/data/pglite" });
    expect(parseDatabaseUrl("  ", "/srv/app")).toEqual({ kind: "pglite", dataDir: "/srv/app/data/pglite" });
  });

  it("accepts pglite:<dir> and pglite:memory", () => {
    expect(parseDatabaseUrl("pglite:./db", "/srv/app")).toEqual({ kind: "pglite", dataDir: path.resolve("/srv/app/db") });
    expect(parseDatabaseUrl("pglite:/var/lib/rapport")).toEqual({ kind: "pglite", dataDir: "/var/lib/rapport" });
    expect(parseDatabaseUrl("pglite:memory")).toEqual({ kind: "pglite", dataDir: null });
  });

  it("accepts postgres:// and postgresql:// URLs", () => {
    expect(parseDatabaseUrl("postgres://u:p@h:5432/d")).toEqual({ kind: "postgres", url: "postgres://u:p@h:5432/d" });
    expect(parseDatabaseUrl("postgresql://u@h/d").kind).toBe("postgres");
  });

  it("refuses anything else with a sentence", () => {
    expect(() => parseDatabaseUrl("mysql://x")).toThrow(DatabaseUrlError);
    expect(() => parseDatabaseUrl("pglite:")).toThrow(/needs a folder/);
  });

  it("never prints a password when describing the target", () => {
    const text = describeTarget({ kind: "postgres", url: "postgresql://user:s3cret@db.internal:6543/rapport" });
    expect(text).toBe("PostgreSQL db.internal:6543/rapport");
    expect(text).not.toContain("s3cret");
  });
});
