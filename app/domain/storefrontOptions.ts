// The choices the storefront block and the admin page offer (shared by server and browser code).
export const PLACEMENTS = ["product", "cart", "home", "collection"] as const;
export const STRATEGY_CHOICES = ["automatic", "bought_together", "for_you", "trending"] as const;
/** Report periods of the admin page, in the shop's calendar days. */
export const PERIODS = [7, 30, 90] as const;
