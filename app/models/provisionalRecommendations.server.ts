// TEMP (replaced by the recommendation engine at merge): the few queries the provisional
// recommendations service needs.
import { Prisma } from "@prisma/client";
import type { Db } from "~/lib/transaction.server";

export interface ProvisionalProductRow {
  shopifyId: string;
  handle: string;
  title: string;
  priceMin: Prisma.Decimal | null;
  currency: string;
  imageUrl: string | null;
  available: boolean;
  productType: string | null;
  variantId: string | null;
  score: number;
}

const SELECT = Prisma.sql`p."shopifyId", p.handle, p.title, p."priceMin", p.currency, p."imageUrl", p.available, p."productType"`;
const ELIGIBLE = Prisma.sql`p.status = 'active' AND p.available AND p."publishedAt" IS NOT NULL AND p."priceMin" > 0`;

/** Best sellers since `since`, optionally restricted to products bought with `withProduct` or by `customer`'s types. */
export function provisionalBestSellers(
  db: Db,
  shop: string,
  options: { since: Date; withProduct: string | null; customerTypesOf: string | null; exclude: string[]; limit: number },
) {
  const together = options.withProduct
    ? Prisma.sql`AND li."orderId" IN (SELECT l2."orderId" FROM "LineItem" l2 WHERE l2.shop = ${shop} AND l2."productShopifyId" = ${options.withProduct})`
    : Prisma.empty;
  const types = options.customerTypesOf
    ? Prisma.sql`AND p."productType" IN (SELECT l3."productType" FROM "LineItem" l3 JOIN "Order" o3 ON o3.id = l3."orderId" WHERE o3.shop = ${shop} AND o3."customerShopifyId" = ${options.customerTypesOf} AND l3."productType" IS NOT NULL)`
    : Prisma.empty;
  const exclude = options.exclude.length ? Prisma.sql`AND p."shopifyId" NOT IN (${Prisma.join(options.exclude)})` : Prisma.empty;
  return db.$queryRaw<ProvisionalProductRow[]>`
    SELECT ${SELECT}, COUNT(*)::int AS score,
      (SELECT v."variantShopifyId" FROM "LineItem" v WHERE v.shop = ${shop} AND v."productShopifyId" = p."shopifyId" AND v."variantShopifyId" IS NOT NULL LIMIT 1) AS "variantId"
    FROM "LineItem" li
    JOIN "Order" o ON o.id = li."orderId"
    JOIN "Product" p ON p.shop = li.shop AND p."shopifyId" = li."productShopifyId"
    WHERE li.shop = ${shop} AND o.shop = ${shop} AND o."processedAt" >= ${options.since} AND o."cancelledAt" IS NULL AND NOT o.test
      AND ${ELIGIBLE} ${together} ${types} ${exclude}
    GROUP BY p.id
    ORDER BY score DESC, p."shopifyId"
    LIMIT ${options.limit}`;
}
