// The shop reads of the analytics: the shop's currency and time zone, and the installed shops
// the nightly run analyses.
import type { Db } from "~/lib/transaction.server";

/** The analysis settings of a shop (zone "UTC" when Shopify gave none); null for an unknown shop. */
export async function findAnalyticsShop(db: Db, shop: string): Promise<{ currency: string; timeZone: string; settings: unknown } | null> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true, ianaTimezone: true, settings: true } });
  return row && { currency: row.currency, timeZone: row.ianaTimezone || "UTC", settings: row.settings };
}

/**
 * Domains of the installed shops, in order. Cross-shop by nature (the nightly run visits every
 * shop), like the inbox's queue functions.
 */
/** Installed shops with what the nightly schedule needs: time zone and settings (analysis hour). */
export async function listInstalledShopsForSchedule(db: Db): Promise<{ domain: string; timeZone: string; settings: unknown }[]> {
  const rows = await db.shop.findMany({
    where: { uninstalledAt: null },
    select: { domain: true, ianaTimezone: true, settings: true },
    orderBy: { domain: "asc" },
  });
  return rows.map((r) => ({ domain: r.domain, timeZone: r.ianaTimezone, settings: r.settings }));
}
