// Shop rows. Every other model is keyed by the shop's *.myshopify.com domain.
import { prisma } from "~/lib/db.server";

export function findShop(domain: string) {
  return prisma().shop.findUnique({ where: { domain } });
}

/** Called after OAuth: creates the shop or marks a returning shop installed again. */
export function recordInstall(domain: string, scope: string | null, now = new Date()) {
  return prisma().shop.upsert({
    where: { domain },
    create: { domain, scope, installedAt: now },
    update: { scope, installedAt: now, uninstalledAt: null },
  });
}

export interface ShopDetails {
  name?: string | null;
  currency?: string;
  ianaTimezone?: string;
  countryCode?: string | null;
}

export function upsertShopDetails(domain: string, details: ShopDetails) {
  return prisma().shop.upsert({
    where: { domain },
    create: { domain, ...details },
    update: details,
  });
}
