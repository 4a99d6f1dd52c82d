// Whether the database answers. Not scoped to a shop: it checks the database itself.
import type { Db } from "~/lib/transaction.server";

export async function pingDatabase(db: Db): Promise<void> {
  await db.$queryRawUnsafe("SELECT 1");
}
