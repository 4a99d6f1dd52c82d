// GET /apps/rapport/recommendations on the shop's domain, through Shopify's app proxy.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticateProxy, proxyJson } from "~/lib/appProxy.server";
import { prisma } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { recommendationQuery, serveRecommendations } from "~/services/recommendationTracking.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, customerId, url } = await authenticateProxy(request);
  const parsed = recommendationQuery.safeParse(Object.fromEntries([...url.searchParams].filter(([, value]) => value !== "")));
  if (!parsed.success) return proxyJson({ error: "invalid_query" }, { status: 400, cacheControl: "no-store" });
  const answer = await serveRecommendations(prisma(), shop, env().SHOPIFY_API_SECRET, { query: parsed.data, customerId, now: new Date() });
  const { personal, ...body } = answer;
  // Personal answers (a customer, or a visitor's holdout key) are never kept by shared caches;
  // the same anonymous question gets the same answer, so browsers and Shopify may keep it briefly.
  return proxyJson(body, personal ? { cacheControl: "private, no-store" } : { cacheControl: "public, max-age=60", vary: "Accept-Language" });
}
