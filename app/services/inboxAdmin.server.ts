// Looking into the webhook inbox and putting events back in the queue (`rapport webhooks`).
// Apart from webhookInbox.server.ts, which receives webhooks and needs the Shopify app set-up.
import type { DbClient } from "~/lib/transaction.server";
import { listEvents, requeueEvents, type EventFilter } from "~/models/webhookEvent.server";

export type InboxStatus = NonNullable<EventFilter["status"]>;
export const INBOX_STATUSES = ["pending", "processing", "processed", "dead"] as const satisfies readonly InboxStatus[];

/** Inbox events, newest first, of any shop unless one is given. */
export function listInboxEvents(db: DbClient, filter: EventFilter = {}) {
  return listEvents(db, filter);
}

/** Puts the given events (or every dead event, of one shop or all) back in the queue; returns how many. */
export function requeueInboxEvents(db: DbClient, filter: { ids?: number[]; shop?: string }) {
  return requeueEvents(db, filter);
}
