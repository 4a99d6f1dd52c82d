import { checkHealth } from "~/services/health.server";

// For load balancers and uptime checks: 200 when the database answers, with the inbox lag.
export async function loader() {
  const health = await checkHealth();
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
