// Admin GraphQL: the shop's own settings that Rapport's numbers depend on (currency for every
// amount, IANA time zone for every calendar bucket).
export const SHOP_DETAILS_QUERY = `#graphql
  query RapportShopDetails {
    shop {
      name
      currencyCode
      ianaTimezone
      billingAddress {
        countryCodeV2
      }
    }
  }
`;

export interface ShopDetailsResponse {
  data?: {
    shop: {
      name: string;
      currencyCode: string;
      ianaTimezone: string;
      billingAddress: { countryCodeV2: string | null } | null;
    };
  };
  errors?: unknown;
}
