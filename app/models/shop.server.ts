// Shop rows. Every other model is keyed by the shop's *.myshopify.com domain; deleting the
// Shop row cascades to everything keyed by it.
import { invalidateServing } from "~/lib/servingCache.server";
import type { Db } from "~/lib/transaction.server";

export function findShop(db: Db, shop: string) {
  return db.shop.findUnique({ where: { domain: shop } });
}

/** Creates the shop or marks a returning shop installed again. */
export async function recordInstall(db: Db, shop: string, scope: string | null, now = new Date()) {
  const row = await db.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, scope, installedAt: now },
    update: { scope, installedAt: now, uninstalledAt: null },
  });
  invalidateServing(shop, "shop");
  return row;
}

export interface ShopDetails {
  name?: string | null;
  currency?: string;
  ianaTimezone?: string;
  countryCode?: string | null;
}

export async function upsertShopDetails(db: Db, shop: string, details: ShopDetails) {
  const row = await db.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, ...details },
    update: details,
  });
  invalidateServing(shop, "shop");
  return row;
}

/** Creates the shop row with defaults when it does not exist; an existing row is left as is. */
export async function ensureShop(db: Db, shop: string) {
  await db.shop.upsert({ where: { domain: shop }, create: { domain: shop }, update: {} });
  invalidateServing(shop, "shop");
}

export async function updateShop(db: Db, shop: string, data: ShopDetails & { scope?: string | null }) {
  await db.shop.update({ where: { domain: shop }, data });
  invalidateServing(shop, "shop");
}

export async function markUninstalled(db: Db, shop: string, at: Date) {
  await db.shop.update({ where: { domain: shop }, data: { uninstalledAt: at } });
  invalidateServing(shop, "shop");
}

/** The shop's currency; throws when the shop is not stored. */
export async function getShopCurrency(db: Db, shop: string): Promise<string> {
  const { currency } = await db.shop.findUniqueOrThrow({ where: { domain: shop }, select: { currency: true } });
  return currency;
}

/** The shop's IANA time zone, or null when the shop is not stored. */
export async function findShopTimeZone(db: Db, shop: string): Promise<string | null> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { ianaTimezone: true } });
  return row?.ianaTimezone ?? null;
}

/** Deletes the shop row and, by cascade, every row keyed by the shop. Returns how many shop rows went (0 or 1). */
export async function deleteShop(db: Db, shop: string): Promise<number> {
  const deleted = await db.shop.deleteMany({ where: { domain: shop } });
  // ShopTally has no foreign key (the cascade's own deletes write to it): cleared after it.
  await db.shopTally.deleteMany({ where: { shop } });
  invalidateServing(shop);
  return deleted.count;
}
