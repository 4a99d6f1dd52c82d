// `rapport recommend`: item-to-item recommendations from a baskets CSV (one row per basket
// line) for the baskets of a queries CSV. The model is the storefront's (ADR 008).

import path from "node:path";
import { parseArgs } from "node:util";
import { recommendForQuery, trainItemModel } from "../../app/domain/recommendationsModel";
import { CsvInputError, CsvOutput, columnIndexes, csvField, forEachRecord, openCsv, sortIdOrder, IdInterner, type CommandIo } from "../csv";

const HELP = `Usage: rapport recommend --baskets FILE --queries FILE [options]

Trains the item-to-item model of the storefront recommendations (EASE with an intercept and
dropout regularisation, co-purchase neighbours for rare items; see
docs/decisions/008-recommendation-model.md) on the baskets file, then recommends for each query.

Options:
  --baskets FILE       CSV with one row per basket line (an item twice in a basket counts once)
  --basket-col NAME    basket id column of the baskets file (default: transaction_id)
  --item-col NAME      item column, in both files (default: item)
  --queries FILE       CSV with one row per item of each query's basket
  --query-col NAME     query id column of the queries file (default: query_id)
  --k N                recommendations per query, 1 to 1000 (default: 10)
  --out FILE           write the CSV there instead of stdout
  --help               show this help

Output CSV columns: query_id,rank,item: the k best items that are not in the query, rank 1
first; items the model does not score are filled in by popularity (baskets containing the
item), so every query gets k rows when the baskets have that many other items. Queries are
sorted by id (numerically when all ids are numbers). Bad input exits with code 2 and names
the file, line and field.
`;

export async function run(argv: string[], io: CommandIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        baskets: { type: "string" },
        queries: { type: "string" },
        "basket-col": { type: "string" },
        "item-col": { type: "string" },
        "query-col": { type: "string" },
        k: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr(`${(err as Error).message}. Run "rapport recommend --help" for usage.\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const basketsFile = values.baskets as string | undefined;
  const queriesFile = values.queries as string | undefined;
  if (!basketsFile || !queriesFile) {
    io.stderr(`Missing ${!basketsFile ? "--baskets FILE" : "--queries FILE"}. Run "rapport recommend --help" for usage.\n`);
    return 2;
  }
  const kText = (values.k as string | undefined) ?? "10";
  const k = /^\d+$/.test(kText) ? Number(kText) : NaN;
  if (!(k >= 1 && k <= 1000)) {
    io.stderr(`--k "${kText}" is not a whole number from 1 to 1000.\n`);
    return 2;
  }
  const basketCol = (values["basket-col"] as string | undefined) ?? "transaction_id";
  const itemCol = (values["item-col"] as string | undefined) ?? "item";
  const queryCol = (values["query-col"] as string | undefined) ?? "query_id";

  try {
    // Baskets: dense ids for baskets and items, each item once per basket.
    const items = new IdInterner();
    const basketIds = new IdInterner();
    const basketItems: Set<number>[] = [];
    const bCsv = openCsv(basketsFile, io.cwd);
    const bIdx = columnIndexes(bCsv, [basketCol, itemCol]);
    forEachRecord(bCsv, bIdx, (line, s, e, q) => {
      if (e[0] === s[0]) throw emptyField(basketsFile, line, basketCol, "a basket id");
      if (e[1] === s[1]) throw emptyField(basketsFile, line, itemCol, "an item");
      const b = basketIds.internField(bCsv.buf, s[0], e[0], q[0] === 1);
      const it = items.internField(bCsv.buf, s[1], e[1], q[1] === 1);
      (basketItems[b] ??= new Set()).add(it);
    });
    if (basketIds.size === 0) throw new CsvInputError(`${basketsFile} has no data rows.`, basketsFile);
    const nTrained = items.size;

    // Queries: items unknown to the baskets are kept out of the model's query but never recommended anyway.
    const queryIds = new IdInterner();
    const queryItems: Set<number>[] = [];
    const qCsv = openCsv(queriesFile, io.cwd);
    const qIdx = columnIndexes(qCsv, [queryCol, itemCol]);
    forEachRecord(qCsv, qIdx, (line, s, e, q) => {
      if (e[0] === s[0]) throw emptyField(queriesFile, line, queryCol, "a query id");
      if (e[1] === s[1]) throw emptyField(queriesFile, line, itemCol, "an item");
      const qi = queryIds.internField(qCsv.buf, s[0], e[0], q[0] === 1);
      const set = (queryItems[qi] ??= new Set());
      const it = items.internField(qCsv.buf, s[1], e[1], q[1] === 1);
      if (it < nTrained) set.add(it);
    });
    if (queryIds.size === 0) throw new CsvInputError(`${queriesFile} has no data rows.`, queriesFile);

    const model = trainItemModel({ nItems: nTrained, baskets: basketItems.map((s) => Int32Array.from(s)) });
    const scratch = new Float64Array(nTrained);
    const outFile = values.out as string | undefined;
    const output = new CsvOutput(outFile ? path.resolve(io.cwd, outFile) : null);
    output.write("query_id,rank,item\n");
    const order = sortIdOrder(queryIds.names);
    for (let j = 0; j < order.length; j++) {
      const qi = order[j];
      const query = Int32Array.from(queryItems[qi] ?? []);
      const top = recommendForQuery(model, query, k, undefined, scratch);
      const id = csvField(queryIds.names[qi]);
      top.forEach((it, r) => output.write(`${id},${r + 1},${csvField(items.names[it])}\n`));
    }
    const text = output.end();
    if (!outFile) io.stdout(text);
    return 0;
  } catch (err) {
    if (err instanceof CsvInputError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function emptyField(file: string, line: number, field: string, expected: string): CsvInputError {
  return new CsvInputError(`${file}, line ${line}: field "${field}" is empty, expected ${expected}.`, file, line, field);
}
