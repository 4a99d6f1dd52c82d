// UI text in English and French. Keys are flat; `{name}` placeholders are replaced.
import { createContext, useContext } from "react";
import en from "./en.json";
import fr from "./fr.json";

export const LOCALES = ["en", "fr"] as const;
export type Locale = (typeof LOCALES)[number];
export type MessageKey = keyof typeof en;

const messages: Record<Locale, Record<MessageKey, string>> = { en, fr };

/** Shopify passes the admin user's language as `?locale=fr-FR`; fall back to Accept-Language. */
export function detectLocale(request: Request): Locale {
  const url = new URL(request.url);
  const fromQuery = url.searchParams.get("locale");
  const candidates = fromQuery
    ? [fromQuery]
    : (request.headers.get("accept-language") ?? "")
        .split(",")
        .map((part) => part.split(";")[0].trim());
  for (const candidate of candidates) {
    const base = candidate.toLowerCase().split("-")[0];
    if ((LOCALES as readonly string[]).includes(base)) return base as Locale;
  }
  return "en";
}

export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = messages[locale][key] ?? messages.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

export const LocaleContext = createContext<Locale>("en");

export function useLocale(): Locale {
  return useContext(LocaleContext);
}

export function useT() {
  const locale = useLocale();
  return (key: MessageKey, params?: Record<string, string | number>) => translate(locale, key, params);
}
