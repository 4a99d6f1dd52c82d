// Incremental analysis on both databases (ADR 007): after an order, refund, cancellation,
// deletion or customer deletion is applied by the webhook worker, the customers involved get
// their CustomerMetrics rows recomputed against the last full run's frozen breakpoints and
// models, equal to what the full computation gives with those frozen values.
import { Prisma, type PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreWithFrozen, type FrozenScoring } from "~/domain/incremental";
import type { ModelSummary } from "~/domain/predictions";
import { OTHERS_KEY } from "~/domain/rfm";
import { zonedCalendar } from "~/domain/time";
import { WebhookWorker } from "~/jobs/webhookWorker.server";
import type { Database } from "~/lib/database.server";
import { setDatabase } from "~/lib/db.server";
import { aggregateCustomers, backtestAggregateOf, latestFrozenAnalysis, mergeAggregates, segmentMovesSince } from "~/models/analytics.server";
import { insertWebhookEvents } from "~/models/webhookEvent.server";
import { analyzeShop, customerMetricsBatch } from "~/services/analytics.server";
import { getSegmentSummary } from "~/services/analyticsReads.server";
import { refreshCustomerMetrics } from "~/services/incrementalAnalysis.server";
import { ensureShop, syncOrders } from "~/services/sync.server";
import { orderPayload } from "~/lib/shopifyPayloads";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "incremental.myshopify.com";
const TZ = "America/New_York";
const NOW = new Date("2026-11-22T12:00:00Z");
// Two days after the full run: recency and T move on, the breakpoints stay.
const LATER = new Date("2026-11-24T15:00:00Z");
const DAY_MS = 86_400_000;

type RawOrder = Record<string, unknown> & { id: string; customer: { id: string; email: null; updated_at: string } | null; total_price: string };

function rawOrder(o: { id: string; customer: string | null; at: string; total: string; updated?: string; cancelled?: boolean }): RawOrder {
  return {
    id: o.id,
    name: `#${o.id}`,
    email: null,
    created_at: o.at,
    processed_at: o.at,
    updated_at: o.updated ?? o.at,
    cancelled_at: o.cancelled ? (o.updated ?? o.at) : null,
    currency: "USD",
    total_price: o.total,
    subtotal_price: o.total,
    total_discounts: "0.00",
    total_tax: "0.00",
    test: false,
    customer: o.customer ? { id: o.customer, email: null, updated_at: "2026-01-01T00:00:00Z" } : null,
    line_items: [{ id: `${o.id}1`, title: "Tea", quantity: 1, price: o.total }],
    refunds: [],
  };
}

/** 80 customers, 1 to 8 orders each over 500 days (deterministic). */
function seedOrders(): RawOrder[] {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const orders: RawOrder[] = [];
  let id = 70000;
  for (let c = 0; c < 80; c++) {
    const n = 1 + Math.floor(rand() * rand() * 8);
    for (let k = 0; k < n; k++) {
      const at = new Date(NOW.getTime() - Math.floor(rand() * 500 * DAY_MS) - 3_600_000);
      orders.push(
        rawOrder({
          id: String(++id),
          customer: String(5000 + c),
          at: at.toISOString(),
          total: ((500 + Math.floor(rand() * 20000)) / 100).toFixed(2),
        }),
      );
    }
  }
  return orders;
}

/** Every column of a CustomerMetrics row, comparable with toEqual. */
function comparable(r: Prisma.CustomerMetricsGetPayload<object>) {
  const dec = (d: Prisma.Decimal | null) => (d === null ? null : d.toFixed(4));
  const at = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    ...r,
    monetary: dec(r.monetary),
    expectedOrderValue: dec(r.expectedOrderValue),
    predictedClv12m: dec(r.predictedClv12m),
    segmentChangedAt: at(r.segmentChangedAt),
    expectedNextOrderAt: at(r.expectedNextOrderAt),
    firstOrderAt: at(r.firstOrderAt),
    lastOrderAt: at(r.lastOrderAt),
    computedAt: at(r.computedAt),
  };
}

