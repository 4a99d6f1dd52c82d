// Fast CSV reading for the analytics commands: the whole file is read into one Buffer and
// scanned byte by byte. Unquoted fields (the common case) are never copied; quoted fields
// (RFC 4180, "" escapes, embedded delimiters and newlines) take a slower path. The delimiter is
// a comma, or a semicolon or tab (spreadsheet exports in French and other languages whose
// decimal mark is a comma).

import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import path from "node:path";
import { daysFromCivil } from "../app/domain/time";

/** Bad input, reported to the user as one sentence; CLI commands exit with code 2. */
export class CsvInputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = "CsvInputError";
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const TAB = 0x09;
const DOT = 0x2e;
const LF = 0x0a;
const CR = 0x0d;

/** Where a blank line (LF or CRLF) starting at `pos` ends, or -1 when the line is not blank. */
function blankLineEnd(buf: Uint8Array, pos: number, n: number): number {
  const c = buf[pos];
  if (c === LF) return pos + 1;
  if (c === CR && pos + 1 < n && buf[pos + 1] === LF) return pos + 2;
  return -1;
}

export type Delimiter = "," | ";" | "\t";
export const DELIMITERS: readonly Delimiter[] = [",", ";", "\t"];

export interface CsvFile {
  file: string;
  buf: Buffer;
  header: string[];
  /** Byte offset of the first data record. */
  dataStart: number;
  delimiter: Delimiter;
}

/**
 * The delimiter of a header line: whichever of comma, semicolon and tab occurs most often
 * outside quotes (a comma when none does: a one-column file).
 */
export function detectDelimiter(buf: Buffer, start = 0): Delimiter {
  const counts = { [COMMA]: 0, [SEMICOLON]: 0, [TAB]: 0 } as Record<number, number>;
  let inQuotes = false;
  for (let p = start; p < buf.length; p++) {
    const c = buf[p];
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (!inQuotes && c === LF) break;
    else if (!inQuotes && c in counts) counts[c]++;
  }
  if (counts[SEMICOLON] > counts[COMMA] && counts[SEMICOLON] >= counts[TAB]) return ";";
  if (counts[TAB] > counts[COMMA]) return "\t";
  return ",";
}

