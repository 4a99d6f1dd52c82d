// Resource route of the backfill panel (app/components/BackfillProgress.tsx): GET is the panel's
// JSON, polled while a job runs; POST starts a job (intent: backfill, resume, reconcile,
// writeback) or switches the write-back on or off.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/lib/adminAuth.server";
import { prisma } from "~/lib/db.server";
import { getBackfillPanel, startAdminJob, type BackfillAction } from "~/services/backfillAdmin.server";

const INTENTS: readonly BackfillAction[] = ["backfill", "resume", "reconcile", "writeback", "writeback-on", "writeback-off"];

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  return Response.json(await getBackfillPanel(prisma(), shop), { headers: { "Cache-Control": "no-store" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const intent = String((await request.formData()).get("intent") ?? "");
  if (!(INTENTS as readonly string[]).includes(intent)) {
    return Response.json({ error: `unknown intent "${intent}"; expected one of ${INTENTS.join(", ")}` }, { status: 400 });
  }
  const result = await startAdminJob(prisma(), shop, intent as BackfillAction);
  return Response.json({ ...result, panel: await getBackfillPanel(prisma(), shop) });
}
