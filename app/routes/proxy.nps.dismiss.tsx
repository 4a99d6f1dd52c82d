// POST /apps/rapport/nps/dismiss (app proxy → /proxy/nps/dismiss): "Not now". The survey stays
// hidden for the snooze days (7 by default) for the signed customer. Anonymous visitors have no
// server-side state without a key: the widget just closes.
import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticateProxy, proxyJson } from "~/lib/appProxy.server";
import { prisma } from "~/lib/db.server";
import { dismissSurvey } from "~/services/nps.server";

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return proxyJson({ error: "method_not_allowed" }, { status: 405, cacheControl: "private, no-store" });
  const { shop, customerId } = await authenticateProxy(request);
  const recorded = await dismissSurvey(prisma(), shop, { customerShopifyId: customerId });
  return proxyJson({ ok: true, recorded }, { cacheControl: "private, no-store" });
}
