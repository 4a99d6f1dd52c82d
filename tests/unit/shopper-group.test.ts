// The privacy page's plain-words group: every built-in segment has one, and the names that could
// offend ("At Risk", "Lost") are never what the shopper reads.
import { describe, expect, it } from "vitest";
import { BUILT_IN_SEGMENT_KEYS } from "~/domain/rfm";
import { shopperGroupOf } from "~/domain/shopperGroup";
import { translate } from "~/i18n";

describe("the shopper's plain-words group", () => {
  it("describes every built-in segment kindly", () => {
    expect(Object.fromEntries(BUILT_IN_SEGMENT_KEYS.map((key) => [key, shopperGroupOf(key)]))).toEqual({
      champions: "most_loyal",
      potential_loyalist: "regular",
      loyal_customers: "regular",
      promising: "new",
      new_customers: "new",
      cant_lose_them: "returning",
      at_risk: "returning",
      need_attention: "returning",
      about_to_sleep: "returning",
      hibernating: "returning",
      lost: "returning",
      others: "none",
    });
  });

  it("puts unknown, merchant-made and missing segments in no group", () => {
    expect(shopperGroupOf(null)).toBe("none");
    expect(shopperGroupOf("vip_2026")).toBe("none");
    expect(shopperGroupOf("toString")).toBe("none");
  });

  it("has a sentence for each group in both languages", () => {
    expect(translate("en", "privacy.uses.group", { group: "most_loyal" })).toBe("The group your orders put you in: one of our most loyal customers.");
    expect(translate("en", "privacy.uses.group", { group: "regular" })).toBe("The group your orders put you in: a regular customer.");
    expect(translate("en", "privacy.uses.group", { group: "returning" })).toBe(
      "The group your orders put you in: a customer we have not seen for a while.",
    );
    expect(translate("fr", "privacy.uses.group", { group: "new" })).toBe("Le groupe où vos commandes vous placent : nos nouveaux clients.");
    expect(translate("fr", "privacy.uses.group", { group: "none" })).toBe("Vos commandes ne vous placent encore dans aucun groupe.");
    expect(translate("en", "privacy.uses.orders", { count: 1, shop: "S" })).toBe("Your orders at S: 1 order (what you bought and when).");
    expect(translate("fr", "privacy.uses.orders", { count: 0, shop: "S" })).toBe("Vos commandes chez S : aucune pour l'instant.");
  });
});
