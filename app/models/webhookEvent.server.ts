// The webhook inbox. Shopify delivers at least once; the inbox stores each event once (unique
// per shop and event id) before we answer, and the worker applies it at least once.
// Raw SQL where the semantics matter: ON CONFLICT for idempotent inserts, FOR UPDATE SKIP LOCKED
// for claims that two workers can never share. Times are passed from the application clock
// (UTC) rather than now(), so that tests can move time and the session time zone never matters.
import type { Prisma, WebhookEventStatus } from "@prisma/client";
import { invalidateServing } from "~/lib/servingCache.server";
import type { Db } from "~/lib/transaction.server";

export interface NewWebhookEvent {
  shop: string;
  topic: string;
  eventId: string;
  webhookId: string | null;
  apiVersion: string | null;
  triggeredAt: Date | null;
  /** The raw JSON text as received (stored as jsonb). */
  payloadJson: string;
  status?: "pending" | "dead";
  lastError?: string | null;
}

/**
 * Stores events in one statement (group commit: a burst of deliveries costs one round trip
 * and one commit instead of one each), creating the shop rows they belong to in the same
 * statement (a validly signed webhook can arrive before the OAuth session). Returns, per
 * input, whether it was new.
 * `payloadJson` must be valid JSON text (it is spliced into the statement's JSON parameter).
 */
export async function insertWebhookEvents(db: Db, events: NewWebhookEvent[], now = new Date()): Promise<boolean[]> {
  if (!events.length) return [];
  const stamp = JSON.stringify(now.toISOString());
  const rows = events.map(
    (e) =>
      `{"shop":${JSON.stringify(e.shop)},"topic":${JSON.stringify(e.topic)},"eventId":${JSON.stringify(e.eventId)},` +
      `"webhookId":${JSON.stringify(e.webhookId)},"apiVersion":${JSON.stringify(e.apiVersion)},` +
      `"triggeredAt":${JSON.stringify(e.triggeredAt?.toISOString() ?? null)},"payload":${e.payloadJson},` +
      `"status":${JSON.stringify(e.status ?? "pending")},"lastError":${JSON.stringify(e.lastError ?? null)},"attempts":0,` +
      `"nextAttemptAt":${stamp},"receivedAt":${stamp},"updatedAt":${stamp}}`,
  );
  const shops = JSON.stringify([...new Set(events.map((e) => e.shop))]);
  const columns = `"shop", "topic", "eventId", "webhookId", "apiVersion", "triggeredAt", "payload", "status", "lastError", "attempts", "nextAttemptAt", "receivedAt", "updatedAt"`;
  const inserted = await db.$queryRawUnsafe<{ shop: string; eventId: string }[]>(
    `WITH shop_rows AS (
       INSERT INTO "Shop" ("domain", "installedAt", "createdAt", "updatedAt")
       SELECT value, $3, $3, $3 FROM json_array_elements_text($2::json)
       ON CONFLICT ("domain") DO NOTHING
     )
     INSERT INTO "WebhookEvent" (${columns})
     SELECT ${columns} FROM json_populate_recordset(NULL::"WebhookEvent", $1::json)
     ON CONFLICT ("shop", "eventId") DO NOTHING
     RETURNING "shop", "eventId"`,
    `[${rows.join(",")}]`,
    shops,
    now,
  );
  // A shop row may have been created (an unknown shop is remembered briefly by the serving caches).
  for (const shop of new Set(events.map((e) => e.shop))) invalidateServing(shop, "shop");
  // The first of several deliveries of one event in the batch is the one stored.
  const fresh = new Set(inserted.map((row) => `${row.shop}\n${row.eventId}`));
  return events.map((e) => fresh.delete(`${e.shop}\n${e.eventId}`));
}

export interface ClaimedEvent {
  id: number;
  shop: string;
  topic: string;
  eventId: string;
  payload: Prisma.JsonValue;
  attempts: number;
  triggeredAt: Date | null;
  receivedAt: Date;
}

/**
 * Claims up to `limit` events for `workerId`: pending events that are due, and events whose
 * worker's lease ran out (a worker killed between claim and commit). SKIP LOCKED means two
 * workers never claim the same row.
 */
