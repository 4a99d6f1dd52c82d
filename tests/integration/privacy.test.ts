// GDPR webhooks end to end, on both databases.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookWorker } from "~/jobs/webhookWorker.server";
import { signSurveyLink } from "~/lib/npsLink.server";
import { getSurveyLink, moveFollowUp, submitEmailAnswer, submitStorefrontAnswer } from "~/services/nps.server";
import * as f from "../factories/shopify";
import { useDatabase, useTestEnvironment } from "../helpers/app";
import { BACKENDS, openMigrated } from "../helpers/db";

useTestEnvironment();
type Handler = (args: { request: Request; params: object; context: object }) => Promise<Response>;

const SHOP = "privacy-test.myshopify.com";
const OTHER = "other-shop.myshopify.com";
// The worker's fixed clock: later than every delivery of this test (events are due at once).
const WORKER_NOW = new Date("2030-03-01T09:00:00.000Z");

/** Every row of every table (in the public schema) whose text contains `needle`. */
async function rowsContaining(prisma: PrismaClient, needle: string) {
  const tables = await prisma.$queryRawUnsafe<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const hits: string[] = [];
  for (const { table_name } of tables) {
    const rows = await prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "${table_name}" t WHERE strpos(lower(t::text), lower($1)) > 0`,
      needle,
    );
    if (rows[0].n > 0) hits.push(`${table_name} (${rows[0].n})`);
  }
  return hits;
}

async function rowsOfShop(prisma: PrismaClient, shop: string) {
  const columns = await prisma.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name IN ('shop', 'domain')`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name, column_name } of columns) {
    const rows = await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table_name}" WHERE "${column_name}" = $1`, shop);
    counts[table_name] = rows[0].n;
  }
  return counts;
}

