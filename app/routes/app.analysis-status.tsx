// Where the shop's analysis stands (JSON), polled by the dashboard's "recompute now" progress.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/lib/adminAuth.server";
import { getAnalysisStatus } from "~/services/dashboard.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  return Response.json(await getAnalysisStatus(shop), { headers: { "Cache-Control": "no-store" } });
}
