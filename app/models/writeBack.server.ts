// What the write-back wants to send (customers with their analysis) and what it last sent.
import type { Prisma } from "@prisma/client";
import { invalidateServing } from "~/lib/servingCache.server";
import type { Db } from "~/lib/transaction.server";

/** One page of the shop's customers with metrics, by id (keyset pagination). */
export function customersForWriteBack(db: Db, shop: string, afterId: number, take: number) {
  return db.customer.findMany({
    where: { shop, id: { gt: afterId } },
    orderBy: { id: "asc" },
    take,
    select: {
      id: true,
      shopifyId: true,
      redactedAt: true,
      metrics: {
        select: {
          segment: true,
          rScore: true,
          fScore: true,
          mScore: true,
          pAlive: true,
          predictedClv12m: true,
          expectedNextOrderAt: true,
          currency: true,
        },
      },
      writeBack: { select: { tags: true, metafields: true } },
    },
  });
}

export async function saveWriteBackState(db: Db, shop: string, customerId: number, tags: string[], metafields: Record<string, string>, at: Date) {
  const data = { shop, tags, metafields: metafields as Prisma.InputJsonValue, writtenAt: at };
  await db.writeBackState.upsert({ where: { customerId }, create: { customerId, ...data }, update: data });
}

export interface WriteBackSettings {
  enabled: boolean;
  tagPrefix: string;
}

/** The shop's write-back switch and tag prefix (Shop.settings.writeBack), or null for an unknown shop. */
export async function findWriteBackSettings(db: Db, shop: string): Promise<Partial<WriteBackSettings> | null> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
  if (!row) return null;
  const settings = (row.settings ?? {}) as { writeBack?: Partial<WriteBackSettings> };
  return settings.writeBack ?? {};
}

/** Sets Shop.settings.writeBack, leaving the other settings as they are. */
export async function saveWriteBackSettings(db: Db, shop: string, value: WriteBackSettings) {
  const row = await db.shop.findUniqueOrThrow({ where: { domain: shop }, select: { settings: true } });
  const settings = { ...((row.settings ?? {}) as Record<string, unknown>), writeBack: value };
  await db.shop.update({ where: { domain: shop }, data: { settings: settings as unknown as Prisma.InputJsonValue } });
  invalidateServing(shop, "shop");
}

export function countCustomersForWriteBack(db: Db, shop: string) {
  return db.customer.count({ where: { shop } });
}
