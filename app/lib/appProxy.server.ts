// Every storefront request reaches Rapport through Shopify's app proxy (/apps/rapport → /proxy)
// and is verified here with Shopify's own helper: a missing, forged or stale (> 90 s) signature
// is answered 400 before anything is read or stored. The shopper's identity is ONLY the signed
// `logged_in_customer_id` (empty for anonymous visitors); any other customer id a request
// carries is ignored.
import { authenticate } from "~/shopify.server";

export interface ProxyContext {
  shop: string;
  /** Signed Shopify customer id, or null for an anonymous visitor. */
  customerId: string | null;
  url: URL;
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export async function authenticateProxy(request: Request): Promise<ProxyContext> {
  const url = new URL(request.url);
  // Shopify's helper throws a 400 Response on a bad signature; a request without one at all is
  // refused the same way (the helper would otherwise fail on a missing timestamp).
  if (!url.searchParams.get("signature") || !url.searchParams.get("timestamp")) throw refused();
  await authenticate.public.appProxy(request);
  const shop = url.searchParams.get("shop") ?? "";
  if (!SHOP_DOMAIN.test(shop)) throw refused();
  const customer = url.searchParams.get("logged_in_customer_id") ?? "";
  return { shop, customerId: /^\d+$/.test(customer) ? customer : null, url };
}

function refused(): Response {
  return new Response(undefined, { status: 400, statusText: "Bad Request" });
}

/** A JSON answer for the storefront; `cacheControl` says who may keep it and for how long. */
export function proxyJson(body: unknown, init: { status?: number; cacheControl: string; vary?: string }): Response {
  const headers = new Headers({ "Content-Type": "application/json; charset=utf-8", "Cache-Control": init.cacheControl });
  if (init.vary) headers.set("Vary", init.vary);
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers });
}
