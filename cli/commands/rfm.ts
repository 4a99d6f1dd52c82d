// `rapport rfm`: RFM scores and segments from an orders CSV (one row per order).

import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_SEGMENT_RULES,
  OTHERS_KEY,
  RFM_PACKAGE_TEST_RULES,
  binOf,
  computeBreakpoints,
  matchSegment,
  validateRules,
  type Score,
  type SegmentRule,
} from "../../app/domain/rfm";
// The i18n module (and app/lib/format, which uses it) loads React and react-intl: about as
// much start-up as Node's own. It is imported only when labels, a currency or an error
// message need it.
import type { Locale } from "../../app/i18n";
import {
  CsvInputError,
  CsvOutput,
  DELIMITERS,
  columnIndexes,
  csvField,
  decodeField,
  forEachIdDayAmount,
  openCsv,
  parseDay,
  parseDayBytes,
  parseNumberBytes,
  sortIdOrder,
  IdInterner,
  type CommandIo,
  type DecimalMark,
  type Delimiter,
} from "../csv";

const HELP = `Usage: rapport rfm --orders FILE --analysis-date YYYY-MM-DD [options]

Scores each customer's recency, frequency and monetary value from 1 to 5 (the method of the
R package "rfm") and assigns the default segments (see docs/metrics.md).

Options:
  --orders FILE            CSV with one row per order (cancelled/test orders already removed)
  --analysis-date DATE     date recency is measured to (YYYY-MM-DD or YYYYMMDD)
  --customer-col NAME      customer id column (default: customer_id)
  --date-col NAME          order date column, YYYY-MM-DD or YYYYMMDD (default: order_date)
  --amount-col NAME        order revenue column (default: revenue)
  --rules NAME|FILE        segment rule table: "default" (the 10 segments of docs/metrics.md),
                           "rfm-package-test" (the R package's test table), or a JSON file
                           [{"key":"vip","r":[4,5],"f":[4,5],"m":[4,5]}, ...]; first match wins
  --delimiter auto|,|;|tab  field separator of the orders file (default: auto, detected from
                           the header line: spreadsheets in French export with ";")
  --decimal auto|.|,       decimal mark of amounts (default: auto, "." when the delimiter is a
                           comma, "." or "," otherwise); digit grouping is rejected
  --currency CODE          ISO 4217 code: write amounts with its decimals (EUR 2, JPY 0, KWD 3)
  --labels en|fr           add a segment_label column with the segment's name in that language
  --out FILE               write the CSV there and print a JSON summary per segment
  --help                   show this help

Output CSV columns: customer_id,recency_days,frequency,monetary,r,f,m,segment[,segment_label]
(comma-separated, "." decimals, sorted by customer id, numerically when all ids are numbers).
Amounts are summed exactly (to 6 decimals) and written as plain decimals. Without --out the
CSV goes to stdout. Bad input exits with code 2.
`;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        orders: { type: "string" },
        "analysis-date": { type: "string" },
        "customer-col": { type: "string" },
        "date-col": { type: "string" },
        "amount-col": { type: "string" },
        out: { type: "string" },
        rules: { type: "string" },
        delimiter: { type: "string" },
        decimal: { type: "string" },
        currency: { type: "string" },
        labels: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr(`${(err as Error).message}. Run "rapport rfm --help" for usage.\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const orders = values.orders as string | undefined;
  const dateText = values["analysis-date"] as string | undefined;
  if (!orders || !dateText) {
    io.stderr(`Missing ${!orders ? "--orders FILE" : "--analysis-date YYYY-MM-DD"}. Run "rapport rfm --help" for usage.\n`);
    return 2;
  }
  const analysisDay = parseDay(dateText);
  if (Number.isNaN(analysisDay)) {
    io.stderr(`--analysis-date "${dateText}" is not a date; use YYYY-MM-DD or YYYYMMDD.\n`);
    return 2;
  }
  const delimiterFlag = (values.delimiter as string | undefined) ?? "auto";
  const delimiter = delimiterFlag === "tab" ? "\t" : delimiterFlag;
  if (delimiter !== "auto" && !(DELIMITERS as readonly string[]).includes(delimiter)) {
    io.stderr(`--delimiter "${delimiterFlag}" is not supported; use auto, ",", ";" or tab.\n`);
    return 2;
  }
  const decimalFlag = (values.decimal as string | undefined) ?? "auto";
  if (!["auto", ".", ","].includes(decimalFlag)) {
    io.stderr(`--decimal "${decimalFlag}" is not supported; use auto, "." or ",".\n`);
    return 2;
  }
  const labels = values.labels as string | undefined;
  const i18n = labels !== undefined ? await import("../../app/i18n") : null;
  if (labels !== undefined && !i18n?.isLocale(labels)) {
    io.stderr(`--labels "${labels}" is not supported; use en or fr.\n`);
    return 2;
  }
  const currency = (values.currency as string | undefined)?.toUpperCase();
  if (currency !== undefined && !isCurrency(currency)) {
    io.stderr(`--currency "${values.currency}" is not an ISO 4217 currency code (such as EUR or JPY).\n`);
    return 2;
  }
  const cols = {
    customer: (values["customer-col"] as string | undefined) ?? "customer_id",
    date: (values["date-col"] as string | undefined) ?? "order_date",
    amount: (values["amount-col"] as string | undefined) ?? "revenue",
  };

  try {
    const rules = await loadRules((values.rules as string | undefined) ?? "default", io.cwd);
    const csv = openCsv(orders, io.cwd, { delimiter: delimiter as Delimiter | "auto" });
    const decimal: DecimalMark = decimalFlag === "auto" ? (csv.delimiter === "," ? "." : "either") : (decimalFlag as DecimalMark);
    const expectedNumber =
      decimal === "," ? "a number with a decimal comma" : decimal === "." ? "a number" : "a number (decimal point or comma, no digit grouping)";
    const idx = columnIndexes(csv, [cols.customer, cols.date, cols.amount]);
    const ids = new IdInterner();
    // Per-customer aggregates in growable typed arrays. Revenue is summed in millionths, as
    // integers (exact below 2^53, about 9 × 10^9 per customer): money sums carry no float noise.
    let cap = 1024;
    let last = new Int32Array(cap).fill(-2147483648);
    let count = new Int32Array(cap);
    let revenue = new Float64Array(cap);
    const buf = csv.buf;
    const store = (k: number, day: number, amount: number) => {
      if (k >= cap) {
        cap *= 2;
        last = grow(last, cap, -2147483648);
        count = grow(count, cap, 0);
        revenue = grow(revenue, cap, 0);
      }
      if (day > last[k]) last[k] = day;
      count[k]++;
      revenue[k] += Math.round(amount * MICRO);
    };
    // Plain records are parsed as they are scanned; the others (quotes, errors) come here.
    forEachIdDayAmount(csv, idx, decimal, ids, store, (line, s, e, q) => {
      if (e[0] === s[0]) throw badField(orders, line, cols.customer, "", "a customer id");
      const day = parseDayBytes(buf, s[1], e[1]);
      if (Number.isNaN(day)) throw badField(orders, line, cols.date, decodeField(buf, s[1], e[1], q[1] === 1), "a date (YYYY-MM-DD or YYYYMMDD)");
      const amount = parseNumberBytes(buf, s[2], e[2], decimal);
      if (Number.isNaN(amount)) throw badField(orders, line, cols.amount, decodeField(buf, s[2], e[2], q[2] === 1), expectedNumber);
      store(ids.internField(buf, s[0], e[0], q[0] === 1), day, amount);
    });
    const n = ids.size;
    if (n === 0) throw new CsvInputError(`${orders} has no data rows.`, orders);

    const rec = new Float64Array(n);
    for (let i = 0; i < n; i++) rec[i] = analysisDay - last[i];
    const bpR = computeBreakpoints(rec);
    const bpF = computeBreakpoints(count.subarray(0, n));
    // Scores on major units: the breakpoints add 1 to a quantile, in the data's own unit.
    const major = new Float64Array(n);
    for (let i = 0; i < n; i++) major[i] = revenue[i] / MICRO;
    const bpM = computeBreakpoints(major);
    // Scores and segments in flat arrays: 100,000 objects with a Date each cost more in
    // garbage collection than the scoring itself.
    const scores = new Uint8Array(3 * n);
    const segment: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r = (6 - binOf(rec[i], bpR)) as Score;
      const f = binOf(count[i], bpF);
      const m = binOf(major[i], bpM);
      scores[3 * i] = r;
      scores[3 * i + 1] = f;
      scores[3 * i + 2] = m;
      segment[i] = matchSegment(r, f, m, rules);
    }

    // Exact decimals: the millionths' integer shifted, then rounded to the currency's digits.
    const currencyDecimal = currency ? (await import("../../app/lib/format")).currencyDecimal : null;
    const money = (micro: number | bigint) => (currencyDecimal ? currencyDecimal(`${micro}e-6`, currency!) : microToDecimal(micro));
    const segmentText = (key: string) => i18n!.segmentText(labels as Locale, key);
    const label = labels ? (key: string) => `,${csvField(segmentText(key))}` : () => "";
    const order = sortIdOrder(ids.names);
    const outFile = values.out as string | undefined;
    const output = new CsvOutput(outFile ? path.resolve(io.cwd, outFile) : null);
    output.write(`customer_id,recency_days,frequency,monetary,r,f,m,segment${labels ? ",segment_label" : ""}\n`);
    writeRows(output, order, ids.names, rec, count, revenue, scores, segment, money, labels ? label : null);
    const out = output.end();
    if (outFile) {
      // Segment totals in millionths, exact: summed as doubles while every partial sum stays a
      // safe integer, in BigInt for a segment whose total passes 2^53 millionths (a large
      // shop's); a BigInt per customer cost more than the rest of the summary.
      const totals = new Map<string, { customers: number; orders: number; micro: number | bigint; big: boolean }>();
      for (const key of [...rules.map((rule) => rule.key), OTHERS_KEY]) totals.set(key, { customers: 0, orders: 0, micro: 0, big: false });
      for (let i = 0; i < n; i++) {
        const t = totals.get(segment[i])!;
        t.customers++;
        t.orders += count[i];
        const sum = (t.micro as number) + revenue[i];
        if (!Number.isSafeInteger(sum)) t.big = true;
        t.micro = sum;
      }
      for (const [key, t] of totals) {
        if (!t.big) continue;
        let micro = 0n;
        for (let i = 0; i < n; i++) if (segment[i] === key) micro += BigInt(revenue[i]);
        t.micro = micro;
      }
      const summary: Record<string, { customers: number; orders: number; revenue: number; label?: string }> = {};
      for (const [key, t] of totals) {
        summary[key] = { customers: t.customers, orders: t.orders, revenue: Number(money(t.micro)) };
        if (labels) summary[key].label = segmentText(key);
      }
      io.stdout(`${JSON.stringify({ customers: n, analysisDate: dateText, segments: summary }, null, 2)}\n`);
    } else {
      io.stdout(out);
    }
    return 0;
  } catch (err) {
    if (err instanceof CsvInputError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/**
 * The CSV rows, in `order`. A function of its own: V8 compiles this loop alone instead of
 * recompiling the whole command around each of its loops.
 */
function writeRows(
  output: CsvOutput,
  order: Int32Array,
  names: readonly string[],
  rec: Float64Array,
  count: Int32Array,
  revenue: Float64Array,
  scores: Uint8Array,
  segment: string[],
  money: (micro: number) => string,
  label: ((key: string) => string) | null,
): void {
  const n = order.length;
  for (let j = 0; j < n; j++) {
    const i = order[j];
    output.field(names[i]);
    output.byte(COMMA);
    output.int(rec[i]);
    output.byte(COMMA);
    output.int(count[i]);
    output.byte(COMMA);
    output.write(money(revenue[i]));
    output.byte(COMMA);
    output.int(scores[3 * i]);
    output.byte(COMMA);
    output.int(scores[3 * i + 1]);
    output.byte(COMMA);
    output.int(scores[3 * i + 2]);
    output.byte(COMMA);
    output.write(segment[i]);
    if (label) output.write(label(segment[i]));
    output.byte(0x0a);
  }
}

const MICRO = 1_000_000;
const COMMA = 0x2c;

/** Exact decimal text of an integer count of millionths, trailing zeros dropped ("12.5", "-3"). */
export function microToDecimal(micro: number | bigint): string {
  if (typeof micro === "number" && Number.isSafeInteger(micro)) {
    // The common case in plain integer arithmetic (exact below 2^53): no BigInt per customer.
    const abs = Math.abs(micro);
    const whole = Math.floor(abs / 1_000_000);
    let frac = abs - whole * 1_000_000;
    let digits = 6;
    while (digits > 0 && frac % 10 === 0) {
      frac /= 10;
      digits--;
    }
    const sign = micro < 0 ? "-" : "";
    return digits ? `${sign}${whole}.${String(frac).padStart(digits, "0")}` : `${sign}${whole}`;
  }
  const v = BigInt(micro);
  const abs = v < 0n ? -v : v;
  const frac = (abs % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${v < 0n ? "-" : ""}${abs / 1_000_000n}${frac ? `.${frac}` : ""}`;
}

function isCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  return Intl.supportedValuesOf("currency").includes(code);
}

function badField(file: string, line: number, field: string, value: string, expected: string): CsvInputError {
  return new CsvInputError(`${file}, line ${line}: field "${field}" has value "${value}", expected ${expected}.`, file, line, field);
}

function grow<T extends Int32Array | Float64Array>(a: T, cap: number, fill: number): T {
  const b = new (a.constructor as { new (n: number): T })(cap);
  b.fill(fill);
  b.set(a);
  return b;
}

/** Built-in table by name, or a JSON file of {key, r: [min, max], f: [min, max], m: [min, max]}. */
async function loadRules(spec: string, cwd: string): Promise<readonly SegmentRule[]> {
  if (spec === "default") return DEFAULT_SEGMENT_RULES;
  if (spec === "rfm-package-test") return RFM_PACKAGE_TEST_RULES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path.resolve(cwd, spec), "utf8"));
  } catch (err) {
    throw new CsvInputError(`Cannot read the rule table ${spec}: ${(err as Error).message}.`, spec);
  }
  const pair = (v: unknown): { min: number; max: number } | null =>
    Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number" ? { min: v[0], max: v[1] } : null;
  if (!Array.isArray(parsed)) throw new CsvInputError(`The rule table ${spec} must be a JSON array of rules.`, spec);
  const rules: SegmentRule[] = parsed.map((item: unknown, i: number) => {
    const o = (item ?? {}) as Record<string, unknown>;
    const r = pair(o.r);
    const f = pair(o.f);
    const m = pair(o.m);
    if (typeof o.key !== "string" || !r || !f || !m) {
      throw new CsvInputError(
        `The rule table ${spec}, rule ${i + 1}: expected {"key": "...", "r": [min, max], "f": [min, max], "m": [min, max]}.`,
        spec,
      );
    }
    return { key: o.key, r, f, m };
  });
  const problems = validateRules(rules);
  if (problems.length > 0) {
    const { messageText } = await import("../../app/i18n");
    throw new CsvInputError(`The rule table ${spec} is invalid: ${problems.map((p) => messageText("en", p)).join(" ")}`, spec);
  }
  return rules;
}
