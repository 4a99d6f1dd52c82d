// The NPS service on both databases: storefront answers (validation, identity, opt-out,
// throttling), order e-mail links (valid, forged, reused, racing), detractor follow-up, the
// admin overview and the KPIs computed from the stored answers.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerPayload, orderPayload } from "~/lib/shopifyPayloads";
import { signSurveyLink } from "~/lib/npsLink.server";
import { inTransaction } from "~/lib/transaction.server";
import { kpisForRange } from "~/services/analytics.server";
import {
  dismissSurvey,
  getNpsOverview,
  getSurveyLink,
  moveFollowUp,
  NpsError,
  rotateSurveyKey,
  submitEmailAnswer,
  submitStorefrontAnswer,
  surveyDecision,
} from "~/services/nps.server";
import { ensureShop, syncCustomers, syncOrders } from "~/services/sync.server";
import * as f from "../factories/shopify";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "nps-test.myshopify.com";
const DAY = 86_400_000;
const T0 = new Date("2026-05-10T10:00:00Z");

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof NpsError) return { code: error.code, reason: error.reason };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe.each(BACKENDS)("NPS on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  let prisma: PrismaClient;
  let secret: string;
  const count = () => prisma.npsResponse.count({ where: { shop: SHOP } });

  beforeAll(async () => {
    ctx = await openMigrated(backend);
    prisma = ctx.db.prisma;
    await inTransaction(prisma, async (tx) => {
      await ensureShop(tx, SHOP);
      await tx.shop.update({ where: { domain: SHOP }, data: { ianaTimezone: "Europe/Paris", currency: "EUR" } });
      await syncCustomers(tx, SHOP, [customerPayload.parse(f.customer(501)), customerPayload.parse(f.customer(502))]);
      await syncOrders(tx, SHOP, [
        orderPayload.parse(f.order(7001, 501)),
        orderPayload.parse(f.order(7002, 502)),
        orderPayload.parse(f.order(7003, null)),
      ]);
    });
    await getSurveyLink(prisma, SHOP, "How was it?");
    secret = (await prisma.npsSurveyKey.findUniqueOrThrow({ where: { shop: SHOP } })).secret;
  });
  afterAll(async () => ctx?.cleanup());

  it("refuses bad answers with a reason and stores nothing", async () => {
    const bad: [unknown, string][] = [
      [null, "body_not_object"],
      [[5], "body_not_object"],
      [{}, "score_missing"],
      [{ score: 11 }, "score_invalid"],
      [{ score: -1 }, "score_invalid"],
      [{ score: 7.5 }, "score_invalid"],
      [{ score: "ten" }, "score_invalid"],
      [{ score: 5, comment: "x".repeat(2001) }, "comment_too_long"],
      [{ score: 5, comment: { text: "hi" } }, "comment_not_text"],
    ];
    for (const [body, reason] of bad) {
      expect(
        await refusal(submitStorefrontAnswer(prisma, SHOP, { customerShopifyId: "501", body, optedOut: false, now: T0 })),
        JSON.stringify(body),
      ).toEqual({
        code: "invalid",
        reason,
      });
    }
    expect(await count()).toBe(0);
    expect(await prisma.npsSurveyState.count()).toBe(0);
  });

  it("refuses an opted-out shopper and stores nothing", async () => {
    expect(await refusal(submitStorefrontAnswer(prisma, SHOP, { customerShopifyId: "501", body: { score: 9 }, optedOut: true, now: T0 }))).toEqual({
      code: "opted_out",
      reason: "surveys_opted_out",
    });
    expect(await count()).toBe(0);
  });

  it("stores an answer under the signed identity only, and throttles a second one for 90 days", async () => {
    const body = { score: 3, comment: "<script>alert('x')</script> late", page: "/products/mug", customerId: "502", customer_id: "502" };
    const r = await submitStorefrontAnswer(prisma, SHOP, { customerShopifyId: "501", body, optedOut: false, now: T0 });
    expect(r.group).toBe("detractor");
    const stored = await prisma.npsResponse.findUniqueOrThrow({ where: { id: r.id }, include: { customer: true, followUp: true } });
    expect(stored).toMatchObject({
      customerShopifyId: "501",
      score: 3,
      comment: "<script>alert('x')</script> late",
      page: "/products/mug",
      source: "storefront",
    });
    expect(stored.customer?.shopifyId).toBe("501");
    // A detractor's answer opens a follow-up.
    expect(stored.followUp).toMatchObject({ status: "open", note: null });

    const again = await refusal(
      submitStorefrontAnswer(prisma, SHOP, {
        customerShopifyId: "501",
        body: { score: 10 },
        optedOut: false,
        now: new Date(T0.getTime() + 89 * DAY),
      }),
    );
    expect(again).toEqual({ code: "throttled", reason: "answered_recently" });
    expect(await count()).toBe(1);
    // The survey is not offered either; a different customer is.
    expect(
      await surveyDecision(prisma, SHOP, { customerShopifyId: "501", optedOut: false, page: "/", visitId: "v9", now: new Date(T0.getTime() + DAY) }),
    ).toEqual({
      ask: false,
      reason: "answered_recently",
    });
    expect(await surveyDecision(prisma, SHOP, { customerShopifyId: "502", optedOut: false, page: "/", visitId: "v1", now: T0 })).toEqual({
      ask: true,
    });
    // Once per visit, never on the cart, 7 days after "not now".
    expect(await surveyDecision(prisma, SHOP, { customerShopifyId: "502", optedOut: false, page: "/", visitId: "v1", now: T0 })).toEqual({
      ask: false,
      reason: "shown_this_visit",
    });
    expect(await surveyDecision(prisma, SHOP, { customerShopifyId: "502", optedOut: false, page: "/cart", visitId: "v2", now: T0 })).toEqual({
      ask: false,
      reason: "checkout_page",
    });
    await dismissSurvey(prisma, SHOP, { customerShopifyId: "502" }, T0);
    expect(
      await surveyDecision(prisma, SHOP, {
        customerShopifyId: "502",
        optedOut: false,
        page: "/",
        visitId: "v3",
        now: new Date(T0.getTime() + 6 * DAY),
      }),
    ).toEqual({
      ask: false,
      reason: "snoozed",
    });

    // After 90 days the customer may answer again.
    const later = await submitStorefrontAnswer(prisma, SHOP, {
      customerShopifyId: "501",
      body: { score: 10 },
      optedOut: false,
      now: new Date(T0.getTime() + 90 * DAY),
    });
    expect(later.group).toBe("promoter");
    expect(await count()).toBe(2);
  });

  it("lets only one of two racing answers of the same customer through", async () => {
    const now = new Date(T0.getTime() + 200 * DAY);
    const results = await Promise.allSettled([
      submitStorefrontAnswer(prisma, SHOP, { customerShopifyId: "502", body: { score: 8 }, optedOut: false, now }),
      submitStorefrontAnswer(prisma, SHOP, { customerShopifyId: "502", body: { score: 9 }, optedOut: false, now }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(NpsError);
    expect((rejected.reason as NpsError).code).toBe("throttled");
    expect(await prisma.npsResponse.count({ where: { shop: SHOP, customerShopifyId: "502" } })).toBe(1);
  });

  it("asks logged-in customers with an order by default, every visitor when the merchant says so", async () => {
    const ask = (customerShopifyId: string | null, audience?: "everyone" | "customers_with_orders") =>
      surveyDecision(prisma, SHOP, {
        customerShopifyId,
        optedOut: false,
        page: "/",
        visitId: null,
        audience,
        now: new Date(T0.getTime() + 500 * DAY),
      });
    expect(await ask(null)).toEqual({ ask: false, reason: "audience" });
    expect(await ask("999")).toEqual({ ask: false, reason: "audience" }); // no order
    expect(await ask(null, "everyone")).toEqual({ ask: true });
    expect(
      await surveyDecision(prisma, SHOP, {
        customerShopifyId: "502",
        optedOut: true,
        page: "/",
        visitId: null,
        now: new Date(T0.getTime() + 500 * DAY),
      }),
    ).toEqual({ ask: false, reason: "opted_out" });
  });

  it("accepts anonymous answers (no identity, no throttling state)", async () => {
    await submitStorefrontAnswer(prisma, SHOP, { customerShopifyId: null, body: { score: 8, comment: "ok" }, optedOut: false, now: T0 });
    const anon = await prisma.npsResponse.findFirstOrThrow({ where: { shop: SHOP, customerShopifyId: null } });
    expect(anon).toMatchObject({ customerId: null, score: 8 });
  });

  it("accepts an order e-mail link once, refuses a forged or reused one", async () => {
    const now = new Date(T0.getTime() + 300 * DAY);
    const link = { order: "7002", customer: "502", sig: signSurveyLink(secret, "7002", "502") };
    const before = await count();
    // Forged: wrong key, another order with this signature, another customer, garbage.
    const forged = [
      { ...link, sig: signSurveyLink("0".repeat(64), "7002", "502") },
      { ...link, order: "7001" },
      { ...link, customer: "501" },
      { ...link, sig: "zz" },
      // Upper case (accepted as the same hex) with its last digit changed: forged whatever the key.
      { ...link, sig: link.sig.toUpperCase().slice(0, -1) + (link.sig.endsWith("0") ? "1" : "0") },
    ];
    for (const bad of forged) {
      expect(await refusal(submitEmailAnswer(prisma, SHOP, { link: bad, body: { score: 10 }, optedOut: false, now }))).toEqual({
        code: "forged_link",
        reason: "bad_signature",
      });
    }
    expect(await count()).toBe(before);

    const ok = await submitEmailAnswer(prisma, SHOP, { link, body: { score: "6", comment: "Colis en retard" }, optedOut: false, now });
    const stored = await prisma.npsResponse.findUniqueOrThrow({ where: { id: ok.id }, include: { followUp: true } });
    expect(stored).toMatchObject({ orderShopifyId: "7002", customerShopifyId: "502", source: "email", score: 6, comment: "Colis en retard" });
    expect(stored.followUp?.status).toBe("open");
    // Reused (even after the 90 days, even with another score): one answer per order.
    expect(
      await refusal(submitEmailAnswer(prisma, SHOP, { link, body: { score: 10 }, optedOut: false, now: new Date(now.getTime() + 100 * DAY) })),
    ).toEqual({
      code: "already_answered",
      reason: "order_answered",
    });
    // Racing: a guest order's link (no customer) answered twice at once.
    const guest = { order: "7003", customer: "", sig: signSurveyLink(secret, "7003", null) };
    const race = await Promise.allSettled([
      submitEmailAnswer(prisma, SHOP, { link: guest, body: { score: 9 }, optedOut: false, now }),
      submitEmailAnswer(prisma, SHOP, { link: guest, body: { score: 9 }, optedOut: false, now }),
    ]);
    expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await prisma.npsResponse.count({ where: { shop: SHOP, orderShopifyId: "7003" } })).toBe(1);
    // A new key invalidates links already sent.
    await rotateSurveyKey(prisma, SHOP);
    const fresh = { order: "7001", customer: "501", sig: signSurveyLink(secret, "7001", "501") };
    expect((await refusal(submitEmailAnswer(prisma, SHOP, { link: fresh, body: { score: 9 }, optedOut: false, now }))).code).toBe("forged_link");
  });

  it("moves follow-ups forward only, with the note and the date", async () => {
    const item = await prisma.npsFollowUp.findFirstOrThrow({ where: { shop: SHOP, status: "open" }, orderBy: { id: "asc" } });
    const at = new Date("2026-06-01T08:00:00Z");
    await moveFollowUp(prisma, SHOP, item.id, { to: "contacted", note: "Called, voucher sent" }, at);
    expect(await prisma.npsFollowUp.findUniqueOrThrow({ where: { id: item.id } })).toMatchObject({
      status: "contacted",
      note: "Called, voucher sent",
      contactedAt: at,
    });
    expect(await refusal(moveFollowUp(prisma, SHOP, item.id, { to: "open" }))).toEqual({ code: "bad_transition", reason: "contacted_to_open" });
    expect(await refusal(moveFollowUp(prisma, SHOP, item.id, { to: "closed" }))).toEqual({ code: "invalid", reason: "status_invalid" });
    expect(await refusal(moveFollowUp(prisma, SHOP, 999_999, { to: "resolved" }))).toEqual({ code: "not_found", reason: "follow_up_not_found" });
    expect(await refusal(moveFollowUp(prisma, SHOP, item.id, { to: "resolved", note: "x".repeat(2001) }))).toEqual({
      code: "invalid",
      reason: "note_too_long",
    });
    const done = new Date("2026-06-02T08:00:00Z");
    await moveFollowUp(prisma, SHOP, item.id, { to: "resolved" }, done);
    // The earlier note stays when none is given.
    expect(await prisma.npsFollowUp.findUniqueOrThrow({ where: { id: item.id } })).toMatchObject({
      status: "resolved",
      note: "Called, voucher sent",
      contactedAt: at,
      resolvedAt: done,
    });
  });

  it("gives the snippet with Shopify's hmac_sha256 filter and the shop's key", async () => {
    const { snippet } = await getSurveyLink(prisma, SHOP, "Would you recommend us? {{ evil }}");
    const key = (await prisma.npsSurveyKey.findUniqueOrThrow({ where: { shop: SHOP } })).secret;
    expect(snippet).toContain(`| hmac_sha256: '${key}'`);
    expect(snippet).toContain("rapport-nps:v1:{{ id }}:{{ customer.id }}");
    expect(snippet).toContain("{{ shop.url }}/apps/rapport/survey?order={{ id }}&amp;customer={{ customer.id }}&amp;sig={{ rapport_nps_signature }}");
    // The link text cannot inject Liquid or markup.
    expect(snippet).toContain(">Would you recommend us?  evil </a>");
  });

  it("computes the KPIs' NPS from the answers of the period, and the admin overview", async () => {
    // Answers so far: 501: 3 (T0) and 10 (T0+90d); 502: one of 8/9 (T0+200d); anonymous 8 (T0);
    // e-mail 6 (7002) and 9 (7003) at T0+300d.
    const may = await kpisForRange(prisma, SHOP, { from: "2026-05-01", to: "2026-05-31" }, new Date("2028-01-01T00:00:00Z"));
    // May: 3 (detractor) and 8 (passive): (0 − 1)/2 = −50.
    expect(may.current.nps).toBe(-50);
    expect(may.previous.nps).toBeNull();
    const overview = await getNpsOverview(prisma, SHOP, { from: "2026-05-01", to: "2026-05-31", now: new Date("2026-12-01T00:00:00Z") });
    expect(overview.current).toMatchObject({ answers: 2, detractors: 1, passives: 1, promoters: 0, nps: -50 });
    expect(overview.previous.answers).toBe(0);
    // Newest first; the two answers share an instant, so the later one stored comes first.
    expect(overview.answers.rows.map((r) => r.score)).toEqual([8, 3]);
    expect(overview.answers.rows[1].comment).toBe("<script>alert('x')</script> late");
    expect(overview.trend).toHaveLength(12);
    expect(overview.trend.at(-1)).toMatchObject({ month: "2026-05", answers: 2, nps: -50 });
    // Detractor filter; no analysis yet, so every answer is in the "none" segment and band.
    const detractors = await getNpsOverview(prisma, SHOP, {
      from: "2026-05-01",
      to: "2026-05-31",
      filter: "detractor",
      now: new Date("2026-12-01T00:00:00Z"),
    });
    expect(detractors.answers.rows.map((r) => r.score)).toEqual([3]);
    expect(detractors.bySegment.map((s) => [s.segment, s.answers])).toEqual([["none", 2]]);
    // Follow-ups: the open ones by default, each status on demand, with the counts of all.
    expect(overview.followUps.status).toBe("open");
    expect(overview.followUps.items.map((f) => f.status)).toEqual(["open"]);
    expect(overview.followUps.counts).toEqual({ open: 1, contacted: 0, resolved: 1 });
    const resolved = await getNpsOverview(prisma, SHOP, {
      from: "2026-05-01",
      to: "2026-05-31",
      followUps: "resolved",
      now: new Date("2026-12-01T00:00:00Z"),
    });
    // The one resolved earlier in this file, with its note.
    expect(resolved.followUps.items.map((f) => [f.status, f.note])).toEqual([["resolved", "Called, voucher sent"]]);
  });
});
