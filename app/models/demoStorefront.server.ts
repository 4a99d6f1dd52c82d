// Reads for the demo storefront (demo mode only): the shop's catalogue as a storefront shows
// it, and the customers one can browse as. A product's variant is its default variant, else the
// one its orders carried.
import { Prisma } from "@prisma/client";
import type { Db } from "~/lib/transaction.server";

export interface StorefrontProductRow {
  shopifyId: string;
  handle: string;
  title: string;
  productType: string | null;
  vendor: string | null;
  priceMin: Prisma.Decimal | null;
  currency: string;
  imageUrl: string | null;
  available: boolean;
  variantId: string | null;
}

const COLUMNS = Prisma.sql`p."shopifyId", p.handle, p.title, p."productType", p.vendor, p."priceMin", p.currency, p."imageUrl", p.available,
  COALESCE(p."defaultVariantId", (SELECT v."variantShopifyId" FROM "LineItem" v WHERE v.shop = p.shop AND v."productShopifyId" = p."shopifyId" AND v."variantShopifyId" IS NOT NULL LIMIT 1)) AS "variantId"`;

/** The most sold active products of the last year: the storefront's featured products. */
export function featuredProducts(db: Db, shop: string, since: Date, limit: number) {
  return db.$queryRaw<StorefrontProductRow[]>`
    SELECT ${COLUMNS}
    FROM "Product" p
    JOIN (SELECT li."productShopifyId" AS id, SUM(li.quantity) AS sold
          FROM "LineItem" li JOIN "Order" o ON o.id = li."orderId"
          WHERE li.shop = ${shop} AND o.shop = ${shop} AND o."processedAt" >= ${since}
          GROUP BY li."productShopifyId") s ON s.id = p."shopifyId"
    WHERE p.shop = ${shop} AND p.status = 'active' AND p."publishedAt" IS NOT NULL AND p.available
    ORDER BY s.sold DESC, p."shopifyId"
    LIMIT ${limit}`;
}

export async function productByHandle(db: Db, shop: string, handle: string): Promise<StorefrontProductRow | null> {
  const rows = await db.$queryRaw<StorefrontProductRow[]>`
    SELECT ${COLUMNS} FROM "Product" p WHERE p.shop = ${shop} AND p.handle = ${handle} AND p.status = 'active' LIMIT 1`;
  return rows[0] ?? null;
}

/** Products by the variant ids a cart holds. */
export async function productsByVariantIds(db: Db, shop: string, variantIds: string[]): Promise<Map<string, StorefrontProductRow>> {
  if (!variantIds.length) return new Map();
  const rows = await db.$queryRaw<(StorefrontProductRow & { wanted: string })[]>`
    SELECT DISTINCT ON (wanted) wanted, ${COLUMNS}
    FROM (
      SELECT p0."defaultVariantId" AS wanted, p0."shopifyId" AS product FROM "Product" p0 WHERE p0.shop = ${shop} AND p0."defaultVariantId" IN (${Prisma.join(variantIds)})
      UNION ALL
      SELECT li."variantShopifyId", li."productShopifyId" FROM "LineItem" li WHERE li.shop = ${shop} AND li."variantShopifyId" IN (${Prisma.join(variantIds)})
    ) w JOIN "Product" p ON p.shop = ${shop} AND p."shopifyId" = w.product`;
  return new Map(rows.map((row) => [row.wanted, row]));
}

/**
 * Customers with the most orders: the demo's "sign in as" list. Counted as everywhere else
 * (cancelled and test orders left out), so the menu and the privacy page give one number.
 */
export function customersToBrowseAs(db: Db, shop: string, limit: number) {
  return db.$queryRaw<{ shopifyId: string; firstName: string | null; lastName: string | null; orders: number }[]>`
    SELECT c."shopifyId", cp."firstName", cp."lastName", COUNT(o.id)::int AS orders
    FROM "Customer" c LEFT JOIN "CustomerProfile" cp ON cp."customerId" = c.id
    JOIN "Order" o ON o."customerId" = c.id AND o.shop = ${shop} AND o."cancelledAt" IS NULL AND NOT o.test
    WHERE c.shop = ${shop}
    GROUP BY c.id, cp."firstName", cp."lastName"
    ORDER BY orders DESC, c."shopifyId"
    LIMIT ${limit}`;
}

export async function customerName(db: Db, shop: string, shopifyId: string): Promise<string | null> {
  const row = await db.customer.findUnique({
    where: { shop_shopifyId: { shop, shopifyId } },
    select: { profile: { select: { firstName: true, lastName: true } } },
  });
  if (!row) return null;
  return [row.profile?.firstName, row.profile?.lastName].filter(Boolean).join(" ") || `#${shopifyId}`;
}

export function shopDisplay(db: Db, shop: string) {
  return db.shop.findUnique({ where: { domain: shop }, select: { name: true, currency: true } });
}

/** A customer's latest counted orders (the demo's account page), newest first. */
export function customerOrders(db: Db, shop: string, customerShopifyId: string, limit: number) {
  return db.order.findMany({
    where: { shop, customerShopifyId, cancelledAt: null, test: false },
    orderBy: [{ processedAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { shopifyId: true, name: true, processedAt: true, totalPrice: true, currency: true },
  });
}
