// Display formatting shared by pages. Amounts arrive as decimal strings (never floats in
// storage); Intl formats them for the merchant's language.
import type { Locale } from "~/i18n";

const intlLocale: Record<Locale, string> = { en: "en-GB", fr: "fr-FR" };

export function formatMoney(amount: string, currency: string, locale: Locale): string {
  return new Intl.NumberFormat(intlLocale[locale], { style: "currency", currency }).format(Number(amount));
}

export function formatNumber(value: number, locale: Locale): string {
  return new Intl.NumberFormat(intlLocale[locale]).format(value);
}

export function formatDate(iso: string, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(intlLocale[locale], { dateStyle: "medium", timeZone }).format(new Date(iso));
}

export function formatDateTime(iso: string, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(intlLocale[locale], { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
}
