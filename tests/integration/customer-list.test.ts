// The customers page's reads (keyset pages both ways, search, filters, sorts, counts, shop
// scope), the profile's, and the settings page's writes, on both backends with exact values.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCustomerQuery } from "~/domain/customerList";
import { getCustomerProfile, listCustomers } from "~/services/customers.server";
import { getSegmentRules, getSettingsPage, previewRules, saveRules, saveSpend } from "~/services/settings.server";
import { useDatabase } from "../helpers/app";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "list-test.myshopify.com";
const OTHER = "other-list-test.myshopify.com";

// id, first, last, email, metrics (segment, r, f, m, orders, monetary, pAlive, clv, last order) or null.
type M = [string, number, number, number, number, string, number | null, string | null, string];
const PEOPLE: [number, string, string, string, M | null][] = [
  [1, "Camille", "Martin", "camille.martin@example.com", ["champions", 5, 5, 5, 12, "1200.00", 0.95, "800.00", "2026-11-20T10:00:00Z"]],
  [2, "Louis", "Dubois", "louis@example.com", ["at_risk", 1, 4, 5, 8, "950.50", 0.12, "40.00", "2025-06-01T09:00:00Z"]],
  [3, "Emma", "Dubois", "emma.d@example.com", ["new_customers", 5, 1, 2, 1, "35.00", 1, "150.00", "2026-11-21T23:30:00Z"]],
  [4, "Hugo", "Petit", "hugo@example.com", ["lost", 1, 1, 1, 1, "20.00", 0.5, "10.00", "2024-12-01T12:00:00Z"]],
  [5, "Léa", "Martin", "lea.martin@example.com", ["champions", 5, 5, 4, 9, "700.00", null, null, "2026-11-20T10:00:00Z"]],
  [6, "Jules", "Moreau", "jules@example.com", ["about_to_sleep", 2, 2, 2, 2, "80.00", 0.45, "60.00", "2026-03-31T22:30:00Z"]],
  [7, "Manon", "Dubois", "manon@example.com", null],
];

