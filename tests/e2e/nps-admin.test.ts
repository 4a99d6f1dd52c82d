// /app/nps in Chromium on the real demo server (PostgreSQL, so this test can read the same
// database): the figures shown equal those computed here in plain SQL from the stored answers,
// a shopper's `<script>` comment is shown as text, a detractor follow-up moves with a toast,
// English and French, and axe finds no serious or critical violation.
import { mkdirSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/lib/database.server";
import { submitStorefrontAnswer } from "~/services/nps.server";
import { launchChromium } from "../helpers/browser";
import { ROOT } from "../helpers/cli";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startDemoServer, type DemoServer } from "../helpers/server";

const SCREENSHOTS = path.join(ROOT, "test-results");
const SHOP = "rapport-demo.myshopify.com";
const XSS = `<script>window.__npsXss = 1</script><img src=x onerror="window.__npsXss = 2"> Colis abîmé`;

interface Expected {
  answers: number;
  promoters: number;
  passives: number;
  detractors: number;
  distribution: number[];
}

describe("the NPS page in Chromium", () => {
  let database: TestDatabase;
  let db: Database;
  let server: DemoServer;
  let browser: Browser;
  let period: { from: string; to: string };

  /** The answers of local days from..to in the shop's zone, straight from the table. */
  async function expected(): Promise<Expected> {
    const rows = await db.prisma.$queryRawUnsafe<{ score: number; n: number }[]>(
      `SELECT r.score, COUNT(*)::int AS n FROM "NpsResponse" r JOIN "Shop" s ON s.domain = r.shop
       WHERE r.shop = $1 AND ((r."createdAt" AT TIME ZONE 'UTC') AT TIME ZONE s."ianaTimezone")::date BETWEEN $2::date AND $3::date
       GROUP BY r.score`,
      SHOP,
      period.from,
      period.to,
    );
    const distribution = new Array<number>(11).fill(0);
    for (const r of rows) distribution[r.score] = r.n;
    const sum = (a: number, b: number) => distribution.slice(a, b + 1).reduce((x, y) => x + y, 0);
    return { answers: sum(0, 10), promoters: sum(9, 10), passives: sum(7, 8), detractors: sum(0, 6), distribution };
  }

  const points = (value: number, tag: string) => new Intl.NumberFormat(tag, { maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(value);

  async function open(url: string, locale: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
    const response = await page.goto(url, { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    return { page, errors };
  }

  async function axe(page: Page) {
    const result = await new AxeBuilder({ page }).analyze();
    return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
  }

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    server = await startDemoServer(["--customers", "400", "--orders", "3000", "--products", "60", "--seed", "11"], { DATABASE_URL: database.url });
    db = database.open();
    const [{ today }] = await db.prisma.$queryRawUnsafe<{ today: string }[]>(
      `SELECT ((now() AT TIME ZONE "ianaTimezone"))::date::text AS today FROM "Shop" WHERE domain = $1`,
      SHOP,
    );
    const from = new Date(`${today}T00:00:00Z`);
    from.setUTCDate(from.getUTCDate() - 364);
    period = { from: from.toISOString().slice(0, 10), to: today };
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await db?.close();
    await database?.drop();
  });

  it("shows the stored figures of the period in English, accessibly", async () => {
    const e = await expected();
    expect(e.answers).toBeGreaterThan(20); // the demo history has answers to show
    const { page, errors } = await open(`${server.url}/app/nps?from=${period.from}&to=${period.to}`, "en-GB");
    expect(await page.locator("h1").first().textContent()).toBe("Net Promoter Score");
    const nps = ((e.promoters - e.detractors) / e.answers) * 100;
    expect(await page.locator("#nps-score").textContent()).toBe(points(nps, "en-GB"));
    expect(await page.locator("#nps-answers").textContent()).toBe(`${e.answers} answers`);
    // Adjusted Wald interval, recomputed here from the counts.
    const n = e.answers + 3;
    const p = (e.promoters + 0.75) / n;
    const d = (e.detractors + 0.75) / n;
    const half = 1.959963984540054 * Math.sqrt((p + d - (p - d) ** 2) / n);
    expect(await page.locator("#nps-interval").textContent()).toBe(
      `95 % confidence interval: ${points(Math.max(-100, (p - d - half) * 100), "en-GB")} to ${points(Math.min(100, (p - d + half) * 100), "en-GB")}`,
    );
    for (let score = 0; score <= 10; score++) {
      const cells = await page.locator(`tr[data-score="${score}"] td`).allTextContents();
      expect(cells[0], `score ${score}`).toBe(String(e.distribution[score]));
    }
    const body = await page.locator("body").innerText();
    expect(body).toContain(`Promoters (9–10)`);
    expect(body).toContain("NPS by customer segment (RFM)");
    expect(body).toContain("NPS by predicted 12-month value");
    expect(body).toContain("Value at stake");
    const snippet = await page.getByLabel("Liquid snippet").inputValue();
    expect(snippet).toContain("| hmac_sha256: '");
    expect(snippet).toContain("/apps/rapport/survey?order={{ id }}");
    expect(await page.locator("tr[data-month]").count()).toBe(12);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, "app-nps-en.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("shows a shopper's comment as text, and moves its follow-up with a note", async () => {
    // A detractor answers with markup in the comment (through the service, as the proxy will).
    const { id } = await submitStorefrontAnswer(db.prisma, SHOP, {
      customerShopifyId: null,
      body: { score: 1, comment: XSS, page: "/" },
      optedOut: false,
    });
    const { page, errors } = await open(`${server.url}/app/nps?group=detractor`, "en-GB");
    // Shown literally, never run.
    await expect.poll(() => page.locator(".nps-comment", { hasText: "<script>window.__npsXss" }).count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __npsXss?: number }).__npsXss)).toBeUndefined();
    expect(await page.locator(".nps-comment script, .nps-comment img").count()).toBe(0);

    // The newest open follow-up is first: this answer's.
    const item = page.locator("form").filter({ hasText: "Mark contacted" }).first();
    await item.getByLabel("Note").fill("Called back, replacement sent");
    await item.getByRole("button", { name: "Mark contacted" }).click();
    await expect.poll(() => page.getByText("Follow-up saved").count()).toBeGreaterThan(0);
    const stored = await db.prisma.npsFollowUp.findUniqueOrThrow({ where: { responseId: id } });
    expect(stored).toMatchObject({ status: "contacted", note: "Called back, replacement sent" });
    expect(stored.contactedAt).not.toBeNull();
    // It left the open list (the default) for the contacted one, with its note.
    const counts = await db.prisma.npsFollowUp.groupBy({ by: ["status"], where: { shop: SHOP }, _count: { _all: true } });
    const contacted = counts.find((c) => c.status === "contacted")!._count._all;
    await page.getByRole("link", { name: `Contacted (${contacted})` }).click();
    await expect.poll(() => page.url()).toContain("followUps=contacted");
    // The contacted list is on screen (no item there can be marked contacted again)…
    await expect.poll(() => page.getByRole("button", { name: "Mark contacted" }).count()).toBe(0);
    // …and the item is still editable there, with its note in the field.
    await expect
      .poll(() => page.locator("textarea").evaluateAll((fields) => fields.map((f) => (f as HTMLTextAreaElement).value)))
      .toContain("Called back, replacement sent");
    await page.screenshot({ path: path.join(SCREENSHOTS, "app-nps-followup.png"), fullPage: false });
    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("speaks French", async () => {
    const e = await expected();
    const { page, errors } = await open(`${server.url}/app/nps?locale=fr&from=${period.from}&to=${period.to}`, "fr-FR");
    expect(await page.locator("h1").first().textContent()).toBe("Net Promoter Score");
    expect(await page.getAttribute("html", "lang")).toBe("fr");
    const nps = ((e.promoters - e.detractors) / e.answers) * 100;
    expect(await page.locator("#nps-score").textContent()).toBe(points(nps, "fr-FR"));
    expect(await page.locator("#nps-answers").textContent()).toBe(`${e.answers} réponses`);
    const body = await page.locator("body").innerText();
    for (const text of [
      "Promoteurs (9–10)",
      "Détracteurs (0–6)",
      "NPS par segment de clients (RFM)",
      "Valeur en jeu",
      "Suivi des détracteurs",
      "Lien d'enquête",
    ]) {
      expect(body).toContain(text);
    }
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, "app-nps-fr.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
