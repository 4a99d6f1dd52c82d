// Receiving a webhook: verify, store once, answer. Nothing else happens in the request:
// Shopify allows 5 seconds, and an acknowledged event must already be stored.
import { getDatabase } from "~/lib/db.server";
import { logger } from "~/lib/logger.server";
import { insertWebhookEvents, type NewWebhookEvent } from "~/models/webhookEvent.server";
import { authenticate } from "~/shopify.server";
import { notifyWorkers, trackDelivery } from "~/jobs/signals.server";

/**
 * Group commit: deliveries that arrive within a few milliseconds of each other, or while an
 * insert is running, go in together. Each request is answered only once its own row is
 * committed. The short window matters with PGlite, whose queries run on this thread: without
 * it each insert would block the event loop before the next delivery could join it.
 */
const MAX_GROUP = 200;
const GROUP_WINDOW_MS = 3;
let queue: { event: NewWebhookEvent; resolve: (fresh: boolean) => void; reject: (error: unknown) => void }[] = [];
let flushing = false;

function storeEvent(event: NewWebhookEvent): Promise<boolean> {
  return new Promise((resolve, reject) => {
    queue.push({ event, resolve, reject });
    if (!flushing) {
      flushing = true;
      setTimeout(() => void flush(), GROUP_WINDOW_MS);
    }
  });
}

async function flush() {
  try {
    while (queue.length) {
      const group = queue.slice(0, MAX_GROUP);
      queue = queue.slice(group.length);
      try {
        const fresh = await insertWebhookEvents(
          getDatabase().prisma,
          group.map((g) => g.event),
        );
        group.forEach((g, i) => g.resolve(fresh[i]));
      } catch (error) {
        group.forEach((g) => g.reject(error));
      }
    }
  } finally {
    flushing = false;
  }
}

/** Shopify's payloads are far below this; anything larger is refused before it is read in full. */
export const MAX_WEBHOOK_BYTES = Number(process.env.WEBHOOK_MAX_BYTES ?? 2 * 1024 * 1024);

class BodyTooLargeError extends Error {}

async function readBodyWithLimit(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new BodyTooLargeError();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function plain(status: number, text: string, headers: Record<string, string> = {}) {
  return new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

/**
 * The whole webhook route: 405 for a non-POST, 413 for an oversize body, 401 for a bad HMAC
 * (nothing stored), 400 for missing Shopify headers, 200 once stored (or already stored),
 * 503 when the database cannot take it (Shopify retries).
 */
export async function receiveWebhook(request: Request): Promise<Response> {
  if (request.method !== "POST") return plain(405, "Method not allowed", { Allow: "POST" });
  return trackDelivery(() => receive(request));
}

async function receive(request: Request): Promise<Response> {
  let body: string;
  try {
    body = await readBodyWithLimit(request, MAX_WEBHOOK_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return plain(413, `Payload larger than ${MAX_WEBHOOK_BYTES} bytes`);
    throw error;
  }

  // authenticate.webhook reads the body itself: hand it a copy of what we read.
  const copy = new Request(request.url, { method: "POST", headers: request.headers, body });
  let context: { shop: string; topic: string; webhookId: string; apiVersion: string; eventId?: string; triggeredAt?: string };
  let payloadJson = body;
  let invalidJson: string | null = null;
  try {
    context = (await authenticate.webhook(copy)) as typeof context;
    // The library returns the topic as an enum name (ORDERS_CREATE); keep Shopify's own form.
    context.topic = request.headers.get("x-shopify-topic") ?? context.topic;
  } catch (error) {
    if (error instanceof Response) return error; // 401 bad HMAC, 400 missing headers
    if (!(error instanceof SyntaxError)) {
      // After a valid HMAC the library loads the shop's session: the database is unreachable.
      logger.error(
        { err: error instanceof Error ? error.message.split("\n").slice(-1)[0] : String(error) },
        "webhook could not be verified against the database; asking Shopify to retry",
      );
      return plain(503, "Temporarily unavailable", { "Retry-After": "5" });
    }
    // The HMAC was valid (the library parses the body after verifying it), but the body is
    // not JSON: record the event as dead, with the reason, so a person can see it.
    const h = request.headers;
    context = {
      shop: h.get("x-shopify-shop-domain") ?? "",
      topic: h.get("x-shopify-topic") ?? "",
      webhookId: h.get("x-shopify-webhook-id") ?? "",
      apiVersion: h.get("x-shopify-api-version") ?? "",
      eventId: h.get("x-shopify-event-id") ?? undefined,
      triggeredAt: h.get("x-shopify-triggered-at") ?? undefined,
    };
    invalidJson = `The body is not valid JSON (${error.message}).`;
    payloadJson = JSON.stringify({ invalidJsonBody: body.slice(0, 10_000) });
  }

  const eventId = context.eventId || context.webhookId;
  const triggeredAt = context.triggeredAt && !Number.isNaN(Date.parse(context.triggeredAt)) ? new Date(context.triggeredAt) : null;
  const log = { shop: context.shop, topic: context.topic, eventId };
  try {
    const duplicate = !(await storeEvent({
      shop: context.shop,
      topic: context.topic,
      eventId,
      webhookId: context.webhookId || null,
      apiVersion: context.apiVersion || null,
      triggeredAt,
      payloadJson,
      status: invalidJson ? "dead" : "pending",
      lastError: invalidJson,
    }));
    if (invalidJson) logger.warn(log, "webhook with an invalid JSON body recorded as dead");
    else if (duplicate) logger.debug(log, "duplicate webhook delivery ignored");
    else notifyWorkers();
    return plain(200, duplicate ? "Duplicate, already stored" : "Stored");
  } catch (error) {
    logger.error({ ...log, err: error instanceof Error ? error.message : String(error) }, "webhook could not be stored; asking Shopify to retry");
    return plain(503, "Temporarily unavailable", { "Retry-After": "5" });
  }
}
