// What the shopper's privacy page tells a customer about the group Rapport puts them in: a few
// plain, kind words derived from their RFM segment. The segment's own name ("At Risk", "Lost",
// "Can't Lose Them") and the R/F/M scores are the merchant's working vocabulary and could offend,
// so they are never shown to the shopper. Pure.

export const SHOPPER_GROUPS = ["most_loyal", "regular", "new", "returning", "none"] as const;
export type ShopperGroup = (typeof SHOPPER_GROUPS)[number];

/** The built-in segments, by the plain-words group each one is described as. */
const GROUP_OF_SEGMENT: Readonly<Record<string, ShopperGroup>> = {
  champions: "most_loyal",
  loyal_customers: "regular",
  potential_loyalist: "regular",
  new_customers: "new",
  promising: "new",
  // Customers whose last order is some time ago: "we have not seen you for a while".
  cant_lose_them: "returning",
  at_risk: "returning",
  need_attention: "returning",
  about_to_sleep: "returning",
  hibernating: "returning",
  lost: "returning",
};

/**
 * The plain-words group of a customer's current segment. A customer without an analysis yet, in
 * "others" or in a merchant-made segment (whose meaning we do not know) is in no group.
 */
export function shopperGroupOf(segment: string | null): ShopperGroup {
  if (segment === null) return "none";
  return Object.hasOwn(GROUP_OF_SEGMENT, segment) ? GROUP_OF_SEGMENT[segment] : "none";
}
