// Resolvers of the simulated Admin API: views over the store's records (graphql-js calls a
// property that is a function with the field's arguments), Shopify-style connections and the
// search syntax Rapport uses (`updated_at:>=…`, `created_at:<…`).
import type { MetafieldValue, SimCustomer, SimOrder, SimProduct, SimShop } from "./store";

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

/** Filters of Shopify's search syntax that the simulator understands; other terms are ignored. */
export function searchFilter(query: string | null | undefined): (item: { createdAt: string; updatedAt: string }) => boolean {
  const tests: Array<(item: { createdAt: string; updatedAt: string }) => boolean> = [];
  for (const match of (query ?? "").matchAll(/\b(updated_at|created_at):(>=|<=|>|<)?['"]?([^'"\s]+)['"]?/g)) {
    const field = match[1] === "updated_at" ? "updatedAt" : "createdAt";
    const op = match[2] ?? "=";
    const at = Date.parse(match[3]);
    if (Number.isNaN(at)) continue;
    tests.push((item) => {
      const v = Date.parse(item[field]);
      return op === ">" ? v > at : op === ">=" ? v >= at : op === "<" ? v < at : op === "<=" ? v <= at : v === at;
    });
  }
  return (item) => tests.every((t) => t(item));
}

const numericId = (id: string) => Number(id.slice(id.lastIndexOf("/") + 1));

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
  list.sort((a, b) => by(a) - by(b) || numericId(a.id) - numericId(b.id));
  if (args.reverse) list.reverse();
  return list;
}

export function resolveNamespace(namespace: string | null | undefined, appId: number): string {
  const ns = namespace ?? "$app";
  return ns.startsWith("$app") ? `app--${appId}${ns.slice(4) ? `--${ns.slice(5)}` : ""}` : ns;
}

function metafieldView(m: MetafieldValue, ownerId: string) {
  return { ...m, id: `gid://shopify/Metafield/${Buffer.from(`${ownerId}|${m.namespace}|${m.key}`).toString("hex").slice(0, 24)}` };
}

export function customerView(c: SimCustomer, ctx: ViewContext) {
  return {
    ...c,
    displayName: [c.firstName, c.lastName].filter(Boolean).join(" ") || c.defaultEmailAddress?.emailAddress || "",
    metafield: (args: { namespace?: string; key: string }) => {
      const m = c.metafields.get(`${resolveNamespace(args.namespace, ctx.appId)}.${args.key}`);
      return m ? metafieldView(m, c.id) : null;
    },
    metafields: (args: ConnectionArgs & { namespace?: string; keys?: string[] }) => {
      const ns = args.namespace ? resolveNamespace(args.namespace, ctx.appId) : null;
      const list = [...c.metafields.values()]
        .filter((m) => (!ns || m.namespace === ns) && (!args.keys || args.keys.includes(`${m.namespace}.${m.key}`)))
        .map((m) => ({ ...m, id: `${m.namespace}.${m.key}` }));
      return connection(list, args, (m) => metafieldView(m, c.id));
    },
  };
}

export function productView(p: SimProduct) {
  return { ...p, variants: (args: ConnectionArgs) => connection(p.variants, args, (v) => v) };
}

export function orderView(o: SimOrder, ctx: ViewContext) {
  const customer = o.customerId ? ctx.shop.customers.get(o.customerId) : undefined;
  return {
    ...o,
    customer: customer ? customerView(customer, ctx) : null,
    refunds: (args: { first?: number | null; __bulk?: boolean }) =>
      (args.__bulk || args.first == null ? o.refunds : o.refunds.slice(0, args.first)).map((r) => ({
        ...r,
        refundLineItems: (a: ConnectionArgs) => connection(r.refundLineItems, a, (x) => x),
      })),
    lineItems: (args: ConnectionArgs) =>
      connection(o.lineItems, args, (li) => ({ ...li, name: li.variantTitle ? `${li.title} - ${li.variantTitle}` : li.title })),
  };
}

export function visibleOrders(ctx: ViewContext): SimOrder[] {
  const from = ctx.ordersVisibleFrom;
  const all = [...ctx.shop.orders.values()];
  return from === null ? all : all.filter((o) => Date.parse(o.createdAt) >= from);
}
