import { parse, TYPE } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { encodeMessageRef } from "~/domain/messageRef";
import { CATALOGS } from "~/i18n/catalog";
import { detectLocale, messageText, noteText, segmentText, translate } from "~/i18n";

const NNBSP = "\u202f";

describe("translation files", () => {
  it("have the same keys in English and French, area by area", () => {
    for (const [area, { en, fr }] of Object.entries(CATALOGS)) expect(Object.keys(fr).sort(), area).toEqual(Object.keys(en).sort());
  });

  it("never define one key in two areas", () => {
    const owner = new Map<string, string>();
    for (const [area, { en }] of Object.entries(CATALOGS)) {
      for (const key of Object.keys(en)) {
        expect(owner.get(key), `${key} in ${area}`).toBeUndefined();
        owner.set(key, area);
      }
    }
  });

  it("are valid ICU messages using the same arguments in both languages", () => {
    const args = (message: string) => {
      const names = new Set<string>();
      const walk = (elements: ReturnType<typeof parse>) => {
        for (const el of elements) {
          if (el.type !== TYPE.literal && el.type !== TYPE.pound && "value" in el) names.add(String(el.value));
          if ("options" in el) for (const option of Object.values(el.options)) walk(option.value);
        }
      };
      walk(parse(message));
      return [...names].sort();
    };
    for (const { en, fr } of Object.values(CATALOGS)) {
      for (const [key, message] of Object.entries(en)) expect(args((fr as Record<string, string>)[key]), key).toEqual(args(message));
    }
  });
});

describe("plurals", () => {
  it("say 1 customer and 2 customers in English", () => {
    expect(translate("en", "home.segmentFigures", { customers: 1, revenue: "€10.00" })).toBe("1 customer · €10.00");
    expect(translate("en", "home.segmentFigures", { customers: 0, revenue: "€0.00" })).toBe("0 customers · €0.00");
    expect(translate("en", "home.segmentFigures", { customers: 1234, revenue: "€1.00" })).toBe("1,234 customers · €1.00");
  });

  it("follow French rules: 0 and 1 are singular", () => {
    expect(translate("fr", "home.segmentFigures", { customers: 0, revenue: "0 €" })).toBe("0 client · 0 €");
    expect(translate("fr", "home.segmentFigures", { customers: 1, revenue: "1 €" })).toBe("1 client · 1 €");
    expect(translate("fr", "home.segmentFigures", { customers: 1234, revenue: "1 €" })).toBe(`1${NNBSP}234 clients · 1 €`);
    expect(translate("fr", "home.ordersHelp", { cancelled: 1 })).toBe("1 annulée ; commandes de test exclues");
    expect(translate("fr", "home.ordersHelp", { cancelled: 3 })).toBe("3 annulées ; commandes de test exclues");
  });
});

describe("domain keys to text", () => {
  it("renders confidence reasons with their numbers", () => {
    const ref = { key: "confidence.poorlyDetermined", params: { parameter: "alpha", standardError: 12345.678, value: 0.0012345 } };
    expect(messageText("en", ref)).toBe("alpha is poorly determined (standard error 12,300 for 0.00123).");
    expect(messageText("fr", ref)).toBe(`alpha est mal déterminé (erreur type 12${NNBSP}300 pour 0,00123).`);
    const few = { key: "confidence.fewRepeatCustomers", params: { customers: 1, min: 100 } };
    expect(messageText("en", few)).toBe("Only 1 customer with a repeat purchase (at least 100 recommended).");
  });

  it("reads stored notes: encoded keys, and plain sentences as they are", () => {
    const note = encodeMessageRef({ key: "confidence.fewCustomers", params: { customers: 2, min: 300 } });
    expect(note).toBe('@confidence.fewCustomers {"customers":2,"min":300}');
    expect(noteText("en", note)).toBe("Only 2 customers (at least 300 recommended).");
    expect(noteText("fr", note)).toBe("Seulement 2 clients (au moins 300 recommandés).");
    expect(noteText("fr", "No customers with orders yet.")).toBe("No customers with orders yet.");
  });

  it("names segments, falling back to the key of a merchant's own segment", () => {
    expect(segmentText("en", "potential_loyalist")).toBe("Potential Loyalist");
    expect(segmentText("fr", "potential_loyalist")).toBe("Fidèles potentiels");
    expect(segmentText("fr", "others", "description")).toBe("Clients dont les scores ne correspondent à aucune règle de segment.");
    expect(segmentText("en", "vip")).toBe("vip");
  });
});

describe("detectLocale", () => {
  const request = (url: string, acceptLanguage?: string) =>
    new Request(url, { headers: acceptLanguage ? { "accept-language": acceptLanguage } : {} });

  it("follows Shopify's locale parameter first, then Accept-Language, then English", () => {
    expect(detectLocale(request("https://app.test/app?locale=fr-FR", "en-GB"))).toBe("fr");
    expect(detectLocale(request("https://app.test/app?locale=en", "fr-FR"))).toBe("en");
    expect(detectLocale(request("https://app.test/app", "de-DE,fr;q=0.8"))).toBe("fr");
    expect(detectLocale(request("https://app.test/app?locale=de"))).toBe("en");
    expect(detectLocale(request("https://app.test/app"))).toBe("en");
  });
});
