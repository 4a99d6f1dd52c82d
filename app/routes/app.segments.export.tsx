// CSV export of one segment's customers: /app/segments/export?segment=<key>. Streamed, scoped
// to the signed-in shop, UTF-8 with a byte-order mark (Excel in French opens accents right).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "~/lib/adminAuth.server";
import { segmentCsvStream } from "~/services/segmentsPage.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const segment = new URL(request.url).searchParams.get("segment") ?? "";
  if (!/^[a-z0-9_]{1,64}$/.test(segment))
    return new Response("Unknown segment.", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const stream = await segmentCsvStream(shop, segment);
  if (!stream) return new Response("Unknown shop.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const date = new Date().toISOString().slice(0, 10);
  const shopName = shop.replace(/\.myshopify\.com$/, "");
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${shopName}-${segment}-${date}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
