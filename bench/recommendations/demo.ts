// Quality of the personal and segment-aware lists on the demo shop (the generator of `npm run
// demo`, no database): train on the orders before a cut-off (90 days before the demo's end),
// then for every customer who ordered before and after it, compare the top 10 of each
// strategy with the products of their NEXT order. hit@10: the share of customers with at least
// one of those products in the list; revenue-weighted hit@10: revenue of the next orders'
// lines whose product is in the list over the revenue of all those lines.
//   node --import tsx bench/recommendations/demo.ts
import {
  NEW_ARRIVAL_DAYS,
  personalContext,
  repurchaseIntervals,
  segmentList,
  segmentRuleOf,
  trendingScores,
  unique,
  compareIds,
  type HistoryLine,
} from "../../app/domain/recommendations";
import { popularItems, scoreWeightedQuery, topItems, trainItemModel } from "../../app/domain/recommendationsModel";
import { scoreRfm } from "../../app/domain/rfm";
import { generateDemoShop } from "../../app/services/demo/generator";

const DAY = 86_400_000;
const END = new Date("2026-11-30T00:00:00Z");
const CUTOFF = new Date(END.getTime() - 90 * DAY);
const K = 10;

const demo = generateDemoShop({ endDate: END });
const orders = demo.orders
  .filter((o) => !o.test && !o.cancelled_at)
  .map((o) => ({
    customer: o.customer ? String(o.customer.id) : null,
    at: new Date(o.processed_at),
    lines: o.line_items
      .filter((li) => li.product_id != null)
      .map((li) => ({ productId: String(li.product_id), quantity: li.quantity, price: Number(li.price) })),
    total: Number(o.total_price),
  }))
  .sort((a, b) => a.at.getTime() - b.at.getTime());
const train = orders.filter((o) => o.at < CUTOFF);
const after = orders.filter((o) => o.at >= CUTOFF);
const typeOfProduct = new Map(demo.products.map((p) => [String(p.id), p.product_type || null]));

const ids = unique(train.flatMap((o) => o.lines.map((l) => l.productId))).sort(compareIds);
const index = new Map(ids.map((id, i) => [id, i]));
const t0 = performance.now();
const model = trainItemModel({
  nItems: ids.length,
  baskets: train.map((o) => Int32Array.from(unique(o.lines.map((l) => l.productId)), (id) => index.get(id)!)),
});
const trainMs = performance.now() - t0;
const popular = popularItems(model).map((i) => ids[i]);
const trending = trendingScores(
  train.flatMap((o) => o.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, at: o.at }))),
  CUTOFF,
).map((t) => t.id);
const intervals = repurchaseIntervals(
  train.flatMap((o) =>
    o.customer ? o.lines.map((l) => ({ customerKey: o.customer!, productType: typeOfProduct.get(l.productId) ?? null, at: o.at })) : [],
  ),
);
const newArrivals = demo.products
  .filter(
    (p) =>
      p.status === "active" &&
      p.published_at &&
      new Date(p.created_at) < CUTOFF &&
      new Date(p.created_at).getTime() >= CUTOFF.getTime() - NEW_ARRIVAL_DAYS * DAY,
  )
  .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
  .map((p) => String(p.id));

// RFM segments at the cut-off, from the training orders.
const byCustomer = new Map<string, typeof train>();
for (const o of train) if (o.customer) byCustomer.set(o.customer, [...(byCustomer.get(o.customer) ?? []), o]);
const segments = new Map(
  scoreRfm(
    [...byCustomer].map(([customerId, os]) => ({
      customerId,
      lastOrderAt: os[os.length - 1].at,
      orders: os.length,
      revenue: os.reduce((s, o) => s + o.total, 0),
    })),
    CUTOFF,
  ).map((s) => [s.customerId, s.segment]),
);

const nextOrder = new Map<string, (typeof after)[number]>();
for (const o of after) if (o.customer && byCustomer.has(o.customer) && !nextOrder.has(o.customer)) nextOrder.set(o.customer, o);

const fill = (list: string[], blocked: ReadonlySet<string> = new Set()) =>
  unique([...list, ...trending, ...popular])
    .filter((id) => !blocked.has(id))
    .slice(0, K);

function personalLists(customer: string) {
  const history: HistoryLine[] = byCustomer
    .get(customer)!
    .flatMap((o) => o.lines.map((l) => ({ ...l, productType: typeOfProduct.get(l.productId) ?? null, at: o.at })));
  const ctx = personalContext(history, CUTOFF, intervals);
  const query = new Map<number, number>();
  for (const [id, w] of ctx.query) if (index.has(id)) query.set(index.get(id)!, w);
  const banned = new Set([...ctx.query.keys()].map((id) => index.get(id)!).filter((i) => i !== undefined));
  const ranked = topItems(scoreWeightedQuery(model, query), new Float64Array(ids.length), 60, banned).map((i) => ids[i]);
  const personal = unique([...ctx.due, ...ranked]);
  const firstIdx = new Map<number, number>(ctx.firstOrder.filter((id) => index.has(id)).map((id) => [index.get(id)!, 1]));
  const second = topItems(scoreWeightedQuery(model, firstIdx), new Float64Array(ids.length), 60, new Set(firstIdx.keys())).map((i) => ids[i]);
  const segment = segmentList({
    rule: segmentRuleOf(segments.get(customer) ?? null),
    personal,
    secondPurchase: second,
    bestSellers: popular,
    trending,
    newArrivals,
    typeOf: (id) => typeOfProduct.get(id) ?? null,
    priceOf: () => null,
    context: ctx,
  });
  // Diagnostics: the same lists without leaving out recent purchases, and plain re-buys.
  const rebuy = [...ctx.query].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  return {
    personal: fill(personal, ctx.blocked),
    segment: fill(segment, ctx.blocked),
    personalAll: fill(unique([...rebuy, ...personal])),
    rebuy: fill(rebuy),
  };
}

const strategies = ["popularity", "trending", "personal", "segment", "personalAll", "rebuy"] as const;
const stats = Object.fromEntries(strategies.map((s) => [s, { hits: 0, revenueHit: 0 }])) as Record<
  (typeof strategies)[number],
  { hits: number; revenueHit: number }
>;
let revenueAll = 0;
for (const [customer, next] of nextOrder) {
  const lists = { popularity: popular.slice(0, K), trending: fill([]), ...personalLists(customer) };
  const revenue = next.lines.reduce((s, l) => s + l.price * l.quantity, 0);
  revenueAll += revenue;
  for (const s of strategies) {
    const set = new Set(lists[s]);
    if (next.lines.some((l) => set.has(l.productId))) stats[s].hits++;
    stats[s].revenueHit += next.lines.filter((l) => set.has(l.productId)).reduce((a, l) => a + l.price * l.quantity, 0);
  }
}
console.log(
  `demo shop: ${orders.length} counted orders, ${train.length} before the cut-off ${CUTOFF.toISOString().slice(0, 10)}, ${ids.length} products sold; model trained in ${trainMs.toFixed(0)} ms; ${nextOrder.size} customers ordered again after it`,
);
console.log("| strategy | hit@10 | revenue-weighted hit@10 |");
console.log("|---|---|---|");
for (const s of strategies)
  console.log(`| ${s} | ${(stats[s].hits / nextOrder.size).toFixed(4)} | ${(stats[s].revenueHit / revenueAll).toFixed(4)} |`);