/** Reads a CSV file and its header line; the delimiter is given or detected from the header. */
export function openCsv(file: string, cwd: string, options: { delimiter?: Delimiter | "auto" } = {}): CsvFile {
  const full = path.resolve(cwd, file);
  let buf: Buffer;
  try {
    buf = readFileSync(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "the file does not exist" : code === "EISDIR" ? "it is a directory" : (err as Error).message;
    throw new CsvInputError(`Cannot read ${file}: ${reason}.`, file);
  }
  let start = 0;
  // Skip a UTF-8 byte order mark.
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
  const header: string[] = [];
  let pos = start;
  if (pos >= buf.length) throw new CsvInputError(`${file} is empty: expected a header line.`, file, 1);
  const delimiter = !options.delimiter || options.delimiter === "auto" ? detectDelimiter(buf, start) : options.delimiter;
  const starts: number[] = [];
  const ends: number[] = [];
  const quoted: boolean[] = [];
  const next = scanRecord(buf, pos, delimiter.charCodeAt(0), starts, ends, quoted);
  if (next.unterminated) throw new CsvInputError(`${file}, line 1: unterminated quoted field in the header.`, file, 1);
  for (let i = 0; i < starts.length; i++) header.push(decodeField(buf, starts[i], ends[i], quoted[i]).trim());
  pos = next.pos;
  return { file, buf, header, dataStart: pos, delimiter };
}

/** Index of each requested column in the header, or a CsvInputError naming the missing one. */
export function columnIndexes(csv: CsvFile, columns: string[]): number[] {
  return columns.map((c) => {
    const idx = csv.header.indexOf(c);
    if (idx < 0) {
      const other = csv.header.length === 1 ? DELIMITERS.find((d) => d !== csv.delimiter && csv.header[0].includes(d)) : undefined;
      const hint = other
        ? ` The fields seem separated by "${other === "\t" ? "tab" : other}": try --delimiter ${other === "\t" ? "tab" : other === ";" ? '";"' : other}.`
        : "";
      throw new CsvInputError(`${csv.file}, line 1: missing column "${c}" (the header has: ${csv.header.join(", ")}).${hint}`, csv.file, 1, c);
    }
    return idx;
  });
}

interface ScanResult {
  pos: number;
  lines: number;
  unterminated: boolean;
}

/**
 * Scans one record starting at `pos`, pushing field byte ranges. Returns the offset of the
 * next record and how many physical lines the record spanned.
 */
function scanRecord(buf: Buffer, pos: number, delim: number, starts: number[], ends: number[], quoted: boolean[]): ScanResult {
  const n = buf.length;
  let lines = 1;
  for (;;) {
    if (pos < n && buf[pos] === QUOTE) {
      const s = pos + 1;
      let p = s;
      for (;;) {
        if (p >= n) return { pos: n, lines, unterminated: true };
        const c = buf[p];
        if (c === QUOTE) {
          if (p + 1 < n && buf[p + 1] === QUOTE) {
            p += 2;
            continue;
          }
          break;
        }
        if (c === LF) lines++;
        p++;
      }
      starts.push(s);
      ends.push(p);
      quoted.push(true);
      p++; // closing quote
      // Tolerate junk between the closing quote and the delimiter by skipping it.
      while (p < n && buf[p] !== delim && buf[p] !== LF) p++;
      pos = p;
    } else {
      const s = pos;
      let p = pos;
      while (p < n) {
        const c = buf[p];
        if (c === delim || c === LF) break;
        p++;
      }
      let e = p;
      if (e > s && buf[e - 1] === CR) e--;
      starts.push(s);
      ends.push(e);
      quoted.push(false);
      pos = p;
    }
    if (pos >= n) return { pos: n, lines, unterminated: false };
    if (buf[pos] === delim) {
      pos++;
      continue;
    }
    // LF
    return { pos: pos + 1, lines, unterminated: false };
  }
}

/** Field text; quoted fields have their "" escapes undone. */
export function decodeField(buf: Buffer, s: number, e: number, quoted: boolean): string {
  const raw = buf.toString("utf8", s, e);
  return quoted ? raw.replace(/""/g, '"') : raw;
}

/**
 * Calls `onRecord(line, fields)` for each data record, where fields[i] is the byte range of
 * the i-th requested column. Blank lines are skipped. `line` is the 1-based physical line
 * number of the record's start (the header is line 1), for error messages.
 *
 * The fast path handles records without any quote character; others fall back to scanRecord.
 */
export function forEachRecord(
  csv: CsvFile,
  columns: number[],
  onRecord: (line: number, starts: Int32Array, ends: Int32Array, quoted: Uint8Array) => void,
): number {
  return recordsFrom(csv, columns, onRecord, csv.dataStart, 2, Infinity).records;
}

/** forEachRecord from byte `from` (line `firstLine`), for at most `limit` records. */
function recordsFrom(
  csv: CsvFile,
  columns: number[],
  onRecord: (line: number, starts: Int32Array, ends: Int32Array, quoted: Uint8Array) => void,
  from: number,
  firstLine: number,
  limit: number,
): { records: number; pos: number; line: number } {
  const { buf, file } = csv;
  const delim = csv.delimiter.charCodeAt(0);
  const n = buf.length;
  const nCols = csv.header.length;
  const want = new Int32Array(nCols).fill(-1);
  columns.forEach((c, i) => {
    want[c] = i;
  });
  let maxCol = 0;
  for (const c of columns) maxCol = Math.max(maxCol, c);
  const starts = new Int32Array(columns.length);
  const ends = new Int32Array(columns.length);
  const quoted = new Uint8Array(columns.length);
  // Bytes that end an unquoted field's scan: the delimiter, a line feed, a quote.
  const stop = new Uint8Array(256);
  stop[delim] = 1;
  stop[LF] = 1;
  stop[QUOTE] = 1;
  const fs: number[] = [];
  const fe: number[] = [];
  const fq: boolean[] = [];
  let pos = from;
  let line = firstLine;
  let records = 0;
  while (pos < n && records < limit) {
    const blank = blankLineEnd(buf, pos, n);
    if (blank >= 0) {
      pos = blank;
      line++;
      continue;
    }
    // Fast path: one scan of the record's bytes, fields cut at delimiters, the record ending at
    // the first line feed, unless a quoted field holds an escape or a line break. (Finding the
    // line feed first with Buffer.indexOf cost a native call per record: more than the scan.)
    let col = 0;
    let s = pos;
    let p = pos;
    let slow = false;
    let eol = n;
    for (;;) {
      let c = 0;
      while (p < n && stop[(c = buf[p])] === 0) p++;
      let fs = s;
      let fe = p;
      let q = 0;
      if (p < n && c === QUOTE) {
        // Quoted field without escapes or line breaks: still on the fast path.
        const qe = p === s ? buf.indexOf(QUOTE, p + 1) : -1;
        if (qe < 0) {
          slow = true;
          break;
        }
        let lf = p + 1;
        while (lf < qe && buf[lf] !== LF) lf++;
        if (lf < qe) {
          slow = true;
          break;
        }
        fs = p + 1;
        fe = qe;
        q = 1;
        p = qe + 1;
        if (p < n && buf[p] === CR && p + 1 < n && buf[p + 1] === LF) p++;
        if (p < n && buf[p] !== delim && buf[p] !== LF) {
          slow = true;
          break;
        }
        c = p < n ? buf[p] : LF;
      } else if ((p >= n || c === LF) && fe > fs && buf[fe - 1] === CR) {
        fe--;
      }
      if (col < nCols) {
        const w = want[col];
        if (w >= 0) {
          starts[w] = fs;
          ends[w] = fe;
          quoted[w] = q;
        }
      }
      col++;
      if (p >= n || c === LF) {
        eol = p;
        break;
      }
      p++; // the delimiter
      s = p;
    }
    if (!slow) {
      if (col <= maxCol) throw tooFewFields(file, line, csv.header[columns[missingIndex(col, columns)]], col);
      if (col > csv.header.length) throw tooManyFields(file, line, col, csv.header, csv.delimiter);
      onRecord(line, starts, ends, quoted);
      records++;
      pos = eol + 1;
      line++;
      continue;
    }
    fs.length = 0;
    fe.length = 0;
    fq.length = 0;
    const r = scanRecord(buf, pos, delim, fs, fe, fq);
    if (r.unterminated) throw new CsvInputError(`${file}, line ${line}: a quoted field is not closed.`, file, line);
    if (fs.length <= maxCol) throw tooFewFields(file, line, csv.header[columns[missingIndex(fs.length, columns)]], fs.length);
    if (fs.length > csv.header.length) throw tooManyFields(file, line, fs.length, csv.header, csv.delimiter);
    for (let i = 0; i < columns.length; i++) {
      const k = columns[i];
      starts[i] = fs[k];
      ends[i] = fe[k];
      quoted[i] = fq[k] ? 1 : 0;
    }
    onRecord(line, starts, ends, quoted);
    records++;
    pos = r.pos;
    line += r.lines;
  }
  return { records, pos, line };
}

/**
 * The reading loop of `rapport rfm` and `rapport clv`: for each record, the id, date and amount
 * columns (`columns`, in that order) parsed while the record's bytes are scanned, once: the
 * id hashed and interned, the date turned into a day number, the amount into a number, and
 * `onRow(id index, day, amount)` called. The same values as forEachRecord with parseDayBytes,
 * parseNumberBytes and IdInterner.internField. A record this loop does not take as it is
 * (a quote, a stray CR, a wrong field count, an empty id, a value that does not parse) goes
 * to `onOther` exactly as forEachRecord would pass it, which reports the error or handles it.
 */
export function forEachIdDayAmount(
  csv: CsvFile,
  columns: number[],
  decimal: DecimalMark,
  ids: IdInterner,
  onRow: (id: number, day: number, amount: number) => void,
  onOther: (line: number, starts: Int32Array, ends: Int32Array, quoted: Uint8Array) => void,
): number {
  const { buf } = csv;
  const n = buf.length;
  const delim = csv.delimiter.charCodeAt(0);
  const nCols = csv.header.length;
  const [idCol, dayCol, amountCol] = columns;
  // One column named for two roles: the general reader.
  if (idCol === dayCol || idCol === amountCol || dayCol === amountCol) return forEachRecord(csv, columns, onOther);
  const maxCol = Math.max(idCol, dayCol, amountCol);
  const dotMark = decimal !== "," && delim !== DOT;
  const commaMark = decimal !== "." && delim !== COMMA;
  // Bytes that end a field's scan: the delimiter, a line feed, a quote, a carriage return.
  const stop = new Uint8Array(256);
  stop[delim] = 1;
  stop[LF] = 1;
  stop[QUOTE] = 1;
  stop[CR] = 1;
  let pos = csv.dataStart;
  let line = 2;
  let records = 0;
  while (pos < n) {
    const blank = blankLineEnd(buf, pos, n);
    if (blank >= 0) {
      pos = blank;
      line++;
      continue;
    }
    let p = pos;
    let col = 0;
    let ok = true;
    let idS = 0;
    let idE = 0;
    let h = 0;
    let day = NaN;
    let amount = NaN;
    for (;;) {
      const s = p;
      let c = 0;
      if (col === idCol) {
        let hash = ID_HASH_SEED;
        while (p < n && stop[(c = buf[p])] === 0) {
          hash = Math.imul(hash ^ c, ID_HASH_PRIME);
          p++;
        }
        idS = s;
        idE = p;
        h = hash;
        if (p === s) ok = false; // an empty id: the error comes from onOther
      } else if (col === dayCol) {
        // YYYY-MM-DD read in place; any other form goes through parseDayBytes.
        let d = NaN;
        if (p + 10 <= n && buf[p + 4] === 0x2d && buf[p + 7] === 0x2d) {
          const y0 = digitAt(buf, p);
          const y1 = digitAt(buf, p + 1);
          const y2 = digitAt(buf, p + 2);
          const y3 = digitAt(buf, p + 3);
          const m0 = digitAt(buf, p + 5);
          const m1 = digitAt(buf, p + 6);
          const d0 = digitAt(buf, p + 8);
          const d1 = digitAt(buf, p + 9);
          if ((y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) >= 0 && (p + 10 === n || stop[buf[p + 10]] === 1)) {
            const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
            const m = m0 * 10 + m1;
            const dd = d0 * 10 + d1;
            if (validDate(y, m, dd)) {
              d = daysFromCivil(y, m, dd);
              p += 10;
              c = p < n ? buf[p] : 0;
            }
          }
        }
        if (Number.isNaN(d)) {
          while (p < n && stop[(c = buf[p])] === 0) p++;
          d = parseDayBytes(buf, s, p);
          if (Number.isNaN(d)) ok = false;
        }
        day = d;
      } else if (col === amountCol) {
        // Plain decimals read in place (what parseNumberBytes's fast path takes); anything
        // else (a sign, spaces, an exponent, many digits) goes through parseNumberBytes.
        let mant = 0;
        let digits = 0;
        let frac = 0;
        let seenMark = false;
        let plain = true;
        while (p < n) {
          c = buf[p];
          if (c >= 0x30 && c <= 0x39) {
            mant = mant * 10 + (c - 0x30);
            if (mant !== 0) digits++;
            if (seenMark) frac++;
          } else if (stop[c] === 1) {
            break;
          } else if (((c === DOT && dotMark) || (c === COMMA && commaMark)) && !seenMark) {
            seenMark = true;
          } else {
            plain = false;
          }
          p++;
        }
        if (plain && p > s && digits <= 15 && frac <= 22 && !(seenMark && p - s === 1)) {
          amount = mant / POW10[frac];
        } else {
          amount = parseNumberBytes(buf, s, p, decimal);
          if (Number.isNaN(amount)) ok = false;
        }
      } else {
        while (p < n && stop[(c = buf[p])] === 0) p++;
      }
      col++;
      if (p >= n) break;
      if (c === delim) {
        p++;
        continue;
      }
      if (c === CR && (p + 1 === n || buf[p + 1] === LF)) p++;
      else if (c !== LF) ok = false; // a quote, or a CR inside the line
      break;
    }
    if (ok && col > maxCol && col <= nCols) {
      onRow(ids.internHashed(buf, idS, idE, h), day, amount);
      records++;
      pos = p + 1;
      line++;
      continue;
    }
    // Not taken here: the general reader cuts this one record and onOther handles it.
    const r = recordsFrom(csv, columns, onOther, pos, line, 1);
    records += r.records;
    pos = r.pos;
    line = r.line;
  }
  return records;
}

function missingIndex(fieldCount: number, columns: number[]): number {
  const i = columns.findIndex((c) => c >= fieldCount);
  return i < 0 ? 0 : i;
}

function tooManyFields(file: string, line: number, got: number, header: string[], delimiter: Delimiter): CsvInputError {
  const field = header[header.length - 1];
  const cause = delimiter === "," ? "an unquoted comma, such as a decimal comma" : `an unquoted ${delimiter === ";" ? "semicolon" : "tab"}`;
  return new CsvInputError(
    `${file}, line ${line}: the record has ${got} fields but the header has ${header.length}; a value (near field "${field}") probably contains ${cause}.`,
    file,
    line,
    field,
  );
}

function tooFewFields(file: string, line: number, field: string, got: number): CsvInputError {
  return new CsvInputError(
    `${file}, line ${line}: field "${field}" is missing (the record has only ${got} field${got === 1 ? "" : "s"}).`,
    file,
    line,
    field,
  );
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]);
}

