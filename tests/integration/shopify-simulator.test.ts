// The Admin API simulator against shopify.dev's documented examples (quoted below), over HTTP.
/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are read field by field and checked by the assertions */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShopifySimulator, DEFAULT_TOKEN } from "../../cli/simulator/server";

// shopify.dev, "Perform bulk operations with the GraphQL Admin API", step 1 (the mutation and its
// documented answer; the answer's cost is for a bucket of 1,000 points restoring 50 per second).
const DOC_BULK_MUTATION = `mutation {
  bulkOperationRunQuery(
   query: """
    {
      products {
        edges {
          node {
            id
            title
          }
        }
      }
    }
    """
  ) {
    bulkOperation {
      id
      status
    }
    userErrors {
      field
      message
    }
  }
}`;
const DOC_BULK_ANSWER_COST = {
  requestedQueryCost: 10,
  actualQueryCost: 10,
  throttleStatus: { maximumAvailable: 1000.0, currentlyAvailable: 990, restoreRate: 50.0 },
};

// shopify.dev, same guide, "Download result data": nested connections are separate lines that
// name their parent with __parentId.
const DOC_JSONL_EXAMPLE = [
  '{"id":"gid://shopify/Product/1921569226808"}',
  '{"id":"gid://shopify/ProductVariant/19435458986040","__parentId":"gid://shopify/Product/1921569226808"}',
];

// A throttled answer as Shopify sends it (community.shopify.com thread 8456, confirmed shape):
// {"errors":[{"message":"Throttled"}],"extensions":{"cost":{"requestedQueryCost":202,
//  "actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":118,"restoreRate":50.0}}}}

