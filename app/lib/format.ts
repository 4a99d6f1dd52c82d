// Display formatting shared by pages and the CLI. Amounts arrive as decimal strings (exact) or
// numbers; Intl rounds them to the currency's own decimals (JPY 0, EUR 2, KWD 3) in the
// viewer's language. Decimal strings are passed to Intl as strings, which formats them exactly.
import { INTL_LOCALE, type Locale } from "~/i18n";

/** Intl accepts decimal strings (ES2023); TypeScript's lib types only numbers. */
type Numeric = number | string;
const asNumeric = (value: Numeric) => value as number;

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(tag: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${tag} ${JSON.stringify(options)}`;
  let nf = cache.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(tag, options);
    cache.set(key, nf);
  }
  return nf;
}

/** Minor-unit digits of an ISO 4217 currency (JPY 0, EUR 2, KWD 3). */
export function currencyDigits(currency: string): number {
  return numberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(amount: Numeric, currency: string, locale: Locale): string {
  return numberFormat(INTL_LOCALE[locale], { style: "currency", currency }).format(asNumeric(amount));
}

/**
 * An amount as a plain decimal with exactly the currency's digits ("1234.50", "1235" for JPY,
 * "1.235" for KWD), rounded half away from zero: for CLI output, CSV and JSON.
 */
export function currencyDecimal(amount: Numeric, currency: string): string {
  const digits = currencyDigits(currency);
  return numberFormat("en-US", { useGrouping: false, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(asNumeric(amount));
}

export function formatNumber(value: number, locale: Locale): string {
  return numberFormat(INTL_LOCALE[locale], {}).format(value);
}

/** A percentage given in points (23.4 means 23.4 %), with at most `digits` decimals. */
export function formatPercent(points: number, locale: Locale, digits = 1): string {
  // Intl multiplies by 100: divide exactly by shifting the decimal point of the string form,
  // whose own exponent (below 1e-6, "2e-7") takes the shift ("2e-7e-2" would be NaN).
  const [mantissa, exponent = "0"] = String(points).split("e");
  return numberFormat(INTL_LOCALE[locale], { style: "percent", maximumFractionDigits: digits }).format(
    asNumeric(`${mantissa}e${Number(exponent) - 2}`),
  );
}

export function formatDate(iso: string, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { dateStyle: "medium", timeZone }).format(new Date(iso));
}

export function formatDateTime(iso: string, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
}
