// Short-lived, per-process memory of what every storefront request reads (ADR 011, "Serving
// caches"): the shop's row (settings, currency), its model's training stamp and the products a
// list may show. At 200 requests/s these few small reads were most of a request's time.
//
// Correctness rules:
// - Entries live at most SERVING_CACHE_TTL_MS: what another process writes (the CLI, a separate
//   worker on PostgreSQL) is served at the latest that long after it was committed.
// - Every write in this process calls invalidateServing() (the models that write these rows do),
//   so this process honours its own writes on the next request.
// - A value read while a write to the same shop happened is not kept (generation check), so an
//   invalidation can never be undone by a read that started before it.
// - Caches are per database client object (tests run two databases in one process). Prisma gives
//   each transaction its own client object, so a transaction never sees what was read outside it
//   and what it reads is forgotten with it.
// Per-shopper rows (opt-outs, history) are never cached here.

export const SERVING_CACHE_TTL_MS = 5_000;

export type ServingScope = "shop" | "products" | "model";
const SCOPES: ServingScope[] = ["shop", "products", "model"];

/** Bumped on every write to the scope of a shop; an entry keeps the generation it was read at. */
const generations = new Map<string, number>();
const key = (scope: ServingScope, shop: string) => `${scope}\u0000${shop}`;
const generation = (scope: ServingScope, shop: string) => generations.get(key(scope, shop)) ?? 0;

/** Forget what this process keeps about the shop (all of it, or one scope): called on writes. */
export function invalidateServing(shop: string, scope?: ServingScope): void {
  for (const s of scope ? [scope] : SCOPES) generations.set(key(s, shop), generation(s, shop) + 1);
}

const fresh = (at: number, nowMs: number, ttlMs: number) => nowMs >= at && nowMs - at < ttlMs;

interface Entry<V> {
  value: V;
  at: number;
  generation: number;
}

/** One value per (database client, shop); concurrent misses share one read. */
export class ShopCache<V> {
  private byClient = new WeakMap<object, { entries: Map<string, Entry<V>>; loading: Map<string, { generation: number; promise: Promise<V> }> }>();

  /** `clock`: wall-clock milliseconds (never a request's logical `now`, which tests freeze). */
  constructor(
    private readonly scope: ServingScope,
    private readonly ttlMs = SERVING_CACHE_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  clear(): void {
    this.byClient = new WeakMap();
  }

  async get(db: object, shop: string, load: () => Promise<V>): Promise<V> {
    let client = this.byClient.get(db);
    if (!client) this.byClient.set(db, (client = { entries: new Map(), loading: new Map() }));
    const gen = generation(this.scope, shop);
    const hit = client.entries.get(shop);
    if (hit && hit.generation === gen && fresh(hit.at, this.clock(), this.ttlMs)) return hit.value;
    // Join a read in flight only if no write happened since it started.
    const running = client.loading.get(shop);
    if (running && running.generation === gen) return running.promise;
    const at = this.clock();
    const { entries, loading } = client;
    const done = () => {
      if (loading.get(shop)?.promise === promise) loading.delete(shop);
    };
    const promise: Promise<V> = load().then(
      (value) => {
        done();
        // A write during the read: the value may predate it, so it is not kept.
        if (generation(this.scope, shop) === gen) {
          if (entries.size >= 1_000) entries.clear();
          entries.set(shop, { value, at, generation: gen });
        }
        return value;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
    loading.set(shop, { generation: gen, promise });
    return promise;
  }
}

interface RowsEntry<V> {
  generation: number;
  /** When the read that filled `rows` started: every row here is at least this recent. */
  at: number;
  rows: Map<string, V | null>;
  refreshing: Promise<void> | null;
}

/** Most ids a shop's entry keeps (and re-reads in one go when they expire). */
const MAX_ROWS = 5_000;

/**
 * Rows by id per (database client, shop), e.g. the products lists are made of. Ids without a row
 * are remembered too. The shop's rows expire together: the first request after the TTL re-reads
 * all of them in one query (concurrent requests wait for that read), instead of every request
 * re-reading its own few.
 */
export class ShopRowsCache<V> {
  private byClient = new WeakMap<object, Map<string, RowsEntry<V>>>();

  constructor(
    private readonly scope: ServingScope,
    private readonly idOf: (row: V) => string,
    private readonly ttlMs = SERVING_CACHE_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  clear(): void {
    this.byClient = new WeakMap();
  }

  /** The rows of `ids` that exist (in no particular order); `load` is asked only for ids not fresh here. */
  async getMany(db: object, shop: string, ids: string[], load: (ids: string[]) => Promise<V[]>): Promise<V[]> {
    let shops = this.byClient.get(db);
    if (!shops) this.byClient.set(db, (shops = new Map()));
    const gen = generation(this.scope, shop);
    let entry = shops.get(shop);
    if (!entry || entry.generation !== gen) {
      if (shops.size >= 1_000) shops.clear();
      shops.set(shop, (entry = { generation: gen, at: this.clock(), rows: new Map(), refreshing: null }));
    }
    if (!fresh(entry.at, this.clock(), this.ttlMs)) {
      entry.refreshing ??= this.refresh(shops, shop, entry, ids, load);
      await entry.refreshing;
      entry = shops.get(shop) ?? entry;
    }
    const found: V[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const hit = entry.rows.get(id);
      if (hit === undefined) missing.push(id);
      else if (hit !== null) found.push(hit);
    }
    if (!missing.length) return found;
    const loaded = await load(missing);
    if (generation(this.scope, shop) === gen && entry.rows.size + missing.length <= MAX_ROWS) this.keep(entry, missing, loaded);
    return found.concat(loaded);
  }

  private async refresh(shops: Map<string, RowsEntry<V>>, shop: string, stale: RowsEntry<V>, ids: string[], load: (ids: string[]) => Promise<V[]>) {
    const wanted = [...new Set([...stale.rows.keys(), ...ids])].slice(0, MAX_ROWS);
    const at = this.clock();
    try {
      const loaded = await load(wanted);
      if (generation(this.scope, shop) !== stale.generation || shops.get(shop) !== stale) return;
      const next: RowsEntry<V> = { generation: stale.generation, at, rows: new Map(), refreshing: null };
      this.keep(next, wanted, loaded);
      shops.set(shop, next);
    } finally {
      stale.refreshing = null;
    }
  }

  private keep(entry: RowsEntry<V>, ids: string[], loaded: V[]) {
    const byId = new Map(loaded.map((row) => [this.idOf(row), row]));
    for (const id of ids) entry.rows.set(id, byId.get(id) ?? null);
  }
}
