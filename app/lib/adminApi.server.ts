// The Admin GraphQL client of jobs (backfill, reconciliation, write-back), on top of Shopify's
// official @shopify/admin-api-client. What it adds is what a long job needs and the official
// client leaves to the caller: Shopify's cost-based throttling (wait for the bucket to refill
// from `extensions.cost.throttleStatus`, retry THROTTLED), retries of 5xx and network errors with
// backoff, and `userErrors` turned into a thrown error (never swallowed).
//
// SHOPIFY_ADMIN_ORIGIN (refused in production by env.server.ts) sends every call to a local
// Admin API instead of https://<shop>: `customFetchApi` here, `setAbstractFetchFunc` for the
// clients of @shopify/shopify-app-remix (installAdminOrigin, called from shopify.server.ts).
import { createAdminApiClient } from "@shopify/admin-api-client";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { type Clock, systemClock } from "./clock";

export const ADMIN_API_VERSION = "2026-10";

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

export interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
}

/** An Admin API call that failed for good (after the retries that made sense). */
export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

/** A mutation that Shopify refused, with Shopify's own userErrors. */
export class UserErrorsError extends AdminApiError {
  constructor(
    readonly operation: string,
    readonly userErrors: UserError[],
  ) {
    super(`${operation}: ${userErrors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; ")}`);
    this.name = "UserErrorsError";
  }
}

/** `https://<shop>/admin/api/...` → `<origin>/admin/api/...`; other URLs unchanged. */
export function rerouteAdminUrl(url: string, origin: string | undefined): string {
  if (!origin) return url;
  const match = /^https:\/\/[^/]+(\/admin\/api\/.*)$/.exec(url);
  return match ? `${origin}${match[1]}` : url;
}

let installedOrigin: string | undefined;
/**
 * Reroutes the fetch of @shopify/shopify-api (admin.graphql, unauthenticated.admin) to `origin`.
 * Call after importing the Remix adapter (which installs its own fetch), before any client.
 */
export function installAdminOrigin(origin: string | undefined) {
  if (!origin || installedOrigin === origin) return;
  installedOrigin = origin;
  setAbstractFetchFunc((input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    return fetch(rerouteAdminUrl(url, origin), init);
  });
}

export interface AdminClientOptions {
  shop: string;
  accessToken: string;
  /** SHOPIFY_ADMIN_ORIGIN (tests, simulator). */
  origin?: string;
  /** Attempts per call before giving up on THROTTLED, 5xx and network errors (default 8). */
  maxAttempts?: number;
  /** First backoff delay, doubled per attempt up to 10 s (default 500 ms). */
  retryBaseMs?: number;
  /** Called before each wait (logs, progress lines). */
  onWait?: (reason: "throttled" | "budget" | "server" | "network", ms: number) => void;
  /** What the throttle waits and the backoff measure and sleep on (default: the system clock). */
  clock?: Clock;
}

/**
 * What a mutation costs before Shopify has said (shopify.dev, "GraphQL Admin API rate limits":
 * every mutation field costs 10 points), so that the first call of a mutation is paced like the
 * next ones instead of meeting THROTTLED. Queries have no such fixed price: they wait for nothing
 * until their first answer gives their cost.
 */
const MUTATION_FIELD_COST = 10;
const MUTATION = /^\s*(?:#graphql\s+)?mutation\b/;

interface GraphqlBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
  extensions?: { cost?: QueryCost };
}

/** One shop's Admin API, throttle-aware. */
export class AdminClient {
  readonly shop: string;
  private readonly client;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly onWait?: AdminClientOptions["onWait"];
  private readonly clock: Clock;
  /** The bucket as of the last answer, and when it was read. */
  private bucket: { status: ThrottleStatus; at: number } | null = null;
  /** Last requested cost per operation text: the budget to wait for before sending it again. */
  private readonly lastCost = new Map<string, number>();
  /** Calls sent, THROTTLED answers and retried failures: for benchmarks and tests. */
  readonly stats = { requests: 0, throttled: 0, retried: 0, waitedMs: 0 };

