// The order e-mail survey page (/proxy/survey) and the shopper's privacy page (/proxy/privacy)
// in process, on both databases, with requests signed exactly as Shopify's app proxy signs them:
// valid, forged and stale signatures, anonymous shoppers, bad bodies, reused and forged links,
// nothing stored in any refusal; the pages rendered as Shopify would (liquidjs, strict filters)
// in English and French with shopper text unable to run as Liquid; and an opt-out honoured at
// once by /proxy/recommendations (non-personal, nothing recorded), /proxy/nps and the e-mail link.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerPayload, orderPayload, productPayload } from "~/lib/shopifyPayloads";
import { signSurveyLink } from "~/lib/npsLink.server";
import { signProxyQuery } from "~/lib/proxySignature";
import { inTransaction } from "~/lib/transaction.server";
import { createEngine } from "~/services/demoStorefront/liquid.server";
import { getCustomerProfile } from "~/services/customers.server";
import { getSurveyLink } from "~/services/nps.server";
import { saveTrackingSettings } from "~/services/recommendationTracking.server";
import { ensureShop, syncCustomers, syncOrders, syncProducts } from "~/services/sync.server";
import * as f from "../factories/shopify";
import { useDatabase, useTestEnvironment } from "../helpers/app";
import { BACKENDS, openMigrated } from "../helpers/db";

useTestEnvironment();
type Handler = (args: { request: Request; params: object; context: object }) => Promise<Response>;
interface Route {
  loader?: Handler;
  action?: Handler;
}

const SHOP = "pages-test.myshopify.com";
const BASE = "https://rapport.example.com/proxy";

/** What Shopify would show: the page's Liquid rendered with the shop's objects. */
async function render(page: string, locale: string, shopEmail = "hello@pages-test.example") {
  return (await createEngine({ locale: "en", strict: true }).parseAndRender(page, {
    shop: { name: "Café <Lumière>", email: shopEmail },
    request: { locale: { iso_code: locale } },
    routes: { root_url: "/", account_login_url: "/account/login" },
  })) as string;
}

/** The text a browser shows for some HTML (tags dropped, entities decoded, spaces collapsed). */
function visible(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e]!)
    .replace(/\s+/g, " ")
    .trim();
}

