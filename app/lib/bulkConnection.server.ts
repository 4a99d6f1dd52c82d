// A connection for bulk writes that Prisma's driver adapters cannot make: COPY. The backfill's
// fast path (ADR 010) streams each batch's rows into temporary staging tables with COPY and
// applies them with a few INSERT … SELECT statements, in one transaction with its checkpoint.
// - PostgreSQL: a small pool of its own (`pg`, `pg-copy-streams` for COPY FROM STDIN).
// - PGlite: the same in-process instance as Prisma (one connection; PGlite queues callers), COPY
//   FROM '/dev/blob'.
// Only app/models run SQL through it.
import type { PGlite, Transaction as PGliteTransaction } from "@electric-sql/pglite";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface BulkTx {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** COPY `table` (`columns`) FROM the given text-format lines (each ending with "\n"). */
  copy(table: string, columns: readonly string[], text: string): Promise<void>;
}

export interface BulkConnection {
  readonly kind: "postgres" | "pglite";
  /**
   * Runs `setup` once per physical connection (temporary tables live as long as it), then `work`
   * in one transaction: everything commits or nothing does (a throw rolls back).
   */
  transaction<T>(setup: string, work: (tx: BulkTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const quoteColumns = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(", ");

export function postgresBulkConnection(url: string, connections = 2): BulkConnection {
  let pool: pg.Pool | null = null;
  const ready = new WeakSet<pg.PoolClient>();
  return {
    kind: "postgres",
    async transaction(setup, work) {
      if (!pool) {
        pool = new pg.Pool({ connectionString: url, max: connections, application_name: "rapport-bulk" });
        // An idle connection that breaks (a server restart) is dropped by the pool; unhandled, the
        // pool's error event would end the process. A broken connection in use fails its query.
        pool.on("error", () => {});
      }
      const client = await pool.connect();
      // A connection left in an unknown state (a failed ROLLBACK) is not given back to the pool.
      let broken = false;
      try {
        if (!ready.has(client)) {
          await client.query(setup);
          ready.add(client);
        }
        await client.query("BEGIN");
        const tx: BulkTx = {
          async query<R>(sql: string, params: unknown[] = []) {
            return (await client.query(sql, params)).rows as R[];
          },
          async copy(table, columns, text) {
            await pipeline(Readable.from([text]), client.query(copyFrom(`COPY "${table}" (${quoteColumns(columns)}) FROM STDIN`)));
          },
        };
        try {
          const result = await work(tx);
          await client.query("COMMIT");
          return result;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {
            broken = true;
          });
          throw error;
        }
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await pool?.end();
      pool = null;
    },
  };
}

export function pgliteBulkConnection(pglite: PGlite): BulkConnection {
  let ready = false;
  return {
    kind: "pglite",
    async transaction(setup, work) {
      if (!ready) {
        await pglite.exec(setup);
        ready = true;
      }
      return pglite.transaction(async (t: PGliteTransaction) => {
        const tx: BulkTx = {
          async query<R>(sql: string, params: unknown[] = []) {
            return (await t.query<R>(sql, params)).rows;
          },
          async copy(table, columns, text) {
            await t.query(`COPY "${table}" (${quoteColumns(columns)}) FROM '/dev/blob'`, [], { blob: new Blob([text]) });
          },
        };
        return work(tx);
      });
    },
    async close() {},
  };
}
