// /apps/rapport/nps (app proxy → /proxy/nps), for the NPS survey app embed.
// GET  ?page=…&audience=… → {"ask": true} or {"ask": false, "reason": "…"}: whether to show the survey now.
// POST {"score": 0-10, "comment": "…", "page": "…"} → 201 stored; 400 with a reason (nothing
//      stored); 403 opted out; 409 inside the re-ask window. Identity: the signed
//      `logged_in_customer_id` only; a customer id in the body is ignored. A forged or stale
//      signature is refused by authenticateProxy (400) before anything is read.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticateProxy, proxyJson } from "~/lib/appProxy.server";
import { prisma } from "~/lib/db.server";
import { DEFAULT_SHOPPER_PREFERENCES, getShopperPreferences } from "~/services/shopperPreferences.server";
import { NpsError, submitStorefrontAnswer, surveyDecision } from "~/services/nps.server";

const NO_STORE = "private, no-store";
/** Largest body accepted: a 2,000-character comment in any script fits well within it. */
const MAX_BODY = 16_384;

async function surveysAllowed(shop: string, customerId: string | null) {
  const prefs = customerId ? await getShopperPreferences(prisma(), shop, customerId) : DEFAULT_SHOPPER_PREFERENCES;
  return prefs.surveys;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, customerId, url } = await authenticateProxy(request);
  const audience = url.searchParams.get("audience") === "everyone" ? "everyone" : "customers_with_orders";
  const page = (url.searchParams.get("page") ?? "").slice(0, 512) || null;
  const decision = await surveyDecision(prisma(), shop, {
    customerShopifyId: customerId,
    optedOut: !(await surveysAllowed(shop, customerId)),
    page,
    visitId: null,
    audience,
  });
  return proxyJson(decision, { cacheControl: NO_STORE });
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return proxyJson({ error: "method_not_allowed" }, { status: 405, cacheControl: NO_STORE });
  const { shop, customerId } = await authenticateProxy(request);
  const raw = await request.text();
  if (raw.length > MAX_BODY) return proxyJson({ error: "invalid", reason: "body_too_large" }, { status: 400, cacheControl: NO_STORE });
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return proxyJson({ error: "invalid", reason: "body_not_json" }, { status: 400, cacheControl: NO_STORE });
  }
  try {
    const saved = await submitStorefrontAnswer(prisma(), shop, {
      customerShopifyId: customerId,
      body,
      optedOut: !(await surveysAllowed(shop, customerId)),
    });
    return proxyJson({ ok: true, group: saved.group }, { status: 201, cacheControl: NO_STORE });
  } catch (error) {
    if (!(error instanceof NpsError)) throw error;
    const status = error.code === "invalid" ? 400 : error.code === "throttled" ? 409 : error.code === "opted_out" ? 403 : 400;
    return proxyJson(
      { error: error.code, reason: error.reason, ...(error.retryAt ? { retryAt: error.retryAt.toISOString() } : {}) },
      { status, cacheControl: NO_STORE },
    );
  }
}
