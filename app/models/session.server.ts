// OAuth sessions (written by Shopify's session storage). They are not linked to the Shop row,
// so shop-wide deletions remove them here.
import type { Db } from "~/lib/transaction.server";

/** Forgets the shop's sessions; returns how many went. */
export async function deleteSessions(db: Db, shop: string): Promise<number> {
  const deleted = await db.session.deleteMany({ where: { shop } });
  return deleted.count;
}

export async function setSessionsScope(db: Db, shop: string, scope: string) {
  await db.session.updateMany({ where: { shop }, data: { scope } });
}

/** The shop's offline session (the token jobs use), or null before the app is installed. */
export function findOfflineSession(db: Db, shop: string) {
  return db.session.findFirst({ where: { shop, isOnline: false }, orderBy: { expires: { sort: "desc", nulls: "first" } } });
}