  constructor(options: AdminClientOptions) {
    this.shop = options.shop;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.onWait = options.onWait;
    this.clock = options.clock ?? systemClock;
    const origin = options.origin;
    this.client = createAdminApiClient({
      storeDomain: options.shop,
      apiVersion: ADMIN_API_VERSION,
      accessToken: options.accessToken,
      customFetchApi: (url, init) => fetch(rerouteAdminUrl(String(url), origin), init),
    });
  }

  private async wait(reason: "throttled" | "budget" | "server" | "network", ms: number) {
    if (ms <= 0) return;
    this.onWait?.(reason, ms);
    this.stats.waitedMs += ms;
    await this.clock.sleep(ms);
  }

  private backoff(attempt: number) {
    return Math.min(10_000, this.retryBaseMs * 2 ** attempt);
  }

  /** Waits until the bucket (restored since the last answer) holds `cost` points. */
  private async waitForBudget(cost: number) {
    if (!this.bucket) return;
    const { status, at } = this.bucket;
    const available = Math.min(status.maximumAvailable, status.currentlyAvailable + ((this.clock.now() - at) / 1000) * status.restoreRate);
    const needed = Math.min(cost, status.maximumAvailable);
    if (available >= needed || status.restoreRate <= 0) return;
    // One point of margin: the bucket's state is reported rounded, and is a little old on arrival.
    await this.wait("budget", Math.ceil(((needed - available + 1) / status.restoreRate) * 1000));
  }

  /** Runs a query or mutation; returns `data` (never null) or throws AdminApiError. */
  async request<T>(operation: string, variables?: Record<string, unknown>): Promise<T> {
    let lastProblem = "";
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      await this.waitForBudget(this.lastCost.get(operation) ?? (MUTATION.test(operation) ? MUTATION_FIELD_COST : 0));
      let response: Response;
      try {
        this.stats.requests++;
        response = await this.client.fetch(operation, { variables });
      } catch (error) {
        lastProblem = `network error: ${error instanceof Error ? error.message : String(error)}`;
        this.stats.retried++;
        await this.wait("network", this.backoff(attempt));
        continue;
      }
      if (response.status >= 500 || response.status === 429) {
        lastProblem = `HTTP ${response.status}`;
        await response.body?.cancel();
        this.stats.retried++;
        const retryAfter = Number(response.headers.get("Retry-After"));
        await this.wait("server", retryAfter > 0 ? retryAfter * 1000 : this.backoff(attempt));
        continue;
      }
      if (!response.ok) {
        const text = (await response.text()).slice(0, 300);
        throw new AdminApiError(`Admin API answered HTTP ${response.status} for ${this.shop}: ${text}`, response.status);
      }
      const body = (await response.json()) as GraphqlBody<T>;
      const cost = body.extensions?.cost;
      if (cost?.throttleStatus) {
        this.bucket = { status: cost.throttleStatus, at: this.clock.now() };
        this.lastCost.set(operation, cost.requestedQueryCost);
      }
      if (body.errors?.some((e) => e.extensions?.code === "THROTTLED")) {
        this.stats.throttled++;
        lastProblem = "THROTTLED";
        const refill = cost ? ((cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable + 1) / cost.throttleStatus.restoreRate) * 1000 : 0;
        await this.wait("throttled", Math.max(Math.ceil(refill), this.backoff(attempt) / 4));
        continue;
      }
      if (body.errors?.length) {
        throw new AdminApiError(`Admin API errors for ${this.shop}: ${body.errors.map((e) => e.message).join("; ")}`);
      }
      if (!body.data) throw new AdminApiError(`Admin API answered without data for ${this.shop}`);
      return body.data;
    }
    throw new AdminApiError(`Admin API call for ${this.shop} failed after ${this.maxAttempts} attempts (${lastProblem})`);
  }

  /**
   * Runs a mutation and returns its payload (`data[field]`); a non-empty `userErrors` is thrown
   * as UserErrorsError.
   */
  async mutate<P extends { userErrors: UserError[] }>(operation: string, field: string, variables?: Record<string, unknown>): Promise<P> {
    const data = await this.request<Record<string, P | null>>(operation, variables);
    const payload = data[field];
    if (!payload) throw new AdminApiError(`${field}: no payload in the answer`);
    if (payload.userErrors?.length) throw new UserErrorsError(field, payload.userErrors);
    return payload;
  }
}
