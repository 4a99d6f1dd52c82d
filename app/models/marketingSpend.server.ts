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
