// Reading the transactions CSV of `rapport rfm` and `rapport clv`, on one thread or two.
//
// A large quote-free file is cut at a line feed: this thread reads the first part while a
// worker thread (cli/csvWorker.ts, compiled next to the bundle) reads the rest from the same
// shared memory. The worker's ids are then interned here in their order of first appearance,
// which gives every customer the index a single pass would have given it, so the results are
// the same bit for bit. If the worker's part has bad input (or the worker fails at all), the
// whole file is read again on this thread, which reports the exact error and line.
import { existsSync } from "node:fs";
import type { GammaGammaFit } from "../app/domain/clv";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  decodeField,
  forEachRecord,
  IdInterner,
  parseDayBytes,
  parseNumberBytes,
  splitPoint,
  CsvInputError,
  type CsvFile,
  type DecimalMark,
} from "./csv";

/** Files smaller than this are read on one thread: a worker costs ≈30 ms to start. */
const DEFAULT_PARALLEL_MIN_BYTES = 8 << 20;
/** This thread's share: the worker starts later by its start-up time. */
const MAIN_SHARE = 0.55;

export interface TransactionColumns {
  customer: string;
  date: string;
  amount: string;
}

interface Range {
  start: number;
  end: number;
}

export interface ReadOptions {
  /** Column names, for error messages. */
  cols: TransactionColumns;
  /** Column indexes of customer, date and amount. */
  idx: number[];
  decimal?: DecimalMark;
  /** What an amount should be, for error messages. */
  expectedNumber?: string;
}

/** One row per transaction (`rapport clv`). */
export interface TransactionRows {
  n: number;
  cust: Int32Array;
  days: Int32Array;
  amounts: Float64Array;
}

/** Per customer index: last order day, order count, revenue in millionths (`rapport rfm`). */
export interface CustomerTotals {
  last: Int32Array;
  count: Int32Array;
  revenue: Float64Array;
}

function badField(file: string, line: number, field: string, value: string, expected: string): CsvInputError {
  return new CsvInputError(`${file}, line ${line}: field "${field}" has value "${value}", expected ${expected}.`, file, line, field);
}

/** Calls `onRow(customer index, day, amount)` per record of the range, validating each field. */
function forEachTransaction(
  csv: CsvFile,
  ids: IdInterner,
  options: ReadOptions,
  range: Range | null,
  onRow: (k: number, day: number, amount: number) => void,
): void {
  const { buf, file } = csv;
  const { cols, decimal } = options;
  const expectedNumber = options.expectedNumber ?? "a number";
  forEachRecord(
    csv,
    options.idx,
    (line, s, e, q) => {
      if (e[0] === s[0]) throw badField(file, line, cols.customer, "", "a customer id");
      const day = parseDayBytes(buf, s[1], e[1]);
      if (Number.isNaN(day)) throw badField(file, line, cols.date, decodeField(buf, s[1], e[1], q[1] === 1), "a date (YYYY-MM-DD or YYYYMMDD)");
      const amount = parseNumberBytes(buf, s[2], e[2], decimal);
      if (Number.isNaN(amount)) throw badField(file, line, cols.amount, decodeField(buf, s[2], e[2], q[2] === 1), expectedNumber);
      onRow(ids.internField(buf, s[0], e[0], q[0] === 1), day, amount);
    },
    range,
  );
}

export function readRowsPart(csv: CsvFile, ids: IdInterner, options: ReadOptions, range: Range | null): TransactionRows {
  let cap = 1 << 16;
  let cust = new Int32Array(cap);
  let days = new Int32Array(cap);
  let amounts = new Float64Array(cap);
  let n = 0;
  forEachTransaction(csv, ids, options, range, (k, day, amount) => {
    if (n === cap) {
      cap *= 2;
      cust = grow(cust, cap, 0);
      days = grow(days, cap, 0);
      amounts = grow(amounts, cap, 0);
    }
    cust[n] = k;
    days[n] = day;
    amounts[n] = amount;
    n++;
  });
  return { n, cust, days, amounts };
}

