// CSV export of the customers page's filtered list (or of a bulk selection, `?ids=`), streamed
// page by page (keyset) so a 100,000-customer export never sits in memory.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseCustomerQuery } from "~/domain/customerList";
import { requireAdmin } from "~/lib/adminAuth.server";
import { allListedCustomers, type CustomerRow } from "~/services/customers.server";

const COLUMNS: [string, (c: CustomerRow, currency: string) => string | number | null][] = [
  ["shopify_id", (c) => c.id],
  ["name", (c) => c.name],
  ["email", (c) => c.email],
  ["tags", (c) => c.tags.join(", ")],
  ["segment", (c) => c.segment],
  ["r", (c) => c.r],
  ["f", (c) => c.f],
  ["m", (c) => c.m],
  ["orders", (c) => c.orders],
  ["net_revenue", (c) => c.revenue],
  ["predicted_clv_12m", (c) => c.predictedClv],
  ["currency", (c, currency) => (c.revenue === null ? null : currency)],
  ["p_alive", (c) => (c.pAlive === null ? null : c.pAlive.toFixed(4))],
  ["churn_risk", (c) => c.risk],
  ["first_order_at", (c) => c.firstOrderAt],
  ["last_order_at", (c) => c.lastOrderAt],
];

/** RFC 4180 quoting; text that a spreadsheet would run as a formula is prefixed with ' (names are typed by shoppers). */
function cell(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireAdmin(request);
  const url = new URL(request.url);
  const { filter, sort, dir } = parseCustomerQuery(url.searchParams);
  const ids = url.searchParams
    .get("ids")
    ?.split(",")
    .filter((id) => /^\d{1,20}$/.test(id));
  const rows = allListedCustomers(shop, { filter, sort, dir }, ids);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${COLUMNS.map(([name]) => name).join(",")}\r\n`));
    },
    async pull(controller) {
      try {
        const next = await rows.next();
        if (next.done) return controller.close();
        const { shop: info, rows: page } = next.value;
        controller.enqueue(encoder.encode(page.map((c) => `${COLUMNS.map(([, get]) => cell(get(c, info.currency))).join(",")}\r\n`).join("")));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="customers-${day}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
