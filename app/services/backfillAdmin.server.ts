// The admin's backfill panel: the last runs (read while polling) and its buttons (jobs started
// in the background, one per shop at a time).
import { logger } from "~/lib/logger.server";
import type { DbClient } from "~/lib/transaction.server";
import { findShopTimeZone } from "~/models/shop.server";
import { adminClientForShop, backfillStatus, inFlight, runReconcile, startBackfillInBackground, type RunView } from "./backfill.server";
import { getWriteBackSettings, runWriteBack, setWriteBackSettings } from "./writeBack.server";

export type BackfillAction = "backfill" | "resume" | "reconcile" | "writeback" | "writeback-on" | "writeback-off";

export interface BackfillPanel {
  backfill: RunView | null;
  reconcile: RunView | null;
  writeback: RunView | null;
  writeBackEnabled: boolean;
  timeZone: string;
  /** A job of this shop is running in this process (the admin keeps polling). */
  running: boolean;
}

const jobs = new Map<string, Promise<unknown>>();

/** What the admin's backfill panel shows (polled while a job runs). */
export async function getBackfillPanel(db: DbClient, shop: string): Promise<BackfillPanel> {
  const status = await backfillStatus(db, shop);
  const settings = await getWriteBackSettings(db, shop);
  return {
    backfill: status.backfill,
    reconcile: status.reconcile,
    writeback: status.writeback,
    writeBackEnabled: settings.enabled,
    timeZone: (await findShopTimeZone(db, shop)) ?? "UTC",
    running: jobs.has(shop) || inFlight.has(shop),
  };
}

/** The admin's buttons: each job runs in the background, one per shop at a time. */
export async function startAdminJob(db: DbClient, shop: string, action: BackfillAction): Promise<{ started: boolean }> {
  if (action === "writeback-on" || action === "writeback-off") {
    await setWriteBackSettings(db, shop, { enabled: action === "writeback-on" });
    return { started: false };
  }
  if (jobs.has(shop) || inFlight.has(shop)) return { started: false };
  if (action === "backfill" || action === "resume") return { started: await startBackfillInBackground(db, shop, { force: action === "backfill" }) };
  const job = (async () => {
    const admin = await adminClientForShop(db, shop);
    return action === "reconcile" ? runReconcile(db, admin, shop) : runWriteBack(db, admin, shop);
  })()
    .catch((error) => logger.error({ shop, action, err: error instanceof Error ? error.message : String(error) }, "admin job failed"))
    .finally(() => jobs.delete(shop));
  jobs.set(shop, job);
  return { started: true };
}