export function readTotalsPart(csv: CsvFile, ids: IdInterner, options: ReadOptions, range: Range | null): CustomerTotals {
  // Growable typed arrays. Revenue is summed in millionths, as integers (exact below 2^53,
  // about 9 × 10^9 per customer): money sums carry no float noise, in any order.
  let cap = 1024;
  let last = new Int32Array(cap).fill(NO_DAY);
  let count = new Int32Array(cap);
  let revenue = new Float64Array(cap);
  forEachTransaction(csv, ids, options, range, (k, day, amount) => {
    if (k >= cap) {
      cap *= 2;
      last = grow(last, cap, NO_DAY);
      count = grow(count, cap, 0);
      revenue = grow(revenue, cap, 0);
    }
    if (day > last[k]) last[k] = day;
    count[k]++;
    revenue[k] += Math.round(amount * MICRO);
  });
  return { last, count, revenue };
}

export const MICRO = 1_000_000;
const NO_DAY = -2147483648;

function grow<T extends Int32Array | Float64Array>(a: T, cap: number, fill: number): T {
  const b = new (a.constructor as { new (n: number): T })(cap);
  if (fill !== 0) b.fill(fill);
  b.set(a);
  return b;
}

/** What the worker is given: the shared bytes and where to read. */
export interface PartTask {
  kind: "rows" | "totals";
  bytes: SharedArrayBuffer;
  length: number;
  file: string;
  header: string[];
  dataStart: number;
  delimiter: CsvFile["delimiter"];
  options: ReadOptions;
  range: Range;
}

export type PartResult =
  { ok: true; rows?: TransactionRows; totals?: CustomerTotals; keys: ReturnType<IdInterner["exportKeys"]> } | { ok: false; message: string };

/** The compiled worker next to this module, when there is one (not when running through tsx). */
function workerFile(): URL | null {
  const url = new URL("./csvWorker.mjs", import.meta.url);
  return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : null;
}

function parallelMinBytes(): number {
  const v = Number(process.env.RAPPORT_CSV_PARALLEL_MIN_BYTES);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_PARALLEL_MIN_BYTES;
}

interface StartedWorker {
  split: number;
  result: Promise<PartResult>;
  stop: () => void;
  /** After the part (`rows` only): the Gamma-Gamma fit on the worker while this thread fits BG/NBD. */
  fitSpend: (pairs: Float64Array) => Promise<SpendFitResult>;
}

/** The worker's answer to a spend fit: the fit, or the fit's own error (no usable data). */
export type SpendFitResult = { ok: true; fit: GammaGammaFit } | { ok: false; fitError: string | null };

/** Starts the worker on the rest of the file, or returns null (small file, quotes, no worker). */
function startWorker(csv: CsvFile, kind: PartTask["kind"], options: ReadOptions): StartedWorker | null {
  const url = workerFile();
  if (!url || !(csv.buf.buffer instanceof SharedArrayBuffer)) return null;
  const split = splitPoint(csv, parallelMinBytes(), MAIN_SHARE);
  if (split === null) return null;
  const task: PartTask = {
    kind,
    bytes: csv.buf.buffer,
    length: csv.buf.length,
    file: csv.file,
    header: csv.header,
    dataStart: csv.dataStart,
    delimiter: csv.delimiter,
    options,
    range: { start: split, end: csv.buf.length },
  };
  if (process.env.RAPPORT_CLI_EXPLAIN === "1") process.stderr.write(`rapport: reading ${csv.file} on two threads from byte ${split}\n`);
  const worker = new Worker(url, { workerData: task });
  const stop = () => void worker.terminate();
  // Every answer, in order; a failure answers everything still asked.
  const waiting: ((m: unknown) => void)[] = [];
  let failed: string | null = null;
  const next = () =>
    new Promise<unknown>((resolve) => {
      if (failed !== null) resolve({ ok: false, message: failed });
      else waiting.push(resolve);
    });
  const fail = (message: string) => {
    failed ??= message;
    for (const resolve of waiting.splice(0)) resolve({ ok: false, message: failed, fitError: null });
  };
  worker.on("message", (m: unknown) => waiting.shift()?.(m));
  worker.once("error", (e) => fail(e.message));
  worker.once("exit", () => fail("the worker stopped"));
  const result = next() as Promise<PartResult>;
  // A worker that is not asked for a fit must not keep the process alive.
  void result.then((r) => (kind === "rows" && r.ok ? worker.unref() : stop()));
  const fitSpend = (pairs: Float64Array) => {
    worker.ref();
    const answer = next() as Promise<SpendFitResult>;
    worker.postMessage({ pairs }, [pairs.buffer as ArrayBuffer]);
    return answer.finally(stop);
  };
  return { split, result, stop, fitSpend };
}