export async function claimEvents(db: Db, workerId: string, limit: number, leaseMs: number, now = new Date()): Promise<ClaimedEvent[]> {
  const leaseExpiredBefore = new Date(now.getTime() - leaseMs);
  return db
    .$queryRawUnsafe<ClaimedEvent[]>(
      `UPDATE "WebhookEvent" SET "status" = 'processing', "lockedAt" = $3, "lockedBy" = $1, "attempts" = "attempts" + 1, "updatedAt" = $3
     WHERE "id" IN (
       SELECT "id" FROM "WebhookEvent"
       WHERE ("status" = 'pending' AND "nextAttemptAt" <= $3) OR ("status" = 'processing' AND "lockedAt" < $4)
       ORDER BY "id"
       LIMIT $2
       FOR UPDATE SKIP LOCKED
     )
     RETURNING "id", "shop", "topic", "eventId", "payload", "attempts", "triggeredAt", "receivedAt"`,
      workerId,
      limit,
      now,
      leaseExpiredBefore,
    )
    .then((rows) => rows.sort((a, b) => a.id - b.id));
}

/** Inside the processing transaction: lock the row and check we still own the claim. */
export async function lockOwnedEvent(tx: Db, id: number, workerId: string): Promise<boolean> {
  const rows = await tx.$queryRawUnsafe<{ lockedBy: string | null; status: WebhookEventStatus }[]>(
    `SELECT "lockedBy", "status" FROM "WebhookEvent" WHERE "id" = $1 FOR UPDATE`,
    id,
  );
  return rows.length === 1 && rows[0].lockedBy === workerId && rows[0].status === "processing";
}

/** Batch form of lockOwnedEvent: the ids of `ids` this worker still owns, locked. */
export async function lockOwnedEvents(tx: Db, ids: number[], workerId: string): Promise<number[]> {
  const rows = await tx.$queryRawUnsafe<{ id: number }[]>(
    `SELECT "id" FROM "WebhookEvent" WHERE "id" = ANY($1::int[]) AND "lockedBy" = $2 AND "status" = 'processing' FOR UPDATE`,
    ids,
    workerId,
  );
  return rows.map((row) => row.id);
}

export async function markManyProcessed(tx: Db, ids: number[], now = new Date()) {
  await tx.webhookEvent.updateMany({
    where: { id: { in: ids } },
    data: { status: "processed", processedAt: now, lockedAt: null, lockedBy: null, lastError: null },
  });
}

export async function markProcessed(tx: Db, id: number, now = new Date()) {
  await tx.webhookEvent.updateMany({
    where: { id },
    data: { status: "processed", processedAt: now, lockedAt: null, lockedBy: null, lastError: null },
  });
}

/** A failed attempt: back to pending with a later due time, or dead after the last attempt. */
export async function markFailed(
  db: Db,
  id: number,
  workerId: string,
  error: string,
  next: { dead: boolean; nextAttemptAt: Date },
  now = new Date(),
) {
  await db.webhookEvent.updateMany({
    where: { id, lockedBy: workerId },
    data: {
      status: next.dead ? "dead" : "pending",
      lastError: error.slice(0, 2000),
      nextAttemptAt: next.nextAttemptAt,
      lockedAt: null,
      lockedBy: null,
      updatedAt: now,
    },
  });
}

export interface EventFilter {
  shop?: string;
  status?: WebhookEventStatus;
  topic?: string;
  limit?: number;
}

export function listEvents(db: Db, filter: EventFilter = {}) {
  return db.webhookEvent.findMany({
    where: { shop: filter.shop, status: filter.status, topic: filter.topic },
    orderBy: { id: "desc" },
    take: filter.limit ?? 50,
    select: {
      id: true,
      shop: true,
      topic: true,
      eventId: true,
      status: true,
      attempts: true,
      lastError: true,
      triggeredAt: true,
      receivedAt: true,
      processedAt: true,
      nextAttemptAt: true,
    },
  });
}

/** Puts events back in the queue (by id, or every dead event of a shop or of all shops). */
export async function requeueEvents(db: Db, filter: { ids?: number[]; shop?: string; status?: WebhookEventStatus }, now = new Date()) {
  const result = await db.webhookEvent.updateMany({
    where: {
      id: filter.ids ? { in: filter.ids } : undefined,
      shop: filter.shop,
      status: filter.status ?? (filter.ids ? { in: ["dead", "pending"] } : "dead"),
    },
    data: { status: "pending", attempts: 0, nextAttemptAt: now, lockedAt: null, lockedBy: null },
  });
  return result.count;
}

