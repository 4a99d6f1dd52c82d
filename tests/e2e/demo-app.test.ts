// The merchant's pages on the real demo server in Chromium, in English and French: the dashboard,
// segments, cohorts and predictions. Figures are checked against what the analysis stored
// (read from the same PostgreSQL database), every page is checked with axe-core, screenshots go
// to test-results/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredKpis } from "~/domain/analysisKpis";
import type { AnalysisExtras } from "~/domain/analysisExtras";
import type { Cohort } from "~/domain/cohorts";
import type { Database } from "~/lib/database.server";
import { kpiSnapshotOn, latestAnalysisSnapshot, segmentSnapshotsBetween } from "~/models/insightReads.server";
import { kpisForRange } from "~/services/analytics.server";
import { launchChromium } from "../helpers/browser";
import { ROOT } from "../helpers/cli";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startDemoServer, type DemoServer } from "../helpers/server";

const SCREENSHOTS = path.join(ROOT, "test-results");
const SHOP = "rapport-demo.myshopify.com";
const EUR_EN = (v: number) => new Intl.NumberFormat("en-GB", { style: "currency", currency: "EUR" }).format(v);
const EUR_FR = (v: number) => new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" }).format(v);
const INT_EN = (v: number) => new Intl.NumberFormat("en-GB").format(v);
const INT_FR = (v: number) => new Intl.NumberFormat("fr-FR").format(v);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("the merchant's pages in Chromium", () => {
  let database: TestDatabase;
  let db: Database;
  let server: DemoServer;
  let browser: Browser;
  let latest: NonNullable<Awaited<ReturnType<typeof latestAnalysisSnapshot>>>;
  let extras: AnalysisExtras;

  beforeAll(async () => {
    // PostgreSQL: the test reads the stored figures while the server runs.
    database = await createTestDatabase("postgres");
    server = await startDemoServer(["--customers", "300", "--orders", "2200", "--products", "60", "--seed", "11", "--history-weeks", "3"], {
      DATABASE_URL: database.url,
    });
    expect(server.output()).toMatch(/Seeded the demo shop/);
    db = database.open();
    latest = (await latestAnalysisSnapshot(db.prisma, SHOP))!;
    extras = latest.extras as unknown as AnalysisExtras;
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await db?.close();
    await database?.drop();
  });

  async function open(url: string, locale = "en-GB"): Promise<{ page: Page; errors: string[]; body: () => Promise<string> }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
    const response = await page.goto(`${server.url}${url}`, { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    return { page, errors, body: () => page.locator("body").innerText() };
  }

  async function finish(page: Page, errors: string[], name: string) {
    // Charts load after the first paint: wait for them before the screenshot and axe.
    await page.waitForFunction(() =>
      [...document.querySelectorAll("[data-chart-ready]")].every((el) => el.getAttribute("data-chart-ready") === "true"),
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const axe = await new AxeBuilder({ page }).analyze();
    const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }

  it("dashboard: the stored KPIs of the last 30 days, then the last 90 days, in English", async () => {
    const last30 = (await kpiSnapshotOn(db.prisma, SHOP, "last_30_days", latest.date))!.current as unknown as StoredKpis;
    const last90 = (await kpiSnapshotOn(db.prisma, SHOP, "last_90_days", latest.date))!.current as unknown as StoredKpis;
    const { page, errors, body } = await open("/app");
    expect(await page.locator("h1").first().textContent()).toBe("Dashboard");
    let text = await body();
    expect(text).toContain("Demo mode");
    expect(text).toMatch(new RegExp(`Net revenue\\s+${esc(EUR_EN(last30.netRevenue))}`));
    expect(text).toMatch(new RegExp(`Orders\\s+${esc(INT_EN(last30.orders))}`));
    expect(text).toMatch(new RegExp(`New customers\\s+${esc(INT_EN(last30.newCustomers))}`));
    // The demo shop has survey answers: the card shows the stored NPS (rounded), or says none came.
    expect(text).toMatch(
      last30.nps === null ? /Net Promoter Score\s+No answers yet/ : new RegExp(`Net Promoter Score\\s+${esc(INT_EN(Math.round(last30.nps)))}\\s`),
    );
    expect(text).toMatch(/Updated (\d+ minutes? ago|\d+ hours? ago|yesterday|\d+ days ago|now|this minute)/);
    expect(text).not.toContain("docs/metrics.md");
    // The definition of a KPI on hover.
    await page.getByRole("button", { name: "Repeat purchase rate" }).hover();
    await expect.poll(() => body()).toContain("Share of the period's customers with more than one order");
    // Segment distribution links to the customer list.
    const biggest = extras.segments.filter((s) => s.customers > 0).sort((a, b) => b.customers - a.customers)[0];
    expect(await page.locator(`a[href="/app/customers?segment=${biggest.segment}"]`).count()).toBeGreaterThan(0);
    // Period change: driven by the URL.
    await page.getByLabel("Period").selectOption("90");
    await page.waitForURL(/period=90/);
    await expect.poll(() => body()).toMatch(new RegExp(`Net revenue\\s+${esc(EUR_EN(last90.netRevenue))}`));
    text = await body();
    expect(text).toMatch(new RegExp(`Orders\\s+${esc(INT_EN(last90.orders))}`));
    await finish(page, errors, "dashboard-en");
  });

  it("dashboard: a custom period compared with the year before, in French", async () => {
    const { page, errors, body } = await open("/app?locale=fr&period=custom&from=2026-01-01&to=2026-03-31&compare=year", "fr-FR");
    expect(await page.locator("h1").first().textContent()).toBe("Tableau de bord");
    const text = await body();
    expect(await page.getAttribute("html", "lang")).toBe("fr");
    expect(text).toContain("Comparé à la période du 1 janv. 2025 au 31 mars 2025.");
    // The chart's table alternative holds the daily figures of the stored series.
    const jan1 = extras.daily.find((d) => d.date === "2026-01-01")!;
    await page.getByRole("button", { name: "Afficher en tableau" }).first().click();
    await expect.poll(() => body()).toMatch(new RegExp(`1 janv\\. 2026\\s+${esc(EUR_FR(jan1.netRevenue))}`));
    // The custom period's NPS, as the KPI service computes it for any range.
    const nps = (await kpisForRange(db.prisma, SHOP, { from: "2026-01-01", to: "2026-03-31" })).current.nps;
    const INT_FR = (v: number) => new Intl.NumberFormat("fr-FR").format(v);
    expect(text).toMatch(
      nps === null ? /Net Promoter Score\s+Pas encore de réponse/ : new RegExp(`Net Promoter Score\\s+${esc(INT_FR(Math.round(nps)))}\\s`),
    );
    expect(text).not.toMatch(/\b[01] clients\b/);
    await finish(page, errors, "dashboard-fr");
  });

  it("dashboard: a bad custom range says why and shows the last 30 days", async () => {
    const { page, errors, body } = await open("/app?period=custom&from=2026-03-31&to=2026-01-01");
    expect(await body()).toContain("The end date is before the start date.");
    await page.context().close();
    expect(errors).toEqual([]);
  });

  it("segments: stored figures, RFM grid links, trend, moves and the CSV export, in English", async () => {
    const { page, errors, body } = await open("/app/segments");
    const text = await body();
    const champions = extras.segments.find((s) => s.segment === "champions")!;
    expect(text).toMatch(new RegExp(`${esc(INT_EN(champions.customers))}\\s+[\\d.]+%\\s+${esc(EUR_EN(champions.revenue))}`));
    expect(text).toContain("Reward them with exclusive pre-sales");
    // Grid: the R5 × F1 cell links to its customers and shows the stored count.
    const cell = page.locator('a[href="/app/customers?r=5&f=1"]');
    expect(await cell.textContent()).toBe(INT_EN(extras.rfmGrid.customers[4][0]));
    // Trend: one row per analysed day in the table alternative (four analyses: three weeks of history and today).
    const snapshots = await segmentSnapshotsBetween(db.prisma, SHOP, new Date(latest.date.getTime() - 89 * 86_400_000), latest.date);
    expect(new Set(snapshots.map((s) => s.date.toISOString())).size).toBe(4);
    // CSV export of a segment, fetched as the page does.
    const csv = await page.evaluate(async () => {
      const r = await fetch("/app/segments/export?segment=champions");
      return {
        type: r.headers.get("content-type"),
        disposition: r.headers.get("content-disposition"),
        text: await r.text(),
        bom: new Uint8Array(await (await fetch("/app/segments/export?segment=champions")).arrayBuffer()).slice(0, 3).join(","),
      };
    });
    expect(csv.type).toBe("text/csv; charset=utf-8");
    expect(csv.disposition).toMatch(/^attachment; filename="rapport-demo-champions-\d{4}-\d\d-\d\d\.csv"$/);
    expect(csv.bom).toBe("239,187,191");
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0]).toBe(
      "shopify_customer_id,email,first_name,last_name,segment,r_score,f_score,m_score,orders,net_revenue,currency,recency_days,first_order_at,last_order_at,p_alive,predicted_clv_12m,expected_next_order_at",
    );
    expect(lines.length - 1).toBe(champions.customers);
    const revenue = lines.slice(1).reduce((s, line) => s + Number(line.split(",")[9]), 0);
    expect(revenue.toFixed(2)).toBe(champions.revenue.toFixed(2));
    // The export button shows a toast.
    await page.getByRole("button", { name: "Export the customers of Champions as CSV" }).click();
    await expect.poll(() => body()).toContain("Champions exported");
    await finish(page, errors, "segments-en");
  });

  it("segments and cohorts in French", async () => {
    const s = await open("/app/segments?locale=fr", "fr-FR");
    expect(await s.page.locator("h1").first().textContent()).toBe("Segments");
    expect(await s.body()).toContain("Grille RFM");
    await finish(s.page, s.errors, "segments-fr");

    const cohorts = latest.cohorts as unknown as Cohort[];
    const c = await open("/app/cohorts?locale=fr", "fr-FR");
    const text = await c.body();
    expect(await c.page.locator("h1").first().textContent()).toBe("Cohortes");
    expect(text).toContain(`${cohorts.length} cohortes mensuelles de premières commandes`);
    await finish(c.page, c.errors, "cohorts-fr");
  });

  it("cohorts: sizes and retention as stored, then revenue per customer, in English", async () => {
    const cohorts = latest.cohorts as unknown as Cohort[];
    const { page, errors, body } = await open("/app/cohorts");
    const oldest = cohorts[0];
    const label = new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" }).format(
      new Date(`${oldest.cohort}-15T12:00:00Z`),
    );
    const m1 = oldest.months[1];
    const fmt = (v: number) => new Intl.NumberFormat("en-GB", { style: "percent", maximumFractionDigits: 0 }).format(v / 100);
    expect(await body()).toContain(`${label}\t${INT_EN(oldest.customers)}\t100%\t${fmt(m1.retentionRate)}`);
    await page.getByRole("tab", { name: "Revenue per customer", exact: true }).click();
    await expect.poll(() => body()).toContain(`${label}\t${INT_EN(oldest.customers)}\t${EUR_EN(oldest.months[0].revenuePerCustomer)}`);
    await finish(page, errors, "cohorts-en");
  });

  it("predictions: next 90 days, at-risk customers linking to profiles, backtest, model fit, in English and French", async () => {
    const { page, errors, body } = await open("/app/predictions");
    const text = await body();
    expect(text).toMatch(new RegExp(`Expected repeat orders, next 90 days\\s+${esc(INT_EN(Math.round(extras.next90!.purchases)))}`));
    const first = extras.atRisk[0];
    const customer = await db.prisma.customer.findUniqueOrThrow({ where: { id: first.customerId }, select: { shopifyId: true } });
    expect(await page.locator(`a[href="/app/customers/${customer.shopifyId}"]`).count()).toBe(1);
    const bt = extras.backtest!;
    expect(text).toContain(`they made ${INT_EN(bt.actualPurchases)}.`);
    expect(text).toContain("Purchases (BG/NBD)");
    await finish(page, errors, "predictions-en");

    const fr = await open("/app/predictions?locale=fr", "fr-FR");
    const frText = await fr.body();
    expect(frText).toMatch(new RegExp(`Commandes répétées attendues, 90 prochains jours\\s+${esc(INT_FR(Math.round(extras.next90!.purchases)))}`));
    expect(frText).toContain("Backtest : auriez-vous pu faire confiance à ces prédictions ?");
    await finish(fr.page, fr.errors, "predictions-fr");
  });
});
