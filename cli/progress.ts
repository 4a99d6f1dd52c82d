// Progress of a backfill/reconciliation/write-back on the terminal: a bar redrawn in place on a
// TTY, one plain line per change otherwise (logs, CI).
import type { RunView } from "../app/services/backfill.server";
import type { CliIO } from "./io";

const WIDTH = 30;

function bar(done: number, total: number | null): string {
  if (!total) return `${done}`;
  const ratio = Math.min(1, done / total);
  const filled = Math.round(ratio * WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${done}/${total} ${(ratio * 100).toFixed(0).padStart(3)} %`;
}

export function progressPrinter(io: CliIO, tty = Boolean(process.stdout.isTTY)) {
  let lastLine = "";
  return {
    update(run: RunView) {
      const phase = run.phase as keyof RunView["progress"];
      const p = run.progress[phase];
      const line = p ? `${run.kind} ${run.phase.padEnd(9)} ${bar(p.done, p.total)}` : `${run.kind} ${run.phase}`;
      if (line === lastLine) return;
      lastLine = line;
      if (tty) process.stdout.write(`\r\x1b[2K${line}`);
      else io.stdout(line);
    },
    end() {
      if (tty && lastLine) process.stdout.write("\n");
    },
  };
}

export function summary(run: RunView): string {
  const lines = [`${run.kind} of ${run.shop}: ${run.status}${run.error ? ` (${run.error})` : ""}`];
  for (const phase of ["products", "customers", "orders"] as const) {
    const c = run.counts[phase];
    if (c && typeof c === "object" && "created" in c) {
      const p = run.progress[phase];
      lines.push(
        `  ${phase.padEnd(9)} ${String(p?.done ?? 0).padStart(8)} read: ${c.created} missing (created), ${c.updated} stale (updated), ${c.unchanged} already up to date`,
      );
    }
  }
  if (run.ordersLimited) lines.push("  orders: only the last 60 days (the read_all_orders scope was not granted)");
  return lines.join("\n");
}