/** Value of the digit byte at i, or −1 when it is not a digit. */
function digitAt(buf: Buffer, i: number): number {
  const c = buf[i] - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/**
 * Day number (days since 1970-01-01) of a date field written YYYY-MM-DD or YYYYMMDD,
 * optionally followed by a time ("T..." or " ..."), which is ignored: the calendar date as
 * written is used. Returns NaN when the field is not such a date.
 */
export function parseDayBytes(buf: Buffer, s: number, e: number): number {
  let o: number; // offset of the month digits from s
  if (e - s >= 10 && buf[s + 4] === 0x2d && buf[s + 7] === 0x2d) o = 5;
  else if (e - s >= 8) o = 4;
  else return NaN;
  // The eight digits one by one (this runs once per row of a large file).
  const y0 = digitAt(buf, s);
  const y1 = digitAt(buf, s + 1);
  const y2 = digitAt(buf, s + 2);
  const y3 = digitAt(buf, s + 3);
  const m0 = digitAt(buf, s + o);
  const m1 = digitAt(buf, s + o + 1);
  const d0 = digitAt(buf, s + 2 * o - 2);
  const d1 = digitAt(buf, s + 2 * o - 1);
  if ((y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) < 0) return NaN;
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const m = m0 * 10 + m1;
  const d = d0 * 10 + d1;
  const end = s + 2 * o;
  if (!validDate(y, m, d)) return NaN;
  if (end < e && buf[end] !== 0x54 && buf[end] !== 0x20) return NaN; // 'T' or ' '
  return daysFromCivil(y, m, d);
}

/** Same as parseDayBytes for a string (used for command-line flags). */
export function parseDay(text: string): number {
  const b = Buffer.from(text.trim(), "utf8");
  return parseDayBytes(b, 0, b.length);
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Decimal mark of number fields: "." , "," (French exports), or either of the two. */
export type DecimalMark = "." | "," | "either";

/**
 * Parses a decimal number field. Fast path for [-+]digits[.digits] with at most 15
 * significant digits: integer mantissa / 10^k is correctly rounded, so the result equals
 * Number(text). Anything else goes through Number(). Returns NaN when not a number. With a
 * decimal comma, "12,5" is 12.5; digit grouping ("1 234,5", "1.234,5") is not a number.
 */
export function parseNumberBytes(buf: Buffer, s: number, e: number, decimal: DecimalMark = "."): number {
  const dot = decimal !== ",";
  const comma = decimal !== ".";
  while (s < e && buf[s] === 0x20) s++;
  while (e > s && buf[e - 1] === 0x20) e--;
  if (s >= e) return NaN;
  let p = s;
  let neg = false;
  if (buf[p] === 0x2d || buf[p] === 0x2b) {
    neg = buf[p] === 0x2d;
    p++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let seenDot = false;
  let ok = p < e;
  for (; p < e; p++) {
    const c = buf[p];
    if (c >= 0x30 && c <= 0x39) {
      mant = mant * 10 + (c - 0x30);
      if (mant !== 0) digits++;
      if (seenDot) frac++;
    } else if (((c === DOT && dot) || (c === COMMA && comma)) && !seenDot) {
      seenDot = true;
    } else {
      ok = false;
      break;
    }
  }
  if (ok && digits <= 15 && frac <= 22 && !(seenDot && p - s === 1 + (neg ? 1 : 0))) {
    const v = mant / POW10[frac];
    return neg ? -v : v;
  }
  let text = buf.toString("utf8", s, e);
  if (comma) {
    if (!dot && text.includes(".")) return NaN;
    if (text.includes(",")) {
      if (text.includes(".")) return NaN;
      text = text.replace(",", ".");
    }
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return NaN;
  return Number(text);
}

/**
 * Formats a number for CSV output with at most `decimals` decimals (trailing zeros dropped);
 * empty for null and non-finite values. Cheaper than toPrecision on large outputs.
 */
export function formatNumber(v: number | null | undefined, decimals = 6): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "";
  if (Number.isInteger(v)) return String(v);
  const f = 10 ** decimals;
  const n = Math.round(v * f);
  if (decimals <= 6 && Math.abs(n) < 1e15) {
    // The digits of the integer n with the point put back: what String(n / f) prints (n / f
    // is the double nearest to that decimal of at most 15 digits, and at least 1e-6 so no
    // exponent), without converting a double to its shortest form.
    if (n === 0) return "0";
    const a = Math.abs(n);
    const ip = Math.floor(a / f);
    let fp = a - ip * f;
    let digits = decimals;
    const sign = n < 0 ? "-" : "";
    if (fp === 0) return `${sign}${ip}`;
    while (fp % 10 === 0) {
      fp /= 10;
      digits--;
    }
    return `${sign}${ip}.${String(fp).padStart(digits, "0")}`;
  }
  const r = n / f;
  // Math.round(v * f) / f is the double nearest to a decimal with ≤ `decimals` places, whose
  // shortest representation String() prints, except for huge or tiny magnitudes.
  return Math.abs(r) < 1e15 ? String(r === 0 ? 0 : r) : String(v);
}

/** Quotes a CSV output field only when needed. */
export function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Sort comparator: numeric order when both ids are plain integers, else code-unit order. */
export function compareIds(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) {
    const ta = a.replace(/^0+(?=\d)/, "");
    const tb = b.replace(/^0+(?=\d)/, "");
    if (ta.length !== tb.length) return ta.length - tb.length;
    if (ta !== tb) return ta < tb ? -1 : 1;
  } else if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The I/O a command gets from the `rapport` dispatcher (and from tests). */
export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
}

/**
 * Permutation that sorts ids: numerically when every id is a plain integer that fits in a
 * double exactly, otherwise with compareIds (numeric ids first, then code-unit order).
 */
export function sortIdOrder(ids: readonly string[]): Int32Array {
  const n = ids.length;
  // A plain array: Array.prototype.sort is a TimSort, linear on ids already in order (often
  // the case: ids interned in their file order), where a typed array's sort is a merge sort.
  const idx: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let allNumeric = true;
  const nums = new Float64Array(n);
  for (let i = 0; i < n && allNumeric; i++) {
    const id = ids[i];
    allNumeric = id.length > 0 && id.length <= 15;
    for (let j = 0; j < id.length && allNumeric; j++) {
      const c = id.charCodeAt(j);
      allNumeric = c >= 48 && c <= 57;
    }
    if (allNumeric) nums[i] = Number(id);
  }
  if (allNumeric) {
    idx.sort((a, b) => nums[a] - nums[b] || (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  } else {
    idx.sort((a, b) => compareIds(ids[a], ids[b]));
  }
  return Int32Array.from(idx);
}

const ID_HASH_SEED = 0x811c9dc5 | 0;
const ID_HASH_PRIME = 0x01000193;

/**
 * Maps customer-id fields to dense indexes 0, 1, 2… straight from the file's bytes: an
 * open-addressing hash table over byte ranges, so a JavaScript string is created only once
 * per distinct id (creating one per row would dominate the parse time on large files).
 */
export class IdInterner {
  /** Decoded id of each index. */
  readonly names: string[] = [];
  // Small at first, so that each way of growing has run within the first few hundred ids:
  // V8 compiles the reading loop after a few thousand records, and a path first taken later
  // would throw that code away.
  private keys = Buffer.alloc(1 << 10);
  private keyLen = 0;
  private kStart = new Int32Array(64);
  private kLen = new Int32Array(64);
  // Slot i holds [hash, id + 1] at 2i, 2i + 1 (0 = empty): one cache line per probe.
  private table = new Int32Array(2 << 6);

  constructor() {
    // The arrays are replaced as they grow. Replaced once here, they are known to V8 as
    // fields that change from the start: otherwise their first growth invalidates (or aborts)
    // the compiled reading loop.
    this.keys = Buffer.alloc(1 << 10);
    this.kStart = new Int32Array(64);
    this.kLen = new Int32Array(64);
    this.table = new Int32Array(2 << 6);
  }

  get size(): number {
    return this.names.length;
  }

  /** Index of the id in field [s, e) of buf; quoted fields have their "" escapes undone first. */
  internField(buf: Buffer, s: number, e: number, quoted: boolean): number {
    if (quoted) {
      for (let i = s; i < e; i++) {
        if (buf[i] === QUOTE) {
          const tmp = Buffer.from(decodeField(buf, s, e, true), "utf8");
          return this.intern(tmp, 0, tmp.length);
        }
      }
    }
    return this.intern(buf, s, e);
  }

  intern(buf: Buffer, s: number, e: number): number {
    let h = ID_HASH_SEED;
    for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], ID_HASH_PRIME);
    return this.internHashed(buf, s, e, h);
  }

  /** intern() for a caller that computed the FNV-1a hash of the bytes while reading them. */
  internHashed(buf: Buffer, s: number, e: number, h: number): number {
    h ^= h >>> 15;
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    const len = e - s;
    let slot = h & mask;
    for (;;) {
      const id1 = table[2 * slot + 1];
      if (id1 === 0) break;
      if (table[2 * slot] === h) {
        const id = id1 - 1;
        if (this.kLen[id] === len) {
          const keys = this.keys;
          const ks = this.kStart[id];
          let i = 0;
          while (i < len && keys[ks + i] === buf[s + i]) i++;
          if (i === len) return id;
        }
      }
      slot = (slot + 1) & mask;
    }
    return this.insert(buf, s, e, h, slot);
  }

  private insert(buf: Buffer, s: number, e: number, h: number, slot: number): number {
    const id = this.names.length;
    const len = e - s;
    if (this.keyLen + len > this.keys.length) {
      const bigger = Buffer.alloc(Math.max(this.keys.length * 2, this.keyLen + len));
      this.keys.copy(bigger, 0, 0, this.keyLen);
      this.keys = bigger;
    }
    // Ids are short: a byte loop beats Buffer.copy's per-call overhead.
    const keys = this.keys;
    for (let i = 0, o = this.keyLen; i < len; i++) keys[o + i] = buf[s + i];
    if (id >= this.kStart.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.kStart = grow(this.kStart);
      this.kLen = grow(this.kLen);
    }
    this.kStart[id] = this.keyLen;
    this.kLen[id] = len;
    this.keyLen += len;
    this.names.push(this.keys.toString("utf8", this.kStart[id], this.keyLen));
    this.table[2 * slot] = h;
    this.table[2 * slot + 1] = id + 1;
    if ((id + 1) * 2 > this.table.length >> 1) this.rehash();
    return id;
  }

  private rehash(): void {
    const old = this.table;
    const table = new Int32Array(old.length * 2);
    const mask = (table.length >> 1) - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] === 0) continue;
      let slot = old[i] & mask;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = old[i];
      table[2 * slot + 1] = old[i + 1];
    }
    this.table = table;
  }
}

