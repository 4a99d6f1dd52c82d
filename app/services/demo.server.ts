// The demo shop: generated deterministically (services/demo/generator.ts) and applied through
// the same sync service as real webhooks, after validation by the same payload schemas.
import { type z } from "zod";
import { inTransaction, type Db, type DbClient } from "~/lib/transaction.server";
import { countCheckouts } from "~/models/checkout.server";
import { countCustomers } from "~/models/customer.server";
import { insertMarketingSpend } from "~/models/marketingSpend.server";
import { countOrders } from "~/models/order.server";
import { countProducts } from "~/models/product.server";
import { deleteSessions } from "~/models/session.server";
import { deleteShop, updateShop } from "~/models/shop.server";
import { analyzeShop, type AnalysisSummary } from "./analytics.server";
import { DEFAULT_DEMO_OPTIONS, generateDemoShop, type DemoShopOptions } from "./demo/generator";
import { generateDemoNps } from "./demo/nps";
import { importNpsHistory } from "./nps.server";
import { ensureShop, syncCheckouts, syncCustomers, syncOrders, syncProducts } from "./sync.server";
import { checkoutPayload, customerPayload, describeZodError, orderPayload, productPayload } from "~/lib/shopifyPayloads";

export interface SeedOptions extends Partial<Omit<DemoShopOptions, "endDate">> {
  endDate?: Date;
  /** Erase the shop's existing data first. */
  force?: boolean;
  /** Run the analytics after seeding (default true). */
  analyze?: boolean;
  /** The analysis date (default: the demo end date, so a seed is analysed the same way every time). */
  now?: Date;
  /**
   * Weekly analyses run before the final one (as of 7, 14, … days before it), so that the
   * admin's trends, segment moves and sparklines have a history as they would after weeks of
   * nightly runs. Default 0 here; `rapport demo seed|serve` asks for DEMO_HISTORY_WEEKS.
   */
  historyWeeks?: number;
}

export const DEMO_HISTORY_WEEKS = 8;

export interface SeedResult {
  shop: string;
  seeded: boolean;
  products: number;
  customers: number;
  orders: number;
  checkouts: number;
  /** NPS answers and detractor follow-ups of the demo history. */
  npsAnswers?: number;
  npsFollowUps?: number;
  endDate: string;
  /** The analysis run right after seeding (segments, KPIs, predictions). */
  analysis?: AnalysisSummary;
}

/** The demo "now": midnight UTC today, so a reseed on the same day gives the same shop. */
export function demoEndDate(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

function parseAll<T extends z.ZodType>(schema: T, items: unknown[], what: string): z.infer<T>[] {
  return items.map((item, index) => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) throw new Error(`Generated ${what} #${index} does not match Shopify's payload: ${describeZodError(parsed.error)}`);
    return parsed.data;
  });
}

export async function deleteShopData(db: Db, shop: string) {
  // Rows that reference the shop cascade from the Shop row; sessions are not linked to it.
  await deleteShop(db, shop);
  await deleteSessions(db, shop);
}

export async function seedDemoShop(prisma: DbClient, options: SeedOptions = {}): Promise<SeedResult> {
  const endDate = options.endDate ?? demoEndDate();
  const settings = { ...DEFAULT_DEMO_OPTIONS, ...stripUndefined(options), endDate };
  const shop = settings.shopDomain;

  if (!options.force && (await countOrders(prisma, shop)) > 0) {
    const [products, customers, orders, checkouts] = await Promise.all([
      countProducts(prisma, shop),
      countCustomers(prisma, shop),
      countOrders(prisma, shop),
      countCheckouts(prisma, shop),
    ]);
    return { shop, seeded: false, products, customers, orders, checkouts, endDate: endDate.toISOString() };
  }

  const demo = generateDemoShop(settings);
  const products = parseAll(productPayload, demo.products, "product");
  const customers = parseAll(customerPayload, demo.customers, "customer");
  const orders = parseAll(orderPayload, demo.orders, "order");
  const checkouts = parseAll(checkoutPayload, demo.checkouts, "checkout");
  const nps = generateDemoNps({ orders: demo.orders, products: demo.products, endDate }, settings.seed);

  await inTransaction(
    prisma,
    async (tx) => {
      if (options.force) await deleteShopData(tx, shop);
      await ensureShop(tx, shop);
      await updateShop(tx, shop, {
        name: demo.shop.name,
        currency: demo.shop.currency,
        ianaTimezone: demo.shop.ianaTimezone,
        countryCode: demo.shop.countryCode,
        scope: "read_orders,read_customers,read_products,write_customers,write_app_proxy",
      });
      await syncProducts(tx, shop, products, demo.shop.currency);
      await syncCustomers(tx, shop, customers);
      await syncOrders(tx, shop, orders);
      await syncCheckouts(tx, shop, checkouts, demo.shop.currency);
      await insertMarketingSpend(tx, shop, demo.marketingSpend);
      await importNpsHistory(tx, shop, nps.answers, nps.followUps);
    },
    { timeout: 10 * 60_000, maxWait: 60_000 },
  );

  // The demo shop is analysed on seeding, as a real shop is after its sync.
  let analysis: AnalysisSummary | undefined;
  if (options.analyze !== false) {
    const now = options.now ?? endDate;
    for (let week = options.historyWeeks ?? 0; week >= 1; week--) {
      await analyzeShop(prisma, shop, { now: new Date(now.getTime() - week * 7 * 86_400_000) });
    }
    analysis = await analyzeShop(prisma, shop, { now });
  }

  return {
    shop,
    seeded: true,
    analysis,
    products: products.length,
    customers: await countCustomers(prisma, shop),
    orders: orders.length,
    checkouts: checkouts.length,
    npsAnswers: nps.answers.length,
    npsFollowUps: nps.followUps.length,
    endDate: endDate.toISOString(),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
