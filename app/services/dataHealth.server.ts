// What is stored for a shop and how fresh it is: the admin home page and `rapport stats`.
import { countShopData, inboxCountsByStatus, lastEventPerTopic } from "~/models/dataHealth.server";
import { findShop } from "~/models/shop.server";
import { deadEvents } from "~/models/webhookEvent.server";
import { prisma } from "~/lib/db.server";
import { currencyDecimal } from "~/lib/format";

export interface DataHealth {
  shop: { domain: string; name: string | null; currency: string; ianaTimezone: string; installedAt: string; uninstalledAt: string | null };
  customers: number;
  orders: number;
  cancelledOrders: number;
  products: number;
  checkouts: number;
  /**
   * Decimal strings with the shop currency's own digits ("12.50", "1250" for JPY).
   * Net = paid totals of non-cancelled orders − refunds.
   */
  grossRevenue: string;
  refunded: string;
  netRevenue: string;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  lastEventPerTopic: { topic: string; lastReceivedAt: string | null; count: number }[];
  inbox: { pending: number; processing: number; processed: number; dead: number };
  /** The latest events that could not be applied, with the reason, for a person to act on. */
  deadEvents: { id: number; topic: string; eventId: string; attempts: number; lastError: string | null; receivedAt: string }[];
}

export class UnknownShopError extends Error {
  constructor(public readonly shop: string) {
    super(`No shop named "${shop}" is stored in this database.`);
  }
}

export async function getDataHealth(shopDomain: string): Promise<DataHealth> {
  const db = prisma();
  const shop = await findShop(db, shopDomain);
  if (!shop) throw new UnknownShopError(shopDomain);
  const [data, events, inbox, dead] = await Promise.all([
    countShopData(db, shopDomain),
    lastEventPerTopic(db, shopDomain),
    inboxCountsByStatus(db, shopDomain),
    deadEvents(db, shopDomain, 10),
  ]);
  // Exact decimal sums (the model subtracts refunds), rounded once to the currency's digits.
  const money = (value: { toString(): string } | null) => currencyDecimal(value?.toString() ?? "0", shop.currency);
  return {
    shop: {
      domain: shop.domain,
      name: shop.name,
      currency: shop.currency,
      ianaTimezone: shop.ianaTimezone,
      installedAt: shop.installedAt.toISOString(),
      uninstalledAt: shop.uninstalledAt?.toISOString() ?? null,
    },
    customers: data.customers,
    orders: data.orders,
    cancelledOrders: data.cancelledOrders,
    products: data.products,
    checkouts: data.checkouts,
    grossRevenue: money(data.grossRevenue),
    refunded: money(data.refunded),
    netRevenue: money(data.netRevenue),
    firstOrderAt: data.firstOrderAt?.toISOString() ?? null,
    lastOrderAt: data.lastOrderAt?.toISOString() ?? null,
    lastEventPerTopic: events.map((e) => ({ ...e, lastReceivedAt: e.lastReceivedAt?.toISOString() ?? null })),
    inbox,
    deadEvents: dead.map((e) => ({ ...e, receivedAt: e.receivedAt.toISOString() })),
  };
}
