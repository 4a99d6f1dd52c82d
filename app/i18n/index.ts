// UI text in English and French: ICU MessageFormat messages (plurals, selects) in en.json and
// fr.json, formatted by FormatJS (react-intl). The same cached formatter serves loaders, server
// rendering, the browser and the CLI, so server and client render the same text (ADR 005).
import { createElement, createContext, useContext, type ReactNode } from "react";
import { createIntl, createIntlCache, RawIntlProvider, type IntlShape } from "react-intl";
import { decodeMessageRef, type MessageRef } from "~/domain/messageRef";
import { MESSAGES, type MessageKey } from "./catalog";

export const LOCALES = ["en", "fr"] as const;
export type Locale = (typeof LOCALES)[number];
export type { MessageKey };
export type MessageParams = Record<string, string | number | Date>;

const messages: Record<Locale, Record<MessageKey, string>> = MESSAGES;

/** BCP 47 tag given to Intl for each UI language (numbers, dates, plural rules). */
export const INTL_LOCALE: Record<Locale, string> = { en: "en-GB", fr: "fr-FR" };

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** Shopify passes the admin user's language as `?locale=fr-FR`; fall back to Accept-Language. */
export function detectLocale(request: Request): Locale {
  const url = new URL(request.url);
  const fromQuery = url.searchParams.get("locale");
  const candidates = fromQuery ? [fromQuery] : (request.headers.get("accept-language") ?? "").split(",").map((part) => part.split(";")[0].trim());
  for (const candidate of candidates) {
    const base = candidate.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return "en";
}

const cache = createIntlCache();
const intls = new Map<Locale, IntlShape>();

/** The formatter of one language, created once per process (and once per page in the browser). */
export function getIntl(locale: Locale): IntlShape {
  let intl = intls.get(locale);
  if (!intl) {
    intl = createIntl(
      {
        locale: INTL_LOCALE[locale],
        defaultLocale: INTL_LOCALE.en,
        messages: messages[locale],
        // Both files have the same keys (a test checks it); a malformed message is logged, and
        // the end-to-end tests fail on console errors.
        onError: (error) => {
          if (error.code !== "MISSING_TRANSLATION") console.error(error);
        },
      },
      cache,
    );
    intls.set(locale, intl);
  }
  return intl;
}

export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  return getIntl(locale).formatMessage({ id: key, defaultMessage: messages.en[key] }, params) as string;
}

/** Whether a key exists (for keys built from data, such as segment keys). */
export function hasMessage(key: string): key is MessageKey {
  return key in messages.en;
}

export type SegmentField = "name" | "description" | "action";

/**
 * A segment's name, description or suggested action. Keys of merchant-made rule tables have no
 * translation: their name is the key itself and the other fields are empty.
 */
export function segmentText(locale: Locale, segment: string, field: SegmentField = "name"): string {
  const key = `segment.${segment}.${field}`;
  if (hasMessage(key)) return translate(locale, key);
  return field === "name" ? segment : "";
}

/** Text of a message the domain returned as a key and numbers. */
export function messageText(locale: Locale, ref: MessageRef): string {
  return hasMessage(ref.key) ? translate(locale, ref.key, ref.params) : ref.key;
}

/** Text of a stored note: an encoded MessageRef, or a sentence stored as such. */
export function noteText(locale: Locale, note: string): string {
  const ref = decodeMessageRef(note);
  return ref ? messageText(locale, ref) : note;
}

const LocaleContext = createContext<Locale>("en");

/** Gives pages their language: the locale comes from the loader, so SSR and hydration agree. */
export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  return createElement(LocaleContext.Provider, { value: locale }, createElement(RawIntlProvider, { value: getIntl(locale) }, children));
}

export function useLocale(): Locale {
  return useContext(LocaleContext);
}

export function useT() {
  const locale = useLocale();
  return (key: MessageKey, params?: MessageParams) => translate(locale, key, params);
}
