// A local Shopify Admin GraphQL API (2026-10) serving the demo shop over HTTP, for tests, the
// benchmark and `rapport simulate-shopify`. What it reproduces, from shopify.dev:
// - POST /admin/api/2026-10/graphql.json with X-Shopify-Access-Token (401 otherwise);
// - cost-based throttling: a leaky bucket per token (`extensions.cost` on every answer, a
//   THROTTLED error when the requested cost exceeds what is available, MAX_COST_EXCEEDED above
//   1,000 points);
// - bulk queries: bulkOperationRunQuery → bulkOperation(id:) / currentBulkOperation polling →
//   a JSONL file at a signed, expiring URL, nested connections as separate lines with __parentId;
//   up to five running at a time per app and shop from API version 2026-01, one before (the
//   version is the request path's; the schema served is 2026-10's whatever the version);
// - tagsAdd / tagsRemove / metafieldsSet / metafieldDefinitionCreate with userErrors;
// - the read_all_orders scope: without it, orders older than 60 days are invisible.
// Faults (HTTP 5xx, THROTTLED, dropped connections, expired or cut bulk downloads) are injected
// by tests through `faults`.
import { randomBytes } from "node:crypto";
import { DECLARED_SUBSCRIPTIONS, topicEnum } from "../../app/domain/webhookSubscriptions";
import { createWriteStream, mkdtempSync, rmSync, statSync, createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  execute,
  getNamedType,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { type Clock, systemClock } from "../../app/lib/clock";
import { actualCost, requestedCost } from "./cost";
import {
  ArgumentError,
  BULK_RESOLVERS,
  connection,
  customerView,
  listFor,
  orderView,
  productView,
  resolveNamespace,
  visibleOrders,
  countFor,
  type ConnectionArgs,
  type ViewContext,
} from "./resolvers";
import { adminSchema } from "./schema";
import { simulatedShop, type SimCustomer, type SimOrder, type SimProduct, type SimShop, type SimShopOptions } from "./store";

export const SIM_API_VERSION = "2026-10";
/** /admin/api/<version>/graphql.json: Shopify's quarterly versions (2026-01, 2026-04, …) and unstable. */
const GRAPHQL_PATH = /^\/admin\/api\/(\d{4}-(?:01|04|07|10)|unstable)\/graphql\.json$/;

/**
 * Bulk query operations an app may run at a time on a shop. shopify.dev, "Perform bulk
 * operations with the GraphQL Admin API": "In API versions 2026-01 and higher apps can run up
 * to five bulk query operations at a time per shop. In API versions prior to 2026-01, apps are
 * limited to running a single bulk operation at a time per shop."
 */
export function bulkQueryLimit(apiVersion: string): number {
  // "unstable" sorts after every dated version, as it is newer than all of them.
  return apiVersion >= "2026-01" ? 5 : 1;
}
const DAY = 86_400_000;
const MAX_QUERY_COST = 1000;

export interface SimToken {
  scopes: string[];
}

export type Fault =
  { kind: "http"; status: number } | { kind: "throttle" } | { kind: "reset" } | { kind: "bulk-expired" } | { kind: "bulk-cut"; afterLines: number };

export interface SimulatorOptions extends SimShopOptions {
  port?: number;
  host?: string;
  /** Access tokens accepted, with their scopes. Default: "sim-token" with every scope Rapport asks for. */
  tokens?: Record<string, SimToken>;
  /** Bucket size and restore rate (points/s). Default: Standard plan, 2,000 and 100. */
  maximumAvailable?: number;
  restoreRate?: number;
  /** How long a bulk result URL stays valid (Shopify: 7 days). */
  bulkUrlTtlMs?: number;
  /** Root objects written per tick of a bulk export (smaller: slower exports, for polling tests). */
  bulkChunk?: number;
  /** An existing shop to serve instead of generating one. */
  shop?: SimShop;
  /** The app's URL, for the default webhook subscriptions' callbacks. */
  appUrl?: string;
  /**
   * The shop's time: the bucket's refill, bulk URLs' expiry, updatedAt of writes (default: the
   * system clock). Share a VirtualClock with the AdminClient to wait for the bucket in no time.
   */
  clock?: Clock;
}

/** A shop-specific webhook subscription of the app (webhookSubscriptionCreate), as stored. */
export interface SimWebhookSubscription {
  id: string;
  /** The WebhookSubscriptionTopic enum value: ORDERS_CREATE. */
  topic: string;
  callbackUrl: string;
  createdAt: string;
  updatedAt: string;
}

export const DEFAULT_TOKEN = "sim-token";
export const ALL_SCOPES = ["read_orders", "read_all_orders", "read_customers", "write_customers", "read_products"];

interface BulkOp {
  id: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED" | "CANCELING";
  errorCode: string | null;
  query: string;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  file: string;
  fileSize: number | null;
  token: string;
}

export class ShopifySimulator {
  readonly shop: SimShop;
  readonly tokens: Map<string, SimToken>;
  readonly faults: Fault[] = [];
  readonly requests: Array<{ operationName: string | null; cost: number; throttled: boolean }> = [];
  maximumAvailable: number;
  restoreRate: number;
  bulkUrlTtlMs: number;
  bulkChunk: number;
  readonly clock: Clock;
  readonly appId = 1;
  /** Edit it to simulate a missing or extra subscription. Default: one per topic Rapport declares. */
  webhookSubscriptions: SimWebhookSubscription[];
  readonly metafieldDefinitions = new Map<string, { id: string; name: string; namespace: string; key: string; type: string; ownerType: string }>();
  private readonly buckets = new Map<string, { available: number; at: number }>();
  private readonly bulkOps = new Map<string, BulkOp>();
  private readonly signatures = new Map<string, { op: string; expires: number }>();
  private nextId = 1000;
  private readonly dir = mkdtempSync(path.join(tmpdir(), "rapport-sim-"));
  private server: Server | null = null;
  origin = "";

  constructor(private readonly options: SimulatorOptions = {}) {
    this.shop = options.shop ?? simulatedShop(options);
    this.tokens = new Map(Object.entries(options.tokens ?? { [DEFAULT_TOKEN]: { scopes: ALL_SCOPES } }));
    this.maximumAvailable = options.maximumAvailable ?? 2000;
    this.restoreRate = options.restoreRate ?? 100;
    this.bulkUrlTtlMs = options.bulkUrlTtlMs ?? 7 * DAY;
    this.bulkChunk = options.bulkChunk ?? 500;
    this.clock = options.clock ?? systemClock;
    const appUrl = options.appUrl ?? "https://rapport.example.com";
    this.webhookSubscriptions = DECLARED_SUBSCRIPTIONS.map((s, i) => ({
      id: `gid://shopify/WebhookSubscription/${7000 + i}`,
      topic: topicEnum(s.topic),
      callbackUrl: `${appUrl}${s.uri}`,
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
    }));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ errors: [{ message: `Internal error: ${error instanceof Error ? error.message : String(error)}` }] }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", resolve));
    const address = this.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    this.origin = `http://${this.options.host ?? "127.0.0.1"}:${port}`;
    return this.origin;
  }

  async stop() {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Simulates an edit in the Shopify admin: the object's updatedAt moves to `at`. */
  touch(id: string, at = new Date(this.clock.now())) {
    const object = this.shop.orders.get(id) ?? this.shop.customers.get(id) ?? this.shop.products.get(id);
    if (!object) throw new Error(`no object ${id} in the simulated shop`);
    object.updatedAt = at.toISOString();
    return object;
  }

  private context(token: SimToken): ViewContext {
    return {
      shop: this.shop,
      ordersVisibleFrom: token.scopes.includes("read_all_orders") ? null : this.clock.now() - 60 * DAY,
      appId: this.appId,
    };
  }

  /** Every token's bucket full again (tests that count throttled requests start from here). */
  refillBuckets() {
    this.buckets.clear();
  }

  private bucket(token: string) {
    const now = this.clock.now();
    const b = this.buckets.get(token) ?? { available: this.maximumAvailable, at: now };
    b.available = Math.min(this.maximumAvailable, b.available + ((now - b.at) / 1000) * this.restoreRate);
    b.at = now;
    this.buckets.set(token, b);
    return b;
  }

  private throttleStatus(available: number) {
    return { maximumAvailable: this.maximumAvailable, currentlyAvailable: Math.floor(available), restoreRate: this.restoreRate };
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://simulator");
    if (req.method === "GET" && url.pathname.startsWith("/bulk/")) return this.download(url, res);
    const apiVersion = GRAPHQL_PATH.exec(url.pathname)?.[1];
    if (!apiVersion) {
      res.writeHead(404, { "Content-Type": "application/json" });
      return res.end(JSON.stringify({ errors: "Not Found" }));
    }
    if (req.method !== "POST") {
      res.writeHead(405, { Allow: "POST" });
      return res.end();
    }
    const tokenValue = req.headers["x-shopify-access-token"];
    const token = typeof tokenValue === "string" ? this.tokens.get(tokenValue) : undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!token) {
      // The body Shopify sends for a missing or wrong token.
      res.writeHead(401, { "Content-Type": "application/json" });
      return res.end(JSON.stringify({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" }));
    }
    const fault = this.faults.length && this.faults[0].kind !== "bulk-expired" && this.faults[0].kind !== "bulk-cut" ? this.faults.shift()! : null;
    if (fault?.kind === "reset") return req.socket.destroy();
    if (fault?.kind === "http") {
      res.writeHead(fault.status, { "Content-Type": "text/html" });
      return res.end(`<html><body>${fault.status} Service unavailable</body></html>`);
    }
    let body: { query?: string; variables?: Record<string, unknown>; operationName?: string };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return this.json(res, 400, { errors: [{ message: "Invalid JSON in request body" }] });
    }
    const result = this.run(tokenValue as string, token, body, fault?.kind === "throttle", apiVersion);
    return this.json(res, 200, result);
  }

  private json(res: ServerResponse, status: number, value: unknown) {
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(value));
  }

  /** Parses, validates, charges and runs one GraphQL request. */
  run(
    tokenValue: string,
    token: SimToken,
    body: { query?: string; variables?: Record<string, unknown>; operationName?: string },
    forceThrottle = false,
    apiVersion = SIM_API_VERSION,
  ) {
    const schema = adminSchema();
    let document: DocumentNode;
    try {
      document = parse(body.query ?? "");
    } catch (error) {
      return { errors: [{ message: (error as GraphQLError).message, extensions: { code: "PARSE_ERROR" } }] };
    }
    const problems = validate(schema, document);
    if (problems.length) return { errors: problems.map((p) => ({ message: p.message, locations: p.locations })) };
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!body.operationName || d.name?.value === body.operationName),
    )!;
    const variables = body.variables ?? {};
    const requested = requestedCost(schema, operation, variables);
    const bucket = this.bucket(tokenValue);
    if (requested > MAX_QUERY_COST) {
      this.requests.push({ operationName: operation.name?.value ?? null, cost: requested, throttled: false });
      return {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
            extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: MAX_QUERY_COST },
          },
        ],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: this.throttleStatus(bucket.available) } },
      };
    }
    if (forceThrottle) bucket.available = Math.min(bucket.available, requested / 2);
    if (requested > bucket.available) {
      this.requests.push({ operationName: operation.name?.value ?? null, cost: requested, throttled: true });
      return {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: this.throttleStatus(bucket.available) } },
      };
    }
    bucket.available -= requested;
    const result = execute({
      schema,
      document,
      operationName: body.operationName,
      variableValues: variables,
      rootValue: this.root(tokenValue, token, apiVersion),
    }) as { data?: Record<string, unknown> | null; errors?: readonly GraphQLError[] };
    const actual = Math.min(requested, actualCost(schema, operation, result.data));
    bucket.available = Math.min(this.maximumAvailable, bucket.available + (requested - actual));
    this.requests.push({ operationName: operation.name?.value ?? null, cost: actual, throttled: false });
    return {
      ...(result.errors?.length ? { errors: result.errors.map((e) => ({ message: e.message, locations: e.locations, path: e.path })) } : {}),
      data: result.data ?? null,
      extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: this.throttleStatus(bucket.available) } },
    };
  }

  private root(tokenValue: string, token: SimToken, apiVersion: string) {
    const ctx = this.context(token);
    const shop = this.shop;
    const has = (scope: string) => token.scopes.includes(scope) || token.scopes.includes(scope.replace(/^read_/, "write_"));
    const need = (scope: string) => {
      if (!has(scope))
        throw new GraphQLError(`Access denied. Required access: \`${scope}\` access scope.`, { extensions: { code: "ACCESS_DENIED" } });
    };
    const guard =
      <A, R>(fn: (args: A) => R) =>
      (args: A) => {
        try {
          return fn(args);
        } catch (error) {
          if (error instanceof ArgumentError) throw new GraphQLError(error.message, { extensions: { code: "BAD_USER_INPUT" } });
          throw error;
        }
      };
    const count = (n: number, limit: number | null | undefined) =>
      limit != null && n > limit ? { count: limit, precision: "AT_LEAST" } : { count: n, precision: "EXACT" };
    const ownerOf = (id: string) => shop.customers.get(id) ?? shop.orders.get(id) ?? shop.products.get(id);
    return {
      shop: () => ({
        id: `gid://shopify/Shop/1`,
        name: shop.name,
        myshopifyDomain: shop.domain,
        currencyCode: shop.currencyCode,
        ianaTimezone: shop.ianaTimezone,
        billingAddress: { countryCodeV2: shop.countryCode },
      }),
      currentAppInstallation: () => ({ accessScopes: token.scopes.map((handle) => ({ handle })) }),
      customer: ({ id }: { id: string }) => {
        need("read_customers");
        const c = shop.customers.get(id);
        return c ? customerView(c, ctx) : null;
      },
      product: ({ id }: { id: string }) => {
        const p = shop.products.get(id);
        return p ? productView(p) : null;
      },
      order: ({ id }: { id: string }) => {
        need("read_orders");
        const o = visibleOrders(ctx).find((x) => x.id === id);
        return o ? orderView(o, ctx) : null;
      },
      customers: guard((args: ConnectionArgs) => {
        need("read_customers");
        return connection(listFor(shop.customers.values(), args), args, (c) => customerView(c, ctx));
      }),
      products: guard((args: ConnectionArgs) => {
        need("read_products");
        return connection(listFor(shop.products.values(), args), args, productView);
      }),
      orders: guard((args: ConnectionArgs) => {
        need("read_orders");
        return connection(
          listFor(visibleOrders(ctx), args, (o) => o.processedAt),
          args,
          (o) => orderView(o, ctx),
        );
      }),
      customersCount: (args: { query?: string; limit?: number | null }) => count(countFor(shop.customers.values(), args.query), args.limit),
      productsCount: (args: { query?: string; limit?: number | null }) => count(countFor(shop.products.values(), args.query), args.limit),
      ordersCount: (args: { query?: string; limit?: number | null }) => count(countFor(visibleOrders(ctx), args.query), args.limit),
      bulkOperation: ({ id }: { id: string }) => {
        const op = this.bulkOps.get(id);
        return op && op.token === tokenValue ? this.bulkView(op) : null;
      },
      currentBulkOperation: () => {
        const mine = [...this.bulkOps.values()].filter((op) => op.token === tokenValue);
        return mine.length ? this.bulkView(mine[mine.length - 1]) : null;
      },
      metafieldDefinitions: (args: ConnectionArgs & { ownerType: string; namespace?: string }) => {
        const ns = args.namespace ? resolveNamespace(args.namespace, this.appId) : null;
        const list = [...this.metafieldDefinitions.values()].filter((d) => d.ownerType === args.ownerType && (!ns || d.namespace === ns));
        return connection(list, args, (d) => ({ ...d, type: { name: d.type } }));
      },
      webhookSubscriptions: guard((args: ConnectionArgs & { topics?: string[] | null; uri?: string | null }) => {
        // Only the subscriptions this app created for this shop (not the app-specific ones of a toml).
        const list = this.webhookSubscriptions.filter(
          (w) => (!args.topics?.length || args.topics.includes(w.topic)) && (!args.uri || w.callbackUrl === args.uri),
        );
        return connection(list, { ...args, query: null }, (w) => ({
          id: w.id,
          topic: w.topic,
          uri: w.callbackUrl,
          endpoint: { __typename: "WebhookHttpEndpoint", callbackUrl: w.callbackUrl },
          format: "JSON",
          apiVersion: { handle: SIM_API_VERSION, displayName: SIM_API_VERSION, supported: true },
          includeFields: [],
          metafieldNamespaces: [],
          filter: null,
          createdAt: w.createdAt,
          updatedAt: w.updatedAt,
        }));
      }),
      bulkOperationRunQuery: ({ query, groupObjects }: { query: string; groupObjects: boolean }) =>
        this.startBulk(tokenValue, token, query, groupObjects, apiVersion),
      bulkOperationCancel: ({ id }: { id: string }) => {
        const op = this.bulkOps.get(id);
        if (!op || op.token !== tokenValue) return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
        if (op.status === "CREATED" || op.status === "RUNNING") op.status = "CANCELED";
        return { bulkOperation: this.bulkView(op), userErrors: [] };
      },
      tagsAdd: ({ id, tags }: { id: string; tags: string[] }) => {
        const owner = ownerOf(id);
        if (!owner) return { node: null, userErrors: [{ field: ["id"], message: "Resource not found" }] };
        if (!has("write_customers") && id.includes("/Customer/"))
          throw new GraphQLError("Access denied for tagsAdd field.", { extensions: { code: "ACCESS_DENIED" } });
        const bad = tags.find((t) => t.length > 255);
        if (bad) return { node: null, userErrors: [{ field: ["tags"], message: "Tags are too long (maximum is 255 characters)" }] };
        const lower = new Set(owner.tags.map((t) => t.toLowerCase()));
        for (const tag of tags.map((t) => t.trim()).filter(Boolean)) {
          if (!lower.has(tag.toLowerCase())) {
            owner.tags.push(tag);
            lower.add(tag.toLowerCase());
          }
        }
        owner.updatedAt = new Date(this.clock.now()).toISOString();
        return { node: { id }, userErrors: [] };
      },
      tagsRemove: ({ id, tags }: { id: string; tags: string[] }) => {
        const owner = ownerOf(id);
        if (!owner) return { node: null, userErrors: [{ field: ["id"], message: "Resource not found" }] };
        const drop = new Set(tags.map((t) => t.trim().toLowerCase()));
        owner.tags = owner.tags.filter((t) => !drop.has(t.toLowerCase()));
        owner.updatedAt = new Date(this.clock.now()).toISOString();
        return { node: { id }, userErrors: [] };
      },
      metafieldsSet: ({ metafields }: { metafields: Array<{ ownerId: string; namespace?: string; key: string; type?: string; value: string }> }) =>
        this.metafieldsSet(metafields),
      metafieldDefinitionCreate: ({
        definition,
      }: {
        definition: { name: string; namespace?: string; key: string; type: string; ownerType: string };
      }) => {
        const namespace = resolveNamespace(definition.namespace, this.appId);
        const key = `${definition.ownerType}.${namespace}.${definition.key}`;
        if (this.metafieldDefinitions.has(key)) {
          return {
            createdDefinition: null,
            userErrors: [
              {
                field: ["definition", "key"],
                message: `Key is in use for ${definition.ownerType.toLowerCase()} metafields on the '${namespace}' namespace.`,
                code: "TAKEN",
              },
            ],
          };
        }
        if (!TYPES[definition.type]) {
          return {
            createdDefinition: null,
            userErrors: [{ field: ["definition", "type"], message: "Type name is not included in the list", code: "INCLUSION" }],
          };
        }
        const created = {
          id: `gid://shopify/MetafieldDefinition/${this.nextId++}`,
          name: definition.name,
          namespace,
          key: definition.key,
          type: definition.type,
          ownerType: definition.ownerType,
        };
        this.metafieldDefinitions.set(key, created);
        return { createdDefinition: { ...created, type: { name: created.type } }, userErrors: [] };
      },
    };
  }

  private metafieldsSet(inputs: Array<{ ownerId: string; namespace?: string; key: string; type?: string; value: string }>) {
    const errors: Array<{ field: string[]; message: string; code: string; elementIndex: number | null }> = [];
    if (inputs.length > 25) {
      return {
        metafields: null,
        userErrors: [
          { field: ["metafields"], message: "Exceeded the maximum metafields input limit of 25.", code: "LESS_THAN_OR_EQUAL_TO", elementIndex: null },
        ],
      };
    }
    inputs.forEach((m, index) => {
      const owner = this.shop.customers.get(m.ownerId) ?? this.shop.products.get(m.ownerId) ?? this.shop.orders.get(m.ownerId);
      if (!owner)
        errors.push({ field: ["metafields", String(index), "ownerId"], message: "Owner does not exist.", code: "INVALID", elementIndex: index });
      const namespace = resolveNamespace(m.namespace, this.appId);
      const ownerType = m.ownerId.split("/")[3]?.toUpperCase() ?? "";
      const definition = this.metafieldDefinitions.get(`${ownerType}.${namespace}.${m.key}`);
      const type = m.type ?? definition?.type;
      if (!type) errors.push({ field: ["metafields", String(index), "type"], message: "Type can't be blank.", code: "BLANK", elementIndex: index });
      else if (definition && definition.type !== type)
        errors.push({
          field: ["metafields", String(index), "type"],
          message: `Type must be ${definition.type}.`,
          code: "INVALID_TYPE",
          elementIndex: index,
        });
      else if (!TYPES[type])
        errors.push({
          field: ["metafields", String(index), "type"],
          message: "Type name is not a valid type.",
          code: "INVALID_TYPE",
          elementIndex: index,
        });
      else if (!TYPES[type](m.value))
        errors.push({
          field: ["metafields", String(index), "value"],
          message: `Value is invalid for type ${type}.`,
          code: "INVALID_VALUE",
          elementIndex: index,
        });
    });
    // Atomic, as documented: one bad input and nothing is written.
    if (errors.length) return { metafields: null, userErrors: errors };
    const now = new Date(this.clock.now()).toISOString();
    const written = inputs.map((m) => {
      const namespace = resolveNamespace(m.namespace, this.appId);
      const owner = this.shop.customers.get(m.ownerId);
      const ownerType = m.ownerId.split("/")[3]?.toUpperCase() ?? "";
      const type = m.type ?? this.metafieldDefinitions.get(`${ownerType}.${namespace}.${m.key}`)!.type;
      owner?.metafields.set(`${namespace}.${m.key}`, { namespace, key: m.key, type, value: m.value, updatedAt: now });
      return { key: m.key, namespace, ownerType, type, value: m.value, id: "", updatedAt: now };
    });
    return { metafields: written, userErrors: [] };
  }

  private bulkView(op: BulkOp) {
    let url: string | null = null;
    if (op.status === "COMPLETED") {
      // A signed URL per read, like a cloud storage link: it expires, reading the operation again gives a new one.
      const sig = randomBytes(12).toString("hex");
      const expires = this.clock.now() + this.bulkUrlTtlMs;
      this.signatures.set(sig, { op: op.id, expires });
      url = `${this.origin}/bulk/${encodeURIComponent(op.id.split("/").pop()!)}.jsonl?sig=${sig}&expires=${expires}`;
    }
    return {
      id: op.id,
      status: op.status,
      errorCode: op.errorCode,
      createdAt: op.createdAt,
      completedAt: op.completedAt,
      objectCount: String(op.objectCount),
      rootObjectCount: String(op.rootObjectCount),
      fileSize: op.fileSize === null ? null : String(op.fileSize),
      url,
      partialDataUrl: null,
      query: op.query,
      type: "QUERY",
    };
  }

  private startBulk(tokenValue: string, token: SimToken, query: string, groupObjects: boolean, apiVersion: string) {
    const running = [...this.bulkOps.values()].filter((op) => op.token === tokenValue && (op.status === "CREATED" || op.status === "RUNNING"));
    const limit = bulkQueryLimit(apiVersion);
    if (running.length >= limit) {
      // shopify.dev documents the limits but not the userError of the operation over them:
      // BulkOperationUserErrorCode has OPERATION_IN_PROGRESS ("A bulk operation is already in
      // progress") and LIMIT_REACHED ("Bulk operations limit reached. Please try again later."),
      // neither tied to the concurrency limit. Kept: OPERATION_IN_PROGRESS, naming the running ones.
      return {
        bulkOperation: null,
        userErrors: [
          {
            field: ["query"],
            message:
              limit === 1
                ? `A bulk query operation for this app and shop is already in progress: ${running[0].id}.`
                : `${limit} bulk query operations for this app and shop are already in progress: ${running.map((op) => op.id).join(", ")}.`,
            code: "OPERATION_IN_PROGRESS",
          },
        ],
      };
    }
    const schema = adminSchema();
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return { bulkOperation: null, userErrors: [{ field: ["query"], message: `Invalid bulk query: ${(error as Error).message}`, code: "INVALID" }] };
    }
    const problems = validate(schema, document);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const roots = operation?.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD) ?? [];
    const rootField = roots[0];
    const rootDef = rootField ? schema.getQueryType()!.getFields()[rootField.name.value] : undefined;
    if (problems.length || !operation || operation.operation !== "query") {
      return {
        bulkOperation: null,
        userErrors: [{ field: ["query"], message: `Invalid bulk query: ${problems[0]?.message ?? "a query is required"}`, code: "INVALID" }],
      };
    }
    if (roots.length !== 1 || !rootDef || !getNamedType(rootDef.type).name.endsWith("Connection")) {
      return {
        bulkOperation: null,
        userErrors: [{ field: ["query"], message: "Bulk queries must contain at least one connection.", code: "INVALID" }],
      };
    }
    const id = `gid://shopify/BulkOperation/${this.nextId++}`;
    const op: BulkOp = {
      id,
      status: "CREATED",
      errorCode: null,
      query,
      createdAt: new Date(this.clock.now()).toISOString(),
      completedAt: null,
      objectCount: 0,
      rootObjectCount: 0,
      file: path.join(this.dir, `${id.split("/").pop()}.jsonl`),
      fileSize: null,
      token: tokenValue,
    };
    this.bulkOps.set(id, op);
    setImmediate(() => {
      this.runBulk(op, token, rootField, groupObjects).catch(() => {
        op.status = "FAILED";
        op.errorCode = "INTERNAL_SERVER_ERROR";
      });
    });
    return { bulkOperation: this.bulkView(op), userErrors: [] };
  }

  private async runBulk(op: BulkOp, token: SimToken, rootField: FieldNode, groupObjects: boolean) {
    op.status = "RUNNING";
    const ctx = this.context(token);
    const schema = adminSchema();
    const args = { ...literalArgs(rootField), __bulk: true } as ConnectionArgs;
    const name = rootField.name.value;
    if (name === "orders" && !token.scopes.includes("read_orders")) throw new Error("access denied");
    // Lines are written a chunk at a time: a shop of a million orders holds no second copy of itself.
    const sorted: Array<SimOrder | SimCustomer | SimProduct> =
      name === "orders"
        ? listFor(visibleOrders(ctx), { ...args, sortKey: args.sortKey ?? "ID" }, (o) => o.processedAt)
        : name === "customers"
          ? listFor(this.shop.customers.values(), { ...args, sortKey: args.sortKey ?? "ID" })
          : listFor(this.shop.products.values(), { ...args, sortKey: args.sortKey ?? "ID" });
    const connType = getNamedType(schema.getQueryType()!.getFields()[name].type) as GraphQLObjectType;
    const nodeType = getNamedType(connType.getFields().nodes.type) as GraphQLObjectType;
    const serialize = compileSerializer(nodeType, nodeSelectionOf(rootField.selectionSet), ctx);
    const out = createWriteStream(op.file);
    const later: string[] = [];
    const children: string[] = [];
    const lines = new LineBuffer();
    for (let i = 0; i < sorted.length; i += this.bulkChunk) {
      if ((op.status as string) === "CANCELED") break;
      const end = Math.min(sorted.length, i + this.bulkChunk);
      for (let j = i; j < end; j++) {
        children.length = 0;
        let text = serialize(sorted[j] as unknown as Record<string, unknown>, null, children);
        op.rootObjectCount++;
        op.objectCount += 1 + children.length;
        // An object and its nested lines are encoded at once: one call for a product and its variants.
        if (groupObjects) for (const c of children) text += `\n${c}`;
        else for (const c of children) later.push(c);
        lines.add(text);
      }
      if (!out.write(lines.take())) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const c of later) lines.add(c);
    if (later.length) out.write(lines.take());
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if ((op.status as string) === "CANCELED") return;
    op.fileSize = statSync(op.file).size;
    op.completedAt = new Date(this.clock.now()).toISOString();
    op.status = "COMPLETED";
  }

  private download(url: URL, res: ServerResponse) {
    const sig = url.searchParams.get("sig") ?? "";
    const signed = this.signatures.get(sig);
    const faultAt = this.faults.findIndex((f) => f.kind === "bulk-expired" || f.kind === "bulk-cut");
    const fault = faultAt >= 0 ? this.faults.splice(faultAt, 1)[0] : null;
    if (!signed || signed.expires < this.clock.now() || fault?.kind === "bulk-expired") {
      // What a signed cloud-storage link answers once it has expired.
      res.writeHead(400, { "Content-Type": "application/xml; charset=UTF-8" });
      return res.end(
        `<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>`,
      );
    }
    const op = this.bulkOps.get(signed.op)!;
    res.writeHead(200, { "Content-Type": "application/jsonl", "Content-Length": String(op.fileSize ?? 0) });
    const stream = createReadStream(op.file);
    if (fault?.kind === "bulk-cut") {
      let seen = 0;
      stream.on("data", (chunk) => {
        const text = chunk.toString();
        let cut = -1;
        for (let i = 0; i < text.length; i++) {
          if (text[i] === "\n" && ++seen === fault.afterLines) {
            cut = i + 1;
            break;
          }
        }
        if (cut >= 0) {
          stream.destroy();
          res.write(text.slice(0, cut), () => res.destroy());
        } else res.write(chunk);
      });
      stream.on("end", () => res.end());
      return;
    }
    stream.pipe(res);
  }
}

