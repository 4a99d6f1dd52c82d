// Resolvers of the simulated Admin API: views over the store's records (graphql-js calls a
// property that is a function with the field's arguments), Shopify-style connections and the
// search syntax Rapport uses (`updated_at:>=…`, `created_at:<…`, `id:>=…`).
import type { MetafieldValue, SimCustomer, SimLineItem, SimOrder, SimProduct, SimRefund, SimShop } from "./store";

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  query?: string | null;
  sortKey?: string | null;
  reverse?: boolean | null;
  /** Set by the bulk executor: every item, no pagination. */
  __bulk?: boolean;
}

export interface ViewContext {
  shop: SimShop;
  /** Orders created before this instant are hidden (no read_all_orders scope). */
  ordersVisibleFrom: number | null;
  /** `$app:` namespaces resolve to `app--<id>--`. */
  appId: number;
}

const encode = (key: string) => Buffer.from(key).toString("base64url");
const decode = (cursor: string) => {
  try {
    return Buffer.from(cursor, "base64url").toString();
  } catch {
    return "";
  }
};

export class ArgumentError extends Error {}

/** Shopify's connection: edges/node/cursor, nodes and pageInfo over an ordered list. */
export function connection<T extends { id: string }, V>(items: T[], args: ConnectionArgs, view: (item: T) => V) {
  if (args.__bulk) {
    const all = items.map(view);
    return { edges: all.map((node) => ({ cursor: "", node })), nodes: all, pageInfo: { hasNextPage: false, hasPreviousPage: false } };
  }
  if (args.first == null && args.last == null) throw new ArgumentError("you must provide one of first or last");
  if ((args.first ?? 0) > 250 || (args.last ?? 0) > 250) throw new ArgumentError("The maximum page size is 250");
  let start = 0;
  let end = items.length;
  if (args.after) {
    const id = decode(args.after);
    const at = items.findIndex((i) => i.id === id);
    start = at >= 0 ? at + 1 : end;
  }
  if (args.before) {
    const id = decode(args.before);
    const at = items.findIndex((i) => i.id === id);
    end = at >= 0 ? at : end;
  }
  let slice = items.slice(start, end);
  let hasNextPage = end < items.length;
  let hasPreviousPage = start > 0;
  if (args.first != null) {
    hasNextPage = slice.length > args.first || hasNextPage;
    slice = slice.slice(0, args.first);
  } else if (args.last != null) {
    hasPreviousPage = slice.length > args.last || hasPreviousPage;
    slice = slice.slice(Math.max(0, slice.length - args.last));
  }
  const edges = slice.map((item) => ({ cursor: encode(item.id), node: view(item) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

type Searchable = { id: string; createdAt: string; updatedAt: string };

/**
 * Filters of Shopify's search syntax that the simulator understands, ANDed; other terms are
 * ignored. `created_at`/`updated_at` compare instants; `id` compares the legacy (numeric) id,
 * as shopify.dev documents for its connections' `id` filter ("Filter by `id` range":
 * `id:1234`, `id:>=1234`, `id:<=1234`), which is how an export is split into id ranges.
 */
export function searchFilter(query: string | null | undefined): (item: Searchable) => boolean {
  const tests: Array<(item: Searchable) => boolean> = [];
  for (const match of (query ?? "").matchAll(/\b(updated_at|created_at|id):(>=|<=|>|<)?['"]?([^'"\s]+)['"]?/g)) {
    const op = match[2] ?? "=";
    const read: (item: Searchable) => number =
      match[1] === "id"
        ? (item) => numericId(item.id)
        : match[1] === "updated_at"
          ? (item) => Date.parse(item.updatedAt)
          : (item) => Date.parse(item.createdAt);
    const at = match[1] === "id" ? legacyId(match[3]) : Date.parse(match[3]);
    if (Number.isNaN(at)) continue;
    tests.push((item) => {
      const v = read(item);
      return op === ">" ? v > at : op === ">=" ? v >= at : op === "<" ? v < at : op === "<=" ? v <= at : v === at;
    });
  }
  return (item) => tests.every((t) => t(item));
}

const numericId = (id: string) => Number(id.slice(id.lastIndexOf("/") + 1));
/** An `id:` term's value: the legacy id, or a gid (its last segment is the legacy id). */
const legacyId = (value: string) => Number(/^(?:gid:\/\/shopify\/\w+\/)?(\d+)$/.exec(value)?.[1] ?? Number.NaN);

/** Sorted and filtered list for a top-level connection. */
export function listFor<T extends { id: string; createdAt: string; updatedAt: string }>(
  items: Iterable<T>,
  args: ConnectionArgs,
  dateKey?: (item: T) => string,
): T[] {
  const filter = searchFilter(args.query);
  const list = [...items].filter(filter);
  const key = args.sortKey ?? "ID";
  const by =
    key === "UPDATED_AT"
      ? (t: T) => Date.parse(t.updatedAt)
      : key === "CREATED_AT"
        ? (t: T) => Date.parse(t.createdAt)
        : key === "PROCESSED_AT" && dateKey
          ? (t: T) => Date.parse(dateKey(t))
          : (t: T) => numericId(t.id);
  // The keys are read once per object, not once per comparison: a million orders sorted by a
  // parsed date took seconds (and a bulk export sorts its objects first).
  const order = list.map((_, i) => i);
  const keys = new Float64Array(list.length);
  const ids = new Float64Array(list.length);
  list.forEach((t, i) => {
    keys[i] = by(t);
    ids[i] = numericId(t.id);
  });
  order.sort((a, b) => keys[a] - keys[b] || ids[a] - ids[b]);
  const sorted = order.map((i) => list[i]);
  if (args.reverse) sorted.reverse();
  return sorted;
}

/** How many of `items` a search matches (a count needs no sort). */
export function countFor<T extends Searchable>(items: Iterable<T>, query: string | null | undefined): number {
  const filter = searchFilter(query);
  let n = 0;
  for (const item of items) if (filter(item)) n++;
  return n;
}

export function resolveNamespace(namespace: string | null | undefined, appId: number): string {
  const ns = namespace ?? "$app";
  return ns.startsWith("$app") ? `app--${appId}${ns.slice(4) ? `--${ns.slice(5)}` : ""}` : ns;
}

function metafieldView(m: MetafieldValue, ownerId: string) {
  return { ...m, id: `gid://shopify/Metafield/${Buffer.from(`${ownerId}|${m.namespace}|${m.key}`).toString("hex").slice(0, 24)}` };
}

/** LineItem.name: the product's title and the variant's, as Shopify composes it. */
const lineItemName = (li: SimLineItem) => (li.variantTitle ? `${li.title} - ${li.variantTitle}` : li.title);

const displayName = (c: SimCustomer) => [c.firstName, c.lastName].filter(Boolean).join(" ") || c.defaultEmailAddress?.emailAddress || "";

function customerMetafield(c: SimCustomer, args: { namespace?: string; key: string }, ctx: ViewContext) {
  const m = c.metafields.get(`${resolveNamespace(args.namespace, ctx.appId)}.${args.key}`);
  return m ? metafieldView(m, c.id) : null;
}

/** Customer.metafields' items (their `id` is the cursor's key; metafieldView gives the node's). */
function customerMetafields(c: SimCustomer, args: { namespace?: string; keys?: string[] }, ctx: ViewContext) {
  const ns = args.namespace ? resolveNamespace(args.namespace, ctx.appId) : null;
  return [...c.metafields.values()]
    .filter((m) => (!ns || m.namespace === ns) && (!args.keys || args.keys.includes(`${m.namespace}.${m.key}`)))
    .map((m) => ({ ...m, id: `${m.namespace}.${m.key}` }));
}

const orderCustomer = (o: SimOrder, ctx: ViewContext) => (o.customerId ? ctx.shop.customers.get(o.customerId) : undefined);

export function customerView(c: SimCustomer, ctx: ViewContext) {
  return {
    ...c,
    displayName: displayName(c),
    metafield: (args: { namespace?: string; key: string }) => customerMetafield(c, args, ctx),
    metafields: (args: ConnectionArgs & { namespace?: string; keys?: string[] }) =>
      connection(customerMetafields(c, args, ctx), args, (m) => metafieldView(m, c.id)),
  };
}

export function productView(p: SimProduct) {
  return { ...p, variants: (args: ConnectionArgs) => connection(p.variants, args, (v) => v) };
}

export function orderView(o: SimOrder, ctx: ViewContext) {
  const customer = orderCustomer(o, ctx);
  return {
    ...o,
    customer: customer ? customerView(customer, ctx) : null,
    refunds: (args: { first?: number | null; __bulk?: boolean }) =>
      (args.__bulk || args.first == null ? o.refunds : o.refunds.slice(0, args.first)).map((r) => ({
        ...r,
        refundLineItems: (a: ConnectionArgs) => connection(r.refundLineItems, a, (x) => x),
      })),
    lineItems: (args: ConnectionArgs) => connection(o.lineItems, args, (li) => ({ ...li, name: lineItemName(li) })),
  };
}

/**
 * A field of a type that the stored record does not hold as such: computed from it. `never`:
 * each resolver names its own record type; the bulk executor passes the right one.
 */
export type BulkResolver = (source: never, args: Record<string, unknown>, ctx: ViewContext) => unknown;

/**
 * The bulk export's resolvers, by GraphQL type then field: the same values as the views above,
 * computed from the stored records without making a view of every exported object (every
 * other field is the record's property of that name). A connection's resolver gives all its
 * nodes: a bulk export has no pages.
 */
export const BULK_RESOLVERS: Record<string, Record<string, BulkResolver>> = {
  Order: {
    customer: (o: SimOrder, _args, ctx) => orderCustomer(o, ctx) ?? null,
    refunds: (o: SimOrder) => o.refunds,
    lineItems: (o: SimOrder) => o.lineItems,
  },
  Refund: { refundLineItems: (r: SimRefund) => r.refundLineItems },
  LineItem: { name: (li: SimLineItem) => lineItemName(li) },
  Customer: {
    displayName: (c: SimCustomer) => displayName(c),
    metafield: (c: SimCustomer, args, ctx) => customerMetafield(c, args as { namespace?: string; key: string }, ctx),
    metafields: (c: SimCustomer, args, ctx) =>
      customerMetafields(c, args as { namespace?: string; keys?: string[] }, ctx).map((m) => metafieldView(m, c.id)),
  },
  Product: { variants: (p: SimProduct) => p.variants },
};

export function visibleOrders(ctx: ViewContext): SimOrder[] {
  const from = ctx.ordersVisibleFrom;
  const all = [...ctx.shop.orders.values()];
  return from === null ? all : all.filter((o) => Date.parse(o.createdAt) >= from);
}