/** This thread's part; an error there is the file's first one, so the worker is stopped. */
function readFirstPart<T>(worker: StartedWorker, read: () => T): T {
  try {
    return read();
  } catch (error) {
    worker.stop();
    throw error;
  }
}

/** Every transaction row of the file, ids interned in order of first appearance. */
export async function readTransactionRows(
  csv: CsvFile,
  options: ReadOptions,
): Promise<{ rows: TransactionRows; ids: IdInterner; fitSpend: StartedWorker["fitSpend"] | null }> {
  const worker = startWorker(csv, "rows", options);
  const ids = new IdInterner();
  if (!worker) return { rows: readRowsPart(csv, ids, options, null), ids, fitSpend: null };
  const mine = readFirstPart(worker, () => readRowsPart(csv, ids, options, { start: csv.dataStart, end: worker.split }));
  const theirs = await worker.result;
  if (!theirs.ok || !theirs.rows) {
    const again = new IdInterner();
    return { rows: readRowsPart(csv, again, options, null), ids: again, fitSpend: null };
  }
  const map = ids.internAll(theirs.keys);
  const n = mine.n + theirs.rows.n;
  const cust = new Int32Array(n);
  const days = new Int32Array(n);
  const amounts = new Float64Array(n);
  cust.set(mine.cust.subarray(0, mine.n));
  days.set(mine.days.subarray(0, mine.n));
  amounts.set(mine.amounts.subarray(0, mine.n));
  const other = theirs.rows;
  for (let i = 0; i < other.n; i++) cust[mine.n + i] = map[other.cust[i]];
  days.set(other.days.subarray(0, other.n), mine.n);
  amounts.set(other.amounts.subarray(0, other.n), mine.n);
  return { rows: { n, cust, days, amounts }, ids, fitSpend: worker.fitSpend };
}

/** Per-customer totals of the file, ids interned in order of first appearance. */
export async function readCustomerTotals(csv: CsvFile, options: ReadOptions): Promise<{ totals: CustomerTotals; ids: IdInterner }> {
  const worker = startWorker(csv, "totals", options);
  const ids = new IdInterner();
  if (!worker) return { totals: readTotalsPart(csv, ids, options, null), ids };
  const mine = readFirstPart(worker, () => readTotalsPart(csv, ids, options, { start: csv.dataStart, end: worker.split }));
  const theirs = await worker.result;
  if (!theirs.ok || !theirs.totals) {
    const again = new IdInterner();
    return { totals: readTotalsPart(csv, again, options, null), ids: again };
  }
  const map = ids.internAll(theirs.keys);
  const size = Math.max(ids.size, 1);
  const last = grow(mine.last.subarray(0, Math.min(mine.last.length, size)), size, NO_DAY);
  const count = grow(mine.count.subarray(0, Math.min(mine.count.length, size)), size, 0);
  const revenue = grow(mine.revenue.subarray(0, Math.min(mine.revenue.length, size)), size, 0);
  const other = theirs.totals;
  for (let k = 0; k < map.length; k++) {
    const g = map[k];
    if (other.last[k] > last[g]) last[g] = other.last[k];
    count[g] += other.count[k];
    revenue[g] += other.revenue[k];
  }
  return { totals: { last, count, revenue }, ids };
}