const TYPES: Record<string, (value: string) => boolean> = {
  single_line_text_field: (v) => !v.includes("\n") && v.length <= 65_535,
  multi_line_text_field: () => true,
  number_integer: (v) => /^-?\d+$/.test(v),
  number_decimal: (v) => /^-?\d+(\.\d+)?$/.test(v),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v),
  date_time: (v) => !Number.isNaN(Date.parse(v)),
  boolean: (v) => v === "true" || v === "false",
  json: (v) => {
    try {
      JSON.parse(v);
      return true;
    } catch {
      return false;
    }
  },
};

function literalArgs(field: FieldNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of field.arguments ?? []) {
    const v = arg.value;
    if (v.kind === Kind.STRING || v.kind === Kind.ENUM) out[arg.name.value] = v.value;
    else if (v.kind === Kind.INT) out[arg.name.value] = Number(v.value);
    else if (v.kind === Kind.BOOLEAN) out[arg.name.value] = v.value;
  }
  return out;
}

function nodeSelectionOf(connectionSelection: SelectionSetNode | undefined): SelectionSetNode | undefined {
  for (const s of connectionSelection?.selections ?? []) {
    if (s.kind !== Kind.FIELD) continue;
    if (s.name.value === "nodes") return s.selectionSet;
    if (s.name.value === "edges") {
      const node = s.selectionSet?.selections.find((n): n is FieldNode => n.kind === Kind.FIELD && n.name.value === "node");
      if (node) return node.selectionSet;
    }
  }
  return undefined;
}

