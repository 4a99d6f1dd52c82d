import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { microToDecimal, run } from "../../cli/commands/rfm";

const DATA = path.resolve(process.cwd(), "tests/fixtures/datasets/rfm_data_orders.csv");
const dir = mkdtempSync(path.join(os.tmpdir(), "rapport-rfm-"));

async function call(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: dir });
  return { code, stdout, stderr };
}

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("rapport rfm", () => {
  it("reproduces the published Champions through the CLI", async () => {
    const out = path.join(dir, "rfm.csv");
    const res = await call(["--orders", DATA, "--analysis-date", "2006-12-31", "--rules", "rfm-package-test", "--out", out]);
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary.customers).toBe(995);
    expect(summary.segments.champions).toEqual({ customers: 158, orders: 1234, revenue: 120178 });
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe("customer_id,recency_days,frequency,monetary,r,f,m,segment");
    expect(lines).toHaveLength(996);
    expect(lines.filter((l) => l.endsWith(",champions"))).toHaveLength(158);
  });

  it("sums segment revenue exactly past 2^53 millionths", async () => {
    // 3 × 4,000,000,000.000001 = 12,000,000,000.000003: 1.2e16 millionths, beyond 2^53.
    const orders = file(
      "big.csv",
      "customer_id,order_date,revenue\na,2024-01-01,4000000000.000001\nb,2024-01-01,4000000000.000001\nc,2024-01-01,4000000000.000001\n",
    );
    const res = await call([
      "--orders",
      orders,
      "--analysis-date",
      "2024-01-02",
      "--rules",
      file("one.json", '[{"key":"all","r":[1,5],"f":[1,5],"m":[1,5]}]'),
      "--out",
      path.join(dir, "big-out.csv"),
    ]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).segments.all.revenue).toBe(Number("12000000000.000003"));
  });

  it("writes the CSV to stdout sorted by numeric id, with quoting and YYYYMMDD dates", async () => {
    const orders = file(
      "orders.csv",
      "customer_id,order_date,revenue\r\n10,2024-01-01,5\r\n9,20240105,7.5\r\n100,2024-01-02,1\r\n2,2024-01-03,3\r\n9,2024-01-09,2.5\r\n",
    );
    const res = await call(["--orders", orders, "--analysis-date", "20240110"]);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["2", "9", "10", "100"]);
    expect(lines[2]).toMatch(/^9,1,2,10,5,\d,\d,[a-z_]+$/);
  });

  it("handles quoted ids with commas and custom column names", async () => {
    const orders = file(
      "quoted.csv",
      'client,jour,montant,note\n"Smith, John",2024-01-01,10,"a ""quote"""\n"Smith, John",2024-01-05,5,x\nBob,2024-01-02,1,\n',
    );
    const res = await call([
      "--orders",
      orders,
      "--analysis-date",
      "2024-01-10",
      "--customer-col",
      "client",
      "--date-col",
      "jour",
      "--amount-col",
      "montant",
    ]);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines[1]).toMatch(/^Bob,8,1,1,/);
    expect(lines[2]).toMatch(/^"Smith, John",5,2,15,/);
  });

  // A French spreadsheet export: byte order mark, ";" between fields, decimal commas, CRLF.
  const FRENCH =
    '\uFEFFcustomer_id;order_date;revenue\r\n10;2024-01-01;5,10\r\n9;20240105;7,5\r\n"Dupont; Jean";2024-01-02;0,1\r\n"Dupont; Jean";2024-01-03;0,2\r\n2;2024-01-03;1234,56\r\n9;2024-01-09;2.5\r\n';

  it("reads French exports (semicolons, decimal commas) by detection and adds French labels", async () => {
    const orders = file("fr.csv", FRENCH);
    const res = await call(["--orders", orders, "--analysis-date", "2024-01-10", "--labels", "fr"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    // Amounts are summed exactly: 0,1 + 0,2 is 0.3, not 0.30000000000000004.
    expect(res.stdout).toBe(
      [
        "customer_id,recency_days,frequency,monetary,r,f,m,segment,segment_label",
        "2,7,1,1234.56,4,1,5,promising,Prometteurs",
        "9,1,2,10,5,2,3,new_customers,Nouveaux clients",
        "10,9,1,5.1,1,1,2,lost,Perdus",
        "Dupont; Jean,7,2,0.3,4,2,1,new_customers,Nouveaux clients",
        "",
      ].join("\n"),
    );
  });

  it("writes amounts with the currency's decimals and English labels in the summary", async () => {
    const orders = file("fr-kwd.csv", FRENCH);
    const out = path.join(dir, "kwd.csv");
    const res = await call([
      "--orders",
      orders,
      "--analysis-date",
      "2024-01-10",
      "--labels",
      "en",
      "--currency",
      "kwd",
      "--delimiter",
      ";",
      "--out",
      out,
    ]);
    expect(res.code).toBe(0);
    expect(readFileSync(out, "utf8").split("\n").slice(0, 3)).toEqual([
      "customer_id,recency_days,frequency,monetary,r,f,m,segment,segment_label",
      "2,7,1,1234.560,4,1,5,promising,Promising",
      "9,1,2,10.000,5,2,3,new_customers,New Customers",
    ]);
    const summary = JSON.parse(res.stdout);
    expect(summary.segments.new_customers).toEqual({ customers: 2, orders: 4, revenue: 10.3, label: "New Customers" });
    expect(summary.segments.cant_lose_them).toEqual({ customers: 0, orders: 0, revenue: 0, label: "Can’t Lose Them" });

    const yen = await call(["--orders", orders, "--analysis-date", "2024-01-10", "--currency", "JPY"]);
    expect(yen.stdout.split("\n")[1]).toBe("2,7,1,1235,4,1,5,promising");
  });

  it("names the file, line and field of bad French input", async () => {
    const orders = file("fr-strict.csv", FRENCH);
    const strict = await call(["--orders", orders, "--analysis-date", "2024-01-10", "--decimal", ","]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toBe(`${orders}, line 7: field "revenue" has value "2.5", expected a number with a decimal comma.\n`);

    const grouped = file("fr-grouped.csv", "client;date;montant\n1;2024-01-01;1 234,50\n");
    const r1 = await call([
      "--orders",
      grouped,
      "--analysis-date",
      "2024-01-10",
      "--customer-col",
      "client",
      "--date-col",
      "date",
      "--amount-col",
      "montant",
    ]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toBe(
      `${grouped}, line 2: field "montant" has value "1 234,50", expected a number (decimal point or comma, no digit grouping).\n`,
    );

    const extra = file("fr-extra.csv", "customer_id;order_date;revenue\n1;2024-01-01;3\n2;2024-01-02;4;5\n");
    const r2 = await call(["--orders", extra, "--analysis-date", "2024-01-10"]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toBe(
      `${extra}, line 3: the record has 4 fields but the header has 3; a value (near field "revenue") probably contains an unquoted semicolon.\n`,
    );

    const forced = await call(["--orders", orders, "--analysis-date", "2024-01-10", "--delimiter", ","]);
    expect(forced.code).toBe(2);
    expect(forced.stderr).toBe(
      `${orders}, line 1: missing column "customer_id" (the header has: customer_id;order_date;revenue). The fields seem separated by ";": try --delimiter ";".\n`,
    );

    for (const [flag, value, message] of [
      ["--labels", "de", '--labels "de" is not supported; use en or fr.\n'],
      ["--delimiter", "|", '--delimiter "|" is not supported; use auto, ",", ";" or tab.\n'],
      ["--decimal", "'", `--decimal "'" is not supported; use auto, "." or ",".\n`],
      ["--currency", "EURO", '--currency "EURO" is not an ISO 4217 currency code (such as EUR or JPY).\n'],
    ]) {
      const res = await call(["--orders", orders, "--analysis-date", "2024-01-10", flag, value]);
      expect(res.code).toBe(2);
      expect(res.stderr).toBe(message);
    }
  });

  it("prints usage with --help", async () => {
    const res = await call(["--help"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Usage: rapport rfm --orders FILE --analysis-date/);
    expect(res.stdout).toContain("  --labels en|fr           add a segment_label column with the segment's name in that language\n");
    expect(res.stdout).toContain("  --delimiter auto|,|;|tab");
  });

  it("rejects unknown flags and missing arguments with exit code 2", async () => {
    const unknown = await call(["--orders", DATA, "--analysis-date", "2006-12-31", "--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--bogus/);
    const missing = await call(["--orders", DATA]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--analysis-date/);
    const badDate = await call(["--orders", DATA, "--analysis-date", "31/12/2006"]);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/31\/12\/2006/);
  });

  it("names the file, line and field of bad input", async () => {
    const missingFile = await call(["--orders", "nope.csv", "--analysis-date", "2024-01-10"]);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toMatch(/nope\.csv.*does not exist/);

    const noColumn = file("nocol.csv", "customer_id,date,revenue\n1,2024-01-01,3\n");
    const r1 = await call(["--orders", noColumn, "--analysis-date", "2024-01-10"]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`${noColumn}, line 1: missing column "order_date"`);

    const badDate = file("baddate.csv", "customer_id,order_date,revenue\n1,2024-01-01,3\n2,2024-13-01,4\n");
    const r2 = await call(["--orders", badDate, "--analysis-date", "2024-01-10"]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`${badDate}, line 3: field "order_date" has value "2024-13-01"`);

    const badAmount = file("badamount.csv", "customer_id,order_date,revenue\n1,2024-01-01,3\n\n2,2024-01-02,12,50\n");
    const r3 = await call(["--orders", badAmount, "--analysis-date", "2024-01-10"]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain(`${badAmount}, line 4: the record has 4 fields but the header has 3`);
    expect(r3.stderr).toContain(`field "revenue"`);

    const abc = file("abc.csv", "customer_id,order_date,revenue\n1,2024-01-01,abc\n");
    const r4 = await call(["--orders", abc, "--analysis-date", "2024-01-10"]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain(`line 2: field "revenue" has value "abc", expected a number`);

    const short = file("short.csv", "customer_id,order_date,revenue\n1,2024-01-01\n");
    const r5 = await call(["--orders", short, "--analysis-date", "2024-01-10"]);
    expect(r5.code).toBe(2);
    expect(r5.stderr).toContain(`line 2: field "revenue" is missing`);
  });
});

describe("microToDecimal", () => {
  it("writes millionths exactly, trailing zeros dropped, the same with and without BigInt", () => {
    expect(microToDecimal(0)).toBe("0");
    expect(microToDecimal(-0)).toBe("0");
    expect(microToDecimal(12_500_000)).toBe("12.5");
    expect(microToDecimal(-3_000_000)).toBe("-3");
    expect(microToDecimal(1)).toBe("0.000001");
    expect(microToDecimal(-1_230)).toBe("-0.00123");
    expect(microToDecimal(Number.MAX_SAFE_INTEGER)).toBe("9007199254.740991");
    expect(microToDecimal(2n ** 60n)).toBe("1152921504606.846976");
    let seed = 3;
    for (let i = 0; i < 10_000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const micro = (seed % 2 ? -1 : 1) * Math.floor((seed / 2 ** 32) * 10 ** (1 + (i % 15)));
      expect(microToDecimal(micro)).toBe(microToDecimal(BigInt(micro)));
    }
  });
});
