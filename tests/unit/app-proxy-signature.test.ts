// Shopify's app proxy signature, on Shopify's documented example ("Authenticate app proxies":
// secret "hush"), and the query the demo storefront forwards.
import { describe, expect, it } from "vitest";
import { proxySignature, proxySignatureMessage, signProxyQuery } from "~/lib/proxySignature";

const DOCUMENTED =
  "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb";

describe("app proxy signature", () => {
  it("reproduces Shopify's documented example", () => {
    const params = new URLSearchParams(DOCUMENTED);
    expect(proxySignatureMessage(params)).toBe(
      "extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555",
    );
    expect(proxySignature(params, "hush")).toBe("4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb");
  });

  it("signs a forwarded query like Shopify: shopper keys kept, Shopify's keys replaced", () => {
    const shopper = new URLSearchParams("placement=home&cart=1&cart=2&logged_in_customer_id=999&shop=evil.myshopify.com");
    const signed = signProxyQuery(shopper, {
      shop: "a.myshopify.com",
      pathPrefix: "/apps/rapport",
      customerId: "",
      secret: "s",
      timestamp: 1700000000,
    });
    expect([...signed.keys()]).toEqual(["placement", "cart", "cart", "shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]);
    expect(signed.get("shop")).toBe("a.myshopify.com");
    expect(signed.get("logged_in_customer_id")).toBe("");
    expect(signed.get("signature")).toBe(proxySignature(signed, "s"));
  });
});
