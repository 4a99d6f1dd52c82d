// Checkouts (abandoned or completed carts).
import type { Db } from "~/lib/transaction.server";
import type { CheckoutPayload } from "~/lib/shopifyPayloads";
import { insertRows } from "./bulk.server";
import { checkoutRow } from "./rows.server";
import { findStoredVersions, SHOPIFY_KEY } from "./synced.server";

export interface CheckoutToWrite {
  payload: CheckoutPayload;
  /** The stored customer's id, when the checkout has one. */
  customerId: number | null;
}

export function findStoredCheckouts(db: Db, shop: string, shopifyIds: string[]) {
  return findStoredVersions(db, "checkout", shop, shopifyIds);
}

/** Inserts checkouts not stored yet; returns the Shopify ids inserted (skipping rows another transaction inserted first). */
export function insertCheckouts(db: Db, shop: string, checkouts: CheckoutToWrite[], shopCurrency: string) {
  return insertRows<{ shopifyId: string }>(
    db,
    "Checkout",
    checkouts.map((c) => checkoutRow(shop, c.payload, c.customerId, shopCurrency)),
    ["shopifyId"],
    {
      skipConflictsOn: SHOPIFY_KEY,
    },
  );
}

export async function updateCheckout(db: Db, shop: string, id: number, checkout: CheckoutToWrite, shopCurrency: string) {
  await db.checkout.update({ where: { id, shop }, data: checkoutRow(shop, checkout.payload, checkout.customerId, shopCurrency) });
}

export function countCheckouts(db: Db, shop: string) {
  return db.checkout.count({ where: { shop } });
}
