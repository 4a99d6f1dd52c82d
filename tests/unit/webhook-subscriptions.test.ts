// The declared subscriptions (app/domain/webhookSubscriptions.ts) are those of shopify.app.toml,
// and the check names exactly the declared topics the Admin API does not list.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkSubscriptions, DECLARED_SUBSCRIPTIONS, topicEnum, topicFromEnum } from "~/domain/webhookSubscriptions";

describe("webhook subscriptions", () => {
  it("declares what shopify.app.toml subscribes to (the compliance topics aside)", () => {
    const toml = readFileSync(path.resolve(__dirname, "../../shopify.app.toml"), "utf8");
    const fromToml = [...toml.matchAll(/^\s*topics = \[([^\]]*)\]\s*\n\s*uri = "([^"]+)"/gm)].flatMap(([, topics, uri]) =>
      [...topics.matchAll(/"([^"]+)"/g)].map((m) => ({ topic: m[1], uri })),
    );
    expect(fromToml).toHaveLength(16);
    expect([...DECLARED_SUBSCRIPTIONS]).toEqual(fromToml);
  });

  it("maps topics to the GraphQL enum and back", () => {
    expect(topicEnum("orders/create")).toBe("ORDERS_CREATE");
    expect(topicEnum("app/scopes_update")).toBe("APP_SCOPES_UPDATE");
    expect(topicFromEnum("SHOP_UPDATE")).toBe("shop/update");
    expect(topicFromEnum("ORDERS_PAID")).toBe("ORDERS_PAID");
  });

  it("names the declared topics not listed, in declaration order", () => {
    const all = DECLARED_SUBSCRIPTIONS.map((s) => topicEnum(s.topic));
    expect(checkSubscriptions(all)).toEqual({ listed: 16, missing: [] });
    const some = all.filter((t) => t !== "SHOP_UPDATE" && t !== "ORDERS_DELETE");
    // An extra subscription (orders/paid) counts as listed and is not an error.
    expect(checkSubscriptions([...some, "ORDERS_PAID"])).toEqual({ listed: 15, missing: ["orders/delete", "shop/update"] });
  });

  it("reads an empty list as app-specific subscriptions the API does not return, not as all missing", () => {
    expect(checkSubscriptions([])).toEqual({ listed: 0, missing: null });
  });
});
