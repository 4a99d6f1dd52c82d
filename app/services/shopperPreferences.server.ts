// What a shopper chose about Rapport on the storefront, edited on the shopper's privacy page
// (/apps/rapport/privacy) and honoured everywhere: an opted-out customer gets non-personal
// recommendations and nothing is recorded about them; a customer who turned surveys off is never
// asked and their answers are refused.
import { shopperGroupOf, type ShopperGroup } from "~/domain/shopperGroup";
import type { Db } from "~/lib/transaction.server";
import { customerSegmentByShopifyId } from "~/models/customer.server";
import { countCustomerOrders } from "~/models/nps.server";
import { deleteShopperRows, findShopperPreference, upsertShopperPreference } from "~/models/recommendationTracking.server";

export interface ShopperPreferences {
  personalization: boolean;
  surveys: boolean;
}

export const DEFAULT_SHOPPER_PREFERENCES: ShopperPreferences = { personalization: true, surveys: true };

/** The customer's stored preferences, or the defaults (allowed) when they never chose. */
export async function getShopperPreferences(db: Db, shop: string, customerId: string): Promise<ShopperPreferences> {
  return (await findShopperPreference(db, shop, customerId)) ?? DEFAULT_SHOPPER_PREFERENCES;
}

export async function setShopperPreferences(db: Db, shop: string, customerId: string, values: Partial<ShopperPreferences>): Promise<void> {
  await upsertShopperPreference(db, shop, customerId, values);
}

/** GDPR customers/redact: everything the storefront recorded about these customers. */
export async function forgetShoppers(db: Db, shop: string, customerShopifyIds: string[]): Promise<void> {
  await deleteShopperRows(db, shop, customerShopifyIds);
}

/**
 * What the privacy page tells a customer Rapport uses to personalise their visit: their counted
 * orders and the plain-words group of their segment (never the segment's name or the scores).
 */
export async function shopperSummary(db: Db, shop: string, customerId: string): Promise<{ orders: number; group: ShopperGroup }> {
  const [orders, segment] = await Promise.all([countCustomerOrders(db, shop, customerId), customerSegmentByShopifyId(db, shop, customerId)]);
  return { orders, group: orders === 0 ? "none" : shopperGroupOf(segment) };
}
