// Takes the README's screenshots from a running demo server (`npm run demo`) in Chromium:
//   node --import tsx docs/screenshots/take.ts [--url http://localhost:3000] [--only name,name]
// Each page is opened at 1280 px wide, given time for its client-only charts and the
// storefront's blocks to load, and saved as docs/screenshots/<name>.png (the whole page).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { launchChromium } from "../../tests/helpers/browser";

const { values } = parseArgs({ options: { url: { type: "string" }, only: { type: "string" } } });
const base = (values.url ?? "http://localhost:3000").replace(/\/$/, "");
const only = values.only ? new Set(values.only.split(",")) : null;
const dir = path.dirname(fileURLToPath(import.meta.url));

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const shot = async (name: string, url: string, waitFor?: string) => {
    if (only && !only.has(name)) return;
    await page.goto(`${base}${url}`, { waitUntil: "networkidle" });
    if (waitFor) await page.waitForSelector(waitFor, { timeout: 15_000 });
    await page.waitForTimeout(1_000); // charts are drawn after the first paint
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
    process.stdout.write(`${name}.png  ${url}\n`);
  };

  await shot("dashboard", "/app");
  await shot("dashboard-fr", "/app?locale=fr");
  await shot("segments", "/app/segments");
  await shot("cohorts", "/app/cohorts");
  await shot("predictions", "/app/predictions");
  await shot("customers", "/app/customers");
  // The profile of the most valuable customer on the list.
  await page.goto(`${base}/app/customers?sort=predictedClv12m&dir=desc`, { waitUntil: "networkidle" });
  const profile = await page.locator('a[href*="/app/customers/"]').first().getAttribute("href");
  if (profile) await shot("profile", new URL(profile, base).pathname);
  await shot("recommendations", "/app/recommendations");
  await shot("nps", "/app/nps");
  await shot("settings", "/app/settings");
  await shot("data", "/app/data");

  // The demo storefront: a product page with its "bought together" block, and the home page
  // and privacy page as a logged-in customer (the first one the "Browsing as" menu offers).
  await page.goto(`${base}/demo/storefront`, { waitUntil: "networkidle" });
  // Answer the cookie banner (it would cover the block): analytics allowed.
  const accept = page.getByRole("button", { name: "Accept" });
  if (await accept.count()) await accept.first().click();
  const product = await page.locator('a[href*="/demo/storefront/products/"]').first().getAttribute("href");
  const customer = await page
    .locator("select option")
    .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).find((v) => /^\d+$/.test(v)) ?? null);
  if (product) await shot("storefront-product", new URL(product, base).pathname, "rapport-recommendations li");
  if (customer) {
    await shot("storefront-home", `/demo/storefront?customer=${customer}`, "rapport-recommendations li");
    await shot("storefront-privacy", `/demo/storefront/apps/rapport/privacy?customer=${customer}`);
  }
} finally {
  await browser.close();
}
