// What a shopper chose about Rapport on the storefront. The privacy page (another issue) edits
// these; the storefront honours them now: an opted-out customer gets non-personal
// recommendations and nothing is recorded about them.
import type { Db } from "~/lib/transaction.server";
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
