// Shopify's app proxy signature, as documented ("Authenticate app proxies"): drop `signature`,
// join the values of a repeated key with commas, sort by key, concatenate `key=value` with no
// separator, then hex HMAC-SHA256 with the app's secret. The server verifies with Shopify's own
// helper (authenticate.public.appProxy); this module SIGNS, for the demo storefront (which
// plays Shopify's part offline), the tests and the benchmark.
import { createHmac } from "node:crypto";

export function proxySignatureMessage(params: Iterable<[string, string]>): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  return [...grouped.keys()]
    .sort()
    .map((key) => `${key}=${grouped.get(key)!.join(",")}`)
    .join("");
}

export function proxySignature(params: Iterable<[string, string]>, secret: string): string {
  return createHmac("sha256", secret).update(proxySignatureMessage(params)).digest("hex");
}

export interface ProxySigning {
  shop: string;
  /** Shopify's path_prefix, e.g. "/apps/rapport". */
  pathPrefix: string;
  /** The logged-in customer's id; "" for an anonymous visitor (Shopify sends the key empty). */
  customerId: string;
  secret: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
}

/**
 * The query string Shopify's proxy forwards: the shopper's own parameters (in order, repeated
 * keys kept) followed by shop, logged_in_customer_id, path_prefix, timestamp and signature.
 * Shopper-supplied copies of Shopify's keys are dropped, as Shopify overwrites them.
 */
export function signProxyQuery(shopperQuery: URLSearchParams, signing: ProxySigning): URLSearchParams {
  const reserved = new Set(["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]);
  const out = new URLSearchParams();
  for (const [key, value] of shopperQuery) if (!reserved.has(key)) out.append(key, value);
  out.append("shop", signing.shop);
  out.append("logged_in_customer_id", signing.customerId);
  out.append("path_prefix", signing.pathPrefix);
  out.append("timestamp", String(signing.timestamp ?? Math.floor(Date.now() / 1000)));
  out.append("signature", proxySignature(out, signing.secret));
  return out;
}
