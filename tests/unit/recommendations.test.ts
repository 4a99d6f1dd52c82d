// The recommendation engine's pure parts on small examples worked out by hand or with an
// independent formula (docs/metrics.md "Recommendations", ADR 008).
import { describe, expect, it } from "vitest";
import {
  diversify,
  finalList,
  ineligibility,
  personalContext,
  repurchaseIntervals,
  resolveStrategy,
  segmentList,
  segmentRuleOf,
  SEGMENT_RECOMMENDATION_RULES,
  trendingScores,
  type EligibilityProduct,
  type EligibilityRules,
  type SegmentInputs,
} from "~/domain/recommendations";
import { parseRecommendationSettings, productIdOf } from "~/domain/recommendationSettings";
import { spdInverse } from "~/domain/recommendationsLinalg";
import {
  DEFAULT_ITEM_MODEL_OPTIONS,
  decodeItemModel,
  easeFromGram,
  encodeItemModel,
  gramMatrix,
  knnSimilarity,
  recommendForQuery,
  trainItemModel,
  type BasketSet,
} from "~/domain/recommendationsModel";
import { BUILT_IN_SEGMENT_KEYS } from "~/domain/rfm";

const NOW = new Date("2026-11-30T12:00:00Z");
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

/** Solves A·x = b by Gaussian elimination with partial pivoting (independent of the Cholesky code). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

describe("linear algebra", () => {
  it("inverts a symmetric positive-definite matrix (A·A⁻¹ = I)", () => {
    const a = [4, 2, 0.6, 1, 2, 5, 1, 0, 0.6, 1, 3, 0.5, 1, 0, 0.5, 2];
    const inv = spdInverse(Float64Array.from(a), 4);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += a[i * 4 + k] * inv[k * 4 + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
  });
});

describe("EASE", () => {
  // Baskets of 3 items: {0,1}, {0,1,2}, {1,2}, {0}.
  const data: BasketSet = { nItems: 3, baskets: [[0, 1], [0, 1, 2], [1, 2], [0]].map((b) => Int32Array.from(b)) };
  const X = [
    [1, 1, 0],
    [1, 1, 1],
    [0, 1, 1],
    [1, 0, 0],
  ];

  it("builds the Gram matrix XᵀX", () => {
    expect(Array.from(gramMatrix(data, Int32Array.from([0, 1, 2]), 3))).toEqual([3, 2, 1, 2, 3, 2, 1, 2, 2]);
  });

  it("equals, column by column, the ridge regression of each item on the others (Steck's closed form)", () => {
    const lambda = 0.5;
    const b = easeFromGram(gramMatrix(data, Int32Array.from([0, 1, 2]), 3), 3, lambda);
    for (let j = 0; j < 3; j++) {
      const others = [0, 1, 2].filter((i) => i !== j);
      // (X₋ⱼᵀX₋ⱼ + λI)·β = X₋ⱼᵀ·xⱼ
      const a = others.map((p) => others.map((q) => X.reduce((s, row) => s + row[p] * row[q], 0) + (p === q ? lambda : 0)));
      const rhs = others.map((p) => X.reduce((s, row) => s + row[p] * row[j], 0));
      const beta = solve(a, rhs);
      expect(b[j * 3 + j]).toBe(0);
      others.forEach((i, t) => expect(b[i * 3 + j]).toBeCloseTo(beta[t], 12));
    }
  });

  it("by hand on two items: B(0,1) = G01 / (G00 + λ)", () => {
    // Baskets {0,1}, {0}, {1}: G = [[2,1],[1,2]]; with λ = 1, B(0,1) = 1 / 3.
    const g = Float64Array.from([2, 1, 1, 2]);
    const b = easeFromGram(g, 2, 1);
    expect(b[1]).toBeCloseTo(1 / 3, 14);
    expect(b[2]).toBeCloseTo(1 / 3, 14);
  });
});

describe("kNN and the trained model", () => {
  it("asymmetric cosine: c / (nᵢ^α · nⱼ^(1−α))", () => {
    expect(knnSimilarity(2, 4, 1, 0.5)).toBe(1);
    expect(knnSimilarity(2, 4, 1, 1)).toBe(0.5);
  });

  it("kNN only: neighbours by similarity, the query excluded, popularity filling the rest", () => {
    // 0 and 1 are bought together twice, 0 and 2 once; 3 is popular alone.
    const data: BasketSet = { nItems: 4, baskets: [[0, 1], [0, 1], [0, 2], [3], [3], [3], [3]].map((b) => Int32Array.from(b)) };
    const model = trainItemModel(data, { ...DEFAULT_ITEM_MODEL_OPTIONS, easeItems: 0, intercept: false, dropout: 0 });
    // sim(0,1) = 2/√(3·2) = 0.816…, sim(0,2) = 1/√3 = 0.577…; then 3 by popularity.
    expect(recommendForQuery(model, [0], 3)).toEqual([1, 2, 3]);
    expect(Array.from(model.weight.subarray(model.offset[0], model.offset[1]))).toEqual([
      Math.fround(2 / Math.sqrt(6)),
      Math.fround(1 / Math.sqrt(3)),
    ]);
  });

  it("round-trips through the stored binary form", () => {
    const data: BasketSet = { nItems: 4, baskets: [[0, 1], [0, 1, 2], [1, 2, 3], [3]].map((b) => Int32Array.from(b)) };
    const model = trainItemModel(data);
    const back = decodeItemModel(encodeItemModel(model));
    expect(back).toEqual(model);
  });
});

describe("trending", () => {
  it("weighs each line by 2^(−age / 7 days) over the last 14 days", () => {
    const scores = trendingScores(
      [
        { productId: "1", quantity: 2, at: daysAgo(7) }, // 2 · ½ = 1
        { productId: "2", quantity: 1, at: daysAgo(0) }, // 1
        { productId: "2", quantity: 1, at: daysAgo(14) }, // ¼
        { productId: "3", quantity: 5, at: daysAgo(15) }, // outside the window
        { productId: "4", quantity: 1, at: new Date(NOW.getTime() + DAY) }, // future: ignored
      ],
      NOW,
    );
    expect(scores).toEqual([
      { id: "2", score: 1.25 },
      { id: "1", score: 1 },
    ]);
  });
});

describe("repurchase intervals and the personal list", () => {
  const buys = (customer: string, type: string, ...days: number[]) => days.map((d) => ({ customerKey: customer, productType: type, at: daysAgo(d) }));
  const purchases = [
    ...buys("a", "Coffee", 100, 70, 40, 10), // gaps 30, 30, 30
    ...buys("b", "Coffee", 90, 62, 28), // gaps 28, 34
    ...buys("c", "Coffee", 5),
    ...buys("a", "Teapot", 200),
    ...buys("b", "Teapot", 150),
  ];

  it("learns the median gap of types bought again and again only", () => {
    // Coffee: gaps 28, 30, 30, 30, 34 → median 30; 2 of 3 buyers repeat. Teapots: no gap.
    expect(repurchaseIntervals(purchases)).toEqual(new Map([["Coffee", 30]]));
    expect(repurchaseIntervals(purchases, 6)).toEqual(new Map());
  });

  it("blocks recent purchases unless their type is due again", () => {
    const ctx = personalContext(
      [
        { productId: "10", productType: "Coffee", quantity: 1, price: 12, at: daysAgo(27) }, // 27 ≥ 0.8·30: due
        { productId: "11", productType: "Coffee", quantity: 1, price: 12, at: daysAgo(10) }, // not yet
        { productId: "20", productType: "Teapot", quantity: 1, price: 40, at: daysAgo(30) }, // recent, not repurchasable
        { productId: "30", productType: "Mug", quantity: 2, price: 8, at: daysAgo(120) }, // long ago: allowed
      ],
      NOW,
      new Map([["Coffee", 30]]),
    );
    expect(ctx.due).toEqual(["10"]);
    expect([...ctx.blocked].sort()).toEqual(["11", "20"]);
    expect(ctx.favouriteTypes).toEqual(["Teapot", "Coffee", "Mug"]);
    expect(ctx.meanPrice).toBe((12 + 12 + 40 + 16) / 5);
    expect(ctx.firstOrder).toEqual(["30"]);
    // Recency weight: 2^(−age / 90 days).
    expect(ctx.query.get("30")).toBeCloseTo(Math.pow(2, -120 / 90), 12);
  });
});

describe("segment rules", () => {
  const types: Record<string, string> = {
    p1: "Tea",
    p2: "Coffee",
    n1: "Tea",
    n2: "Cake",
    b1: "Cake",
    b2: "Tea",
    t1: "Cake",
    t2: "Coffee",
    s1: "Cups",
  };
  const base: SegmentInputs = {
    rule: "personal",
    personal: ["p1", "p2"],
    secondPurchase: ["s1"],
    bestSellers: ["b1", "b2"],
    trending: ["t1", "t2"],
    newArrivals: ["n2", "n1"],
    typeOf: (id) => types[id] ?? null,
    priceOf: (id) => ({ p1: 5, p2: 20 })[id] ?? null,
    context: { favouriteTypes: ["Tea", "Coffee"], meanPrice: 10 },
  };
  it("has a rule for every built-in segment", () => {
    for (const key of BUILT_IN_SEGMENT_KEYS) expect(SEGMENT_RECOMMENDATION_RULES[key]).toBeDefined();
    expect(segmentRuleOf(null)).toBe("personal");
    expect(segmentRuleOf("vip_custom")).toBe("personal");
  });
  it("champions: new arrivals of favourite types, then premium personal items", () => {
    expect(segmentList({ ...base, rule: segmentRuleOf("champions") })).toEqual(["n1", "n2", "p2", "p1"]);
  });
  it("at risk and can't lose them: best sellers of favourite types, then personal", () => {
    expect(segmentList({ ...base, rule: segmentRuleOf("at_risk") })).toEqual(["b2", "p1", "p2"]);
    expect(segmentList({ ...base, rule: segmentRuleOf("cant_lose_them") })).toEqual(["b2", "p1", "p2"]);
  });
  it("new customers and promising: the best second purchases given the first order", () => {
    expect(segmentList({ ...base, rule: segmentRuleOf("new_customers") })).toEqual(["s1", "p1", "p2"]);
  });
  it("need attention: trending items of favourite types first", () => {
    expect(segmentList({ ...base, rule: segmentRuleOf("need_attention") })).toEqual(["t2", "p1", "p2"]);
  });
  it("lost: the shop's best sellers; loyal customers: the personal list", () => {
    expect(segmentList({ ...base, rule: segmentRuleOf("lost") })).toEqual(["b1", "b2"]);
    expect(segmentList({ ...base, rule: segmentRuleOf("loyal_customers") })).toEqual(["p1", "p2"]);
  });
});

describe("strategies", () => {
  it("automatic: product → bought together, cart → complements, else for you when logged in, else trending", () => {
    const ctx = { productId: "1", cartSize: 0, customerId: null };
    expect(resolveStrategy("automatic", "product", ctx)).toBe("bought_together");
    expect(resolveStrategy("automatic", "cart", { ...ctx, productId: null, cartSize: 2 })).toBe("cart_complements");
    expect(resolveStrategy("automatic", "cart", { ...ctx, productId: null })).toBe("trending");
    expect(resolveStrategy("automatic", "home", { ...ctx, customerId: "9" })).toBe("for_you");
    expect(resolveStrategy("automatic", "home", ctx)).toBe("trending");
    expect(resolveStrategy("for_you", "product", ctx)).toBe("trending");
    expect(resolveStrategy("bought_together", "home", { ...ctx, productId: null, cartSize: 1 })).toBe("cart_complements");
  });
});

describe("eligibility, diversity and pins", () => {
  const product = (id: string, over: Partial<EligibilityProduct> = {}): EligibilityProduct => ({
    id,
    status: "active",
    publishedAt: daysAgo(10),
    available: true,
    price: 10,
    giftCard: false,
    productType: "Tea",
    tags: [],
    ...over,
  });
  const rules: EligibilityRules = {
    currentProductId: "1",
    cartProductIds: new Set(["2"]),
    excludedProductIds: new Set(["3"]),
    excludedTags: new Set(["no-recs"]),
    blocked: new Set(["4"]),
  };
  it("names why a product is not shown", () => {
    expect(ineligibility(product("9"), rules, NOW)).toBeNull();
    expect(ineligibility(product("9", { status: "draft" }), rules, NOW)).toBe("not_active");
    expect(ineligibility(product("9", { publishedAt: null }), rules, NOW)).toBe("not_published");
    expect(ineligibility(product("9", { available: false }), rules, NOW)).toBe("unavailable");
    expect(ineligibility(product("9", { price: 0 }), rules, NOW)).toBe("no_price");
    expect(ineligibility(product("9", { giftCard: true }), rules, NOW)).toBe("gift_card");
    expect(ineligibility(product("1"), rules, NOW)).toBe("current_product");
    expect(ineligibility(product("2"), rules, NOW)).toBe("in_cart");
    expect(ineligibility(product("3"), rules, NOW)).toBe("excluded_product");
    expect(ineligibility(product("9", { tags: ["No-Recs"] }), rules, NOW)).toBe("excluded_tag");
    expect(ineligibility(product("4"), rules, NOW)).toBe("bought_recently");
  });
  it("keeps at most N of a type among K, and fills with the rest rather than come up short", () => {
    const items = ["a:Tea", "b:Tea", "c:Tea", "d:Cake", "e:Tea", "f:Cake"];
    const typeOf = (s: string) => s.split(":")[1];
    expect(diversify(items, typeOf, 2, 4)).toEqual(["a:Tea", "b:Tea", "d:Cake", "f:Cake"]);
    expect(diversify(items, typeOf, 1, 4)).toEqual(["a:Tea", "d:Cake", "b:Tea", "c:Tea"]);
  });
  it("puts eligible pins first, then eligible candidates, diversified", () => {
    const products = new Map(
      [product("10"), product("11"), product("12", { productType: "Cake" }), product("13", { available: false }), product("14")].map((p) => [
        p.id,
        p,
      ]),
    );
    const list = finalList(["10", "11", "14", "12"], products, { pins: ["13", "14"], rules, maxPerType: 1, limit: 3, now: NOW });
    expect(list.map((p) => p.id)).toEqual(["14", "10", "12"]);
  });
});

describe("settings", () => {
  it("completes a partial object with the defaults and normalises ids and tags", () => {
    const r = parseRecommendationSettings({
      pinnedProductIds: [123, "gid://shopify/Product/456", "123"],
      excludedTags: [" Sale "],
      strategies: { cart: "trending" },
    });
    expect(r).toEqual({
      ok: true,
      settings: {
        strategies: { product: "automatic", cart: "trending", home: "automatic", collection: "automatic" },
        pinnedProductIds: ["123", "456"],
        excludedProductIds: [],
        excludedTags: ["sale"],
        maxPerType: 3,
      },
    });
  });
  it("names every bad field", () => {
    const r = parseRecommendationSettings({ strategies: { footer: "automatic", cart: "random" }, excludedProductIds: ["abc"], maxPerType: 0 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toEqual(["strategies.footer", "strategies.cart", "excludedProductIds[0]", "maxPerType"]);
    expect(productIdOf("0")).toBeNull();
  });
});
