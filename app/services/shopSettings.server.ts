// After installation (and each new OAuth), read the shop's currency, time zone and name from
// the Admin API: amounts are shown in the shop's currency and days/months follow its zone.
import { prisma } from "~/lib/db.server";
import { logger } from "~/lib/logger.server";
import type { DbClient } from "~/lib/transaction.server";
import { findShopTimeZone, recordInstall as recordInstallRow, upsertShopDetails } from "~/models/shop.server";
import { SHOP_DETAILS_QUERY, type ShopDetailsResponse } from "~/graphql/shopDetails";
import { UnknownShopError } from "./dataHealth.server";

export interface GraphqlClient {
  graphql(query: string): Promise<Response>;
}

/** Called after OAuth: creates the shop or marks a returning shop installed again. */
export function recordInstall(shop: string, scope: string | null, now = new Date()) {
  return recordInstallRow(prisma(), shop, scope, now);
}

export async function refreshShopDetails(admin: GraphqlClient, shop: string) {
  try {
    const response = await admin.graphql(SHOP_DETAILS_QUERY);
    const body = (await response.json()) as ShopDetailsResponse;
    const details = body.data?.shop;
    if (!details) throw new Error(`no shop in the Admin API answer (${JSON.stringify(body.errors ?? null).slice(0, 200)})`);
    return await upsertShopDetails(prisma(), shop, {
      name: details.name,
      currency: details.currencyCode,
      ianaTimezone: details.ianaTimezone,
      countryCode: details.billingAddress?.countryCodeV2 ?? null,
    });
  } catch (error) {
    // The install must not fail on this: the next OAuth (or a restart) tries again.
    logger.error({ shop, err: error instanceof Error ? error.message : String(error) }, "could not read the shop's currency and time zone");
    return null;
  }
}

/** The shop's IANA time zone, for calendar days; UnknownShopError when the shop is not stored. */
export async function getShopTimeZone(db: DbClient, shop: string): Promise<string> {
  const zone = await findShopTimeZone(db, shop);
  if (zone === null) throw new UnknownShopError(shop);
  return zone;
}