describe.each(BACKENDS)("customer list and settings on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  const q = (query: string, limit = 50) => listCustomers(SHOP, parseCustomerQuery(new URLSearchParams(query), limit));
  const names = (page: Awaited<ReturnType<typeof q>>) => page.customers.map((c) => c.name);

  beforeAll(async () => {
    ctx = await openMigrated(backend);
    useDatabase(ctx.db);
    const run = (sql: string, ...params: unknown[]) => ctx.db.prisma.$executeRawUnsafe(sql, ...params);
    for (const shop of [SHOP, OTHER]) {
      await run(
        `INSERT INTO "Shop" (domain, currency, "ianaTimezone", "updatedAt", settings) VALUES ($1, 'EUR', 'Europe/Paris', now(), '{"survey":{"every":30}}')`,
        shop,
      );
    }
    for (const [id, first, last, email, m] of PEOPLE) {
      await run(`INSERT INTO "Customer" (id, shop, "shopifyId", "updatedAt") VALUES ($1, $2, $3, now())`, id, SHOP, String(9000 + id));
      await run(
        `INSERT INTO "CustomerProfile" ("customerId", shop, email, "firstName", "lastName") VALUES ($1, $2, $3, $4, $5)`,
        id,
        SHOP,
        email,
        first,
        last,
      );
      if (!m) continue;
      const [segment, r, f, mm, orders, monetary, pAlive, clv, lastOrder] = m;
      await run(
        `INSERT INTO "CustomerMetrics" ("customerId", shop, "recencyDays", frequency, "purchaseDays", monetary, currency, "rScore", "fScore", "mScore", segment,
           "segmentChangedAt", "pAlive", "predictedClv12m", "firstOrderAt", "lastOrderAt", "lowConfidence", "computedAt")
         VALUES ($1, $2, 1, $3, $3, $4::numeric, 'EUR', $5, $6, $7, $8, now(), $9, $10::numeric, $11::timestamp - interval '400 days', $11::timestamp, false, now())`,
        id,
        SHOP,
        orders,
        monetary,
        r,
        f,
        mm,
        segment,
        pAlive,
        clv,
        lastOrder,
      );
    }
    // Another shop's Dubois: never listed here.
    await run(`INSERT INTO "Customer" (id, shop, "shopifyId", "updatedAt") VALUES (100, $1, '9100', now())`, OTHER);
    await run(
      `INSERT INTO "CustomerProfile" ("customerId", shop, email, "firstName", "lastName") VALUES (100, $1, 'x@example.com', 'Paul', 'Dubois')`,
      OTHER,
    );
  });
  afterAll(async () => {
    useDatabase(undefined);
    await ctx?.cleanup();
  });

  it("pages by last order (newest first, ties by id), then customers without orders, forwards and back", async () => {
    const p1 = await q("", 2);
    expect(names(p1)).toEqual(["Emma Dubois", "Léa Martin"]);
    expect(p1).toMatchObject({ total: 7, withoutOrders: 1, capped: false, previous: null });
    const p2 = await q(`after=${p1.next}`, 2);
    expect(names(p2)).toEqual(["Camille Martin", "Jules Moreau"]);
    const p3 = await q(`after=${p2.next}`, 2);
    expect(names(p3)).toEqual(["Louis Dubois", "Hugo Petit"]);
    const p4 = await q(`after=${p3.next}`, 2);
    expect(names(p4)).toEqual(["Manon Dubois"]);
    expect(p4.next).toBeNull();
    expect(p4.customers[0]).toMatchObject({ segment: null, orders: null, revenue: null, id: "9007" });
    // Back from the last page (phase 2) into phase 1, then to the start.
    const back3 = await q(`before=${p4.previous}`, 2);
    expect(names(back3)).toEqual(["Louis Dubois", "Hugo Petit"]);
    const back1 = await q(`before=${p2.previous}`, 2);
    expect(names(back1)).toEqual(["Emma Dubois", "Léa Martin"]);
    expect(back1.previous).toBeNull();
  });

  it("searches names and e-mails in any case, every word, in this shop only", async () => {
    expect(names(await q("q=DUBOIS"))).toEqual(["Emma Dubois", "Louis Dubois", "Manon Dubois"]);
    expect(names(await q("q=camille%20MARTIN"))).toEqual(["Camille Martin"]);
    expect(names(await q("q=lea.martin@"))).toEqual(["Léa Martin"]);
    expect(names(await q("q=100%25"))).toEqual([]);
    expect((await q("q=dubois")).total).toBe(3);
  });

  it("filters by segment, RFM cell, churn risk, predicted CLV and last order day in the shop's zone", async () => {
    expect(names(await q("segment=champions"))).toEqual(["Léa Martin", "Camille Martin"]);
    expect((await q("segment=champions")).withoutOrders).toBe(0);
    expect(names(await q("r=1&f=4"))).toEqual(["Louis Dubois"]);
    expect(names(await q("risk=high"))).toEqual(["Louis Dubois"]);
    expect(names(await q("risk=medium"))).toEqual(["Jules Moreau", "Hugo Petit"]);
    expect(names(await q("risk=low"))).toEqual(["Emma Dubois", "Camille Martin"]);
    expect(names(await q("clvMin=60&clvMax=800"))).toEqual(["Emma Dubois", "Camille Martin", "Jules Moreau"]);
    // 2026-03-31T22:30Z is 1 April 00:30 in Paris; 2026-11-21T23:30Z is 22 November in Paris.
    expect(names(await q("from=2026-04-01&to=2026-11-21"))).toEqual(["Léa Martin", "Camille Martin", "Jules Moreau"]);
    expect(names(await q("from=2026-11-22"))).toEqual(["Emma Dubois"]);
  });

  it("sorts by any metric both ways (unknown predictions last when ascending)", async () => {
    expect(names(await q("sort=monetary"))).toEqual([
      "Camille Martin",
      "Louis Dubois",
      "Léa Martin",
      "Jules Moreau",
      "Emma Dubois",
      "Hugo Petit",
      "Manon Dubois",
    ]);
    expect(names(await q("sort=frequency&dir=asc")).slice(0, 3)).toEqual(["Emma Dubois", "Hugo Petit", "Jules Moreau"]);
    expect(names(await q("sort=pAlive&dir=asc")).slice(0, 6)).toEqual([
      "Louis Dubois",
      "Jules Moreau",
      "Hugo Petit",
      "Camille Martin",
      "Emma Dubois",
      "Léa Martin",
    ]);
    const byClv = await q("sort=predictedClv12m&dir=asc", 3);
    expect(names(byClv)).toEqual(["Hugo Petit", "Louis Dubois", "Jules Moreau"]);
    expect(names(await q(`sort=predictedClv12m&dir=asc&after=${byClv.next}`, 3))).toEqual(["Emma Dubois", "Camille Martin", "Léa Martin"]);
    expect(byClv.customers[0]).toMatchObject({ revenue: "20.00", predictedClv: "10.00", risk: "medium", r: 1, f: 1, m: 1 });
  });

  it("shows a profile of this shop only", async () => {
    const profile = await getCustomerProfile(SHOP, "9001");
    expect(profile?.customer).toMatchObject({ name: "Camille Martin", email: "camille.martin@example.com" });
    expect(profile?.metrics).toMatchObject({ segment: "champions", orders: 12, revenue: "1200.00", aov: "100.00", pAlive: 0.95, risk: "low" });
    expect(await getCustomerProfile(SHOP, "9100")).toBeNull();
    expect(await getCustomerProfile(OTHER, "9001")).toBeNull();
  });

  it("validates, previews and saves a rule table without touching other settings", async () => {
    const bad = await saveRules(SHOP, [{ key: "Big Spenders", r: { min: 1, max: 5 }, f: { min: 1, max: 5 }, m: { min: 5, max: 6 } }]);
    expect(bad.problems).toEqual([
      { key: "rules.badKey", params: { segment: "Big Spenders" } },
      { key: "rules.badRange", params: { segment: "Big Spenders", dimension: "M", min: 5, max: 6 } },
    ]);
    const rules = [
      { key: "big", r: { min: 1, max: 5 }, f: { min: 1, max: 5 }, m: { min: 5, max: 5 } },
      { key: "recent", r: { min: 5, max: 5 }, f: { min: 1, max: 5 }, m: { min: 1, max: 5 } },
    ];
    const preview = await previewRules(SHOP, rules);
    expect(preview.ok && preview.counts).toEqual([
      { segment: "big", customers: 2 },
      { segment: "recent", customers: 2 },
      { segment: "others", customers: 2 },
    ]);
    expect((await saveRules(SHOP, rules)).ok).toBe(true);
    expect(await getSegmentRules(SHOP)).toEqual({ rules, custom: true });
    const [row] = await ctx.db.prisma.$queryRawUnsafe<{ settings: Record<string, unknown> }[]>(`SELECT settings FROM "Shop" WHERE domain = $1`, SHOP);
    expect(row.settings.survey).toEqual({ every: 30 });
  });

  it("saves pasted spend only when every line is right, naming the bad lines", async () => {
    const bad = await saveSpend(SHOP, "month;amount\n2026-10;1200,50\n2026-13;4\n2026-10;5\nnope");
    expect(bad.problems).toEqual([
      { key: "settings.spend.badMonth", params: { line: 3, value: "2026-13" } },
      { key: "settings.spend.duplicate", params: { line: 4, month: "2026-10", first: 2 } },
      { key: "settings.spend.badLine", params: { line: 5 } },
    ]);
    expect((await getSettingsPage(SHOP)).spend).toEqual([]);
    expect(await saveSpend(SHOP, "2026-10;1200,50\n2026-11,300")).toMatchObject({ ok: true, saved: 2 });
    expect(await saveSpend(SHOP, "2026-11,350.5")).toMatchObject({ ok: true, saved: 1 });
    expect((await getSettingsPage(SHOP)).spend).toEqual([
      { month: "2026-10", amount: "1200.50" },
      { month: "2026-11", amount: "350.50" },
    ]);
  });
});
