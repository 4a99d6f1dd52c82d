// `rapport rfm`: RFM scores and segments from an orders CSV (one row per order).

import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_SEGMENT_RULES,
  RFM_PACKAGE_TEST_RULES,
  SEGMENT_TEXTS,
  binOf,
  computeBreakpoints,
  matchSegment,
  summarizeSegments,
  validateRules,
  type RfmScored,
  type Score,
  type SegmentRule,
} from "../../app/domain/rfm";
import {
  CsvInputError,
  CsvOutput,
  columnIndexes,
  csvField,
  decodeField,
  forEachRecord,
  formatNumber,
  openCsv,
  parseDay,
  parseDayBytes,
  parseNumberBytes,
  sortIdOrder,
  IdInterner,
  type CommandIo,
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
  --out FILE               write the CSV there and print a JSON summary per segment
  --help                   show this help

Output CSV columns: customer_id,recency_days,frequency,monetary,r,f,m,segment
(sorted by customer id, numerically when all ids are numbers). Without --out the CSV goes to
stdout. Bad input exits with code 2.
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
  const cols = {
    customer: (values["customer-col"] as string | undefined) ?? "customer_id",
    date: (values["date-col"] as string | undefined) ?? "order_date",
    amount: (values["amount-col"] as string | undefined) ?? "revenue",
  };

  try {
    const rules = loadRules((values.rules as string | undefined) ?? "default", io.cwd);
    const csv = openCsv(orders, io.cwd);
    const idx = columnIndexes(csv, [cols.customer, cols.date, cols.amount]);
    const ids = new IdInterner();
    // Per-customer aggregates in growable typed arrays.
    let cap = 1024;
    let last = new Int32Array(cap).fill(-2147483648);
    let count = new Int32Array(cap);
    let revenue = new Float64Array(cap);
    const buf = csv.buf;
    forEachRecord(csv, idx, (line, s, e, q) => {
      if (e[0] === s[0]) throw badField(orders, line, cols.customer, "", "a customer id");
      const day = parseDayBytes(buf, s[1], e[1]);
      if (Number.isNaN(day)) throw badField(orders, line, cols.date, decodeField(buf, s[1], e[1], q[1] === 1), "a date (YYYY-MM-DD or YYYYMMDD)");
      const amount = parseNumberBytes(buf, s[2], e[2]);
      if (Number.isNaN(amount)) throw badField(orders, line, cols.amount, decodeField(buf, s[2], e[2], q[2] === 1), "a number");
      const k = ids.internField(buf, s[0], e[0], q[0] === 1);
      if (k >= cap) {
        cap *= 2;
        last = grow(last, cap, -2147483648);
        count = grow(count, cap, 0);
        revenue = grow(revenue, cap, 0);
      }
      if (day > last[k]) last[k] = day;
      count[k]++;
      revenue[k] += amount;
    });
    const n = ids.size;
    if (n === 0) throw new CsvInputError(`${orders} has no data rows.`, orders);

    const rec = new Float64Array(n);
    for (let i = 0; i < n; i++) rec[i] = analysisDay - last[i];
    const bpR = computeBreakpoints(rec);
    const bpF = computeBreakpoints(count.subarray(0, n));
    const bpM = computeBreakpoints(revenue.subarray(0, n));
    // Scores and segments in flat arrays: 100,000 objects with a Date each cost more in
    // garbage collection than the scoring itself.
    const scores = new Uint8Array(3 * n);
    const segment: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r = (6 - binOf(rec[i], bpR)) as Score;
      const f = binOf(count[i], bpF);
      const m = binOf(revenue[i], bpM);
      scores[3 * i] = r;
      scores[3 * i + 1] = f;
      scores[3 * i + 2] = m;
      segment[i] = matchSegment(r, f, m, rules);
    }

    const order = sortIdOrder(ids.names);
    const outFile = values.out as string | undefined;
    const output = new CsvOutput(outFile ? path.resolve(io.cwd, outFile) : null);
    output.write("customer_id,recency_days,frequency,monetary,r,f,m,segment\n");
    for (let j = 0; j < n; j++) {
      const i = order[j];
      output.write(
        `${csvField(ids.names[i])},${rec[i]},${count[i]},${formatNumber(revenue[i])},${scores[3 * i]},${scores[3 * i + 1]},${scores[3 * i + 2]},${segment[i]}\n`,
      );
    }
    const out = output.end();
    if (outFile) {
      const summary: Record<string, { customers: number; orders: number; revenue: number }> = {};
      // summarizeSegments reads only the segment, frequency and monetary value.
      const rows = Array.from({ length: n }, (_, i) => ({ segment: segment[i], frequency: count[i], monetary: revenue[i] }) as RfmScored);
      for (const s of summarizeSegments(rows, rules)) {
        summary[s.segment] = { customers: s.customers, orders: s.orders, revenue: Number(s.revenue.toFixed(2)) };
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
function loadRules(spec: string, cwd: string): readonly SegmentRule[] {
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
      throw new CsvInputError(`The rule table ${spec}, rule ${i + 1}: expected {"key": "...", "r": [min, max], "f": [min, max], "m": [min, max]}.`, spec);
    }
    const builtIn = SEGMENT_TEXTS[o.key];
    const text = builtIn ?? { en: { name: o.key, description: "", action: "" }, fr: { name: o.key, description: "", action: "" } };
    return { key: o.key, r, f, m, text };
  });
  const problems = validateRules(rules);
  if (problems.length > 0) throw new CsvInputError(`The rule table ${spec} is invalid: ${problems.join(" ")}`, spec);
  return rules;
}
