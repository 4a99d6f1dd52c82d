import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser";
import { ROOT } from "../helpers/cli";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startDemoServer, type DemoServer } from "../helpers/server";

const SCREENSHOTS = path.join(ROOT, "test-results");

describe("the demo app in Chromium", () => {
  let database: TestDatabase;
  let server: DemoServer;
  let browser: Browser;
  let seeded: { customers: number; orders: number };

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    server = await startDemoServer(["--customers", "300", "--orders", "2200", "--products", "60", "--seed", "11"], { DATABASE_URL: database.url });
    const match = /Seeded the demo shop .*: (\d+) customers, (\d+) orders/.exec(server.output());
    expect(match, server.output()).not.toBeNull();
    seeded = { customers: Number(match![1]), orders: Number(match![2]) };
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.drop();
  });

  it("shows the merchant the demo shop's data health, in English", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "en-GB" });
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));

    const response = await page.goto(`${server.url}/app`, { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Data health");
    const body = await page.locator("body").innerText();
    expect(body).toContain("Demo mode");
    expect(body).toContain("Maison Rapport");
    expect(body).toContain("Europe/Paris");
    // The figures are the seeded shop's (test orders are excluded from the order count).
    expect(body).toMatch(new RegExp(`Customers\\s+${seeded.customers.toLocaleString("en-GB")}\\s`));
    const orders = Number(/Orders\s+([\d,]+)/.exec(body)?.[1].replace(/,/g, ""));
    expect(orders).toBeGreaterThan(seeded.orders - 20);
    expect(orders).toBeLessThanOrEqual(seeded.orders);
    expect(body).toMatch(/Net revenue\s+€[\d,]+\.\d\d/);
    expect(body).toContain("No webhook has been received yet");
    // The demo shop was analysed on seeding: key figures and RFM segments with their actions.
    expect(body).toContain("Key figures");
    expect(body).toMatch(/Average order value\s+€[\d,]+\.\d\d/);
    expect(body).toContain("Customer segments (RFM)");
    expect(body).toMatch(/Champions\s+[\d,]+ customers? · €[\d,]+\.\d\d\s+Reward them with exclusive pre-sales/);
    expect(body).toMatch(/Repeat purchase rate\s+\d+(\.\d)?%/);
    expect(body).not.toMatch(/\b1 customers\b/);
    await page.screenshot({ path: path.join(SCREENSHOTS, "app-home-en.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("speaks French when Shopify asks for it", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${server.url}/app?locale=fr`, { waitUntil: "networkidle" });
    const body = await page.locator("body").innerText();
    expect(await page.locator("h1").first().textContent()).toBe("État des données");
    expect(body).toContain("Mode démo");
    expect(body).toContain("Chiffre d’affaires net");
    expect(body).toContain("Segments clients (RFM)");
    expect(body).toContain("Panier moyen");
    expect(body).toMatch(/\d[\d\u202f\u00a0 ]*,\d\d\s€/);
    // French number, percent and plural rules, through Intl and ICU messages.
    expect(body).toMatch(/Champions\s+\d[\d\u202f]* clients? · \d[\d\u202f]*,\d\d\u00a0€\s+Récompensez-les/);
    expect(body).toMatch(/Taux de réachat\s+\d+(,\d)?\u00a0%/);
    expect(body).not.toMatch(/\b[01] clients\b/);
    expect(await page.getAttribute("html", "lang")).toBe("fr");
    await page.screenshot({ path: path.join(SCREENSHOTS, "app-home-fr.png"), fullPage: true });
    // Server and client render the same text: hydration logs no mismatch.
    expect(errors).toEqual([]);
    await page.close();
  });
});
