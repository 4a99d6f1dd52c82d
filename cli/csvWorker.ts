// Worker thread of cli/csvParts.ts: reads its part of a shared CSV buffer and sends back the
// rows or totals with its ids' bytes; for `rapport clv`, then fits the spend model. Compiled
// next to the CLI bundle (cli/build.mjs).
import { parentPort, workerData } from "node:worker_threads";
import { fitGammaGammaGrouped, groupSpend } from "../app/domain/clv";
import { IdInterner } from "./csv";
import { readRowsPart, readTotalsPart, type PartResult, type PartTask, type SpendFitResult } from "./csvParts";

const task = workerData as PartTask;
const csv = {
  file: task.file,
  buf: Buffer.from(task.bytes, 0, task.length),
  header: task.header,
  dataStart: task.dataStart,
  delimiter: task.delimiter,
};
let result: PartResult;
const transfer: ArrayBuffer[] = [];
try {
  const ids = new IdInterner();
  if (task.kind === "rows") {
    const rows = readRowsPart(csv, ids, task.options, task.range);
    result = { ok: true, rows, keys: ids.exportKeys() };
    transfer.push(rows.cust.buffer as ArrayBuffer, rows.days.buffer as ArrayBuffer, rows.amounts.buffer as ArrayBuffer);
  } else {
    const totals = readTotalsPart(csv, ids, task.options, task.range);
    result = { ok: true, totals, keys: ids.exportKeys() };
    transfer.push(totals.last.buffer as ArrayBuffer, totals.count.buffer as ArrayBuffer, totals.revenue.buffer as ArrayBuffer);
  }
  const keys = (result as { keys: ReturnType<IdInterner["exportKeys"]> }).keys;
  transfer.push(keys.keys.buffer as ArrayBuffer, keys.start.buffer as ArrayBuffer, keys.length.buffer as ArrayBuffer);
} catch (error) {
  // The main thread reads the whole file again to report the error with its line number.
  result = { ok: false, message: error instanceof Error ? error.message : String(error) };
}
parentPort!.postMessage(result, transfer);

// `rapport clv` then sends the spend data: the Gamma-Gamma fit runs here while the main thread
// fits BG/NBD. Same code, same arithmetic: the same fit as on the main thread.
if (task.kind === "rows" && result.ok) {
  parentPort!.once("message", ({ pairs }: { pairs: Float64Array }) => {
    let answer: SpendFitResult;
    try {
      answer = { ok: true, fit: fitGammaGammaGrouped(groupSpend(pairs)) };
    } catch (error) {
      answer = { ok: false, fitError: error instanceof Error ? error.message : String(error) };
    }
    parentPort!.postMessage(answer);
    parentPort!.close();
  });
}
