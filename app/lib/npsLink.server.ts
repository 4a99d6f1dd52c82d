// Survey links for order e-mails (ADR 012). The merchant pastes a Liquid snippet into an order
// notification; Shopify renders it with the shop's survey key through its `hmac_sha256` filter
// (hex HMAC-SHA256 of the message, keyed by the filter's argument), so every e-mail carries a
// link signed for its own order and customer:
//   message   = "rapport-nps:v1:<order id>:<customer id>"  (customer id empty for a guest order)
//   signature = hex(HMAC-SHA256(key, message))
// The proxy page recomputes the signature with the stored key and compares in constant time.
// Pure apart from node:crypto: no I/O.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const PREFIX = "rapport-nps:v1";
const SHOPIFY_ID = /^[1-9]\d{0,19}$/;

/** A new survey key: 32 random bytes as hex (what the merchant's snippet embeds). */
export function newSurveySecret(): string {
  return randomBytes(32).toString("hex");
}

export function surveyLinkMessage(orderId: string, customerId: string | null): string {
  return `${PREFIX}:${orderId}:${customerId ?? ""}`;
}

/** Shopify's `{{ message | hmac_sha256: key }}`: lowercase hex. */
export function hmacSha256Hex(message: string, key: string): string {
  return createHmac("sha256", key).update(message, "utf8").digest("hex");
}

export function signSurveyLink(secret: string, orderId: string, customerId: string | null): string {
  return hmacSha256Hex(surveyLinkMessage(orderId, customerId), secret);
}

export interface SurveyLinkParams {
  order: string | null | undefined;
  customer: string | null | undefined;
  sig: string | null | undefined;
}

/**
 * The link's order and customer when its signature is right, else null. Ids must be Shopify's
 * numeric ids; the signature 64 hex digits; the comparison is constant-time.
 */
export function verifySurveyLink(secret: string, params: SurveyLinkParams): { orderId: string; customerId: string | null } | null {
  const order = params.order ?? "";
  const customer = params.customer ?? "";
  const sig = (params.sig ?? "").toLowerCase();
  if (!SHOPIFY_ID.test(order) || (customer !== "" && !SHOPIFY_ID.test(customer)) || !/^[0-9a-f]{64}$/.test(sig)) return null;
  const expected = Buffer.from(signSurveyLink(secret, order, customer || null), "hex");
  const given = Buffer.from(sig, "hex");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { orderId: order, customerId: customer || null };
}

/**
 * The Liquid a merchant pastes into an order notification (order confirmation, shipping
 * confirmation…): `id` is the order's id, `customer.id` its customer's, `shop.url` the shop's
 * address. `linkText` is the sentence shown in the e-mail (the merchant may edit it).
 */
export function surveyLinkSnippet(secret: string, linkText: string): string {
  if (!/^[0-9a-f]{64}$/.test(secret)) throw new Error("the survey key is not 64 hex digits");
  // The text is the merchant's own words in their own template, not shopper input, but keep it
  // from closing the tag or the Liquid output.
  const text = linkText.replace(/[<>{}%]/g, "");
  return [
    `{%- comment -%} Rapport NPS survey: one signed link per order (do not share the key below) {%- endcomment -%}`,
    `{%- capture rapport_nps_message -%}${PREFIX}:{{ id }}:{{ customer.id }}{%- endcapture -%}`,
    `{%- assign rapport_nps_signature = rapport_nps_message | hmac_sha256: '${secret}' -%}`,
    `<p><a href="{{ shop.url }}/apps/rapport/survey?order={{ id }}&amp;customer={{ customer.id }}&amp;sig={{ rapport_nps_signature }}">${text}</a></p>`,
  ].join("\n");
}
