import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../cli/commands/recommend";

const dir = mkdtempSync(path.join(os.tmpdir(), "rapport-recommend-"));

async function call(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: dir });
  return { code, stdout, stderr };
}

function file(name: string, text: string): string {
  writeFileSync(path.join(dir, name), text);
  return name;
}

// a+b bought together twice, b+c twice, a+d once, c alone once: counts a 3, b 3, c 3, d 1.
const BASKETS = "transaction_id,item\n1,a\n1,b\n2,a\n2,b\n2,c\n3,b\n3,c\n4,a\n4,d\n5,c\n";

describe("rapport recommend", () => {
  it("writes query_id,rank,item: the model's best items not in the query, popularity filling the rest", async () => {
    file("baskets.csv", BASKETS);
    // q2 lists its items in any order and repeats one; "zz" is unknown to the baskets, so q3
    // is ranked by the model's intercept alone (its base rate of each item: c, a, b).
    file("queries.csv", "query_id,item\nq2,c\nq1,a\nq2,b\nq2,c\nq3,zz\n");
    const res = await call(["--baskets", "baskets.csv", "--queries", "queries.csv", "--k", "3"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(["query_id,rank,item", "q1,1,b", "q1,2,c", "q1,3,d", "q2,1,a", "q2,2,d", "q3,1,c", "q3,2,a", "q3,3,b", ""].join("\n"));
  });

  it("takes other column names and writes to --out", async () => {
    file("b2.csv", BASKETS.replace("transaction_id,item", "order,product"));
    file("q2.csv", "id,product\n7,d\n");
    const res = await call([
      "--baskets",
      "b2.csv",
      "--basket-col",
      "order",
      "--item-col",
      "product",
      "--queries",
      "q2.csv",
      "--query-col",
      "id",
      "--k",
      "1",
      "--out",
      "out.csv",
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("");
    expect(readFileSync(path.join(dir, "out.csv"), "utf8")).toBe("query_id,rank,item\n7,1,a\n");
  });

  it("names the file, line and field of bad input and exits 2", async () => {
    file("good.csv", BASKETS);
    file("bad-q.csv", "query_id,item\nq1,a\nq1,\n");
    let res = await call(["--baskets", "good.csv", "--queries", "bad-q.csv"]);
    expect(res).toEqual({ code: 2, stdout: "", stderr: 'bad-q.csv, line 3: field "item" is empty, expected an item.\n' });
    file("bad-b.csv", "transaction_id,item\n1,a\n,b\n");
    res = await call(["--baskets", "bad-b.csv", "--queries", "bad-q.csv"]);
    expect(res).toEqual({ code: 2, stdout: "", stderr: 'bad-b.csv, line 3: field "transaction_id" is empty, expected a basket id.\n' });
    file("no-col.csv", "basket,item\n1,a\n");
    res = await call(["--baskets", "no-col.csv", "--queries", "bad-q.csv"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('no-col.csv, line 1: missing column "transaction_id"');
    res = await call(["--baskets", "good.csv", "--queries", "bad-q.csv", "--k", "0"]);
    expect(res).toEqual({ code: 2, stdout: "", stderr: '--k "0" is not a whole number from 1 to 1000.\n' });
    res = await call(["--queries", "bad-q.csv"]);
    expect(res.code).toBe(2);
  });
});