/** Health: how many events wait, and how long the oldest has waited. */
export async function inboxLag(db: Db, now = new Date()) {
  const [oldest, pending, dead] = await Promise.all([
    db.webhookEvent.findFirst({ where: { status: { in: ["pending", "processing"] } }, orderBy: { receivedAt: "asc" }, select: { receivedAt: true } }),
    db.webhookEvent.count({ where: { status: { in: ["pending", "processing"] } } }),
    db.webhookEvent.count({ where: { status: "dead" } }),
  ]);
  return {
    waiting: pending,
    dead,
    oldestWaitingSeconds: oldest ? Math.max(0, (now.getTime() - oldest.receivedAt.getTime()) / 1000) : 0,
  };
}

export function deadEvents(db: Db, shop: string, limit = 10) {
  return db.webhookEvent.findMany({
    where: { shop, status: "dead" },
    orderBy: { id: "desc" },
    take: limit,
    select: { id: true, topic: true, eventId: true, attempts: true, lastError: true, receivedAt: true },
  });
}

/**
 * PGlite: the process that opens the database is the only one, so claims found at start-up
 * belong to a process that died. They go back to the queue at once (the attempt they used
 * still counts).
 */
export async function releaseAllClaims(db: Db, now = new Date()): Promise<number> {
  const result = await db.webhookEvent.updateMany({
    where: { status: "processing" },
    data: { status: "pending", lockedAt: null, lockedBy: null, nextAttemptAt: now, updatedAt: now },
  });
  return result.count;
}

/**
 * PostgreSQL: releases the claims of workers that are gone. A live worker holds a session
 * advisory lock (class WORKER_LOCK_CLASS, its key in its id `…:live<key>`); the server drops the
 * lock when the worker's process dies. Claims of workers without a key keep their lease.
 * SKIP LOCKED: a claim whose owner's transaction is still open is left alone.
 */
export async function releaseClaimsOfDeadWorkers(db: Db, lockClass: number, now = new Date()): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE "WebhookEvent" SET "status" = 'pending', "lockedAt" = NULL, "lockedBy" = NULL, "nextAttemptAt" = $1, "updatedAt" = $1
     WHERE "id" IN (
       SELECT e."id" FROM "WebhookEvent" e
       WHERE e."status" = 'processing' AND e."lockedBy" ~ ':live[0-9]+$'
         AND NOT EXISTS (
           SELECT 1 FROM pg_locks l
           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND l.classid = $2::bigint::oid
             AND l.objid = substring(e."lockedBy" from ':live([0-9]+)$')::bigint::oid
         )
       FOR UPDATE SKIP LOCKED
     )`,
    now,
    lockClass,
  );
}

/**
 * A PostgreSQL regular expression finding `email` in lower-cased text as a whole address, not as
 * the end of a longer one (ann@x.com is not in joann@x.com, nor x.com in x.com.fr); a sentence's
 * full stop may follow it. Every character but letters and digits is escaped.
 */
function emailMentionPattern(email: string): string {
  const literal = email.toLowerCase().replace(/[^\p{L}\p{N}]/gu, (c) => `\\${c}`);
  return `(^|[^a-z0-9._%+-])${literal}($|[^a-z0-9.-]|\\.($|[^a-z0-9]))`;
}

/**
 * GDPR: replaces the payload of every stored event of the shop that carried this customer's
 * data (their customer id, one of their orders or refunds, or their e-mail address anywhere in
 * it) by a marker keeping only the object id. Returns how many events were scrubbed.
 */
export function scrubCustomerPayloads(
  db: Db,
  shop: string,
  who: { customerShopifyIds: string[]; orderShopifyIds: string[]; email?: string | null },
): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE "WebhookEvent" SET "payload" = jsonb_build_object('redacted', true, 'id', "payload"->'id')
     WHERE "shop" = $1 AND (
       ("payload"->'customer'->>'id') = ANY($2::text[])
       OR ("topic" LIKE 'customers/%' AND ("payload"->>'id') = ANY($2::text[]))
       OR ("topic" LIKE 'orders/%' AND ("payload"->>'id') = ANY($3::text[]))
       OR ("topic" = 'refunds/create' AND ("payload"->>'order_id') = ANY($3::text[]))
       OR ($4::text <> '' AND lower("payload"::text) ~ $4::text)
     )`,
    shop,
    who.customerShopifyIds,
    who.orderShopifyIds,
    who.email ? emailMentionPattern(who.email) : "",
  );
}