describe.each(BACKENDS)("GDPR webhooks on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  let prisma: PrismaClient;
  let compliance: (request: Request) => Promise<Response>;
  let orders: (request: Request) => Promise<Response>;
  let worker: WebhookWorker;

  beforeAll(async () => {
    ctx = await openMigrated(backend);
    prisma = ctx.db.prisma;
    useDatabase(ctx.db);
    const c = (await import("~/routes/webhooks.compliance")) as { action: Handler };
    const o = (await import("~/routes/webhooks.orders")) as { action: Handler };
    compliance = (request) => c.action({ request, params: {}, context: {} });
    orders = (request) => o.action({ request, params: {}, context: {} });
    // A fixed clock: redaction is stamped with the worker's time.
    worker = new WebhookWorker({ prisma, clock: () => WORKER_NOW });

    // Two customers in our shop, one in another shop; the first has two orders and a checkout.
    for (const shop of [SHOP, OTHER]) {
      await orders(f.signedWebhook("customers/create", f.customer(501), { shop }));
      await orders(f.signedWebhook("orders/create", f.order(7001, 501), { shop }));
    }
    await orders(
      f.signedWebhook("orders/create", f.order(7002, 501, { created_at: "2026-03-01T10:00:00+01:00", updated_at: "2026-03-01T10:00:00+01:00" }), {
        shop: SHOP,
      }),
    );
    await orders(f.signedWebhook("refunds/create", f.refund(8001, 7002, 70021, "18.50"), { shop: SHOP }));
    await orders(f.signedWebhook("checkouts/create", f.checkout(9001, 501), { shop: SHOP }));
    await orders(f.signedWebhook("customers/create", f.customer(502), { shop: SHOP }));
    await orders(f.signedWebhook("orders/create", f.order(7003, 502), { shop: SHOP }));
    expect(await worker.drain()).toMatchObject({ dead: 0 });

    // Survey answers: customer 501 on the storefront and by the e-mail link of order 7002 (a
    // detractor, with a follow-up note), customer 502 on the storefront.
    const at = new Date("2026-04-01T10:00:00Z");
    await submitStorefrontAnswer(prisma, SHOP, {
      customerShopifyId: "501",
      body: { score: 9, comment: "Jeanne-nps-words: lovely shop", page: "/products/jeanne-nps-page" },
      optedOut: false,
      now: at,
    });
    await getSurveyLink(prisma, SHOP, "Tell us");
    const key = await prisma.npsSurveyKey.findUniqueOrThrow({ where: { shop: SHOP } });
    const email = await submitEmailAnswer(prisma, SHOP, {
      link: { order: "7002", customer: "501", sig: signSurveyLink(key.secret, "7002", "501") },
      body: { score: 2, comment: "Jeanne-nps-late parcel" },
      optedOut: false,
      now: new Date("2026-04-02T10:00:00Z"),
    });
    const followUp = await prisma.npsFollowUp.findUniqueOrThrow({ where: { responseId: email.id } });
    await moveFollowUp(prisma, SHOP, followUp.id, { to: "contacted", note: "Called Jeanne-nps-note" }, new Date("2026-04-03T10:00:00Z"));
    await submitStorefrontAnswer(prisma, SHOP, {
      customerShopifyId: "502",
      body: { score: 7, comment: "other-customer-words" },
      optedOut: false,
      now: at,
    });
  });
  afterAll(async () => {
    useDatabase(undefined);
    await ctx?.cleanup();
  });

  it("customers/data_request assembles what is stored about the customer for the merchant", async () => {
    const response = await compliance(
      f.signedWebhook(
        "customers/data_request",
        {
          shop_id: 1,
          shop_domain: SHOP,
          orders_requested: [7001],
          customer: { id: 501, email: "jeanne.martin.501@example.com", phone: null },
          data_request: { id: 9999 },
        },
        { shop: SHOP },
      ),
    );
    expect(response.status).toBe(200);
    expect(await worker.drain()).toMatchObject({ processed: 1 });
    const request = await prisma.dataRequest.findFirstOrThrow({ where: { shop: SHOP } });
    expect(request).toMatchObject({ requestId: "9999", customerShopifyId: "501", ordersRequested: ["7001"] });
    const report = request.report as {
      customers: { profile: { email: string } }[];
      orders: { shopifyId: string; lineItems: unknown[]; refunds: unknown[] }[];
    };
    expect(report.customers.map((c) => c.profile.email)).toEqual(["jeanne.martin.501@example.com"]);
    expect(report.orders.map((o) => o.shopifyId)).toEqual(["7001", "7002"]);
    expect(report.orders[1].refunds).toHaveLength(1);
    // The customer's survey answers, with their words and the follow-up.
    const answers = (
      request.report as { npsAnswers: { score: number; comment: string; orderId: string | null; followUp: { note: string } | null }[] }
    ).npsAnswers;
    expect(answers.map((a) => [a.score, a.comment, a.orderId])).toEqual([
      [9, "Jeanne-nps-words: lovely shop", null],
      [2, "Jeanne-nps-late parcel", "7002"],
    ]);
    expect(answers[1].followUp?.note).toBe("Called Jeanne-nps-note");
  });

  it("customers/redact leaves no personal data of the customer anywhere, and keeps the amounts", async () => {
    const before = await prisma.order.aggregate({ where: { shop: SHOP }, _sum: { totalPrice: true, totalRefunded: true }, _count: true });
    expect(await rowsContaining(prisma, "jeanne.martin.501@example.com")).not.toEqual([]);

    const response = await compliance(
      f.signedWebhook(
        "customers/redact",
        {
          shop_id: 1,
          shop_domain: SHOP,
          customer: { id: 501, email: "jeanne.martin.501@example.com", phone: "+33612340501" },
          orders_to_redact: [7001, 7002],
        },
        { shop: SHOP },
      ),
    );
    expect(response.status).toBe(200);
    expect(await worker.drain()).toMatchObject({ processed: 1, dead: 0 });

    // Nothing in any table of our shop names the customer: email, names, phone, address, note.
    for (const needle of ["jeanne.martin.501@example.com", "Martin501", "+33612340501", "501 rue de la Paix", "customer 501"]) {
      const hits = (await rowsContaining(prisma, needle)).filter((hit) => !hit.startsWith("Shop "));
      const ours = [];
      for (const hit of hits) {
        const table = hit.split(" ")[0];
        const n = await prisma.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM "${table}" t WHERE strpos(lower(t::text), lower($1)) > 0 AND t::text LIKE $2`,
          needle,
          `%${SHOP}%`,
        );
        if (n[0].n > 0) ours.push(hit);
      }
      expect(ours, `rows still naming ${needle}`).toEqual([]);
    }
    // The same customer in another shop is untouched.
    expect(await prisma.customerProfile.count({ where: { shop: OTHER } })).toBe(1);
    // Amounts stay, so the shop's revenue stays right; the other customer is untouched.
    const after = await prisma.order.aggregate({ where: { shop: SHOP }, _sum: { totalPrice: true, totalRefunded: true }, _count: true });
    expect(after._count).toBe(before._count);
    expect(after._sum.totalPrice?.toString()).toBe(before._sum.totalPrice?.toString());
    expect(after._sum.totalRefunded?.toString()).toBe(before._sum.totalRefunded?.toString());
    const redacted = await prisma.customer.findFirstOrThrow({ where: { shop: SHOP, shopifyId: "501" }, include: { profile: true } });
    expect(redacted.redactedAt).toEqual(WORKER_NOW);
    expect(redacted.profile).toBeNull();
    expect(await prisma.customerProfile.count({ where: { shop: SHOP } })).toBe(1);
    expect(await prisma.dataRequest.count({ where: { shop: SHOP } })).toBe(0);
    // Survey answers: no words, page, customer or order left; scores and dates stay for the NPS.
    for (const needle of ["Jeanne-nps", "jeanne-nps-page"]) expect(await rowsContaining(prisma, needle), needle).toEqual([]);
    const answers = await prisma.npsResponse.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } });
    expect(answers.map((a) => [a.score, a.comment, a.page, a.customerId, a.customerShopifyId, a.orderShopifyId, a.redactedAt])).toEqual([
      [9, null, null, null, null, null, WORKER_NOW],
      [2, null, null, null, null, null, WORKER_NOW],
      [7, "other-customer-words", null, answers[2].customerId, "502", null, null],
    ]);
    expect(answers[2].customerId).not.toBeNull();
    expect((await prisma.npsFollowUp.findFirstOrThrow({ where: { shop: SHOP } })).note).toBeNull();
    expect(await prisma.npsSurveyState.findMany({ where: { shop: SHOP }, select: { subjectKey: true } })).toEqual([{ subjectKey: "customer:502" }]);
  });

  it("an e-mail finds only itself, in any case: `_` and `%` are not wildcards", async () => {
    // Prisma's case-insensitive `equals` is an ILIKE: ann_lee@… would also have found annxlee@….
    const shop = "privacy-wildcards.myshopify.com";
    await orders(f.signedWebhook("customers/create", f.customer(611, { email: "ann_lee@example.com" }), { shop }));
    await orders(f.signedWebhook("customers/create", f.customer(612, { email: "annxlee@example.com" }), { shop }));
    await orders(f.signedWebhook("orders/create", f.order(7101, null, { email: "ANN_LEE@example.com" }), { shop }));
    await orders(f.signedWebhook("orders/create", f.order(7102, null, { email: "annxlee@example.com" }), { shop }));
    await orders(f.signedWebhook("orders/create", f.order(7103, 612), { shop }));
    // A longer address ending with the same text, and another customer's order naming her.
    await orders(f.signedWebhook("customers/create", f.customer(613, { email: "jo.ann_lee@example.com" }), { shop }));
    await orders(f.signedWebhook("orders/create", f.order(7104, 612, { note: "Gift for ANN_LEE@example.com." }), { shop }));
    expect(await worker.drain()).toMatchObject({ dead: 0 });
    const request = async (id: number, email: string) => {
      const payload = { shop_id: 3, shop_domain: shop, orders_requested: [], customer: { id, email, phone: null }, data_request: { id: 9000 + id } };
      expect((await compliance(f.signedWebhook("customers/data_request", payload, { shop }))).status).toBe(200);
      expect(await worker.drain()).toMatchObject({ processed: 1 });
      const report = (await prisma.dataRequest.findFirstOrThrow({ where: { shop, requestId: String(9000 + id) } })).report as {
        customers: { profile: { email: string } }[];
        orders: { shopifyId: string }[];
      };
      return { customers: report.customers.map((c) => c.profile.email), orders: report.orders.map((o) => o.shopifyId) };
    };
    // Customer ids unknown here: the e-mail alone designates them.
    expect(await request(699, "Ann_Lee@Example.com")).toEqual({ customers: ["ann_lee@example.com"], orders: ["7101"] });
    expect(await request(698, "%@example.com")).toEqual({ customers: [], orders: [] });

    const redact = { shop_id: 3, shop_domain: shop, customer: { id: 699, email: "ann_lee@example.com", phone: null }, orders_to_redact: [] };
    expect((await compliance(f.signedWebhook("customers/redact", redact, { shop }))).status).toBe(200);
    expect(await worker.drain()).toMatchObject({ processed: 1, dead: 0 });
    const profiles = await prisma.customer.findMany({
      where: { shop },
      select: { shopifyId: true, profile: { select: { email: true } } },
      orderBy: { shopifyId: "asc" },
    });
    expect(profiles).toEqual([
      { shopifyId: "611", profile: null },
      { shopifyId: "612", profile: { email: "annxlee@example.com" } },
      { shopifyId: "613", profile: { email: "jo.ann_lee@example.com" } },
    ]);
    const personal = await prisma.order.findMany({
      where: { shop },
      select: { shopifyId: true, personal: { select: { email: true } } },
      orderBy: { shopifyId: "asc" },
    });
    expect(personal).toEqual([
      { shopifyId: "7101", personal: null },
      { shopifyId: "7102", personal: { email: "annxlee@example.com" } },
      { shopifyId: "7103", personal: { email: "jeanne.martin.612@example.com" } },
      { shopifyId: "7104", personal: { email: "jeanne.martin.612@example.com" } },
    ]);
    // The inbox: her events, and the one naming her, are scrubbed; jo.ann_lee's and annxlee's are not.
    const events = await prisma.webhookEvent.findMany({ where: { shop, topic: { not: { startsWith: "customers/data" } } }, orderBy: { id: "asc" } });
    const scrubbed = events.map((e) => [e.topic, String((e.payload as { id: unknown }).id), "redacted" in (e.payload as object)]);
    expect(scrubbed).toEqual([
      ["customers/create", "611", true],
      ["customers/create", "612", false],
      ["orders/create", "7101", true],
      ["orders/create", "7102", false],
      ["orders/create", "7103", false],
      ["customers/create", "613", false],
      ["orders/create", "7104", true],
      ["customers/redact", "null", true],
    ]);
  });

  it("shop/redact deletes every row of the shop and only of that shop", async () => {
    await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "s", accessToken: "shpat_x" } });
    const response = await compliance(f.signedWebhook("shop/redact", { shop_id: 1, shop_domain: SHOP }, { shop: SHOP }));
    expect(response.status).toBe(200);
    expect(await worker.drain()).toMatchObject({ processed: 1, dead: 0 });
    const counts = await rowsOfShop(prisma, SHOP);
    expect(Object.keys(counts).length).toBeGreaterThan(10);
    expect(Object.entries(counts).filter(([, n]) => n > 0)).toEqual([]);
    const other = await rowsOfShop(prisma, OTHER);
    expect(other.Order).toBe(1);
    expect(other.Customer).toBe(1);
  });
});
