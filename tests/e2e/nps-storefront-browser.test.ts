// The NPS survey and the shopper's privacy page on the demo storefront in Chromium (PostgreSQL,
// so that the test reads what was stored): a customer answers the survey embed with the
// keyboard alone and the answer is counted on /app/nps; another answers their order e-mail's
// signed link (a form, the keyboard alone); a third turns surveys off on the privacy page and is
// no longer asked; the privacy form also works without JavaScript. axe finds no serious or
// critical violation on the survey or the privacy page. Screenshots go to test-results/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/lib/database.server";
import { DEMO_DEFAULTS } from "~/lib/env.server";
import { launchChromium } from "../helpers/browser";
import { ROOT } from "../helpers/cli";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startDemoServer, type DemoServer } from "../helpers/server";

const SCREENSHOTS = path.join(ROOT, "test-results");
const SHOP = DEMO_DEFAULTS.SHOP;
// The machine is shared: give the browser time, without any timing threshold in the assertions.
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

describe("the NPS survey and the privacy page on the demo storefront in Chromium", () => {
  let database: TestDatabase;
  let db: Database;
  let server: DemoServer;
  let browser: Browser;
  /** Customers with orders who have never been asked: one per scenario. */
  let askable: string[];
  const contexts: BrowserContext[] = [];

  async function open(options: { locale?: string; javaScript?: boolean; customer?: string } = {}) {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: options.locale ?? "en-GB",
      javaScriptEnabled: options.javaScript ?? true,
    });
    contexts.push(context);
    // Consent answered (declined): the banner is not in the way; the survey needs no consent.
    const cookies = [{ name: "rapport_demo_consent", value: "no", url: `${server.url}/demo/storefront` }];
    if (options.customer) cookies.push({ name: "rapport_demo_customer", value: options.customer, url: `${server.url}/demo/storefront` });
    await context.addCookies(cookies);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    return { page, errors };
  }

  async function axe(page: Page) {
    const result = await new AxeBuilder({ page }).analyze();
    return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
  }

  /** Presses Tab until the focused element matches `selector` (at most `max` presses). */
  async function tabTo(page: Page, selector: string, max = 80) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    }
    throw new Error(`Tab never reached ${selector}`);
  }

  async function answersShown(page: Page) {
    await page.goto(`${server.url}/app/nps`, { waitUntil: "networkidle" });
    return Number(/^(\d+) answers?$/.exec((await page.locator("#nps-answers").textContent()) ?? "")?.[1]);
  }

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    server = await startDemoServer(["--customers", "200", "--orders", "1500", "--products", "50", "--seed", "7"], { DATABASE_URL: database.url });
    db = database.open();
    const rows = await db.prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT DISTINCT o."customerShopifyId" AS id FROM "Order" o
       WHERE o.shop = $1 AND o."customerShopifyId" IS NOT NULL AND o."cancelledAt" IS NULL AND NOT o.test
         AND NOT EXISTS (SELECT 1 FROM "NpsSurveyState" s WHERE s.shop = o.shop AND s."subjectKey" = 'customer:' || o."customerShopifyId")
       ORDER BY 1 LIMIT 3`,
      SHOP,
    );
    askable = rows.map((r) => r.id);
    expect(askable).toHaveLength(3);
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
    await db?.close();
    await database?.drop();
  });

  it("takes a customer's answer to the survey embed with the keyboard alone, and /app/nps counts it", async () => {
    const customer = askable[0];
    const admin = await open();
    const before = await answersShown(admin.page);
    expect(before).toBeGreaterThan(0);

    const { page, errors } = await open({ customer });
    await page.goto(`${server.url}/demo/storefront`);
    const survey = page.locator("rapport-nps");
    // The embed asks the server after its delay; the server says yes to this customer.
    await survey.locator("legend").waitFor({ state: "visible", timeout: 30_000 });
    expect(await survey.locator("legend").textContent()).toMatch(/^How likely are you to recommend .+ to a friend\?$/);
    await tabTo(page, "rapport-nps input[name=score]");
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe("0");
    for (let i = 0; i < 9; i++) await page.keyboard.press("ArrowRight");
    expect(await survey.locator("input[name=score]:checked").getAttribute("value")).toBe("9");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("TEXTAREA");
    expect(await survey.locator(".rapport-nps__why").textContent()).toBe("Thank you! What do you like most?");
    await page.keyboard.type("Lovely tea, quick delivery");
    await page.screenshot({ path: path.join(SCREENSHOTS, "storefront-nps-survey.png") });
    const sent = page.waitForResponse((r) => r.url().includes("/apps/rapport/nps") && r.request().method() === "POST");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    expect((await sent).status()).toBe(201);
    await poll(() => survey.locator("[role=status]").textContent()).toBe("Thank you, your answer was recorded.");
    // Focus stays in the survey (on its close button), and Escape closes it.
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("rapport-nps__close");
    await page.screenshot({ path: path.join(SCREENSHOTS, "storefront-nps-thanks.png") });
    await page.keyboard.press("Escape");
    await poll(() => survey.isHidden()).toBe(true);
    expect(errors).toEqual([]);

    const stored = await db.prisma.npsResponse.findFirstOrThrow({ where: { shop: SHOP, customerShopifyId: customer }, orderBy: { id: "desc" } });
    expect(stored).toMatchObject({ score: 9, comment: "Lovely tea, quick delivery", source: "storefront", page: "/", orderShopifyId: null });

    expect(await answersShown(admin.page)).toBe(before + 1);
    await admin.page.goto(`${server.url}/app/nps?q=${encodeURIComponent("Lovely tea")}`, { waitUntil: "networkidle" });
    expect(await admin.page.locator(".nps-comment", { hasText: "Lovely tea, quick delivery" }).count()).toBe(1);
    await admin.page.screenshot({ path: path.join(SCREENSHOTS, "app-nps-storefront-answer.png"), fullPage: true });
  });

  it("answers an order e-mail's signed survey link with the keyboard alone, accessibly, then refuses it reused", async () => {
    const customer = askable[1];
    const { page, errors } = await open({ customer });
    await page.goto(`${server.url}/demo/storefront/account`);
    const links = await page.locator("a[href*='/apps/rapport/survey?']").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links.length).toBeGreaterThan(0);
    const answered = new Set(
      (
        await db.prisma.npsResponse.findMany({
          where: { shop: SHOP, orderShopifyId: { in: links.map((l) => new URL(l).searchParams.get("order")!) } },
          select: { orderShopifyId: true },
        })
      ).map((r) => r.orderShopifyId),
    );
    const link = links.find((l) => !answered.has(new URL(l).searchParams.get("order")))!;
    const order = new URL(link).searchParams.get("order")!;
    const { name } = await db.prisma.order.findUniqueOrThrow({ where: { shop_shopifyId: { shop: SHOP, shopifyId: order } } });

    await page.goto(link);
    expect(await page.locator("main h1").textContent()).toBe("A quick question");
    expect(await page.locator("main").innerText()).toContain(`About your order ${name}`);
    expect(await page.locator("main fieldset legend").textContent()).toMatch(/^How likely are you to recommend .+ to a friend\?$/);
    expect(await page.getByRole("radio").count()).toBe(11);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, "storefront-survey-email.png"), fullPage: true });

    await tabTo(page, "main input[name=score]");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    expect(await page.locator("main input[name=score]:checked").getAttribute("value")).toBe("3");
    await page.keyboard.press("Tab");
    await page.keyboard.type("The parcel arrived damaged");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Send my answer");
    const posted = page.waitForResponse((r) => r.url().includes("/apps/rapport/survey") && r.request().method() === "POST");
    await page.keyboard.press("Enter");
    expect((await posted).status()).toBe(201);
    await page.waitForLoadState();
    expect(await page.locator("main [role=status]").textContent()).toBe("Thank you! Your answer was recorded.");
    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);

    const stored = await db.prisma.npsResponse.findFirstOrThrow({ where: { shop: SHOP, orderShopifyId: order }, include: { followUp: true } });
    expect(stored).toMatchObject({ customerShopifyId: customer, score: 3, comment: "The parcel arrived damaged", source: "email", locale: "en" });
    expect(stored.followUp?.status).toBe("open");

    // The same link again, in French: refused, with a clear message.
    const fr = await open({ locale: "fr-FR", customer });
    const again = await fr.page.goto(`${link}&locale=fr`);
    expect(again?.status()).toBe(409);
    expect(await fr.page.locator("main [role=alert]").textContent()).toBe("L'enquête de cette commande a déjà reçu une réponse. Merci !");
    await fr.page.screenshot({ path: path.join(SCREENSHOTS, "storefront-survey-email-reused-fr.png") });
    expect(await db.prisma.npsResponse.count({ where: { shop: SHOP, orderShopifyId: order } })).toBe(1);
  });

  it("lets a customer turn surveys off on the privacy page with the keyboard, and the survey no longer asks", async () => {
    const customer = askable[2];
    const { page, errors } = await open({ customer });
    await page.goto(`${server.url}/demo/storefront`);
    await page.getByRole("link", { name: "Your privacy choices" }).click();
    await page.waitForURL(/\/apps\/rapport\/privacy/);
    expect(await page.locator("main h1").textContent()).toBe("Your privacy choices");
    const text = await page.locator("main").innerText();
    const orders = await db.prisma.order.count({ where: { shop: SHOP, customerShopifyId: customer, cancelledAt: null, test: false } });
    expect(text).toMatch(new RegExp(`Your orders at .+: ${orders} orders? \\(what you bought and when\\)\\.`));
    expect(text).toMatch(/The group your orders put you in: |Your orders do not put you in any group yet\./);
    expect(await page.getByRole("switch", { name: "Personalised recommendations" }).isChecked()).toBe(true);
    expect(await page.getByRole("switch", { name: "Surveys" }).isChecked()).toBe(true);
    // With JavaScript a switch saves at once: no Save button.
    expect(await page.getByRole("button", { name: "Save my choices" }).isHidden()).toBe(true);
    expect(await axe(page)).toEqual([]);

    await tabTo(page, "#rapport-surveys");
    const saved = page.waitForResponse((r) => r.url().includes("/apps/rapport/privacy") && r.request().method() === "POST");
    await page.keyboard.press("Space");
    expect((await saved).status()).toBe(200);
    await poll(() => page.locator("#rapport-privacy-status").textContent()).toBe("Your choices were saved.");
    await page.screenshot({ path: path.join(SCREENSHOTS, "storefront-privacy.png"), fullPage: true });
    const prefs = await db.prisma.shopperPreference.findUniqueOrThrow({ where: { shop_customerId: { shop: SHOP, customerId: customer } } });
    expect([prefs.personalization, prefs.surveys]).toEqual([true, false]);
    expect(errors).toEqual([]);

    // The merchant sees the choice on the customer's profile.
    const admin = await open();
    await admin.page.goto(`${server.url}/app/customers/${customer}`, { waitUntil: "networkidle" });
    const profile = await admin.page.locator("body").innerText();
    expect(profile).toContain("Storefront choices");
    expect(profile).toContain("Personalised recommendations: on");
    expect(profile).toContain("Surveys: off");

    // On the next page the embed asks, and the server says no.
    const decision = page.waitForResponse((r) => r.url().includes("/apps/rapport/nps?"), { timeout: 30_000 });
    await page.goto(`${server.url}/demo/storefront`);
    expect(await (await decision).json()).toEqual({ ask: false, reason: "opted_out" });
    expect(await page.locator("rapport-nps").isHidden()).toBe(true);

    const fr = await open({ locale: "fr-FR", customer });
    await fr.page.goto(`${server.url}/demo/storefront/apps/rapport/privacy?locale=fr`);
    expect(await fr.page.locator("main h1").textContent()).toBe("Vos choix de confidentialité");
    expect(await fr.page.getByRole("switch", { name: "Enquêtes" }).isChecked()).toBe(false);
    expect(await axe(fr.page)).toEqual([]);
    await fr.page.screenshot({ path: path.join(SCREENSHOTS, "storefront-privacy-fr.png"), fullPage: true });
  });

  it("saves the privacy choices without JavaScript, through the page's form", async () => {
    const customer = askable[2];
    const { page } = await open({ customer, javaScript: false });
    await page.goto(`${server.url}/demo/storefront/apps/rapport/privacy`);
    await page.getByRole("switch", { name: "Personalised recommendations" }).uncheck();
    await page.getByRole("button", { name: "Save my choices" }).click();
    await page.waitForLoadState();
    expect(await page.locator("#rapport-privacy-status").textContent()).toBe("Your choices were saved.");
    expect(await page.getByRole("switch", { name: "Personalised recommendations" }).isChecked()).toBe(false);
    const prefs = await db.prisma.shopperPreference.findUniqueOrThrow({ where: { shop_customerId: { shop: SHOP, customerId: customer } } });
    expect([prefs.personalization, prefs.surveys]).toEqual([false, false]);
  });
});
