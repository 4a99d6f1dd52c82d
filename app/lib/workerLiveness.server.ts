// How a webhook worker shows that it is alive, so that the claims of a dead worker are released
// at once instead of waiting out their 5-minute lease (ADR 006).
// - PostgreSQL: the worker holds a session advisory lock on a connection of its own for as long
//   as it lives. When its process dies the server closes the connection and drops the lock; any
//   other worker then sees the claim's owner is gone (pg_locks) and releases it.
// - PGlite: one process opens the database, so at start-up every claim is an orphan.
import { randomInt } from "node:crypto";
import pg from "pg";
import type { DatabaseTarget } from "./database.server";

/** The advisory-lock class of Rapport's workers ("RAPP"); the lock's second key is the worker's. */
export const WORKER_LOCK_CLASS = 0x52415050;

export interface WorkerLiveness {
  readonly kind: DatabaseTarget["kind"];
  /** PostgreSQL: the lock's second key, carried in the worker id (`…:live<key>`); null on PGlite. */
  readonly key: number | null;
  /** Takes the lock (PostgreSQL) before the worker claims anything; idempotent. */
  hold(): Promise<void>;
  close(): Promise<void>;
}

export function workerLiveness(target: DatabaseTarget): WorkerLiveness {
  if (target.kind === "pglite") return { kind: "pglite", key: null, hold: async () => {}, close: async () => {} };
  const key = randomInt(1, 2 ** 31 - 1);
  let client: pg.Client | null = null;
  let holding: Promise<void> | null = null;
  return {
    kind: "postgres",
    key,
    hold() {
      holding ??= (async () => {
        const c = new pg.Client({ connectionString: target.url, application_name: `rapport-worker-${key}` });
        // The connection only holds the lock; an error on it (a server restart) must not crash
        // the process: this worker's claims may then be released, and its ownership checks
        // skip them, so nothing is applied twice.
        c.on("error", () => {});
        await c.connect();
        await c.query("SELECT pg_advisory_lock($1, $2)", [WORKER_LOCK_CLASS, key]);
        client = c;
      })().catch((error) => {
        holding = null;
        throw error;
      });
      return holding;
    },
    async close() {
      await holding?.catch(() => {});
      await client?.end().catch(() => {});
      client = null;
      holding = null;
    },
  };
}

/** The worker id carries the liveness key so that claims name the lock of their owner. */
export function livenessWorkerId(base: string, liveness: WorkerLiveness | null): string {
  return liveness?.key ? `${base}:live${liveness.key}` : base;
}
