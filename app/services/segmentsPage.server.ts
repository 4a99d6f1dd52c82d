// The segments page (/app/segments): per-segment figures and the RFM grid (stored with the
// analysis), the trend from the daily segment snapshots, and the moves between two dates
// (SegmentMove). The CSV export of a segment streams CustomerMetrics page by page.
import { dayLabel, parseDayLabel, startOfDayNumber } from "~/domain/time";
import { prisma } from "~/lib/db.server";
import { currencyDecimal } from "~/lib/format";
import { latestAnalysisParts, segmentCustomersPage, segmentMoveCounts, segmentSnapshotsBetween, shopDisplay } from "~/models/insightReads.server";

const DAY_MS = 86_400_000;
const TREND_DAYS = 90;

function dayParam(value: string | null, fallback: number, max: number): number {
  if (!value) return fallback;
  try {
    return Math.min(max, parseDayLabel(value));
  } catch {
    return fallback;
  }
}

export async function getSegmentsPage(shop: string, params: URLSearchParams) {
  const db = prisma();
  const [display, latest] = await Promise.all([shopDisplay(db, shop), latestAnalysisParts(db, shop, { extras: ["segments", "rfmGrid"] })]);
  if (!display || !latest?.extras) return { state: "empty" as const, shop: display };
  const extras = latest.extras;
  const today = parseDayLabel(latest.date.toISOString().slice(0, 10));
  const total = extras.segments.reduce((s, x) => s + x.customers, 0);

  const snapshots = await segmentSnapshotsBetween(db, shop, new Date(latest.date.getTime() - (TREND_DAYS - 1) * DAY_MS), latest.date);
  const dates = [...new Set(snapshots.map((s) => s.date.toISOString().slice(0, 10)))];
  const trend = extras.segments.map((seg) => ({
    segment: seg.segment,
    points: dates.map((date) => ({
      date,
      customers: snapshots.find((s) => s.segment === seg.segment && s.date.toISOString().startsWith(date))?.customers ?? 0,
    })),
  }));

  // Moves between two local days of the shop, both included (default: the last 30 days).
  let from = dayParam(params.get("from"), today - 29, today);
  let to = dayParam(params.get("to"), today, today);
  if (to < from) [from, to] = [to, from];
  const moves = await segmentMoveCounts(db, shop, startOfDayNumber(from, display.timeZone), startOfDayNumber(to + 1, display.timeZone));

  return {
    state: "ready" as const,
    shop: display,
    analysis: { date: dayLabel(today), computedAt: latest.computedAt.toISOString() },
    segments: extras.segments.map((s) => ({ ...s, share: total ? (s.customers / total) * 100 : 0 })),
    total,
    grid: extras.rfmGrid,
    trend: { dates, series: trend },
    moves: { from: dayLabel(from), to: dayLabel(to), counts: moves },
  };
}

/** CSV cells: quoted when needed, formulas neutralised (a spreadsheet must not run shopper text). */
function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s) && typeof value === "string") s = `'${s}`;
  return /[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const SEGMENT_CSV_COLUMNS = [
  "shopify_customer_id",
  "email",
  "first_name",
  "last_name",
  "segment",
  "r_score",
  "f_score",
  "m_score",
  "orders",
  "net_revenue",
  "currency",
  "recency_days",
  "first_order_at",
  "last_order_at",
  "p_alive",
  "predicted_clv_12m",
  "expected_next_order_at",
] as const;

const PAGE = 2_000;

/**
 * A segment's customers as CSV (UTF-8 with a byte-order mark, so Excel opens accents right),
 * streamed page by page: memory stays flat whatever the segment's size. Null for an unknown shop.
 */
export async function segmentCsvStream(shop: string, segment: string): Promise<ReadableStream<Uint8Array> | null> {
  const db = prisma();
  const display = await shopDisplay(db, shop);
  if (!display) return null;
  const encoder = new TextEncoder();
  let afterId = 0;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`\uFEFF${SEGMENT_CSV_COLUMNS.join(",")}\r\n`));
      }
      const rows = await segmentCustomersPage(db, shop, segment, afterId, PAGE);
      if (!rows.length) {
        controller.close();
        return;
      }
      afterId = rows[rows.length - 1].customerId;
      const lines = rows.map((r) =>
        [
          r.customer.shopifyId,
          r.customer.profile?.email,
          r.customer.profile?.firstName,
          r.customer.profile?.lastName,
          segment,
          r.rScore,
          r.fScore,
          r.mScore,
          r.frequency,
          currencyDecimal(r.monetary.toString(), display.currency),
          display.currency,
          r.recencyDays,
          r.firstOrderAt.toISOString(),
          r.lastOrderAt.toISOString(),
          r.pAlive === null ? null : r.pAlive.toFixed(4),
          r.predictedClv12m === null ? null : currencyDecimal(r.predictedClv12m.toString(), display.currency),
          r.expectedNextOrderAt?.toISOString(),
        ]
          .map(cell)
          .join(","),
      );
      controller.enqueue(encoder.encode(lines.join("\r\n") + "\r\n"));
    },
  });
}
