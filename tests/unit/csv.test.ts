import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CsvInputError,
  CsvOutput,
  IdInterner,
  columnIndexes,
  compareIds,
  csvField,
  decodeField,
  detectDelimiter,
  forEachIdDayAmount,
  forEachRecord,
  formatNumber,
  openCsv,
  parseDay,
  parseDayBytes,
  parseNumberBytes,
  sortIdOrder,
  type DecimalMark,
} from "../../cli/csv";

const dir = mkdtempSync(path.join(os.tmpdir(), "rapport-csv-"));

function records(text: string, columns: string[], delimiter: "auto" | "," | ";" | "\t" = ",") {
  const f = path.join(dir, "t.csv");
  writeFileSync(f, text);
  const csv = openCsv(f, dir, { delimiter });
  const out: { line: number; fields: string[] }[] = [];
  forEachRecord(csv, columnIndexes(csv, columns), (line, s, e, q) => {
    out.push({ line, fields: columns.map((_, i) => decodeField(csv.buf, s[i], e[i], q[i] === 1)) });
  });
  return out;
}

// The general way to read (id, date, amount): cut the record, then parse each field; a bad
// record becomes ["bad", line].
function rowsGeneral(csv: ReturnType<typeof openCsv>, cols: number[], decimal: DecimalMark, ids: IdInterner, out: unknown[][]) {
  return (line: number, s: Int32Array, e: Int32Array, q: Uint8Array) => {
    const day = parseDayBytes(csv.buf, s[1], e[1]);
    const amount = parseNumberBytes(csv.buf, s[2], e[2], decimal);
    if (e[0] === s[0] || Number.isNaN(day) || Number.isNaN(amount)) out.push(["bad", line]);
    else out.push([ids.names[ids.internField(csv.buf, s[0], e[0], q[0] === 1)], day, amount]);
  };
}

function bothWays(text: string, columns: string[], decimal: DecimalMark = ".") {
  const f = path.join(dir, "ida.csv");
  writeFileSync(f, text);
  const csv = openCsv(f, dir);
  const cols = columnIndexes(csv, columns);
  const general: unknown[][] = [];
  const ids1 = new IdInterner();
  try {
    forEachRecord(csv, cols, rowsGeneral(csv, cols, decimal, ids1, general));
  } catch (err) {
    general.push(["throws", (err as Error).message]);
  }
  const fused: unknown[][] = [];
  const ids2 = new IdInterner();
  try {
    forEachIdDayAmount(
      csv,
      cols,
      decimal,
      ids2,
      (k, day, amount) => fused.push([ids2.names[k], day, amount]),
      rowsGeneral(csv, cols, decimal, ids2, fused),
    );
  } catch (err) {
    fused.push(["throws", (err as Error).message]);
  }
  expect(fused).toEqual(general);
  expect(ids2.names).toEqual(ids1.names);
  return fused;
}

describe("forEachIdDayAmount (the reading loop of rfm and clv)", () => {
  it("reads what forEachRecord and the field parsers read, plain or not", () => {
    const rows = bothWays(
      "customer_id,order_date,revenue\n" +
        "1001,2026-11-10,42.75\n1002,2025-05-04,33.9\r\n1001,20250101,5.\n\n" +
        '"1003",2024-02-29,.5\n10 04,2024-03-01T10:00:00Z,-3\n1005,2024-03-02 10:00, 7 \n' +
        "1006,2024-02-30,1\n,2024-01-01,1\n1007,2024-01-01,.\n1008,2024-01-01,1e3\n" +
        "1009,2024-01-01,12345678901234567\n1010,2024-01-01,1.2.3\n1011,2024-01-01,+4\n" +
        '1012,"2024-01-01",6\n1013,2024-01-01,"7.5"\n1\r4,2024-01-01,1\n1015,2024-01-01,8\r',
      ["customer_id", "order_date", "revenue"],
    );
    expect(rows.slice(0, 4)).toEqual([
      ["1001", parseDay("2026-11-10"), 42.75],
      ["1002", parseDay("2025-05-04"), 33.9],
      ["1001", parseDay("2025-01-01"), 5],
      ["1003", parseDay("2024-02-29"), 0.5],
    ]);
    expect(rows.filter((r) => r[0] === "bad").map((r) => r[1])).toEqual([9, 10, 11, 14]);
  });

  it("takes the columns in any order, other columns, semicolons with decimal commas, field count errors", () => {
    bothWays('note;amount;day;id\n"a;b";12,5;2026-01-02;x1\nz;3;2026-01-03;x2\n;4,25;2026-01-04;x1\n', ["id", "day", "amount"], "either");
    bothWays("note;amount;day;id\nq;12,5;2026-01-02;x1\n", ["id", "day", "amount"], ",");
    bothWays("id,day,amount\n1,2026-01-02,3\n2,2026-01-02\n", ["id", "day", "amount"]);
    bothWays("id,day,amount\n1,2026-01-02,3,4\n", ["id", "day", "amount"]);
    bothWays("id,day,amount\n1,2026-01-02,3", ["id", "day", "amount"]);
    bothWays("id,day\n1,2026-01-02\n2,2026-01-03\n", ["id", "day", "day"]);
  });
});

