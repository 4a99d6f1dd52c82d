// Admin pages go through here: Shopify's embedded authentication, or the demo shop when the
// process was explicitly started in demo mode (never in production, see env.server.ts).
import { authenticate } from "~/shopify.server";
import { DEMO_DEFAULTS, env } from "./env.server";

export const DEMO_SHOP = DEMO_DEFAULTS.SHOP;

export async function requireAdmin(request: Request): Promise<{ shop: string; demo: boolean }> {
  if (env().demo) return { shop: DEMO_SHOP, demo: true };
  const { session } = await authenticate.admin(request);
  return { shop: session.shop, demo: false };
}
