// rapport reconcile --shop DOMAIN [--json]: reads the orders, customers and products updated
// since the last reconciliation (minus an hour of overlap) and applies what webhooks missed.
import type { CliIO } from "../io";
import { run as runSync } from "./backfill";

const HELP = `Usage: rapport reconcile --shop DOMAIN [--resume] [--json]

Reads, through Admin API bulk operations, the products, customers and orders updated since
the last reconciliation (or the backfill), minus one hour of overlap, and applies what the
webhooks missed or delivered out of order (newest wins). Prints how many objects were
missing or stale. Also runs nightly with the analytics scheduler.

Options:
  --shop DOMAIN   the shop's *.myshopify.com domain
  --resume        continue an unfinished reconciliation instead of starting one
  --json          print the finished run as JSON
  --help          show this help`;

export function run(argv: string[], io: CliIO): Promise<number> {
  return runSync(argv, io, "reconcile", HELP);
}
