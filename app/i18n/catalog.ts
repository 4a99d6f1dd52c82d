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
import backfillEn from "./messages/backfill.en.json";
import backfillFr from "./messages/backfill.fr.json";
import cohortsEn from "./messages/cohorts.en.json";
import cohortsFr from "./messages/cohorts.fr.json";
import dashboardEn from "./messages/dashboard.en.json";
import dashboardFr from "./messages/dashboard.fr.json";
import predictionsEn from "./messages/predictions.en.json";
import predictionsFr from "./messages/predictions.fr.json";
import segmentsEn from "./messages/segments.en.json";
import segmentsFr from "./messages/segments.fr.json";
import customersEn from "./messages/customers.en.json";
import customersFr from "./messages/customers.fr.json";
import dataEn from "./messages/data.en.json";
import dataFr from "./messages/data.fr.json";
import navEn from "./messages/nav.en.json";
import navFr from "./messages/nav.fr.json";
import settingsEn from "./messages/settings.en.json";
import settingsFr from "./messages/settings.fr.json";
import privacyEn from "./messages/privacy.en.json";
import privacyFr from "./messages/privacy.fr.json";

/** Each area's English and French messages. Add a new area's pair here. */
export const CATALOGS = {
  core: { en: coreEn, fr: coreFr },
  nps: { en: npsEn, fr: npsFr },
  storefront: { en: storefrontEn, fr: storefrontFr },
  recommendations: { en: recommendationsEn, fr: recommendationsFr },
  backfill: { en: backfillEn, fr: backfillFr },
  dashboard: { en: dashboardEn, fr: dashboardFr },
  segments: { en: segmentsEn, fr: segmentsFr },
  cohorts: { en: cohortsEn, fr: cohortsFr },
  predictions: { en: predictionsEn, fr: predictionsFr },
  nav: { en: navEn, fr: navFr },
  customers: { en: customersEn, fr: customersFr },
  settings: { en: settingsEn, fr: settingsFr },
  data: { en: dataEn, fr: dataFr },
  privacy: { en: privacyEn, fr: privacyFr },
} as const;

type Catalogs = typeof CATALOGS;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** Every key of every area. */
export type MessageKey = keyof UnionToIntersection<Catalogs[keyof Catalogs]["en"]> & string;

function merge(language: "en" | "fr"): Record<MessageKey, string> {
  return Object.assign({}, ...Object.values(CATALOGS).map((pair) => pair[language])) as Record<MessageKey, string>;
}

export const MESSAGES = { en: merge("en"), fr: merge("fr") };
