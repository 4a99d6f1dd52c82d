// Monthly marketing spend per shop (acquisition cost in the KPIs).
import { Prisma } from "@prisma/client";
import type { Db } from "~/lib/transaction.server";

export interface MarketingSpendMonth {
  /** YYYY-MM */
  month: string;
  /** A decimal amount in `currency` (a string, so no float rounding on the way). */
  amount: string;
  currency: string;
}

export async function insertMarketingSpend(db: Db, shop: string, months: MarketingSpendMonth[]) {
  await db.marketingSpend.createMany({
    data: months.map((m) => ({ shop, month: m.month, amount: new Prisma.Decimal(m.amount), currency: m.currency })),
  });
}

/** The shop's monthly spend, oldest month first. */
export function listMarketingSpend(db: Db, shop: string) {
  return db.marketingSpend.findMany({ where: { shop }, orderBy: { month: "asc" }, select: { month: true, amount: true, currency: true } });
}

/** Sets the spend of these months (a month entered again replaces its amount). */
export async function upsertMarketingSpend(db: Db, shop: string, months: MarketingSpendMonth[]) {
  for (const m of months) {
    const amount = new Prisma.Decimal(m.amount);
    await db.marketingSpend.upsert({
      where: { shop_month: { shop, month: m.month } },
      create: { shop, month: m.month, amount, currency: m.currency },
      update: { amount, currency: m.currency },
    });
  }
}

export async function deleteMarketingSpendMonth(db: Db, shop: string, month: string) {
  await db.marketingSpend.deleteMany({ where: { shop, month } });
}