describe.each(BACKENDS)("the survey and privacy pages on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  let prisma: PrismaClient;
  let secret: string;
  const routes: Record<string, Route> = {};

  function signed(path: string, query = "", options: { customer?: string; timestamp?: number; secret?: string } = {}) {
    const params = signProxyQuery(new URLSearchParams(query), {
      shop: SHOP,
      pathPrefix: "/apps/rapport",
      customerId: options.customer ?? "",
      secret: options.secret ?? f.TEST_SECRET,
      timestamp: options.timestamp,
    });
    return `${BASE}/${path}?${params}`;
  }
  /** Calls a route as Remix would; a thrown Response (a refused signature) is the answer. */
  async function call(path: string, request: Request): Promise<Response> {
    const route = routes[path];
    const handler = request.method === "GET" ? route.loader : route.action;
    try {
      return await handler!({ request, params: {}, context: {} });
    } catch (error) {
      if (error instanceof Response) return error;
      throw error;
    }
  }
  const get = (path: string, url: string, headers: Record<string, string> = {}) => call(path, new Request(url, { headers }));
  const postForm = (path: string, url: string, form: Record<string, string>) =>
    call(
      path,
      new Request(url, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form).toString(),
      }),
    );
  const postJson = (path: string, url: string, body: string) =>
    call(path, new Request(url, { method: "POST", headers: { "Content-Type": "application/json" }, body }));
  const link = (order: string, customer: string | null) =>
    new URLSearchParams({ order, customer: customer ?? "", sig: signSurveyLink(secret, order, customer) }).toString();
  const answers = () => prisma.npsResponse.count({ where: { shop: SHOP } });
  const preferences = () => prisma.shopperPreference.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } });

  beforeAll(async () => {
    ctx = await openMigrated(backend);
    prisma = ctx.db.prisma;
    useDatabase(ctx.db);
    for (const path of ["survey", "privacy", "recommendations", "nps", "events"])
      routes[path] = (await import(`~/routes/proxy.${path}.tsx`)) as Route;
    await inTransaction(prisma, async (tx) => {
      await ensureShop(tx, SHOP);
      await tx.shop.update({ where: { domain: SHOP }, data: { ianaTimezone: "Europe/Paris", currency: "EUR", name: "Café <Lumière>" } });
      await syncProducts(
        tx,
        SHOP,
        [501, 502, 503].map((id) => productPayload.parse(f.product(id))),
        "EUR",
      );
      await syncCustomers(
        tx,
        SHOP,
        [601, 602, 603, 604].map((id) => customerPayload.parse(f.customer(id))),
      );
      await syncOrders(tx, SHOP, [
        orderPayload.parse(f.order(8001, 601)),
        orderPayload.parse(f.order(8002, 601, { created_at: "2026-03-01T12:00:00+01:00", processed_at: "2026-03-01T12:00:00+01:00" })),
        orderPayload.parse(f.order(8003, 602)),
        orderPayload.parse(f.order(8004, 603)),
        orderPayload.parse(f.order(8005, 604)),
        orderPayload.parse(f.order(8006, null)),
      ]);
    });
    // Customer 601 is "At Risk" in the latest analysis (internal words the shopper never sees).
    const c601 = await prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop: SHOP, shopifyId: "601" } } });
    await prisma.customerMetrics.create({
      data: {
        customerId: c601.id,
        shop: SHOP,
        recencyDays: 271,
        frequency: 2,
        purchaseDays: 2,
        monetary: "102.00",
        currency: "EUR",
        rScore: 1,
        fScore: 4,
        mScore: 5,
        segment: "at_risk",
        segmentChangedAt: new Date("2026-06-01T00:00:00Z"),
        firstOrderAt: new Date("2026-02-01T11:00:00Z"),
        lastOrderAt: new Date("2026-03-01T11:00:00Z"),
        lowConfidence: false,
        computedAt: new Date("2026-11-01T00:00:00Z"),
      },
    });
    // No holdout: a personal answer is personal for every customer here.
    await saveTrackingSettings(prisma, SHOP, { attributionWindowDays: 7, holdoutShare: 0 });
    await getSurveyLink(prisma, SHOP, "Tell us");
    secret = (await prisma.npsSurveyKey.findUniqueOrThrow({ where: { shop: SHOP } })).secret;
  });
  afterAll(async () => {
    useDatabase(undefined);
    await ctx?.cleanup();
  });

  describe("the e-mail survey page", () => {
    it("asks the 0–10 question inside the theme, in the storefront's language, as a form that needs no JavaScript", async () => {
      const response = await get("survey", signed("survey", link("8003", "602")));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/liquid");
      expect(response.headers.get("cache-control")).toBe("private, no-store");
      const page = await response.text();
      const en = await render(page, "en");
      expect(en).toContain('<form method="post">');
      expect(en.match(/<input type="radio" name="score" value="\d+" required/g)).toHaveLength(11);
      expect(en).toMatch(/<fieldset>\s*<legend>How likely are you to recommend Café &lt;Lumière&gt; to a friend\?<\/legend>/);
      expect(en).toContain('value="0" required aria-describedby="rapport-nps-low"> 0</label>');
      expect(en).toContain('value="10" required aria-describedby="rapport-nps-high"> 10</label>');
      expect(en).toContain('<span id="rapport-nps-low">0 = not at all likely</span><span id="rapport-nps-high">10 = extremely likely</span>');
      expect(en).toContain('<label for="rapport-nps-comment">What is the main reason for your score? (optional)</label>');
      expect(visible(en)).toContain("A quick question About your order #1003");
      expect(en).toContain('<input type="hidden" name="locale" value="en">');
      expect(en).not.toContain("Quelle");
      const fr = await render(page, "fr");
      expect(visible(fr)).toContain(
        "Une petite question À propos de votre commande #1003 Quelle est la probabilité que vous recommandiez Café <Lumière> à un ami ?",
      );
      expect(fr).toContain("Envoyer ma réponse");
      expect(fr).not.toContain("How likely");
      // A storefront language we do not speak: the viewer's Accept-Language decides.
      const german = await render(
        await (await get("survey", signed("survey", link("8003", "602")), { "Accept-Language": "fr-CH, de;q=0.8" })).text(),
        "de",
      );
      expect(german).toContain("Quelle est la probabilité");
    });

    it("stores the answer with its order and customer, then refuses the reused link", async () => {
      const before = await answers();
      const url = signed("survey", link("8003", "602"));
      const response = await postForm("survey", url, { score: "9", comment: "  Livraison rapide  ", locale: "fr" });
      expect(response.status).toBe(201);
      expect(visible(await render(await response.text(), "fr"))).toContain("Merci ! Votre réponse a été enregistrée.");
      const c602 = await prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop: SHOP, shopifyId: "602" } } });
      const stored = await prisma.npsResponse.findFirstOrThrow({ where: { shop: SHOP, orderShopifyId: "8003" } });
      expect(stored).toMatchObject({
        customerShopifyId: "602",
        customerId: c602.id,
        score: 9,
        comment: "Livraison rapide",
        page: null,
        source: "email",
        locale: "fr",
      });
      expect(await answers()).toBe(before + 1);

      // The same link again (a second e-mail click, a forwarded e-mail): refused, nothing stored.
      const again = await postForm("survey", signed("survey", link("8003", "602")), { score: "2" });
      expect(again.status).toBe(409);
      expect(visible(await render(await again.text(), "en"))).toContain("This order's survey has already been answered. Thank you!");
      const shown = await get("survey", signed("survey", link("8003", "602")));
      expect(shown.status).toBe(409);
      expect(await shown.text()).not.toContain('name="score"');
      expect(await answers()).toBe(before + 1);
      expect((await prisma.npsResponse.findFirstOrThrow({ where: { shop: SHOP, orderShopifyId: "8003" } })).score).toBe(9);
    });

    it("refuses forged links and forged or stale proxy signatures, storing nothing", async () => {
      const before = await answers();
      // The link of order 8004 (customer 603) with another customer, another order, a made-up signature.
      const forgedLinks = [
        link("8004", "603").replace("customer=603", "customer=604"),
        link("8004", "603").replace("order=8004", "order=8005"),
        new URLSearchParams({ order: "8004", customer: "603", sig: "0".repeat(64) }).toString(),
        "order=8004&customer=603",
      ];
      for (const query of forgedLinks) {
        const shown = await get("survey", signed("survey", query));
        expect(shown.status, query).toBe(403);
        const text = visible(await render(await shown.text(), "en"));
        expect(text).toContain("This survey link is not valid. Please open the link from your order e-mail as it is.");
        expect((await postForm("survey", signed("survey", query), { score: "10" })).status, query).toBe(403);
      }
      // A good link behind a bad proxy signature: Shopify did not send it.
      const good = link("8004", "603");
      expect((await postForm("survey", signed("survey", good, { secret: "not-the-app-secret" }), { score: "10" })).status).toBe(400);
      expect((await postForm("survey", signed("survey", good, { timestamp: Math.floor(Date.now() / 1000) - 120 }), { score: "10" })).status).toBe(
        400,
      );
      expect((await get("survey", `${BASE}/survey?${good}`)).status).toBe(400);
      const tampered = new URL(signed("survey", good));
      tampered.searchParams.set("order", "8005");
      expect((await get("survey", tampered.toString())).status).toBe(400);
      expect(await answers()).toBe(before);
    });

    it("refuses a bad answer with the question again, the shopper's text kept but never run as Liquid", async () => {
      const before = await answers();
      const url = signed("survey", link("8004", "603"));
      const injected = "{{ shop.email }} {% if true %}ran{% endif %} <script>alert(1)</script>";
      const response = await postForm("survey", url, { score: "11", comment: injected });
      expect(response.status).toBe(400);
      const html = await render(await response.text(), "en", "secret-owner@pages-test.example");
      expect(html).toContain('role="alert">Please choose a score from 0 to 10. Comments can be up to 2,000 characters.');
      expect(html).not.toContain("secret-owner");
      expect(html).not.toContain("<script>alert");
      expect(visible(html.match(/<textarea[^>]*>([\s\S]*?)<\/textarea>/)![1])).toBe(injected);
      const bad: Record<string, string>[] = [{ comment: "no score" }, { score: "7.5" }, { score: "5", comment: "x".repeat(2001) }];
      for (const form of bad) {
        expect((await postForm("survey", url, form)).status, JSON.stringify(form).slice(0, 40)).toBe(400);
      }
      // Not a form at all.
      expect((await postJson("survey", url, JSON.stringify({ score: 9 }))).status).toBe(400);
      expect(await answers()).toBe(before);
    });
  });

  describe("the privacy page", () => {
    it("asks an anonymous visitor to log in (401), and refuses their choices with nothing stored", async () => {
      const response = await get("privacy", signed("privacy"));
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/liquid");
      const html = await render(await response.text(), "en");
      expect(visible(html)).toBe(
        "Your privacy choices Log in to your account to see what is used to personalise your visit and to change your choices. Log in",
      );
      expect(html).toContain('<a href="/account/login">Log in</a>');
      const refused = await postJson("privacy", signed("privacy"), JSON.stringify({ personalization: false, surveys: false, customerId: "601" }));
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: "not_logged_in" });
      expect((await postForm("privacy", signed("privacy"), { form: "1" })).status).toBe(401);
      expect(await preferences()).toEqual([]);
    });

    it("tells a customer in plain words what is used, never the segment's name or scores, with both switches on", async () => {
      const response = await get("privacy", signed("privacy", "", { customer: "601" }));
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("private, no-store");
      const html = await render(await response.text(), "en");
      const text = visible(html);
      expect(text).toContain("Your orders at Café <Lumière>: 2 orders (what you bought and when).");
      expect(text).toContain("The group your orders put you in: a customer we have not seen for a while.");
      expect(text).not.toMatch(/at.risk|At Risk|rfm|score/i);
      expect(html).toMatch(
        /<input type="checkbox" role="switch" id="rapport-personalization" name="personalization" value="on" aria-describedby="rapport-personalization-help" checked>/,
      );
      expect(html).toMatch(
        /<input type="checkbox" role="switch" id="rapport-surveys" name="surveys" value="on" aria-describedby="rapport-surveys-help" checked>/,
      );
      expect(html).toContain('<a href="/policies/privacy-policy">Read Café &lt;Lumière&gt;&#39;s privacy policy</a>');
      expect(html).toContain('<a href="mailto:hello@pages-test.example">hello@pages-test.example</a>');
      // A shop without a public e-mail: "contact the shop".
      expect(visible(await render(await (await get("privacy", signed("privacy", "", { customer: "601" }))).text(), "en", ""))).toContain(
        "or to have it erased, contact Café <Lumière>.",
      );
      const fr = visible(await render(await (await get("privacy", signed("privacy", "", { customer: "602" }))).text(), "fr"));
      expect(fr).toContain("Vos commandes chez Café <Lumière> : 1 commande (ce que vous avez acheté et quand).");
      expect(fr).toContain("Vos commandes ne vous placent encore dans aucun groupe.");
      expect(fr).toContain("Recommandations personnalisées");
    });

    it("refuses bad bodies and forged or stale signatures, storing nothing", async () => {
      const cases: [string, string][] = [
        ["not json", "body_not_json"],
        [JSON.stringify([true, false]), "expected_two_booleans"],
        [JSON.stringify({ personalization: false }), "expected_two_booleans"],
        [JSON.stringify({ personalization: "false", surveys: false }), "expected_two_booleans"],
        [JSON.stringify({ personalization: 0, surveys: 1 }), "expected_two_booleans"],
        ["null", "expected_two_booleans"],
      ];
      for (const [body, reason] of cases) {
        const response = await postJson("privacy", signed("privacy", "", { customer: "601" }), body);
        expect(response.status, body).toBe(400);
        expect(await response.json()).toEqual({ error: "invalid", reason });
      }
      const body = JSON.stringify({ personalization: false, surveys: false });
      expect((await postJson("privacy", signed("privacy", "", { customer: "601", secret: "not-the-app-secret" }), body)).status).toBe(400);
      expect(
        (await postJson("privacy", signed("privacy", "", { customer: "601", timestamp: Math.floor(Date.now() / 1000) - 120 }), body)).status,
      ).toBe(400);
      const spoofed = new URL(signed("privacy", "", { customer: "602" }));
      spoofed.searchParams.set("logged_in_customer_id", "601");
      expect((await postJson("privacy", spoofed.toString(), body)).status).toBe(400);
      expect(await preferences()).toEqual([]);
    });

    it("saves the switches for the signed customer only, as JSON and from the form without JavaScript", async () => {
      const response = await postJson(
        "privacy",
        signed("privacy", "", { customer: "601" }),
        JSON.stringify({ personalization: false, surveys: true, customerId: "602" }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("private, no-store");
      expect(await response.json()).toEqual({ ok: true, personalization: false, surveys: true });
      expect((await preferences()).map((p) => [p.customerId, p.personalization, p.surveys])).toEqual([["601", false, true]]);
      // The merchant sees the choice on the customer's profile; a customer who never chose has none.
      expect((await getCustomerProfile(SHOP, "601"))?.preferences).toEqual({ personalization: false, surveys: true });
      expect((await getCustomerProfile(SHOP, "602"))?.preferences).toBeNull();

      // The form: an unticked switch is absent.
      const page = await postForm("privacy", signed("privacy", "", { customer: "603" }), { form: "1", personalization: "on" });
      expect(page.status).toBe(200);
      const html = await render(await page.text(), "en");
      expect(html).toContain('<p role="status" aria-live="polite" id="rapport-privacy-status">Your choices were saved.</p>');
      expect(html).toContain('aria-describedby="rapport-personalization-help" checked>');
      expect(html).toContain('aria-describedby="rapport-surveys-help">');
      expect((await preferences()).map((p) => [p.customerId, p.personalization, p.surveys])).toEqual([
        ["601", false, true],
        ["603", true, false],
      ]);
    });
  });

  describe("an opt-out, honoured at once", () => {
    const recommendations = (customer?: string) => get("recommendations", signed("recommendations", "placement=home&limit=4", { customer }));

    it("makes recommendations non-personal for that customer and records nothing about them", async () => {
      const anonymous = await recommendations();
      const anonymousAnswer = (await anonymous.json()) as { strategy: string; recId: string };
      expect(anonymous.headers.get("cache-control")).toBe("public, max-age=60");
      const personal = await recommendations("602");
      expect(personal.headers.get("cache-control")).toBe("private, no-store");

      await postJson("privacy", signed("privacy", "", { customer: "602" }), JSON.stringify({ personalization: false, surveys: true }));
      const optedOut = await recommendations("602");
      expect(optedOut.headers.get("cache-control")).toBe("public, max-age=60");
      const answer = (await optedOut.json()) as { strategy: string; recId: string };
      expect(answer.strategy).toBe(anonymousAnswer.strategy);
      // An impression sent for them is accepted but not kept (the shopper learns nothing).
      const event = await postJson("events", signed("events", "", { customer: "602" }), JSON.stringify({ kind: "impression", recId: answer.recId }));
      expect(event.status).toBe(204);
      expect(await prisma.recommendationEvent.count({ where: { shop: SHOP, customerId: "602" } })).toBe(0);

      // Switched back on: personal again.
      await postJson("privacy", signed("privacy", "", { customer: "602" }), JSON.stringify({ personalization: true, surveys: true }));
      expect((await recommendations("602")).headers.get("cache-control")).toBe("private, no-store");
    });

    it("stops the storefront survey and the e-mail link for that customer, and nothing they send is stored", async () => {
      const before = await answers();
      const ask = async () => (await (await get("nps", signed("nps", "page=%2F", { customer: "604" }))).json()) as unknown;
      await postJson("privacy", signed("privacy", "", { customer: "604" }), JSON.stringify({ personalization: true, surveys: false }));
      expect(await ask()).toEqual({ ask: false, reason: "opted_out" });
      const refused = await postJson("nps", signed("nps", "", { customer: "604" }), JSON.stringify({ score: 10 }));
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ error: "opted_out", reason: "surveys_opted_out" });

      const url = signed("survey", link("8005", "604"));
      const shown = await get("survey", url);
      expect(shown.status).toBe(200);
      const html = await render(await shown.text(), "en");
      expect(html).not.toContain('name="score"');
      expect(visible(html)).toContain("You turned surveys off, so we will not ask for your opinion and nothing was recorded. Your privacy choices");
      expect(html).toContain('<a href="/apps/rapport/privacy">Your privacy choices</a>');
      expect((await postForm("survey", url, { score: "10" })).status).toBe(403);
      expect(await answers()).toBe(before);

      // Surveys back on: asked again, and the link works.
      await postJson("privacy", signed("privacy", "", { customer: "604" }), JSON.stringify({ personalization: true, surveys: true }));
      expect(await ask()).toEqual({ ask: true });
      expect((await postForm("survey", signed("survey", link("8005", "604")), { score: "10" })).status).toBe(201);
      expect(await answers()).toBe(before + 1);
    });
  });
});
