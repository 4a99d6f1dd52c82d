// Order e-mail survey links: the signature Shopify's `hmac_sha256` Liquid filter produces, and
// its verification (forged, altered, malformed).
import { describe, expect, it } from "vitest";
import { hmacSha256Hex, newSurveySecret, signSurveyLink, surveyLinkMessage, surveyLinkSnippet, verifySurveyLink } from "~/lib/npsLink.server";

describe("survey link signature", () => {
  it("matches the example of Shopify's hmac_sha256 filter documentation", () => {
    // {{ 'Polyjuice' | hmac_sha256: 'Polina' }} → 8e0d5d65…1dc20 (shopify.dev/docs/api/liquid/filters/hmac_sha256)
    expect(hmacSha256Hex("Polyjuice", "Polina")).toBe("8e0d5d65cff1242a4af66c8f4a32854fd5fb80edcc8aabe9b302b29c7c71dc20");
  });

  it("signs the order and the customer, guests with an empty customer", () => {
    expect(surveyLinkMessage("820982911946154508", "115310627314723954")).toBe("rapport-nps:v1:820982911946154508:115310627314723954");
    expect(surveyLinkMessage("820982911946154508", null)).toBe("rapport-nps:v1:820982911946154508:");
    const secret = "a".repeat(64);
    expect(signSurveyLink(secret, "1", "2")).toBe(hmacSha256Hex("rapport-nps:v1:1:2", secret));
  });

  it("verifies a right link and refuses any change", () => {
    const secret = newSurveySecret();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const sig = signSurveyLink(secret, "1001", "501");
    expect(verifySurveyLink(secret, { order: "1001", customer: "501", sig })).toEqual({ orderId: "1001", customerId: "501" });
    // Upper-case hex is the same signature.
    expect(verifySurveyLink(secret, { order: "1001", customer: "501", sig: sig.toUpperCase() })).not.toBeNull();
    const guest = signSurveyLink(secret, "1002", null);
    expect(verifySurveyLink(secret, { order: "1002", customer: "", sig: guest })).toEqual({ orderId: "1002", customerId: null });
    expect(verifySurveyLink(secret, { order: "1002", customer: null, sig: guest })).toEqual({ orderId: "1002", customerId: null });
    for (const bad of [
      { order: "1002", customer: "501", sig },
      { order: "1001", customer: "502", sig },
      { order: "1001", customer: "", sig },
      { order: "1001", customer: "501", sig: signSurveyLink(newSurveySecret(), "1001", "501") },
      { order: "1001", customer: "501", sig: sig.slice(0, 63) },
      { order: "1001", customer: "501", sig: `${sig}00` },
      { order: "1001", customer: "501", sig: null },
      { order: "01001", customer: "501", sig },
      { order: "1001 ", customer: "501", sig },
      { order: "-1", customer: "501", sig },
      { order: undefined, customer: "501", sig },
    ]) {
      expect(verifySurveyLink(secret, bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it("refuses to build a snippet around a malformed key", () => {
    expect(() => surveyLinkSnippet("short", "x")).toThrow();
  });
});
