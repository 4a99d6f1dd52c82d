// POST /apps/rapport/events: what a shopper did with a recommendation block. The block sends
// events only when the Customer Privacy API allows analytics (ADR 011); the answer is the same
// whether or not the event was kept, so the storefront learns nothing from it.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticateProxy, proxyJson } from "~/lib/appProxy.server";
import { prisma } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { eventBody, recordRecommendationEvent } from "~/services/recommendationTracking.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticateProxy(request);
  return proxyJson({ error: "method_not_allowed" }, { status: 405, cacheControl: "no-store" });
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop, customerId } = await authenticateProxy(request);
  if (request.method !== "POST") return proxyJson({ error: "method_not_allowed" }, { status: 405, cacheControl: "no-store" });
  const text = await request.text();
  let json: unknown;
  try {
    json = text.length <= 2_000 ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  const parsed = eventBody.safeParse(json);
  if (!parsed.success) return proxyJson({ error: "invalid_event" }, { status: 400, cacheControl: "no-store" });
  const outcome = await recordRecommendationEvent(prisma(), shop, env().SHOPIFY_API_SECRET, { body: parsed.data, customerId, now: new Date() });
  if (outcome === "invalid") return proxyJson({ error: "invalid_event" }, { status: 400, cacheControl: "no-store" });
  return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
}
