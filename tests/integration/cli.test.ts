import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { BACKENDS, createTestDatabase, type TestDatabase } from "../helpers/db";

const SHOP = "cli-demo.myshopify.com";

describe.each(BACKENDS)("the rapport CLI on %s", (backend) => {
  let test: TestDatabase;
  const run = (...args: string[]) => runCli(args, { DATABASE_URL: test.url });

  beforeAll(async () => {
    test = await createTestDatabase(backend);
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("db migrate applies the migrations, then reports the schema up to date", async () => {
    const first = await run("db", "migrate");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration\(s\)/);
    expect(first.stdout).toContain("_init");

    const second = await run("db", "migrate");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("is up to date; no migration to apply");
  });

  it("demo seed fills a shop and stats reports the same figures as JSON", async () => {
    const seeded = await run(
      "demo",
      "seed",
      "--customers",
      "80",
      "--orders",
      "600",
      "--products",
      "30",
      "--months",
      "12",
      "--seed",
      "3",
      "--end-date",
      "2026-01-31",
      "--shop",
      SHOP,
    );
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(new RegExp(`Seeded ${SHOP} .*: 30 products, 80 customers, 600 orders, 1831 checkouts\\.`));

    const stats = await run("stats", "--shop", SHOP, "--json");
    expect(stats.code).toBe(0);
    const health = JSON.parse(stats.stdout);
    expect(health.shop).toMatchObject({ domain: SHOP, currency: "EUR", ianaTimezone: "Europe/Paris" });
    // The seeded shop is deterministic (seed 3): its exact figures. Test orders are not counted.
    expect(health).toMatchObject({
      customers: 80,
      orders: 598,
      cancelledOrders: 10,
      products: 30,
      checkouts: 1831,
      grossRevenue: "47233.70",
      refunded: "938.62",
      netRevenue: "46295.08",
      firstOrderAt: "2025-02-04T09:53:55.000Z",
      lastOrderAt: "2026-01-30T21:53:09.000Z",
    });

    const text = await run("stats", "--shop", SHOP);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("customers        80\n");

    const again = await run("demo", "seed", "--shop", SHOP);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${SHOP} already has 600 orders`);
  });

  it("kpis prints amounts as exact decimal strings, the whole history's net revenue equal to stats'", async () => {
    const health = JSON.parse((await run("stats", "--shop", SHOP, "--json")).stdout);
    const all = await run("kpis", "--shop", SHOP, "--from", "2024-01-01", "--to", "2026-01-31", "--json");
    expect(all.code).toBe(0);
    const k = JSON.parse(all.stdout);
    expect([k.from, k.to, k.currency, k.timeZone]).toEqual(["2024-01-01", "2026-01-31", "EUR", "Europe/Paris"]);
    expect(k.current.netRevenue).toMatch(/^\d+\.\d{2}$/);
    expect(Number(k.current.netRevenue)).toBe(Number(health.netRevenue));
    expect(k.current.orders).toBe(health.orders - health.cancelledOrders);
    for (const key of ["guestNetRevenue", "averageOrderValue", "historicalClv"]) expect(k.current[key], key).toMatch(/^\d+\.\d{2}$/);
    expect(k.current.predictedClv12m).toBeNull();
    expect(typeof k.current.repeatPurchaseRate).toBe("number");
    expect(Object.keys(k.current).sort()).toEqual(
      [
        "averageOrderValue",
        "cac",
        "cartAbandonmentRate",
        "churnRate",
        "customers",
        "guestNetRevenue",
        "guestOrders",
        "historicalClv",
        "ltvBasis",
        "ltvToCac",
        "marketingSpend",
        "medianDaysToSecondOrder",
        "modelChurnRate",
        "netRevenue",
        "newCustomers",
        "nps",
        "orders",
        "predictedClv12m",
        "purchaseFrequency",
        "repeatPurchaseRate",
        "retentionRate",
        "returningCustomers",
      ].sort(),
    );
    const text = await run("kpis", "--shop", SHOP, "--from", "2024-01-01", "--to", "2026-01-31");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`net revenue            ${k.current.netRevenue} EUR`);
  });

  it("answers errors with a sentence and a non-zero exit code", async () => {
    const unknownShop = await run("stats", "--shop", "nobody.myshopify.com");
    expect(unknownShop.code).toBe(1);
    expect(unknownShop.stderr).toContain('No shop named "nobody.myshopify.com" is stored in this database.');

    const missingFlag = await run("stats");
    expect(missingFlag.code).toBe(2);
    expect(missingFlag.stderr).toContain("--shop is required");

    const badNumber = await run("demo", "seed", "--orders", "many");
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--orders must be a whole number of at least 1 (got "many")');

    const badDate = await run("demo", "seed", "--end-date", "2026-02-30");
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain("--end-date must be a date written YYYY-MM-DD");
  });
});

describe("the rapport CLI without a database", () => {
  it("lists its commands and refuses unknown ones", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: rapport <command>");
    for (const command of ["db", "demo", "stats", "rfm", "clv"]) expect(help.stdout).toContain(`  ${command}`);

    const unknown = await runCli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');

    const flag = await runCli(["stats", "--verbose"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--verbose'/);
  });

  it("names a bad DATABASE_URL", async () => {
    const result = await runCli(["db", "migrate"], { DATABASE_URL: "mysql://root@localhost/shop" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DATABASE_URL must be a postgres:// or postgresql:// URL");
  });
});