describe("Shopify Admin API simulator", () => {
  let sim: ShopifySimulator;
  let origin: string;
  const post = async (body: unknown, token: string | null = DEFAULT_TOKEN, version = "2026-10") => {
    const response = await fetch(`${origin}/admin/api/${version}/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(token ? { "X-Shopify-Access-Token": token } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  // Tests after the throttling test start with a partly drained bucket (restoreRate points per
  // second): wait for it to refill as a client must, so the result never depends on timing.
  const postWhenAffordable = async (body: unknown) => {
    for (;;) {
      const answer = await post(body);
      if (answer.body.errors?.[0]?.extensions?.code !== "THROTTLED") return answer;
      const { requestedQueryCost, throttleStatus } = answer.body.extensions.cost;
      await new Promise((resolve) =>
        setTimeout(resolve, (1000 * (requestedQueryCost - throttleStatus.currentlyAvailable)) / throttleStatus.restoreRate + 20),
      );
    }
  };

  beforeAll(async () => {
    sim = new ShopifySimulator({
      customers: 30,
      orders: 60,
      products: 8,
      endDate: new Date("2026-06-30T00:00:00Z"),
      maximumAvailable: 1000,
      restoreRate: 50,
    });
    origin = await sim.start();
  }, 60_000);
  afterAll(() => sim?.stop());

  it("answers the documented bulk mutation with the documented shape and cost", async () => {
    const { status, body } = await post({ query: DOC_BULK_MUTATION });
    expect(status).toBe(200);
    expect(body.data.bulkOperationRunQuery.userErrors).toEqual([]);
    expect(body.data.bulkOperationRunQuery.bulkOperation).toEqual({
      id: expect.stringMatching(/^gid:\/\/shopify\/BulkOperation\/\d+$/),
      status: "CREATED",
    });
    expect(body.extensions.cost).toEqual(DOC_BULK_ANSWER_COST);
  });

  it("exports nested connections as lines with __parentId, like the documented JSONL", async () => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // the previous export finishes
    const query = "{ products { edges { node { id variants { edges { node { id } } } } } } }";
    const started = await post({
      query: `mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: true) { bulkOperation { id } userErrors { message } } }`,
      variables: { q: query },
    });
    const id = started.body.data.bulkOperationRunQuery.bulkOperation.id;
    let op: Record<string, any>;
    for (;;) {
      op = (await post({ query: `query($id: ID!) { bulkOperation(id: $id) { status url objectCount rootObjectCount } }`, variables: { id } })).body
        .data.bulkOperation;
      if (op.status === "COMPLETED") break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const lines = (await (await fetch(op.url)).text()).trim().split("\n");
    const variants = [...sim.shop.products.values()].reduce((n, p) => n + p.variants.length, 0);
    expect(op.rootObjectCount).toBe("8");
    expect(op.objectCount).toBe(String(8 + variants));
    expect(lines).toHaveLength(8 + variants);
    // Same keys, same id forms as the documentation's two lines.
    const [product, variant] = lines.map((l) => JSON.parse(l));
    expect(Object.keys(product)).toEqual(Object.keys(JSON.parse(DOC_JSONL_EXAMPLE[0])));
    expect(Object.keys(variant)).toEqual(Object.keys(JSON.parse(DOC_JSONL_EXAMPLE[1])));
    expect(product.id).toMatch(/^gid:\/\/shopify\/Product\/\d+$/);
    expect(variant.__parentId).toBe(product.id);
    // currentBulkOperation is the same operation.
    const current = await post({ query: "{ currentBulkOperation { id status } }" });
    expect(current.body.data.currentBulkOperation).toEqual({ id, status: "COMPLETED" });
  });

  it("refuses a second bulk query while one runs before API version 2026-01 (userErrors, not an exception)", async () => {
    sim.bulkChunk = 1;
    // "In API versions prior to 2026-01, apps are limited to running a single bulk operation at a time per shop."
    const run = (q: string) =>
      post(
        {
          query: `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { field message code } } }`,
          variables: { q },
        },
        DEFAULT_TOKEN,
        "2025-10",
      );
    const first = await run("{ orders { edges { node { id } } } }");
    const second = await run("{ customers { edges { node { id } } } }");
    expect(first.body.data.bulkOperationRunQuery.userErrors).toEqual([]);
    expect(second.body.data.bulkOperationRunQuery).toEqual({
      bulkOperation: null,
      userErrors: [
        {
          field: ["query"],
          message: `A bulk query operation for this app and shop is already in progress: ${first.body.data.bulkOperationRunQuery.bulkOperation.id}.`,
          code: "OPERATION_IN_PROGRESS",
        },
      ],
    });
    sim.bulkChunk = 500;
  });

  it("charges by calculated cost and throttles with THROTTLED and the bucket's state", async () => {
    const query = "{ orders(first: 10) { edges { node { id lineItems(first: 5) { edges { node { id } } } } } } }";
    // 2 + 10 × (order 1 + lineItems connection (2 + 5 × 1)) = 82 requested.
    const ok = await post({ query });
    expect(ok.body.extensions.cost.requestedQueryCost).toBe(82);
    expect(ok.body.extensions.cost.actualQueryCost).toBeLessThanOrEqual(82);
    sim.faults.push({ kind: "throttle" });
    const throttled = await post({ query });
    expect(throttled.status).toBe(200);
    expect(throttled.body.errors).toEqual([
      { message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } },
    ]);
    expect(throttled.body.data).toBeUndefined();
    expect(throttled.body.extensions.cost).toMatchObject({
      requestedQueryCost: 82,
      actualQueryCost: null,
      throttleStatus: { maximumAvailable: 1000, restoreRate: 50 },
    });
    expect(throttled.body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(82);
  });

  it("rejects a query over 1,000 points with MAX_COST_EXCEEDED", async () => {
    const { body } = await post({ query: "{ orders(first: 250) { edges { node { id lineItems(first: 250) { edges { node { id } } } } } } }" });
    expect(body.errors[0].extensions.code).toBe("MAX_COST_EXCEEDED");
  });

  it("paginates with cursors and pageInfo", async () => {
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { body } = await postWhenAffordable({
        query: "query($after: String) { customers(first: 7, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }",
        variables: { after },
      });
      const page = body.data.customers;
      ids.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });

  it("needs X-Shopify-Access-Token", async () => {
    const { status, body } = await post({ query: "{ shop { name } }" }, null);
    expect(status).toBe(401);
    expect(body).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
  });

  it("returns userErrors for tagsAdd on an unknown customer and for a bad metafield value", async () => {
    const tags = await postWhenAffordable({
      query: 'mutation { tagsAdd(id: "gid://shopify/Customer/1", tags: ["x"]) { node { id } userErrors { field message } } }',
    });
    expect(tags.body.data.tagsAdd).toEqual({ node: null, userErrors: [{ field: ["id"], message: "Resource not found" }] });
    const owner = [...sim.shop.customers.keys()][0];
    const set = await postWhenAffordable({
      query: "mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { key } userErrors { field message code } } }",
      variables: { m: [{ ownerId: owner, namespace: "$app:rapport", key: "p_alive", type: "number_decimal", value: "high" }] },
    });
    expect(set.body.data.metafieldsSet).toEqual({
      metafields: null,
      userErrors: [{ field: ["metafields", "0", "value"], message: "Value is invalid for type number_decimal.", code: "INVALID_VALUE" }],
    });
  });
});
