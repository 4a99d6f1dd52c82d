// The simulator's bulk exports: lines equal to what a normal query returns, up to five running
// at a time per app and shop from API version 2026-01, and the search syntax's `id` ranges that
// split an export into shards.
/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers are read field by field and checked by the assertions */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkQueryLimit, DEFAULT_TOKEN, ShopifySimulator } from "../../cli/simulator/server";
import { searchFilter } from "../../cli/simulator/resolvers";

const legacy = (id: string) => Number(id.split("/").pop());

describe("Shopify simulator: bulk exports", () => {
  let sim: ShopifySimulator;
  let origin: string;
  const post = async (body: unknown, version = "2026-10") => {
    const response = await fetch(`${origin}/admin/api/${version}/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": DEFAULT_TOKEN },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const RUN = `mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: true) { bulkOperation { id } userErrors { field message code } } }`;
  // In process and synchronous: several operations are created before any of them runs a chunk.
  const runNow = (body: { query: string; variables?: Record<string, unknown> }, version = "2026-10") =>
    (sim.run(DEFAULT_TOKEN, sim.tokens.get(DEFAULT_TOKEN)!, body, false, version) as { data: Record<string, any> }).data;
  const startNow = (query: string, version = "2026-10") => runNow({ query: RUN, variables: { q: query } }, version).bulkOperationRunQuery;
  const operation = (id: string) =>
    runNow({ query: "query($id: ID!) { bulkOperation(id: $id) { id status url objectCount rootObjectCount } }", variables: { id } }).bulkOperation;
  const finished = async (id: string) => {
    for (;;) {
      const op = operation(id);
      if (op.status !== "CREATED" && op.status !== "RUNNING") return op;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const exported = async (query: string) => {
    const started = startNow(query);
    expect(started.userErrors).toEqual([]);
    const op = await finished(started.bulkOperation.id);
    expect(op.status).toBe("COMPLETED");
    return (await (await fetch(op.url)).text()).split("\n").filter(Boolean);
  };

  beforeAll(async () => {
    sim = new ShopifySimulator({
      customers: 30,
      orders: 60,
      products: 8,
      endDate: new Date("2026-06-30T00:00:00Z"),
      maximumAvailable: 1_000_000,
      restoreRate: 1_000_000,
    });
    origin = await sim.start();
  }, 60_000);
  afterAll(() => sim?.stop());

  it("writes each object as a normal query returns it (keys in selection order, nulls, aliases), connections as lines with __parentId", async () => {
    const owner = [...sim.shop.customers.keys()][3];
    const set = await post({
      query: "mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }",
      variables: {
        m: ["segment", "tier"].map((key) => ({
          ownerId: owner,
          namespace: "$app:rapport",
          key,
          type: "single_line_text_field",
          value: `"${key}" é`,
        })),
      },
    });
    expect(set.body.data.metafieldsSet.userErrors).toEqual([]);
    const customerFields = `id first: firstName lastName displayName note state tags createdAt
      defaultEmailAddress { emailAddress marketingState } defaultAddress { city countryCodeV2 zip } id
      metafield(namespace: "$app:rapport", key: "tier") { id key value }`;
    const metafieldFields = "id namespace key value";
    const customers = await exported(`{ customers { edges { node { ${customerFields} metafields { edges { node { ${metafieldFields} } } } } } } }`);
    const listed = (
      await post({ query: `{ customers(first: 50) { nodes { ${customerFields} metafields(first: 10) { nodes { ${metafieldFields} } } } } }` })
    ).body.data.customers.nodes;
    expect(customers).toEqual(
      listed.flatMap(({ metafields, ...customer }: any) => [
        JSON.stringify(customer),
        ...metafields.nodes.map((m: unknown) => JSON.stringify({ ...(m as object), __parentId: customer.id })),
      ]),
    );
    expect(customers.filter((line) => line.includes('\\"tier\\" é'))).toHaveLength(2);

    const orderFields = `id name email note cancelledAt displayFinancialStatus test tags discountCodes
      totalPriceSet { shopMoney { amount currencyCode } } customer { id displayName defaultPhoneNumber { phoneNumber } }
      shippingAddress { firstName city } refunds { id createdAt totalRefundedSet { presentmentMoney { amount } } }`;
    const lineFields = "id name quantity sku product { id } originalUnitPriceSet { shopMoney { amount } }";
    const lines = await exported(`{ orders { edges { node { ${orderFields} lineItems { edges { node { ${lineFields} } } } } } } }`);
    const expected: string[] = [];
    for (let after: string | null = null; ;) {
      const page: any = (
        await post({
          query: `query($after: String) { orders(first: 10, after: $after, sortKey: ID) { nodes { ${orderFields} lineItems(first: 20) { nodes { ${lineFields} } } } pageInfo { hasNextPage endCursor } } }`,
          variables: { after },
        })
      ).body.data.orders;
      for (const { lineItems, ...order } of page.nodes) {
        expected.push(JSON.stringify(order));
        for (const item of lineItems.nodes) expected.push(JSON.stringify({ ...item, __parentId: order.id }));
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(expected.length).toBeGreaterThan(60);
    expect(lines).toEqual(expected);
  });

  it("runs up to five bulk queries at a time from API version 2026-01, interleaved, and refuses a sixth", async () => {
    expect([bulkQueryLimit("2025-10"), bulkQueryLimit("2026-01"), bulkQueryLimit("2026-10"), bulkQueryLimit("unstable")]).toEqual([1, 5, 5, 5]);
    sim.bulkChunk = 1;
    try {
      const query = "{ orders { edges { node { id name lineItems { edges { node { id } } } } } } }";
      const started = Array.from({ length: 5 }, () => startNow(query));
      expect(started.map((s) => s.userErrors)).toEqual([[], [], [], [], []]);
      const ids: string[] = started.map((s) => s.bulkOperation.id);
      expect(startNow("{ customers { edges { node { id } } } }")).toEqual({
        bulkOperation: null,
        userErrors: [
          {
            field: ["query"],
            message: `5 bulk query operations for this app and shop are already in progress: ${ids.join(", ")}.`,
            code: "OPERATION_IN_PROGRESS",
          },
        ],
      });
      // currentBulkOperation: the app's most recent operation.
      expect((await post({ query: "{ currentBulkOperation { id } }" })).body.data.currentBulkOperation.id).toBe(ids[4]);
      // Each writes a chunk then yields: all have exported objects before the first is done
      // (how many depends on the file writes' latency, not asserted).
      let first: any;
      for (;;) {
        const ops = ids.map(operation);
        first = ops.find((op) => op.status === "COMPLETED");
        if (first) {
          for (const op of ops) expect(Number(op.rootObjectCount)).toBeGreaterThan(0);
          break;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      const files = await Promise.all(ids.map(async (id) => (await fetch((await finished(id)).url)).text()));
      expect(new Set(files).size).toBe(1);
      expect(files[0].split("\n").filter((l) => l && !l.includes("__parentId"))).toHaveLength(60);
      // The five done, a new one starts.
      expect(startNow("{ customers { edges { node { id } } } }").userErrors).toEqual([]);
    } finally {
      sim.bulkChunk = 500;
    }
  });

  it("serves the API versions' paths, and no other", async () => {
    expect((await post({ query: "{ shop { name } }" }, "2026-01")).status).toBe(200);
    expect((await post({ query: "{ shop { name } }" }, "unstable")).status).toBe(200);
    expect((await post({ query: "{ shop { name } }" }, "2026-13")).status).toBe(404);
  });

  it("filters by id ranges (id:>=A id:<B) and splits an export into shards that add up to the whole", async () => {
    const ids = [...sim.shop.orders.keys()].map(legacy).sort((a, b) => a - b);
    const [a, b] = [ids[20], ids[40]];
    const inRange = await post({
      query: `{ orders(first: 100, query: "id:>=${a} id:<${b}") { nodes { id } } ordersCount(query: "id:>=${a} id:<${b}") { count } }`,
    });
    expect(inRange.body.data.orders.nodes.map((n: { id: string }) => legacy(n.id))).toEqual(ids.slice(20, 40));
    expect(inRange.body.data.ordersCount.count).toBe(20);

    const query = (search?: string) =>
      `{ orders${search ? `(query: "${search}")` : ""} { edges { node { id name lineItems { edges { node { id } } } } } } }`;
    const whole = await exported(query());
    const shards = [await exported(query(`id:<${a}`)), await exported(query(`id:>=${a} id:<${b}`)), await exported(query(`id:>=${b}`))];
    expect(shards.flat()).toEqual(whole);
    expect(shards.map((lines) => lines.filter((l) => !l.includes("__parentId")).length)).toEqual([20, 20, 20]);
  });

  it("finds the first and last order ids with orders(first: 1, sortKey: ID[, reverse: true])", async () => {
    const ids = [...sim.shop.orders.keys()].map(legacy).sort((a, b) => a - b);
    const { body } = await post({
      query: "{ first: orders(first: 1, sortKey: ID) { nodes { id } } last: orders(first: 1, sortKey: ID, reverse: true) { nodes { id } } }",
    });
    expect(legacy(body.data.first.nodes[0].id)).toBe(ids[0]);
    expect(legacy(body.data.last.nodes[0].id)).toBe(ids.at(-1));
  });
});

describe("searchFilter", () => {
  const item = (id: number, createdAt = "2026-01-01T00:00:00Z") => ({ id: `gid://shopify/Order/${id}`, createdAt, updatedAt: createdAt });
  const matching = (query: string) =>
    [100, 200, 300]
      .map((id) => item(id))
      .filter(searchFilter(query))
      .map((i) => legacy(i.id));

  it("compares the legacy id numerically with =, >, >=, <, <=", () => {
    expect(matching("id:200")).toEqual([200]);
    expect(matching("id:>200")).toEqual([300]);
    expect(matching("id:>=200")).toEqual([200, 300]);
    expect(matching("id:<200")).toEqual([100]);
    expect(matching("id:<=200")).toEqual([100, 200]);
    // Numerically, not as text: 1000 > 300.
    expect([item(300), item(1000)].filter(searchFilter("id:>=300")).map((i) => legacy(i.id))).toEqual([300, 1000]);
  });

  it("ANDs the terms, with created_at/updated_at, accepts a gid and quotes, ignores what it cannot read", () => {
    expect(matching("id:>=100 id:<300")).toEqual([100, 200]);
    expect(matching('id:>="gid://shopify/Order/200"')).toEqual([200, 300]);
    expect([item(100, "2025-01-01T00:00:00Z"), item(200)].filter(searchFilter("id:>=100 created_at:>=2026-01-01")).map((i) => legacy(i.id))).toEqual([
      200,
    ]);
    expect(matching("id:>=abc")).toEqual([100, 200, 300]);
    // Other fields ending in `id` are not the id filter.
    expect(matching("customer_id:100 channel_id:5")).toEqual([100, 200, 300]);
  });
});