// Characters JSON.stringify escapes in a string: quote, backslash, controls, lone surrogates.
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A leaf value's JSON text: JSON.stringify's (null for a missing value), without its call for a plain string. */
function leaf(value: unknown): string {
  if (value == null) return "null";
  if (typeof value === "string") return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
  if (typeof value === "boolean") return value ? "true" : "false";
  return JSON.stringify(value);
}

/**
 * Writes one object of a bulk export as its JSON line; `childOf`: a nested connection's node,
 * which names its parent.
 */
type Serializer = (value: Record<string, unknown>, parentId: string | null, children: string[], childOf?: string | null) => string;
type Read = (value: Record<string, unknown>) => unknown;

const LINE_BUFFER_SIZE = 1 << 20;

/**
 * JSONL lines encoded as they come into a buffer taken a chunk at a time. Each line is encoded
 * on its own, just made (a tree of its ≈ 200 concatenated pieces, still in cache), and a line
 * of ASCII or Latin-1 takes V8's fast path even when another line of the chunk does not:
 * encoding a 64 KiB string of lines at once cost 3–8× more (≈ a quarter of an export's CPU).
 */
class LineBuffer {
  private buffer = Buffer.allocUnsafe(LINE_BUFFER_SIZE);
  private start = 0;
  private end = 0;
  private readonly taken: Buffer[] = [];
  add(line: string) {
    // At most 3 bytes per UTF-16 unit, and the newline.
    const room = line.length * 3 + 1;
    if (this.end + room > this.buffer.length) {
      if (this.end > this.start) this.taken.push(this.buffer.subarray(this.start, this.end));
      this.buffer = Buffer.allocUnsafe(Math.max(LINE_BUFFER_SIZE, room));
      this.start = this.end = 0;
    }
    this.end += this.buffer.write(line, this.end);
    this.buffer[this.end++] = 10;
  }

