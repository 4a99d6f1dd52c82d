// The admin pages (customers, profile, settings, data, navigation) in Chromium on the demo
// server, on PostgreSQL so that the test can read the stored figures beside the server: every
// asserted number comes from the database, not from the page.
import { mkdirSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerAcquisitionCost, marketingSpendForRange } from "~/domain/kpis";
import { matchSegment, DEFAULT_SEGMENT_RULES } from "~/domain/rfm";
import type { Database } from "~/lib/database.server";
import { formatMoney, formatNumber } from "~/lib/format";
import { DEFAULT_SHOP, DEMO_API_SECRET, webhookHeaders } from "../../cli/webhookSigning";
import { launchChromium } from "../helpers/browser";
import { ROOT } from "../helpers/cli";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startDemoServer, type DemoServer } from "../helpers/server";

const SCREENSHOTS = path.join(ROOT, "test-results");
const shop = DEFAULT_SHOP;

describe("the admin pages in Chromium", () => {
  let database: TestDatabase;
  let db: Database;
  let server: DemoServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    server = await startDemoServer(["--customers", "300", "--orders", "2200", "--products", "60", "--seed", "11"], { DATABASE_URL: database.url });
    db = database.open();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await db?.close();
    await database?.drop();
  });

  /** expect.poll with room for a loaded machine. */
  const poll = <T>(fn: () => Promise<T> | T, timeout = 60_000) => expect.poll(fn, { timeout, interval: 200 });
  const sql = <T>(query: string, ...params: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(query, ...params);
  const money = (amount: string | number, locale: "en" | "fr" = "en") => formatMoney(amount, "EUR", locale);

  /** A page that records console errors; `allow` filters expected ones (a 404 document). */
  async function open(url: string, allow?: RegExp) {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && !(allow && allow.test(m.text())) && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    const response = await page.goto(`${server.url}${url}`, { waitUntil: "networkidle" });
    return { page, errors, status: response?.status() };
  }

  async function accessible(page: Page, name: string) {
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(bad.map((v) => `${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  }

  const rowNames = (page: Page) => page.locator("tbody tr a[data-primary-link]").allInnerTexts();

  /** Stored customers in the page's default order (last order, newest first). */
  const byLastOrder = () =>
    sql<{ shopifyId: string; name: string; monetary: string; segment: string }>(
      `SELECT c."shopifyId", p."firstName" || ' ' || p."lastName" AS name, m.monetary::text, m.segment
       FROM "CustomerMetrics" m JOIN "Customer" c ON c.id = m."customerId" JOIN "CustomerProfile" p ON p."customerId" = c.id
       WHERE m.shop = $1 ORDER BY m."lastOrderAt" DESC, m."customerId" DESC`,
      shop,
    );

  it("lists the stored customers, pages through them, searches, filters and sorts", async () => {
    const { page, errors } = await open("/app/customers");
    expect(await page.locator("h1").first().textContent()).toBe("Customers");
    const stored = await byLastOrder();
    const [{ n: total }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "Customer" WHERE shop = $1`, shop);
    const without = total - stored.length;
    expect(await page.locator("body").innerText()).toContain(`${total} customers match, ${without} without an order yet`);
    // First page: the 50 most recent buyers, in order, with their stored revenue.
    expect(await rowNames(page)).toEqual(stored.slice(0, 50).map((c) => c.name));
    const firstRow = await page.locator("tbody tr").first().innerText();
    expect(firstRow).toContain(money(stored[0].monetary));
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-customers-en.png"), fullPage: false });
    await accessible(page, "customers");

    // Keyset pagination: next page starts at the 51st row; previous comes back.
    await page.getByRole("button", { name: "Next" }).click();
    await page.waitForURL(/after=/);
    await poll(() => rowNames(page)).toEqual(stored.slice(50, 100).map((c) => c.name));
    await page.getByRole("button", { name: "Previous" }).click();
    await page.waitForURL(/before=/);
    await poll(() => rowNames(page)).toEqual(stored.slice(0, 50).map((c) => c.name));

    // Search: part of a last name, any case; the count is the stored one.
    const lastName = stored[3].name.split(" ").at(-1)!;
    const needle = lastName.slice(0, 4).toUpperCase();
    const [{ n: matches }] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM "CustomerProfile" WHERE shop = $1 AND (email ILIKE $2 OR "firstName" ILIKE $2 OR "lastName" ILIKE $2)`,
      shop,
      `%${needle}%`,
    );
    await page.getByLabel("Search by name or e-mail").fill(needle);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(new RegExp(`q=${needle}`));
    await poll(async () => (await page.locator("tbody tr").count()) === Math.min(matches, 50)).toBe(true);
    expect(await page.locator("body").innerText()).toMatch(new RegExp(`${matches} customers? match`));
    for (const row of await page.locator("tbody tr").allInnerTexts()) expect(row.toLowerCase()).toContain(needle.toLowerCase());

    // Filter: one segment; every row wears its badge, the count is the stored one.
    await page.goto(`${server.url}/app/customers`, { waitUntil: "networkidle" });
    await page.getByRole("combobox", { name: "Segment", exact: true }).selectOption("champions");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/segment=champions/);
    const champions = stored.filter((c) => c.segment === "champions");
    await poll(() => rowNames(page)).toEqual(champions.slice(0, 50).map((c) => c.name));
    expect(await page.locator("body").innerText()).toContain(`${champions.length} customers match`);

    // Sort: by net revenue, highest first (stored amounts).
    await page.getByRole("button", { name: "Net revenue" }).click();
    await page.waitForURL(/sort=monetary/);
    const richest = [...champions].sort((a, b) => Number(b.monetary) - Number(a.monetary));
    await poll(async () => (await rowNames(page))[0]).toBe(richest[0].name);
    expect(await page.locator("tbody tr").first().innerText()).toContain(money(richest[0].monetary));
    expect(errors.join("\n")).toBe("");
    await page.close();
  });

  it("opens a customer's profile from the list, with the stored figures and orders", async () => {
    const { page, errors } = await open("/app/customers?sort=monetary");
    const [top] = await sql<{ shopifyId: string; name: string; frequency: number; monetary: string; segment: string; id: number }>(
      `SELECT c.id, c."shopifyId", p."firstName" || ' ' || p."lastName" AS name, m.frequency, m.monetary::text, m.segment
       FROM "CustomerMetrics" m JOIN "Customer" c ON c.id = m."customerId" JOIN "CustomerProfile" p ON p."customerId" = c.id
       WHERE m.shop = $1 ORDER BY m.monetary DESC, m."customerId" DESC LIMIT 1`,
      shop,
    );
    await page.locator("tbody tr a[data-primary-link]").first().click();
    await page.waitForURL(new RegExp(`/app/customers/${top.shopifyId}`));
    await poll(() => page.locator("h1").first().textContent()).toBe(top.name);
    const body = await page.locator("body").innerText();
    expect(body).toMatch(new RegExp(`Orders\\s+${top.frequency}\\s`));
    expect(body).toContain(money(top.monetary));
    expect(body).toContain("Champions");
    expect(body).toContain("Reward them with exclusive pre-sales");
    expect(body).toContain("Expected orders, next 90 days");
    const [latest] = await sql<{ name: string }>(
      `SELECT name FROM "Order" WHERE shop = $1 AND "customerId" = $2 ORDER BY "processedAt" DESC, id DESC LIMIT 1`,
      shop,
      top.id,
    );
    expect(body).toContain(latest.name);
    expect(await page.getByRole("link", { name: "Open in Shopify admin" }).getAttribute("href")).toBe(
      `https://admin.shopify.com/store/rapport-demo/customers/${top.shopifyId}`,
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-profile-en.png"), fullPage: false });
    await accessible(page, "profile");
    expect(errors.join("\n")).toBe("");
    await page.close();

    // Another shop's or an unknown customer: a 404 page that leads back to the list.
    const missing = await open("/app/customers/999999999", /404/);
    expect(missing.status).toBe(404);
    expect(await missing.page.locator("h1").first().textContent()).toBe("Customer not found");
    expect(missing.errors.join("\n")).toBe("");
    await missing.page.close();
  });

  it("previews and saves an edited segment rule, then recomputes the segments", async () => {
    const { page, errors } = await open("/app/settings");
    expect(await page.locator("h1").first().textContent()).toBe("Settings");
    await accessible(page, "settings");
    // Champions from R 4 (instead of 5): the preview counts come from the stored scores.
    await page.getByRole("combobox", { name: "R from of rule 1", exact: true }).selectOption("4");
    await page.getByRole("button", { name: "Preview the counts" }).click();
    const cells = await sql<{ r: number; f: number; m: number; n: number }>(
      `SELECT "rScore" AS r, "fScore" AS f, "mScore" AS m, count(*)::int AS n FROM "CustomerMetrics" WHERE shop = $1 GROUP BY 1, 2, 3`,
      shop,
    );
    const edited = DEFAULT_SEGMENT_RULES.map((r, i) => (i === 0 ? { ...r, r: { min: 4, max: 5 } } : r));
    const expected = cells.filter((c) => matchSegment(c.r, c.f, c.m, edited) === "champions").reduce((s, c) => s + c.n, 0);
    const before = cells.filter((c) => matchSegment(c.r, c.f, c.m, DEFAULT_SEGMENT_RULES) === "champions").reduce((s, c) => s + c.n, 0);
    expect(expected).toBeGreaterThan(before);
    const previewRow = page.locator("tr", { hasText: /^Champions/ }).last();
    await poll(() => previewRow.innerText()).toMatch(new RegExp(`Champions\\s+${before}\\s+${expected}`));
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-settings-en.png"), fullPage: true });

    await page.getByRole("button", { name: "Save and recompute" }).click();
    await poll(() => page.locator("body").innerText(), 90_000).toContain("Analysis recomputed");
    const [{ n: stored }] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM "CustomerMetrics" WHERE shop = $1 AND segment = 'champions'`,
      shop,
    );
    expect(stored).toBe(expected);
    await poll(() => page.locator("body").innerText()).toContain("Your own rules are in use.");
    expect(errors.join("\n")).toBe("");
    await page.close();
  });

  it("takes monthly spend and shows the CAC it gives", async () => {
    const { page, errors } = await open("/app/settings");
    const [k] = await sql<{ rangeFrom: Date; rangeTo: Date; newCustomers: number }>(
      `SELECT "rangeFrom", "rangeTo", "newCustomers" FROM "KpiSnapshot" WHERE shop = $1 AND "rangeKind" = 'last_30_days' ORDER BY date DESC LIMIT 1`,
      shop,
    );
    const month = k.rangeTo.toISOString().slice(0, 7);
    // A pasted line with a mistake: nothing saved, the line named.
    await page.getByLabel("Or paste lines month,amount").fill(`month,amount\n${month},5000\n2026-13,10`);
    await page.getByRole("button", { name: "Save these months" }).click();
    await poll(() => page.locator("body").innerText()).toContain("Line 3: “2026-13” is not a month (YYYY-MM).");
    await page.getByLabel("Or paste lines month,amount").fill(`month,amount\n${month},5000`);
    await page.getByRole("button", { name: "Save these months" }).click();
    await poll(() => page.locator("body").innerText()).toContain("1 month saved");
    const spend = await sql<{ month: string; amount: string }>(`SELECT month, amount::text FROM "MarketingSpend" WHERE shop = $1`, shop);
    const [shopRow] = await sql<{ tz: string }>(`SELECT "ianaTimezone" AS tz FROM "Shop" WHERE domain = $1`, shop);
    const spent = marketingSpendForRange(
      spend.map((s) => ({ month: s.month, amount: Number(s.amount) })),
      { from: k.rangeFrom, to: k.rangeTo },
      shopRow.tz,
    );
    const cac = customerAcquisitionCost(spent, k.newCustomers)!;
    const row = page.locator("tr", { hasText: "Last 30 days" });
    await poll(() => row.innerText()).toContain(money(cac.toFixed(2)));
    expect(await row.innerText()).toContain(formatNumber(k.newCustomers, "en"));
    expect(errors.join("\n")).toBe("");
    await page.close();
  });

  it("sets the nightly analysis hour, stored in the shop's settings", async () => {
    const { page, errors } = await open("/app/settings");
    const body = await page.locator("body").innerText();
    expect(body).toContain("Every night at 03:00 (your shop’s time)");
    const [{ tz }] = await sql<{ tz: string }>(`SELECT "ianaTimezone" AS tz FROM "Shop" WHERE domain = $1`, shop);
    const select = page.getByRole("combobox", { name: `Nightly analysis at (time zone ${tz})` });
    await select.selectOption("22");
    await page.getByRole("button", { name: "Save the time" }).click();
    await poll(() => page.locator("body").innerText()).toContain("Nightly analysis time saved.");
    expect(await page.locator("body").innerText()).toContain("Every night at 22:00 (your shop’s time)");
    const [{ hour }] = await sql<{ hour: number }>(`SELECT (settings->>'analysisHour')::int AS hour FROM "Shop" WHERE domain = $1`, shop);
    expect(hour).toBe(22);
    // Back to the default for the other tests.
    await select.selectOption("3");
    await page.getByRole("button", { name: "Save the time" }).click();
    await poll(
      async () => (await sql<{ hour: number }>(`SELECT (settings->>'analysisHour')::int AS hour FROM "Shop" WHERE domain = $1`, shop))[0].hour,
    ).toBe(3);
    expect(errors.join("\n")).toBe("");
    await page.close();
  });

  it("shows a dead webhook with its reason and retries it", async () => {
    const body = "{not json";
    const response = await fetch(`${server.url}/webhooks/orders`, {
      method: "POST",
      headers: webhookHeaders({ topic: "orders/create", shop, body, secret: DEMO_API_SECRET }),
      body,
    });
    expect(response.status).toBe(200);
    const [dead] = await sql<{ id: number; lastError: string }>(
      `SELECT id, "lastError" FROM "WebhookEvent" WHERE shop = $1 AND status = 'dead'`,
      shop,
    );
    const { page, errors } = await open("/app/data");
    expect(await page.locator("h1").first().textContent()).toBe("Data");
    const body2 = await page.locator("body").innerText();
    expect(body2).toContain(`#${dead.id} orders/create`);
    expect(body2).toContain(dead.lastError);
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-data-en.png"), fullPage: true });
    await accessible(page, "data");
    await page.getByRole("button", { name: `Retry #${dead.id}` }).click();
    await poll(() => page.locator("body").innerText()).toContain("1 event queued again");
    // Back in the queue: the worker tried it again (it fails again: the body is still not JSON).
    await poll(
      async () => (await sql<{ attempts: number; status: string }>(`SELECT attempts, status::text FROM "WebhookEvent" WHERE id = $1`, dead.id))[0],
    ).toMatchObject({ attempts: 1 });
    expect(errors.join("\n")).toBe("");
    await page.close();
  });

  it("reaches every page from the menu, keeping the language", async () => {
    const { page, errors } = await open("/app/customers?locale=fr");
    expect(await page.locator("h1").first().textContent()).toBe("Clients");
    const body = await page.locator("body").innerText();
    expect(body).toContain("Valeur vie prédite (12 mois)");
    const stored = await byLastOrder();
    expect(body).toContain(money(stored[0].monetary, "fr"));
    expect(await page.getAttribute("html", "lang")).toBe("fr");
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-customers-fr.png"), fullPage: false });
    await accessible(page, "clients");
    await page.getByRole("link", { name: "Données" }).click();
    await page.waitForURL(/\/app\/data\?locale=fr/);
    await poll(() => page.locator("h1").first().textContent()).toBe("Données");
    await page.getByRole("link", { name: "Réglages" }).click();
    await page.waitForURL(/\/app\/settings\?locale=fr/);
    await poll(() => page.locator("h1").first().textContent()).toBe("Réglages");
    expect(await page.locator("body").innerText()).toContain("Dépenses marketing mensuelles");
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-settings-fr.png"), fullPage: false });
    await accessible(page, "réglages");
    await page.getByRole("link", { name: "Clients" }).click();
    await page.waitForURL(/\/app\/customers\?locale=fr/);
    await page.locator("tbody tr a[data-primary-link]").first().click();
    await page.waitForURL(/\/app\/customers\/\d+\?locale=fr/);
    await poll(() => page.locator("body").innerText()).toContain("Commandes attendues, 90 prochains jours");
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-profile-fr.png"), fullPage: false });
    expect(errors.join("\n")).toBe("");
    await page.close();
  });
});