describe("CSV scanning", () => {
  it("reads quoted fields with commas, escaped quotes and newlines, keeping line numbers", () => {
    const rows = records('\uFEFFid,note,v\r\n1,"a, ""b""",x\r\n2,"multi\nline",y\n\n3,plain,z', ["id", "note", "v"]);
    expect(rows).toEqual([
      { line: 2, fields: ["1", 'a, "b"', "x"] },
      { line: 3, fields: ["2", "multi\nline", "y"] },
      { line: 6, fields: ["3", "plain", "z"] },
    ]);
  });

  it("reads semicolon- and tab-separated files, quoted delimiters included", () => {
    expect(records('id;note;v\r\n1;"a; b";12,5\r\n2;"x, y";3\n', ["id", "note", "v"], ";")).toEqual([
      { line: 2, fields: ["1", "a; b", "12,5"] },
      { line: 3, fields: ["2", "x, y", "3"] },
    ]);
    expect(records('id\tv\n1\t"a\tb"\n', ["id", "v"], "auto")).toEqual([{ line: 2, fields: ["1", "a\tb"] }]);
  });

  it("detects the delimiter from the header line, outside quotes", () => {
    const detect = (text: string) => detectDelimiter(Buffer.from(text));
    expect(detect("a,b,c\n1;2;3;4;5\n")).toBe(",");
    expect(detect("a;b;c\n1,5;2,5;3\n")).toBe(";");
    expect(detect('"a;b;c",d\n')).toBe(",");
    expect(detect('"a,b,c";d\n')).toBe(";");
    expect(detect("a\tb;c\tc\n")).toBe("\t");
    expect(detect("single\n")).toBe(",");
  });

  it("cuts records at line ends: CRLF, quoted fields at the end of a line, no final newline, columns in any order", () => {
    const rows = records('a,id,v\r\n"x",1,"p"\r\n,2,\r\n\r\nq,"3",r\r\n"",4,"s"\n5x,5,"t"', ["v", "id"]);
    expect(rows).toEqual([
      { line: 2, fields: ["p", "1"] },
      { line: 3, fields: ["", "2"] },
      { line: 5, fields: ["r", "3"] },
      { line: 6, fields: ["s", "4"] },
      { line: 7, fields: ["t", "5"] },
    ]);
    // A quote inside an unquoted field and text after a closing quote take the RFC 4180 path.
    expect(records('id,v\n1,ab"c\n2,"d"e\n', ["id", "v"])).toEqual([
      { line: 2, fields: ["1", 'ab"c'] },
      { line: 3, fields: ["2", "d"] },
    ]);
    // A quoted field closed just before CR LF or a final CR; a line feed inside quotes.
    expect(records('id,v\n1,"a"\r\n2,"b\nc"\n3,"d"\r', ["id", "v"])).toEqual([
      { line: 2, fields: ["1", "a"] },
      { line: 3, fields: ["2", "b\nc"] },
      { line: 5, fields: ["3", "d"] },
    ]);
    expect(() => records("id,v\n1,2,3\n", ["id"])).toThrow(/line 2: the record has 3 fields but the header has 2/);
    expect(() => records("id,v\n1\n", ["v"])).toThrow(/line 2: field "v" is missing/);
  });

  it("reports an unterminated quote with its line", () => {
    expect(() => records('id,v\n1,"open\n2,x\n', ["id", "v"])).toThrow(/line 2: a quoted field is not closed/);
  });

  it("reports a missing column as a CsvInputError on line 1", () => {
    try {
      records("a,b\n1,2\n", ["c"]);
      throw new Error("expected an error");
    } catch (err) {
      expect(err).toBeInstanceOf(CsvInputError);
      expect((err as CsvInputError).line).toBe(1);
      expect((err as CsvInputError).field).toBe("c");
    }
  });
});