  /** The lines added since the last take. The bytes stay the stream's: later lines go after them. */
  take(): Buffer {
    this.taken.push(this.buffer.subarray(this.start, this.end));
    this.start = this.end;
    const chunk = this.taken.length === 1 ? this.taken[0] : Buffer.concat(this.taken);
    this.taken.length = 0;
    return chunk;
  }
}

/** Nested connections' nodes, after their object's line: each followed by its own nested lines. */
function writeNodes(raw: unknown, serialize: Serializer, owner: string | null, children: string[]) {
  const nodes = (Array.isArray(raw) ? raw : ((raw as { nodes?: unknown[] } | null)?.nodes ?? [])) as Array<Record<string, unknown>>;
  for (const node of nodes) {
    const grand: string[] = [];
    children.push(serialize(node, owner, grand, owner));
    for (const line of grand) children.push(line);
  }
}

/** A list of objects' JSON text, each item by the item type's serializer. */
function writeList(raw: unknown[], serialize: Serializer, owner: string | null, children: string[]) {
  let text = "[";
  for (let j = 0; j < raw.length; j++) {
    const item = raw[j] as Record<string, unknown> | null;
    text += (j ? "," : "") + (item == null ? "null" : serialize(item, owner, children));
  }
  return `${text}]`;
}

