// A recommendation id ("recId") names one answer of /proxy/recommendations without storing
// anything when it is served (serving writes nothing: no consent is needed to show products).
// It carries the placement, the strategy served and the serving time, signed with the app's
// secret, so events and order lines that quote it cannot invent a placement or strategy.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const PLACEMENTS = { p: "product", c: "cart", h: "home", l: "collection" } as const;
const STRATEGIES = { b: "bought_together", c: "cart_complements", f: "for_you", s: "segment", t: "trending", h: "holdout" } as const;
export type RecPlacement = (typeof PLACEMENTS)[keyof typeof PLACEMENTS];
export type RecStrategy = (typeof STRATEGIES)[keyof typeof STRATEGIES];

export interface RecIdContent {
  placement: RecPlacement;
  strategy: RecStrategy;
  servedAt: Date;
}

function codeOf<T extends Record<string, string>>(table: T, value: string): string {
  const code = Object.keys(table).find((key) => table[key] === value);
  if (!code) throw new Error(`unknown recommendation value ${value}`);
  return code;
}

function mac(secret: string, shop: string, body: string): string {
  return createHmac("sha256", secret).update(`${shop}|${body}`).digest("base64url").slice(0, 16);
}

export function createRecId(secret: string, shop: string, content: RecIdContent): string {
  const body = `${Math.floor(content.servedAt.getTime() / 1000).toString(36)}.${codeOf(PLACEMENTS, content.placement)}${codeOf(STRATEGIES, content.strategy)}.${randomBytes(6).toString("base64url")}`;
  return `${body}.${mac(secret, shop, body)}`;
}

/** The content of a recId signed for `shop`, or null when it is malformed or not ours. */
export function parseRecId(secret: string, shop: string, recId: string): RecIdContent | null {
  const match = /^([0-9a-z]{1,10})\.([a-z])([a-z])\.([A-Za-z0-9_-]{8})\.([A-Za-z0-9_-]{16})$/.exec(recId);
  if (!match) return null;
  const body = recId.slice(0, recId.lastIndexOf("."));
  const expected = mac(secret, shop, body);
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(match[5]))) return null;
  const placement = PLACEMENTS[match[2] as keyof typeof PLACEMENTS];
  const strategy = STRATEGIES[match[3] as keyof typeof STRATEGIES];
  if (!placement || !strategy) return null;
  return { placement, strategy, servedAt: new Date(parseInt(match[1], 36) * 1000) };
}