describe("field parsers", () => {
  it("parses numbers exactly like Number()", () => {
    const samples = ["0", "12", "-3.5", "29.33", "0.1", "+7", "1e3", ".5", "5.", "123456789012.345", "0.000001", "99999999999999999"];
    let seed = 42;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      samples.push(((seed / 2 ** 32) * 10 ** (i % 9)).toFixed(i % 5));
    }
    for (const s of samples) {
      const b = Buffer.from(s);
      expect(parseNumberBytes(b, 0, b.length)).toBe(Number(s));
    }
    for (const bad of ["", "abc", "1,5", "12 EUR", "-", ".", "1.2.3"]) {
      const b = Buffer.from(bad);
      expect(parseNumberBytes(b, 0, b.length)).toBeNaN();
    }
  });

  it("parses decimal commas when asked, rejecting digit grouping", () => {
    const parse = (text: string, mark: "." | "," | "either") => parseNumberBytes(Buffer.from(text), 0, Buffer.byteLength(text), mark);
    expect(parse("12,5", ",")).toBe(12.5);
    expect(parse("-0,1", ",")).toBe(-0.1);
    expect(parse("1234,56", "either")).toBe(1234.56);
    expect(parse("1234.56", "either")).toBe(1234.56);
    expect(parse("1,5e3", ",")).toBe(1500);
    expect(parse("7", ",")).toBe(7);
    for (const bad of ["12.5", "1.234,5", "1 234,5", "1,2,3", ","]) expect(parse(bad, ",")).toBeNaN();
    for (const bad of ["1.234,5", "1,234.5", "1\u202f234,5"]) expect(parse(bad, "either")).toBeNaN();
  });

  it("parses YYYY-MM-DD and YYYYMMDD dates, rejecting impossible ones", () => {
    expect(parseDay("1970-01-02")).toBe(1);
    expect(parseDay("19970101")).toBe(parseDay("1997-01-01"));
    expect(parseDay("2024-02-29")).toBe(parseDay("2024-03-01") - 1);
    expect(parseDay("2024-01-05T23:59:59Z")).toBe(parseDay("2024-01-05"));
    for (const bad of ["2023-02-29", "2024-13-01", "2024-1-5", "2024-0a-05", "2O24-01-05", "2024010x", "01/02/2024", "", "2024-01-05x"])
      expect(parseDay(bad)).toBeNaN();
  });

  it("formats numbers compactly", () => {
    expect(formatNumber(0.1 + 0.2)).toBe("0.3");
    expect(formatNumber(30.857142857)).toBe("30.857143");
    expect(formatNumber(42)).toBe("42");
    expect(formatNumber(null)).toBe("");
    expect(formatNumber(Number.NaN)).toBe("");
    expect(formatNumber(-0.0000004)).toBe("0");
    expect(formatNumber(-1.0000004)).toBe("-1");
    expect(formatNumber(0.0000015)).toBe("0.000002");
    expect(formatNumber(-12.5, 0)).toBe("-12");
    expect(formatNumber(123456789.1234567)).toBe("123456789.123457");
    expect(formatNumber(2.5e9 + 0.25)).toBe("2500000000.25");
  });

  it("formats exactly as String(Math.round(v · 10^d) / 10^d) prints", () => {
    let seed = 1;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 20_000; i++) {
      const v = (rand() - 0.3) * 10 ** Math.floor(rand() * 14 - 7);
      for (const d of [0, 2, 6]) {
        const r = Math.round(v * 10 ** d) / 10 ** d;
        expect(formatNumber(v, d)).toBe(String(r === 0 ? 0 : r));
      }
    }
  });
});

describe("ids", () => {
  it("sorts numeric ids numerically, others after them", () => {
    expect(["10", "9", "b", "100", "a", "2"].sort(compareIds)).toEqual(["2", "9", "10", "100", "a", "b"]);
    const ids = ["10", "9", "100", "2"];
    expect(Array.from(sortIdOrder(ids), (i) => ids[i])).toEqual(["2", "9", "10", "100"]);
  });

  it("interns ids from bytes, treating quoted and unquoted forms alike", () => {
    const interner = new IdInterner();
    const n = 50_000;
    let firstMismatch = -1;
    for (let i = 0; i < n && firstMismatch < 0; i++) {
      const b = Buffer.from(`cust-${i}`);
      if (interner.intern(b, 0, b.length) !== i) firstMismatch = i;
    }
    expect(firstMismatch).toBe(-1);
    const again = Buffer.from("cust-123");
    expect(interner.intern(again, 0, again.length)).toBe(123);
    const quoted = Buffer.from('say ""hi""');
    const id = interner.internField(quoted, 0, quoted.length, true);
    expect(interner.names[id]).toBe('say "hi"');
    const plain = Buffer.from('say "hi"');
    expect(interner.intern(plain, 0, plain.length)).toBe(id);
    expect(interner.size).toBe(n + 1);
  });
});

describe("CsvOutput", () => {
  const write = (out: CsvOutput) => {
    out.write("id,n,v\n");
    for (let i = 0; i < 40_000; i++) {
      out.field(i % 3 === 0 ? `c${i}` : i % 3 === 1 ? `é,"${i}"` : `日本${i}`);
      out.byte(0x2c);
      out.int(i * 1_000_003);
      out.byte(0x2c);
      out.int(-i);
      out.byte(0x2c);
      out.write(String(i / 7));
      out.byte(0x0a);
    }
  };
  let expected = "id,n,v\n";
  for (let i = 0; i < 40_000; i++) {
    const id = i % 3 === 0 ? `c${i}` : i % 3 === 1 ? `é,"${i}"` : `日本${i}`;
    expected += `${csvField(id)},${i * 1_000_003},${-i},${i / 7}\n`;
  }

  it("writes fields, integers and text as UTF-8, to stdout or to a file in chunks", () => {
    const out = new CsvOutput(null);
    write(out);
    expect(out.end()).toBe(expected);
    const f = path.join(dir, "out.csv");
    const file = new CsvOutput(f);
    write(file);
    expect(file.end()).toBe("");
    expect(readFileSync(f, "utf8")).toBe(expected);
  });
});
