// After OAuth, the shop's currency, time zone and name come from the Admin API. The Admin API is
// the Shopify network edge: the client below answers with the documented GraphQL shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOP_DETAILS_QUERY } from "~/graphql/shopDetails";
import { recordInstall, refreshShopDetails } from "~/services/shopSettings.server";
import { useDatabase } from "../helpers/app";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "settings-test.myshopify.com";

function adminAnswering(body: unknown) {
  const queries: string[] = [];
  return {
    queries,
    graphql: async (query: string) => {
      queries.push(query);
      return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
    },
  };
}

describe.each(BACKENDS)("shop settings from the Admin API on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  beforeAll(async () => {
    ctx = await openMigrated(backend);
    useDatabase(ctx.db);
    await recordInstall(SHOP, "read_orders");
  });
  afterAll(async () => {
    useDatabase(undefined);
    await ctx?.cleanup();
  });

  it("stores the shop's name, currency, IANA time zone and country", async () => {
    const admin = adminAnswering({
      data: { shop: { name: "Épicerie Martin", currencyCode: "EUR", ianaTimezone: "Europe/Paris", billingAddress: { countryCodeV2: "FR" } } },
      extensions: { cost: { requestedQueryCost: 2 } },
    });
    await refreshShopDetails(admin, SHOP);
    expect(admin.queries).toEqual([SHOP_DETAILS_QUERY]);
    const shop = await ctx.db.prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop).toMatchObject({ name: "Épicerie Martin", currency: "EUR", ianaTimezone: "Europe/Paris", countryCode: "FR", scope: "read_orders" });
  });

  it("keeps what it had, without failing the install, when the Admin API answers with errors", async () => {
    const result = await refreshShopDetails(adminAnswering({ errors: [{ message: "Throttled" }] }), SHOP);
    expect(result).toBeNull();
    const shop = await ctx.db.prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop.currency).toBe("EUR");
  });
});