/** Bytes of output gathered before each write to the file. */
const CHUNK = 1 << 18;

/**
 * Where a command's CSV goes: a file, written in chunks of about 256 KiB as the rows come, or
 * stdout, returned whole by end(). Rows are written piece by piece straight into a byte
 * buffer (ASCII copied by a loop, anything else encoded as UTF-8): no string per line, no
 * join and no re-encoding of the whole text, which cost more than formatting the numbers.
 */
export class CsvOutput {
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private fd: number | null;
  private chunks: Buffer[] = [];

  constructor(file: string | null) {
    this.fd = file === null ? null : openSync(file, "w");
  }

  /** Appends text (a header, a line or a piece of one). */
  write(text: string): void {
    const len = text.length;
    if (this.pos + 3 * len > this.buf.length) this.makeRoom(3 * len);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = p + b.write(text.slice(i), p, "utf8");
        return;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** Appends one byte (a delimiter or a line feed). */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.makeRoom(1);
    this.buf[this.pos++] = c;
  }

  /** Appends a field, quoted when it holds a quote, a comma or a line break (as csvField). */
  field(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE || c === COMMA || c === LF || c === CR) {
        this.write(csvField(text));
        return;
      }
    }
    this.write(text);
  }

  /** Appends a safe integer's decimal digits (what String(v) prints for it). */
  int(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) {
      this.write(String(v));
      return;
    }
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    if (this.pos + digits > this.buf.length) this.makeRoom(digits);
    const b = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    let t = v;
    do {
      const q = Math.floor(t / 10);
      b[--p] = 48 + (t - q * 10);
      t = q;
    } while (t > 0);
  }

  private makeRoom(need: number): void {
    this.flush();
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
  }

  private flush(): void {
    if (this.pos === 0) return;
    if (this.fd !== null) {
      let done = 0;
      while (done < this.pos) done += writeSync(this.fd, this.buf, done, this.pos - done);
    } else {
      this.chunks.push(Buffer.from(this.buf.subarray(0, this.pos)));
    }
    this.pos = 0;
  }

  /** Closes the file (and returns ""), or returns the whole text for stdout. */
  end(): string {
    if (this.fd === null) {
      this.flush();
      const text = Buffer.concat(this.chunks).toString("utf8");
      this.chunks = [];
      return text;
    }
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
    return "";
  }
}
