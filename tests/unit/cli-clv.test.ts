import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../cli/commands/clv";

const DATA = path.resolve(process.cwd(), "tests/fixtures/datasets/cdnow_sample_transactions.csv");
const dir = mkdtempSync(path.join(os.tmpdir(), "rapport-clv-"));
const HEADER = "customer_id,frequency,recency,T,monetary_value,p_alive,expected_purchases,expected_avg_value,clv";

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

interface ClvSummary {
  customers: number;
  bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number };
  gammaGamma: { p: number; q: number; gamma: number; customers: number };
}

function expectCdnowParams(json: ClvSummary) {
  expect(Math.abs(json.bgnbd.r - 0.2425982)).toBeLessThan(0.001);
  expect(Math.abs(json.bgnbd.alpha - 4.4136842)).toBeLessThan(0.001);
  expect(Math.abs(json.bgnbd.a - 0.7929899)).toBeLessThan(0.001);
  expect(Math.abs(json.bgnbd.b - 2.4261667)).toBeLessThan(0.001);
  expect(Math.abs(json.bgnbd.logLikelihood - -9582.429)).toBeLessThan(0.01);
  expect(Math.abs(json.gammaGamma.p - 6.25)).toBeLessThan(0.01);
  expect(Math.abs(json.gammaGamma.q - 3.74)).toBeLessThan(0.01);
  expect(Math.abs(json.gammaGamma.gamma - 15.44)).toBeLessThan(0.01);
  expect(json.gammaGamma.customers).toBe(946);
  expect(json.customers).toBe(2357);
}

describe("rapport clv", () => {
  it("fits the CDNOW sample with the published parameters (JSON on stdout with --out)", async () => {
    const out = path.join(dir, "clv.csv");
    const res = await call(["--transactions", DATA, "--calibration-end", "1997-09-30", "--out", out]);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout);
    expectCdnowParams(json);
    for (const k of ["r", "alpha", "a", "b"]) expect(json.bgnbd.standardErrors[k]).toBeGreaterThan(0);
    expect(json.lowConfidence).toBe(false);

    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe(HEADER);
    expect(lines).toHaveLength(2358);
    const ids = lines.slice(1).map((l) => Number(l.split(",")[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const c1516 = lines.find((l) => l.startsWith("1516,"))!.split(",");
    expect(c1516.slice(1, 4).map(Number)).toEqual([26, 30.857143, 31]);
    expect(Number(c1516[4])).toBeCloseTo(39.97, 6);
    expect(Number(c1516[5])).toBeCloseTo(0.96885, 3);
    expect(Number(c1516[6])).toBeCloseTo(25.757, 2);
    // Zero-frequency customers are alive for sure and get the population average value.
    const zero = lines.find((l) => l.split(",")[1] === "0")!.split(",");
    expect(Number(zero[5])).toBe(1);
    expect(Number(zero[7])).toBeCloseTo((6.25 * 15.44) / 2.74, 0);
  });

  it("without --out writes the CSV to stdout and the JSON to stderr; accepts YYYYMMDD", async () => {
    const compact = readFileSync(DATA, "utf8").replace(/(\d{4})-(\d{2})-(\d{2})/g, "$1$2$3");
    const f = file("cdnow_compact.csv", compact);
    const res = await call(["--transactions", f, "--calibration-end", "19970930", "--discount-rate", "0", "--horizon", "39"]);
    expect(res.code).toBe(0);
    expectCdnowParams(JSON.parse(res.stderr));
    const rows = res.stdout.trim().split("\n");
    expect(rows[0]).toBe(HEADER);
    // With no discounting, clv = expected_purchases × expected_avg_value.
    const r = rows[1].split(",").map(Number);
    expect(r[8]).toBeCloseTo(r[6] * r[7], 4);
  });

  it("merges same-day transactions and supports days as the period", async () => {
    const f = file("small.csv", "customer_id,date,amount\na,2024-01-01,100\na,2024-01-08,10\na,2024-01-08,20\na,2024-01-15,50\nb,2024-01-29,5\n");
    const res = await call(["--transactions", f, "--calibration-end", "2024-01-29", "--period", "day"]);
    expect(res.code).toBe(0);
    const rows = res.stdout.trim().split("\n");
    expect(rows[1]).toMatch(/^a,2,14,28,40,/);
    expect(rows[2]).toMatch(/^b,0,0,0,0,1,/);
    const json = JSON.parse(res.stderr);
    expect(json.lowConfidence).toBe(true);
    expect(json.confidenceNotes).toContain("Only 2 customers (at least 300 recommended).");
  });

  it("prints usage with --help and rejects bad flags", async () => {
    const help = await call(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Without --out, the CSV goes to\nstdout and the JSON to stderr/);
    const bad = await call(["--transactions", DATA, "--calibration-end", "1997-09-30", "--period", "month"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--period must be "day" or "week"/);
    const unknown = await call(["--transactions", DATA, "--calibration-end", "1997-09-30", "--frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--frobnicate/);
    const horizon = await call(["--transactions", DATA, "--calibration-end", "1997-09-30", "--horizon", "-3"]);
    expect(horizon.code).toBe(2);
  });

  it("names the file, line and field of bad input", async () => {
    const missing = await call(["--transactions", "missing.csv", "--calibration-end", "1997-09-30"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing\.csv/);

    const noAmount = file("noamount.csv", "customer_id,date,cds\n1,1997-01-01,2\n");
    const r1 = await call(["--transactions", noAmount, "--calibration-end", "1997-09-30"]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`${noAmount}, line 1: missing column "amount"`);

    const badDate = file("baddate.csv", "customer_id,date,amount\n1,1997-01-01,2\n1,1997-02-30,3\n");
    const r2 = await call(["--transactions", badDate, "--calibration-end", "1997-09-30"]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`${badDate}, line 3: field "date" has value "1997-02-30"`);

    const badAmount = file("badamount.csv", 'customer_id,date,amount\n1,1997-01-01,2\n1,1997-01-03,"12 EUR"\n');
    const r3 = await call(["--transactions", badAmount, "--calibration-end", "1997-09-30"]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain(`${badAmount}, line 3: field "amount" has value "12 EUR", expected a number`);

    const late = file("late.csv", "customer_id,date,amount\n1,1998-01-01,2\n");
    const r4 = await call(["--transactions", late, "--calibration-end", "1997-09-30"]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toMatch(/no transactions on or before the calibration end/);
  });
});
