// `rapport clv`: BG/NBD + Gamma-Gamma customer lifetime value from a transactions CSV.

import path from "node:path";
import { parseArgs } from "node:util";
import {
  assessConfidence,
  expectedAverageValue,
  fitBgNbd,
  fitGammaGammaGrouped,
  groupRftArrays,
  groupSpend,
  periodDays,
  predictRftColumns,
  summarizeDays,
  type GammaGammaFit,
  type Period,
} from "../../app/domain/clv";
import {
  CsvInputError,
  CsvOutput,
  columnIndexes,
  decodeField,
  forEachIdDayAmount,
  formatNumber,
  openCsv,
  parseDay,
  parseDayBytes,
  parseNumberBytes,
  sortIdOrder,
  IdInterner,
  type CommandIo,
} from "../csv";

const HELP = `Usage: rapport clv --transactions FILE --calibration-end YYYY-MM-DD [options]

Fits the BG/NBD purchase model and the Gamma-Gamma spend model (see docs/metrics.md) and
predicts each customer's purchases and lifetime value over a horizon.

Options:
  --transactions FILE      CSV with one row per transaction
  --calibration-end DATE   last day of the fitting period (YYYY-MM-DD or YYYYMMDD); later
                           transactions are ignored
  --period day|week        time unit of recency, T and the horizon (default: week)
  --horizon N              prediction horizon in periods (default: 52 weeks or 365 days)
  --discount-rate R        annual discount rate, e.g. 0.1 for 10 % (default: 0.1); applied
                           monthly
  --customer-col NAME      customer id column (default: customer_id)
  --date-col NAME          transaction date column, YYYY-MM-DD or YYYYMMDD (default: date)
  --amount-col NAME        transaction amount column (default: amount)
  --decimals N|all         decimals of the CSV's numbers (default: 6); "all" writes every
                           number and the JSON parameters at full precision
  --out FILE               write the per-customer CSV there
  --help                   show this help

Transactions on the same day are merged into one purchase (amounts summed).

Output: a JSON summary {"bgnbd": {r, alpha, a, b, logLikelihood, standardErrors},
"gammaGamma": {p, q, gamma, customers}, "customers": N, ...} and a CSV with columns
customer_id,frequency,recency,T,monetary_value,p_alive,expected_purchases,expected_avg_value,clv
(frequency = repeat purchase days, recency and T in periods, monetary_value = mean of the
repeat purchases or 0, expected_purchases over the horizon), sorted by customer id.
With --out, the CSV goes to FILE and the JSON to stdout. Without --out, the CSV goes to
stdout and the JSON to stderr. Bad input exits with code 2.
`;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        transactions: { type: "string" },
        "calibration-end": { type: "string" },
        period: { type: "string" },
        horizon: { type: "string" },
        "discount-rate": { type: "string" },
        "customer-col": { type: "string" },
        "date-col": { type: "string" },
        "amount-col": { type: "string" },
        decimals: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr(`${(err as Error).message}. Run "rapport clv --help" for usage.\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const file = values.transactions as string | undefined;
  const endText = values["calibration-end"] as string | undefined;
  if (!file || !endText) {
    io.stderr(`Missing ${!file ? "--transactions FILE" : "--calibration-end YYYY-MM-DD"}. Run "rapport clv --help" for usage.\n`);
    return 2;
  }
  const calEnd = parseDay(endText);
  if (Number.isNaN(calEnd)) {
    io.stderr(`--calibration-end "${endText}" is not a date; use YYYY-MM-DD or YYYYMMDD.\n`);
    return 2;
  }
  const periodText = (values.period as string | undefined) ?? "week";
  if (periodText !== "day" && periodText !== "week") {
    io.stderr(`--period must be "day" or "week" (got "${periodText}").\n`);
    return 2;
  }
  const period: Period = periodText;
  const horizonText = values.horizon as string | undefined;
  const horizon = horizonText === undefined ? (period === "week" ? 52 : 365) : Number(horizonText);
  if (!(Number.isFinite(horizon) && horizon > 0) || (horizonText !== undefined && !/^\d+(\.\d+)?$/.test(horizonText))) {
    io.stderr(`--horizon must be a positive number of periods (got "${horizonText}").\n`);
    return 2;
  }
  const rateText = values["discount-rate"] as string | undefined;
  const discountRate = rateText === undefined ? 0.1 : Number(rateText);
  if (!(Number.isFinite(discountRate) && discountRate >= 0 && discountRate < 10) || (rateText !== undefined && rateText.trim() === "")) {
    io.stderr(`--discount-rate must be a number such as 0.1 for 10 % a year (got "${rateText}").\n`);
    return 2;
  }
  const decimalsText = (values.decimals as string | undefined) ?? "6";
  if (decimalsText !== "all" && !/^(1[0-5]|\d)$/.test(decimalsText)) {
    io.stderr(`--decimals must be a whole number from 0 to 15 or "all" (got "${decimalsText}").\n`);
    return 2;
  }
  const full = decimalsText === "all";
  const decimals = full ? 0 : Number(decimalsText);
  const fmt = full ? (v: number | null) => (v === null || !Number.isFinite(v) ? "" : String(v)) : (v: number | null) => formatNumber(v, decimals);
  const cols = {
    customer: (values["customer-col"] as string | undefined) ?? "customer_id",
    date: (values["date-col"] as string | undefined) ?? "date",
    amount: (values["amount-col"] as string | undefined) ?? "amount",
  };

  try {
    const csv = openCsv(file, io.cwd);
    const idx = columnIndexes(csv, [cols.customer, cols.date, cols.amount]);
    const buf = csv.buf;
    const ids = new IdInterner();
    // Room for the rows the file probably holds (its size over the first lines' mean length),
    // so that the columns are seldom copied to grow.
    let cap = Math.max(1 << 10, estimateRows(buf, csv.dataStart));
    let cust = new Int32Array(cap);
    let days = new Int32Array(cap);
    let amounts = new Float64Array(cap);
    let n = 0;
    const store = (k: number, day: number, amount: number) => {
      if (n === cap) {
        cap *= 2;
        cust = growI32(cust, cap);
        days = growI32(days, cap);
        const a2 = new Float64Array(cap);
        a2.set(amounts);
        amounts = a2;
      }
      cust[n] = k;
      days[n] = day;
      amounts[n] = amount;
      n++;
    };
    // Plain records are parsed as they are scanned; the others (quotes, errors) come here.
    forEachIdDayAmount(csv, idx, ".", ids, store, (line, s, e, q) => {
      if (e[0] === s[0]) throw badField(file, line, cols.customer, "", "a customer id");
      const day = parseDayBytes(buf, s[1], e[1]);
      if (Number.isNaN(day)) throw badField(file, line, cols.date, decodeField(buf, s[1], e[1], q[1] === 1), "a date (YYYY-MM-DD or YYYYMMDD)");
      const amount = parseNumberBytes(buf, s[2], e[2]);
      if (Number.isNaN(amount)) throw badField(file, line, cols.amount, decodeField(buf, s[2], e[2], q[2] === 1), "a number");
      store(ids.internField(buf, s[0], e[0], q[0] === 1), day, amount);
    });
    if (n === 0) throw new CsvInputError(`${file} has no data rows.`, file);

    const pd = periodDays(period);
    const sum = summarizeDays(cust.subarray(0, n), days.subarray(0, n), amounts.subarray(0, n), ids.size, calEnd, period);
    const m = sum.customer.length;
    if (m === 0) throw new CsvInputError(`${file} has no transactions on or before the calibration end ${endText}.`, file);

    const grouped = groupRftArrays(sum.x, sum.tx, sum.T);
    const bg = fitBgNbd(grouped);
    let gg: GammaGammaFit | null = null;
    // Gamma-Gamma on (x, m) groups of the customers with repeat purchases and a positive spend.
    let spenders = 0;
    for (let i = 0; i < m; i++) if (sum.x[i] > 0 && sum.monetary[i] > 0 && Number.isFinite(sum.monetary[i])) spenders++;
    const pairs = new Float64Array(2 * spenders);
    for (let i = 0, j = 0; i < m; i++) {
      const mv = sum.monetary[i];
      if (sum.x[i] > 0 && mv > 0 && Number.isFinite(mv)) {
        pairs[j++] = sum.x[i];
        pairs[j++] = mv;
      }
    }
    try {
      gg = fitGammaGammaGrouped(groupSpend(pairs));
    } catch {
      gg = null; // no repeat customers with a positive spend: values stay empty
    }
    const confidence = assessConfidence(bg, gg ?? undefined);

    // Predictions depend only on (x, t_x, T): once per group.
    const G = grouped.x.length;
    const gAlive = new Float64Array(G);
    const gExp = new Float64Array(G);
    const gDisc = new Float64Array(G);
    predictRftColumns(bg.params, { horizon, periodDays: pd, annualDiscountRate: discountRate }, grouped.x, grouped.tx, grouped.T, {
      pAlive: gAlive,
      expected: gExp,
      discounted: gDisc,
    });

    const rowNames = Array.from(sum.customer, (k) => ids.names[k]);
    const order = sortIdOrder(rowNames);
    // t_x and T are whole days over the period length: a few thousand distinct values, each
    // formatted once.
    const periodText = new Map<number, string>();
    const fmtPeriods = (v: number) => {
      let text = periodText.get(v);
      if (text === undefined) periodText.set(v, (text = fmt(v)));
      return text;
    };
    const COMMA = 0x2c;
    const outFile = values.out as string | undefined;
    const output = new CsvOutput(outFile ? path.resolve(io.cwd, outFile) : null);
    output.write("customer_id,frequency,recency,T,monetary_value,p_alive,expected_purchases,expected_avg_value,clv\n");
    for (let j = 0; j < m; j++) {
      const i = order[j];
      const g = grouped.groupOf[i];
      const x = sum.x[i];
      const mv = Number.isNaN(sum.monetary[i]) ? null : sum.monetary[i];
      const avg = gg ? expectedAverageValue(gg.params, x, mv) : null;
      const clv = avg === null ? null : avg * gDisc[g];
      output.field(rowNames[i]);
      output.byte(COMMA);
      output.int(x);
      output.byte(COMMA);
      output.write(fmtPeriods(sum.tx[i]));
      output.byte(COMMA);
      output.write(fmtPeriods(sum.T[i]));
      output.byte(COMMA);
      output.write(fmt(mv ?? 0));
      output.byte(COMMA);
      output.write(fmt(gAlive[g]));
      output.byte(COMMA);
      output.write(fmt(gExp[g]));
      output.byte(COMMA);
      output.write(fmt(avg));
      output.byte(COMMA);
      output.write(fmt(clv));
      output.byte(0x0a);
    }
    // The i18n module loads React and react-intl (as much start-up as Node's own): only for notes.
    const confidenceNotes =
      confidence.issues.length === 0
        ? []
        : await import("../../app/i18n").then(({ messageText }) => confidence.issues.map((issue) => messageText("en", issue)));
    const round = (v: number | null) => (v === null || full ? v : Number(v.toPrecision(10)));
    const summary = {
      bgnbd: {
        r: round(bg.params.r),
        alpha: round(bg.params.alpha),
        a: round(bg.params.a),
        b: round(bg.params.b),
        logLikelihood: round(bg.logLikelihood),
        standardErrors: {
          r: round(bg.standardErrors.r),
          alpha: round(bg.standardErrors.alpha),
          a: round(bg.standardErrors.a),
          b: round(bg.standardErrors.b),
        },
      },
      gammaGamma: gg
        ? {
            p: round(gg.params.p),
            q: round(gg.params.q),
            gamma: round(gg.params.gamma),
            customers: gg.customers,
            logLikelihood: round(gg.logLikelihood),
            standardErrors: { p: round(gg.standardErrors.p), q: round(gg.standardErrors.q), gamma: round(gg.standardErrors.gamma) },
          }
        : null,
      customers: m,
      repeatCustomers: bg.repeatCustomers,
      period,
      horizon,
      annualDiscountRate: discountRate,
      lowConfidence: confidence.lowConfidence,
      confidenceNotes,
    };
    const json = `${JSON.stringify(summary, null, 2)}\n`;
    const out = output.end();
    if (outFile) {
      io.stdout(json);
    } else {
      io.stdout(out);
      io.stderr(json);
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

/** Rows of the file estimated from the mean length of its first 1,000 lines, plus 5 %. */
function estimateRows(buf: Buffer, start: number): number {
  let p = start;
  let lines = 0;
  while (lines < 1000 && p < buf.length) {
    const lf = buf.indexOf(0x0a, p);
    if (lf < 0) break;
    p = lf + 1;
    lines++;
  }
  if (lines === 0 || p <= start) return 1 << 10;
  return Math.ceil(((buf.length - start) / ((p - start) / lines)) * 1.05);
}

function growI32(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}