describe.each(BACKENDS)("incremental analysis on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let prisma: PrismaClient;
  const seeded = seedOrders();
  let eventSeq = 0;
  /** Full-run rows by Shopify customer id. */
  let fullRun: Map<string, ReturnType<typeof comparable>>;
  let idOf: Map<string, number>;

  beforeAll(async () => {
    const opened = await openMigrated(backend);
    db = opened.db;
    cleanup = opened.cleanup;
    prisma = db.prisma;
    setDatabase(db);
    await ensureShop(prisma, SHOP);
    await prisma.shop.update({ where: { domain: SHOP }, data: { ianaTimezone: TZ, currency: "USD" } });
    await syncOrders(
      prisma,
      SHOP,
      seeded.map((o) => orderPayload.parse(o)),
    );
    const customers = await prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true, shopifyId: true } });
    idOf = new Map(customers.map((c) => [c.shopifyId, c.id]));
  });
  afterAll(async () => {
    setDatabase(undefined);
    await cleanup?.();
  });

  async function rows() {
    const all = await prisma.customerMetrics.findMany({
      where: { shop: SHOP },
      include: { customer: { select: { shopifyId: true } } },
      orderBy: { customerId: "asc" },
    });
    return new Map(all.map(({ customer, ...r }) => [customer.shopifyId, comparable(r)]));
  }

  /** Stores events as the webhook route does and lets a worker whose clock reads `at` apply them. */
  async function deliver(at: Date, events: { topic: string; payload: unknown }[]) {
    await insertWebhookEvents(
      prisma,
      events.map((e) => ({
        shop: SHOP,
        topic: e.topic,
        eventId: `ev-${backend}-${++eventSeq}`,
        webhookId: null,
        apiVersion: "2026-10",
        triggeredAt: at,
        payloadJson: JSON.stringify(e.payload),
      })),
      new Date(at.getTime() - 60_000),
    );
    const worker = new WebhookWorker({ prisma, workerId: `incremental-${backend}`, clock: () => at });
    return worker.drain();
  }

  it("takes the backtest's columns from the same pass over the orders, equal to a plain per-customer query", async () => {
    const today = zonedCalendar(TZ).dayNumber(NOW.getTime());
    const cutoffDay = today - 90;
    const whole = await prisma.$transaction((tx) =>
      aggregateCustomers(tx, SHOP, { timeZone: TZ, now: NOW, windows: [], cohortFromMonth: 0, backtest: { cutoffDay, today } }),
    );
    const backtest = backtestAggregateOf(whole.customers, cutoffDay, whole.backtestWeeks);
    // The oracle: orders grouped by (customer, local day) up to the start of today, then per customer.
    const oracle = await prisma.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(`SELECT set_config('TimeZone', $1, true)`, TZ);
      return tx.$queryRawUnsafe<Record<string, number | bigint>[]>(
        `WITH d AS (
           SELECT "customerId" AS c, ((("processedAt" AT TIME ZONE 'UTC')::date) - DATE '1970-01-01')::int AS day,
                  SUM("totalPrice" - "totalRefunded") AS net
           FROM "Order"
           WHERE shop = $1 AND "cancelledAt" IS NULL AND NOT test AND "customerId" IS NOT NULL
             AND ((("processedAt" AT TIME ZONE 'UTC')::date) - DATE '1970-01-01') < $3
           GROUP BY 1, 2
         ), f AS (SELECT c, MIN(day) AS first_day FROM d GROUP BY c)
         SELECT f.first_day::int AS "firstDay", MAX(day) FILTER (WHERE day < $2)::int AS "lastDay",
                COUNT(*) FILTER (WHERE day < $2)::int AS "purchaseDays",
                COALESCE(SUM(net) FILTER (WHERE day > f.first_day AND day < $2), 0)::float8 AS "repeatNetRevenue",
                COUNT(*) FILTER (WHERE day >= $2)::int AS "holdoutDays",
                COALESCE(SUM(net) FILTER (WHERE day >= $2), 0)::float8 AS "holdoutRevenue"
         FROM d JOIN f USING (c) WHERE f.first_day < $2 GROUP BY c, f.first_day ORDER BY c`,
        SHOP,
        cutoffDay,
        today,
      );
    });
    expect(oracle.length).toBeGreaterThan(40);
    expect(backtest!.count).toBe(oracle.length);
    for (const key of ["firstDay", "lastDay", "purchaseDays", "repeatNetRevenue", "holdoutDays", "holdoutRevenue"] as const) {
      expect(Array.from(backtest![key]), key).toEqual(oracle.map((r) => Number(r[key])));
    }
    const holdoutDays = oracle.reduce((sum, r) => sum + Number(r.holdoutDays), 0);
    expect(holdoutDays).toBeGreaterThan(0);
    expect(backtest!.weeklyActual.reduce((a, b) => a + b, 0)).toBe(holdoutDays);
  });

  it("aggregates in parts (separate connections on PostgreSQL) to exactly the one-statement result", async () => {
    const today = zonedCalendar(TZ).dayNumber(NOW.getTime());
    const windows = [
      { from: new Date(NOW.getTime() - 90 * DAY_MS), to: NOW },
      { from: new Date(NOW.getTime() - 400 * DAY_MS), to: new Date(NOW.getTime() - 90 * DAY_MS) },
    ];
    const run = (part?: { index: number; of: number }) =>
      prisma.$transaction((tx) =>
        aggregateCustomers(tx, SHOP, { timeZone: TZ, now: NOW, windows, cohortFromMonth: 0, backtest: { cutoffDay: today - 90, today }, part }),
      );
    const whole = await run();
    expect(whole.customers.count).toBe(80);
    expect(whole.cohorts.length).toBeGreaterThan(10);
    for (const of of [2, 3]) {
      const parts = [];
      for (let index = 0; index < of; index++) parts.push(await run({ index, of }));
      expect(parts.every((p) => p.customers.count > 0 && p.customers.count < 80)).toBe(true);
      expect(mergeAggregates(parts)).toEqual(whole);
    }
  });

  it("reads the aggregate in chunks (a cursor) to exactly the one-chunk result, parts included", async () => {
    const today = zonedCalendar(TZ).dayNumber(NOW.getTime());
    const windows = [
      { from: new Date(NOW.getTime() - 90 * DAY_MS), to: NOW },
      { from: new Date(NOW.getTime() - 400 * DAY_MS), to: new Date(NOW.getTime() - 90 * DAY_MS) },
    ];
    const run = (chunkSize: number, part?: { index: number; of: number }) =>
      prisma.$transaction((tx) =>
        aggregateCustomers(tx, SHOP, {
          timeZone: TZ,
          now: NOW,
          windows,
          cohortFromMonth: 0,
          backtest: { cutoffDay: today - 90, today },
          part,
          chunkSize,
        }),
      );
    const whole = await run(1_000);
    expect(whole.customers.count).toBe(80);
    expect(whole.customers.calibration).toBeDefined();
    // 7 customers a chunk: 12 chunks, the last one short; 1 a chunk: one row per customer.
    for (const chunkSize of [1, 7, 79, 80]) expect(await run(chunkSize), `chunks of ${chunkSize}`).toEqual(whole);
    expect(mergeAggregates([await run(3, { index: 0, of: 2 }), await run(5, { index: 1, of: 2 })])).toEqual(whole);
    // A part without customers: no chunk at all.
    const empty = await prisma.$transaction((tx) =>
      aggregateCustomers(tx, SHOP, { timeZone: TZ, now: new Date("2000-01-01T00:00:00Z"), windows, cohortFromMonth: 0, chunkSize: 7 }),
    );
    expect(empty.customers.count).toBe(0);
    expect(empty.customers.customerId).toEqual(new Int32Array(0));
  });

  it("does nothing before the first full run (no frozen scoring)", async () => {
    const result = await deliver(NOW, [{ topic: "orders/updated", payload: { ...seeded[0], updated_at: NOW.toISOString() } }]);
    expect(result).toMatchObject({ processed: 1, dead: 0, retried: 0 });
    expect(await prisma.customerMetrics.count({ where: { shop: SHOP } })).toBe(0);
    expect(await refreshCustomerMetrics(prisma, SHOP, [idOf.get("5000")!], NOW)).toEqual({
      status: "no-analysis",
      updated: 0,
      removed: 0,
      moves: [],
    });
  });

  it("refreshing every customer at the full run's instant gives exactly the full run's rows", async () => {
    const summary = await analyzeShop(prisma, SHOP, { now: NOW });
    expect(summary.customers).toBe(80);
    fullRun = await rows();
    // The run's predictions are stored (the comparison below covers the model columns too).
    expect([...fullRun.values()].filter((r) => r.pAlive !== null && r.predictedClv12m !== null).length).toBeGreaterThan(0);
    const frozen = await latestFrozenAnalysis(prisma, SHOP);
    expect((frozen!.scoring as unknown as FrozenScoring).day).toBe(zonedCalendar(TZ).dayNumber(NOW.getTime()));

    const result = await refreshCustomerMetrics(prisma, SHOP, [...idOf.values()], NOW);
    expect(result).toEqual({ status: "refreshed", updated: 80, removed: 0, moves: [] });
    expect(await rows()).toEqual(fullRun);
    expect(await prisma.segmentMove.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("after orders, a refund, a cancellation and a deletion, the touched rows equal the full computation with the frozen scoring, and only they change", async () => {
    const byCustomer = (c: string) => seeded.filter((o) => o.customer?.id === c);
    // A long-gone single-order customer orders again (moves), one gets a refund, one an order
    // cancelled, one an order deleted, and a new customer appears.
    const single = [...fullRun].filter(([, r]) => r.frequency === 1 && r.rScore === 1).map(([c]) => c);
    const multi = [...fullRun].filter(([, r]) => r.frequency >= 2).map(([c]) => c);
    const [mover] = single;
    const [refunded, cancelled, deleted] = multi;
    expect([mover, refunded, cancelled, deleted].every(Boolean)).toBe(true);
    const refundOf = byCustomer(refunded)[0];
    const cancelOf = byCustomer(cancelled)[0];
    const deleteOf = byCustomer(deleted)[0];
    const at = new Date(LATER.getTime() - 3_600_000).toISOString();

    const result = await deliver(LATER, [
      { topic: "orders/create", payload: rawOrder({ id: "90001", customer: mover, at, total: "180.00" }) },
      { topic: "orders/create", payload: rawOrder({ id: "90002", customer: "6001", at, total: "42.00" }) },
      { topic: "orders/cancelled", payload: { ...cancelOf, cancelled_at: at, updated_at: LATER.toISOString() } },
      {
        topic: "refunds/create",
        payload: { id: "91001", order_id: refundOf.id, created_at: at, transactions: [{ kind: "refund", status: "success", amount: "5.00" }] },
      },
      { topic: "orders/delete", payload: { id: deleteOf.id } },
    ]);
    expect(result).toMatchObject({ processed: 5, dead: 0, retried: 0 });

    // Expected: the full aggregate of every customer as of LATER, scored by the domain with the
    // frozen scoring and models, written as the full run writes its batches.
    const frozen = (await latestFrozenAnalysis(prisma, SHOP))!;
    const scoring = frozen.scoring as unknown as FrozenScoring;
    const { customers: agg } = await prisma.$transaction((tx) =>
      aggregateCustomers(tx, SHOP, { timeZone: TZ, now: LATER, windows: [], cohortFromMonth: 0 }),
    );
    const { scored, predictions } = scoreWithFrozen(
      agg,
      scoring,
      frozen.model as unknown as ModelSummary,
      zonedCalendar(TZ).dayNumber(LATER.getTime()),
      LATER,
    );
    const names = [...scoring.rules.map((r) => r.key), OTHERS_KEY];
    const b = customerMetricsBatch(agg, scored, predictions, new Map(names.map((k, i) => [k, i])), 2, 0, agg.count);
    const dec = (v: string | null) => (v === null ? null : new Prisma.Decimal(v).toFixed(4));
    const expected = (i: number) => ({
      recencyDays: b.recencyDays[i],
      frequency: b.frequency[i],
      purchaseDays: b.purchaseDays[i],
      monetary: dec(b.monetary[i]),
      currency: "USD",
      rScore: b.rScore[i],
      fScore: b.fScore[i],
      mScore: b.mScore[i],
      segment: names[b.segment[i]],
      pAlive: b.pAlive[i],
      expectedPurchases12m: b.expectedPurchases12m[i],
      expectedOrderValue: dec(b.expectedOrderValue[i]),
      predictedClv12m: dec(b.predictedClv12m[i]),
      expectedNextOrderAt: b.expectedNextOrderAt[i]?.toISOString() ?? null,
      firstOrderAt: new Date(b.firstOrderAt[i]).toISOString(),
      lastOrderAt: new Date(b.lastOrderAt[i]).toISOString(),
      lowConfidence: frozen.lowConfidence,
      computedAt: LATER.toISOString(),
    });

    const after = await rows();
    const customers = await prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true, shopifyId: true } });
    idOf = new Map(customers.map((c) => [c.shopifyId, c.id]));
    const touched = [mover, "6001", cancelled, refunded, deleted];
    for (const c of touched) {
      const i = agg.customerId.indexOf(idOf.get(c)!);
      expect(i).toBeGreaterThanOrEqual(0);
      // The sort keys are generated by the database from pAlive and predictedClv12m (checked in
      // customer-sort-keys.test.ts): the rest must equal the full computation.
      const { customerId, shop, previousSegment, segmentChangedAt, ...rest } = after.get(c)!;
      const {
        pAlivePercent: _percent,
        predictedClv12mKey: _key,
        ...row
      } = rest as typeof rest & { pAlivePercent?: unknown; predictedClv12mKey?: unknown };
      expect([customerId, shop]).toEqual([idOf.get(c), SHOP]);
      expect(row).toEqual(expected(i));
      // Segment bookkeeping as the full run does it: kept while the segment stays.
      if (row.segment === fullRun.get(c)?.segment)
        expect([previousSegment, segmentChangedAt]).toEqual([fullRun.get(c)!.previousSegment, fullRun.get(c)!.segmentChangedAt]);
      else expect([previousSegment, segmentChangedAt]).toEqual([fullRun.get(c)?.segment ?? null, LATER.toISOString()]);
    }
    // Nobody else was touched.
    for (const [c, r] of fullRun) if (!touched.includes(c)) expect(after.get(c)).toEqual(r);
    expect(after.size).toBe(81);

    // The exact changes: refund and cancellation lower monetary (and the cancellation frequency).
    const money = (c: string, m: Map<string, ReturnType<typeof comparable>>) => new Prisma.Decimal(m.get(c)!.monetary!);
    expect(money(refunded, after).toFixed(2)).toBe(money(refunded, fullRun).minus("5.00").toFixed(2));
    expect(money(cancelled, after).toFixed(2)).toBe(money(cancelled, fullRun).minus(cancelOf.total_price).toFixed(2));
    expect(after.get(cancelled)!.frequency).toBe(fullRun.get(cancelled)!.frequency - 1);
    expect(money(deleted, after).toFixed(2)).toBe(money(deleted, fullRun).minus(deleteOf.total_price).toFixed(2));
    expect(after.get(mover)!.frequency).toBe(2);
    expect([after.get(mover)!.recencyDays, after.get(mover)!.rScore]).toEqual([0, 5]);
    expect([after.get("6001")!.frequency, after.get("6001")!.previousSegment, after.get("6001")!.segmentChangedAt]).toEqual([
      1,
      null,
      LATER.toISOString(),
    ]);
  });

  it("records the move as it happens: on the row, in SegmentMove and in the admin's movement matrix", async () => {
    const after = await rows();
    const movedRows = [...after].filter(([c, r]) => fullRun.has(c) && r.segment !== fullRun.get(c)!.segment);
    expect(movedRows.length).toBeGreaterThanOrEqual(1);
    const moves = await segmentMovesSince(prisma, SHOP, NOW);
    expect(moves.map((m) => [m.customerId, m.fromSegment, m.toSegment, m.movedAt.toISOString(), m.source]).sort()).toEqual(
      movedRows.map(([c, r]) => [idOf.get(c), fullRun.get(c)!.segment, r.segment, LATER.toISOString(), "incremental"]).sort(),
    );
    const summary = (await getSegmentSummary(SHOP))!;
    for (const [c, r] of movedRows) {
      expect(summary.transitions).toContainEqual(expect.objectContaining({ from: fullRun.get(c)!.segment, to: r.segment }));
    }
  });

  it("customers/delete removes the customer's metrics and moves", async () => {
    const mover = [...(await segmentMovesSince(prisma, SHOP, NOW))][0];
    const shopifyId = [...idOf].find(([, id]) => id === mover.customerId)![0];
    const result = await deliver(LATER, [{ topic: "customers/delete", payload: { id: shopifyId } }]);
    expect(result).toMatchObject({ processed: 1, dead: 0 });
    expect(await prisma.customerMetrics.findUnique({ where: { customerId: mover.customerId } })).toBeNull();
    expect(await prisma.segmentMove.count({ where: { customerId: mover.customerId } })).toBe(0);
    expect(await prisma.customerMetrics.count({ where: { shop: SHOP } })).toBe(80);
  });

  it("the next full run is the source of truth again: every row rewritten with a fresh fit", async () => {
    const summary = await analyzeShop(prisma, SHOP, { now: LATER });
    expect(summary.customers).toBe(80);
    const after = await rows();
    expect([...after.values()].every((r) => r.computedAt === LATER.toISOString())).toBe(true);
    // Moves of this run between known segments are kept too, marked as the full run's.
    const full = (await segmentMovesSince(prisma, SHOP, LATER)).filter((m) => m.source === "full");
    expect(full.length).toBe(summary.movements.filter((m) => m.from !== null).reduce((n, m) => n + m.customers, 0));
  });
});
