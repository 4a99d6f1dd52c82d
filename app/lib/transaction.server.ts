// The database handle models receive, and the one way services open a transaction.
// Services never call Prisma themselves: they open a transaction here and hand it to models,
// which are the only code that runs queries (see README, "Architecture").
import type { Prisma, PrismaClient } from "@prisma/client";

/** A Prisma client or an open transaction: every model function takes one of these first. */
export type Db = PrismaClient | Prisma.TransactionClient;
/** An open transaction. */
export type Tx = Prisma.TransactionClient;
/** The process's database client (not a transaction): what opens transactions. */
export type DbClient = PrismaClient;

export interface TransactionOptions {
  /** Longest the transaction may run (ms). Prisma's default of 5 s is too short for batches. */
  timeout?: number;
  /** Longest to wait for a connection (ms); PGlite has a single one. */
  maxWait?: number;
}

const DEFAULTS: Required<TransactionOptions> = { timeout: 60_000, maxWait: 30_000 };

/** Runs `work` in one transaction: everything it writes through `tx` commits or none of it does. */
export function inTransaction<T>(client: DbClient, work: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  return client.$transaction(work, { ...DEFAULTS, ...options });
}
