// The UI's messages, one pair of files per area of the app (core, admin pages, storefront, …) so
// that each area keeps its own keys. Every pair has the same keys in both languages and no key is
// defined by two areas (tests/unit/i18n.test.ts checks both).
import coreEn from "./messages/core.en.json";
import coreFr from "./messages/core.fr.json";
import npsEn from "./messages/nps.en.json";
import npsFr from "./messages/nps.fr.json";
import recommendationsEn from "./messages/recommendations.en.json";
import recommendationsFr from "./messages/recommendations.fr.json";
import storefrontEn from "./messages/storefront.en.json";
import storefrontFr from "./messages/storefront.fr.json";

/** Each area's English and French messages. Add a new area's pair here. */
export const CATALOGS = {
  core: { en: coreEn, fr: coreFr },
  nps: { en: npsEn, fr: npsFr },
  storefront: { en: storefrontEn, fr: storefrontFr },
  recommendations: { en: recommendationsEn, fr: recommendationsFr },
} as const;

type Catalogs = typeof CATALOGS;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** Every key of every area. */
export type MessageKey = keyof UnionToIntersection<Catalogs[keyof Catalogs]["en"]> & string;

function merge(language: "en" | "fr"): Record<MessageKey, string> {
  return Object.assign({}, ...Object.values(CATALOGS).map((pair) => pair[language])) as Record<MessageKey, string>;
}

export const MESSAGES = { en: merge("en"), fr: merge("fr") };