/**
 * One object of a bulk export: its fields as a normal query would return them, except nested
 * connections, whose nodes go to `children` as lines of their own with `__parentId` (the id of
 * the closest object that has one), as Shopify's JSONL does. Compiled once per query from the
 * selection and the schema into a function that writes the JSON text in one expression: keys
 * are literals, a field is the stored record's property of that name or its type's
 * BULK_RESOLVERS entry, and only a leaf goes through JSON.stringify, so no view and no
 * intermediate object is built for the million orders of a large export (≈ 100 fields each).
 * The text is the one JSON.stringify gives for the object a query would return: the same keys
 * in the selection's order, null for a missing value.
 */
function compileSerializer(type: GraphQLObjectType, selection: SelectionSetNode | undefined, ctx: ViewContext): Serializer {
  interface Field {
    key: string;
    name: string;
    resolver: Read | null;
    connection: Serializer | null;
    object: Serializer | null;
  }
  // A key selected twice (graphql-js accepts identical fields) is written once, where it first
  // appears, from its last selection: what assigning it twice to an object then stringifying gives.
  const byKey = new Map<string, Field>();
  for (const s of selection?.selections ?? []) {
    if (s.kind !== Kind.FIELD) continue;
    const def = type.getFields()[s.name.value];
    if (!def) continue;
    const named = getNamedType(def.type);
    const name = s.name.value;
    // Shared by every object: the resolvers read their arguments, never change them.
    const args = { ...literalArgs(s), __bulk: true };
    const resolver = BULK_RESOLVERS[type.name]?.[name];
    const field: Field = {
      key: s.alias?.value ?? name,
      name,
      resolver: resolver ? (value) => resolver(value as never, args, ctx) : null,
      connection: null,
      object: null,
    };
    if (named.name.endsWith("Connection")) {
      const nodeType = getNamedType((named as GraphQLObjectType).getFields().nodes.type) as GraphQLObjectType;
      field.connection = compileSerializer(nodeType, nodeSelectionOf(s.selectionSet), ctx);
    } else if ("getFields" in named) field.object = compileSerializer(named as GraphQLObjectType, s.selectionSet, ctx);
    byKey.set(field.key, field);
  }
  // The generated code names only literals (JSON.stringify'd keys and property names) and the
  // functions of `fns`: nothing of the query is evaluated.
  const fns: unknown[] = [];
  const ref = (fn: unknown) => `f[${fns.push(fn) - 1}]`;
  const read = (f: Field) => (f.resolver ? `${ref(f.resolver)}(v)` : `v[${JSON.stringify(f.name)}]`);
  const parts: string[] = [];
  const after: string[] = [];
  for (const f of byKey.values()) {
    if (f.connection) {
      // Not a key of the object: its nodes are lines of their own, after it.
      after.push(`${ref(writeNodes)}(${read(f)}, ${ref(f.connection)}, owner, children);`);
      continue;
    }
    const value = f.object
      ? `((x = ${read(f)}) == null ? "null" : Array.isArray(x) ? ${ref(writeList)}(x, ${ref(f.object)}, owner, children) : ${ref(f.object)}(x, owner, children))`
      : `${ref(leaf)}(${read(f)})`;
    parts.push(`${JSON.stringify(`${parts.length ? "," : ""}${JSON.stringify(f.key)}:`)} + ${value}`);
  }
  const parent = JSON.stringify(parts.length ? ',"__parentId":' : '"__parentId":');
  const body = `
    const owner = (typeof v.id === "string" ? v.id : null) ?? parentId;
    let x;
    const text = "{" + ${parts.length ? parts.join(" + ") : '""'} + (childOf === undefined ? "" : ${parent} + ${ref(leaf)}(childOf)) + "}";
    ${after.join("\n")}
    return text;`;
  let factory = SERIALIZER_FACTORIES.get(body);
  if (!factory) {
    factory = new Function("f", `return function serialize(v, parentId, children, childOf) {${body}}`) as (fns: unknown[]) => Serializer;
    SERIALIZER_FACTORIES.set(body, factory);
  }
  return factory(fns);
}

/**
 * The serializers' code by their source: the next export of the same query reuses the code V8
 * optimized for the previous one instead of warming up again (exports are polled, repeated).
 */
const SERIALIZER_FACTORIES = new Map<string, (fns: unknown[]) => Serializer>();
