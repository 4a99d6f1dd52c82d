// The settings page's recompute: POST starts one (or joins the running one), GET reads its progress.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/lib/adminAuth.server";
import { recomputeStatus, startRecompute } from "~/services/recompute.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  return recomputeStatus(shop);
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await requireAdmin(request);
  return startRecompute(shop);
}
