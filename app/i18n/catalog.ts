// The UI's messages, one pair of files per area of the app (core, admin pages, storefront, …) so
// that each area keeps its own keys. Every pair has the same keys in both languages and no key is
// defined by two areas (tests/unit/i18n.test.ts checks both).
import coreEn from "./messages/core.en.json";
import coreFr from "./messages/core.fr.json";
import customersEn from "./messages/customers.en.json";
import customersFr from "./messages/customers.fr.json";
import dataEn from "./messages/data.en.json";
import dataFr from "./messages/data.fr.json";
import navEn from "./messages/nav.en.json";
import navFr from "./messages/nav.fr.json";
import settingsEn from "./messages/settings.en.json";
import settingsFr from "./messages/settings.fr.json";

/** Each area's English and French messages. Add a new area's pair here. */
export const CATALOGS = {
  core: { en: coreEn, fr: coreFr },
  nav: { en: navEn, fr: navFr },
  customers: { en: customersEn, fr: customersFr },
  settings: { en: settingsEn, fr: settingsFr },
  data: { en: dataEn, fr: dataFr },
} as const;

type Catalogs = typeof CATALOGS;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** Every key of every area. */
export type MessageKey = keyof UnionToIntersection<Catalogs[keyof Catalogs]["en"]> & string;

function merge(language: "en" | "fr"): Record<MessageKey, string> {
  return Object.assign({}, ...Object.values(CATALOGS).map((pair) => pair[language])) as Record<MessageKey, string>;
}

export const MESSAGES = { en: merge("en"), fr: merge("fr") };
