// Customers and their personal data (CustomerProfile, a separate row so redaction is a delete).
import type { Prisma } from "@prisma/client";
import { chunks } from "~/lib/chunks";
import type { Db } from "~/lib/transaction.server";
import type { CustomerPayload } from "~/lib/shopifyPayloads";
import { insertRows } from "./bulk.server";
import { customerProfileRow, customerRow } from "./rows.server";
import { findStoredVersions, SHOPIFY_KEY } from "./synced.server";

export function findStoredCustomers(db: Db, shop: string, shopifyIds: string[]) {
  return findStoredVersions(db, "customer", shop, shopifyIds);
}

/** Inserts customers not stored yet; returns those inserted (a row another transaction inserted first is skipped). */
export function insertCustomers(db: Db, shop: string, payloads: CustomerPayload[]) {
  return insertRows<{ id: number; shopifyId: string }>(
    db,
    "Customer",
    payloads.map((c) => customerRow(shop, c)),
    ["id", "shopifyId"],
    { skipConflictsOn: SHOPIFY_KEY },
  );
}

export async function insertCustomerProfiles(db: Db, shop: string, profiles: { customerId: number; payload: CustomerPayload }[]) {
  await insertRows(
    db,
    "CustomerProfile",
    profiles.map((p) => customerProfileRow(shop, p.customerId, p.payload)),
  );
}

/** Rewrites a stored customer and its profile from the payload. */
export async function updateCustomer(db: Db, shop: string, id: number, payload: CustomerPayload) {
  await db.customer.update({ where: { id, shop }, data: customerRow(shop, payload) });
  const profile = customerProfileRow(shop, id, payload);
  // Keyed by the unique column alone so Prisma can use the database's native upsert.
  await db.customerProfile.upsert({ where: { customerId: id }, create: profile, update: profile });
}

/** The customer row goes with its profile (cascade); orders keep their amounts without the link. */
export async function deleteCustomerByShopifyId(db: Db, shop: string, shopifyId: string) {
  await db.customer.deleteMany({ where: { shop, shopifyId } });
}

/** Stored ids of the customers among `shopifyIds`, by Shopify id. */
export async function customerIdsByShopifyId(db: Db, shop: string, shopifyIds: string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(shopifyIds)) {
    const rows = await db.customer.findMany({ where: { shop, shopifyId: { in: part } }, select: { id: true, shopifyId: true } });
    for (const row of rows) ids.set(row.shopifyId, row.id);
  }
  return ids;
}

/** A customer's current RFM segment from the latest analysis; null when not analysed (or unknown). */
export async function customerSegmentByShopifyId(db: Db, shop: string, shopifyId: string): Promise<string | null> {
  const row = await db.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId } }, select: { metrics: { select: { segment: true } } } });
  return row?.metrics?.segment ?? null;
}

export function countCustomers(db: Db, shop: string) {
  return db.customer.count({ where: { shop } });
}

/**
 * The customers whose e-mail is `email` in any case. Compared with lower() on both sides, not
 * Prisma's `mode: "insensitive"`: that is an ILIKE, where `_` and `%` in an address are
 * wildcards (ann_lee@… would also find annxlee@…). Served by (shop, lower(email)).
 */
async function customerIdsWithEmail(db: Db, shop: string, email: string): Promise<number[]> {
  const rows = await db.$queryRaw<{ customerId: number }[]>`
    SELECT "customerId" FROM "CustomerProfile" WHERE "shop" = ${shop} AND lower("email") = lower(${email})`;
  return rows.map((r) => r.customerId);
}

/** The customers a GDPR request designates: by Shopify id, or by email (any case) when the id is unknown to us. */
export async function findCustomersByIdOrEmail(db: Db, shop: string, customer: { id?: string | null; email?: string | null }) {
  const or: Prisma.CustomerWhereInput[] = [];
  if (customer.id) or.push({ shopifyId: customer.id });
  if (customer.email) or.push({ id: { in: await customerIdsWithEmail(db, shop, customer.email) } });
  if (!or.length) return [];
  return db.customer.findMany({ where: { shop, OR: or }, select: { id: true, shopifyId: true } });
}

/** Everything stored about these customers, for a GDPR data request. */
export function customersWithPersonalData(db: Db, shop: string, ids: number[]) {
  return db.customer.findMany({
    where: { shop, id: { in: ids } },
    include: {
      profile: true,
      checkouts: { select: { shopifyId: true, totalPrice: true, currency: true, shopifyCreatedAt: true, completedAt: true } },
    },
  });
}

/** Erases the customers' personal data: the profile row goes, personal fields are cleared. */
export async function redactCustomers(db: Db, shop: string, ids: number[], now: Date) {
  await db.customerProfile.deleteMany({ where: { shop, customerId: { in: ids } } });
  await db.customer.updateMany({
    where: { shop, id: { in: ids } },
    data: { redactedAt: now, tags: [], locale: null, countryCode: null },
  });
}
