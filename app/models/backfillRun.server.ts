// BackfillRun rows: the checkpoint and the progress of the Admin API jobs (backfill,
// reconciliation, write-back). Every query is shop-scoped; (shop, kind, startedAt) is indexed.
import type { Prisma } from "@prisma/client";
import type { Db } from "~/lib/transaction.server";

export type RunKind = "backfill" | "reconcile" | "writeback";

export function createRun(
  db: Db,
  shop: string,
  kind: RunKind,
  data: { phase: string; since?: Date | null; until?: Date | null; ordersLimited?: boolean },
) {
  return db.backfillRun.create({ data: { shop, kind, status: "running", ...data } });
}

export function latestRun(db: Db, shop: string, kind: RunKind) {
  return db.backfillRun.findFirst({ where: { shop, kind }, orderBy: [{ startedAt: "desc" }, { id: "desc" }] });
}

export function latestCompletedRun(db: Db, shop: string, kind: RunKind) {
  return db.backfillRun.findFirst({ where: { shop, kind, status: "completed" }, orderBy: [{ startedAt: "desc" }, { id: "desc" }] });
}

export interface RunUpdate {
  status?: string;
  phase?: string;
  bulkOperationId?: string | null;
  lineOffset?: number;
  progress?: object;
  counts?: object;
  ordersLimited?: boolean;
  webhookCheck?: object;
  exportPlan?: object;
  error?: string | null;
  finishedAt?: Date | null;
  until?: Date | null;
}

export async function updateRun(db: Db, shop: string, id: number, data: RunUpdate) {
  const { progress, counts, webhookCheck, exportPlan, ...rest } = data;
  await db.backfillRun.update({
    where: { id, shop },
    data: {
      ...rest,
      ...(progress ? { progress: progress as Prisma.InputJsonValue } : {}),
      ...(counts ? { counts: counts as Prisma.InputJsonValue } : {}),
      ...(webhookCheck ? { webhookCheck: webhookCheck as Prisma.InputJsonValue } : {}),
      ...(exportPlan ? { exportPlan: exportPlan as Prisma.InputJsonValue } : {}),
    },
  });
}

export function listRuns(db: Db, shop: string, kind: RunKind, take = 10) {
  return db.backfillRun.findMany({ where: { shop, kind }, orderBy: [{ startedAt: "desc" }, { id: "desc" }], take });
}

/**
 * The batch's commit does not wait for its WAL flush. Safe for a job whose checkpoint commits in
 * the same transaction as its rows: a database crash can only lose the last batches together
 * with their checkpoints, and the job then applies them again (newest wins). Transaction-local.
 */
export async function commitWithoutWaitingForFlush(tx: Db) {
  await tx.$executeRawUnsafe("SET LOCAL synchronous_commit = off");
}
