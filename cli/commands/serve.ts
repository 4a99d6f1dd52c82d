// rapport serve: the production server. `npm start` runs the same thing.
import { getDatabase } from "../../app/lib/db.server";
import { env } from "../../app/lib/env.server";
import { startServer } from "../../server/app";
import type { CliIO } from "../io";

export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout("Usage: rapport serve   (reads PORT, DATABASE_URL, SHOPIFY_* from the environment)");
    return 0;
  }
  env();
  const server = await startServer();
  await waitForSignal();
  await server.close();
  await getDatabase().close();
  return 0;
}

export function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}
