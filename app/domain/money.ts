// Money convention of the analytics domain: amounts are stored exactly (Decimal(19, 4)) and
// summed exactly, as integers of 10^-4 ("scaled" units, NET_SCALE); they become plain numbers
// in major units only for statistics (means, ratios, model fits) and once per sum
// (fromScaled: the number nearest the exact total). Stored and printed amounts are decimal
// strings (unitsToDecimal, amountToDecimal, moneyToDecimal), never a float's expansion.

const exponents = new Map<string, number>();

/** Decimal places of a currency's minor unit (ISO 4217), e.g. 2 for EUR, 0 for JPY. */
export function currencyExponent(currency: string): number {
  // Building an Intl.NumberFormat costs about 0.1 ms: the storefront asks on every request.
  let exponent = exponents.get(currency);
  if (exponent === undefined) {
    try {
      exponent = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      exponent = 2;
    }
    if (exponents.size < 1_000) exponents.set(currency, exponent);
  }
  return exponent;
}

/** Minor units (integer, number or bigint) → major units as a number. */
export function toMajorUnits(minor: number | bigint, exponent = 2): number {
  return Number(minor) / 10 ** exponent;
}

/** Major units → integer minor units, rounding half away from zero. */
export function toMinorUnits(major: number, exponent = 2): number {
  if (!Number.isFinite(major)) throw new RangeError(`amount ${major} is not finite`);
  const scaled = major * 10 ** exponent;
  // Correct representation error first (1.005 * 100 = 100.49999999999999).
  const r = Math.round(Math.abs(scaled) * 1e6) / 1e6;
  return Math.sign(scaled) * Math.round(r) || 0;
}

/** Digits after the point of stored amounts (Decimal(19, 4) columns). */
export const AMOUNT_DIGITS = 4;

/**
 * Amounts summed in SQL come back as integers of 10^-AMOUNT_DIGITS ("scaled" units): exact, and
 * much faster than numeric sums over a million rows.
 */
export const NET_SCALE = 10 ** AMOUNT_DIGITS;

/** An integer number of 10^-digits units as an exact decimal string: (1234500, 4) → "123.4500". */
export function unitsToDecimal(units: number, digits: number): string {
  if (!Number.isSafeInteger(units)) throw new RangeError(`amount units ${units} are not a safe integer`);
  const sign = units < 0 ? "-" : "";
  const abs = String(Math.abs(units)).padStart(digits + 1, "0");
  if (digits === 0) return `${sign}${abs}`;
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/** Scaled units (10^-4) → exact decimal string with four decimals: 1234500 → "123.4500". */
export function scaledToDecimal(units: number): string {
  return unitsToDecimal(units, AMOUNT_DIGITS);
}

/** Largest magnitude a Decimal(19, 4) column holds (15 integer digits). */
export const STORABLE_MONEY = 1e15;

/**
 * A float amount rounded to the currency's minor unit, as a decimal string. Null when not a
 * finite number or beyond what Decimal(19, 4) holds (predictions are checked before this:
 * this only keeps a write from ever failing with "numeric field overflow").
 */
export function moneyToDecimal(value: number | null, exponent: number): string | null {
  if (value === null || !Number.isFinite(value) || Math.abs(value) >= STORABLE_MONEY) return null;
  const minor = toMinorUnits(value, exponent);
  // Past 2^53 minor units the float is all there is: its own decimal expansion.
  return Number.isSafeInteger(minor) ? unitsToDecimal(minor, exponent) : (minor / 10 ** exponent).toFixed(exponent);
}

/** Major units → scaled units (10^-4): exact for stored amounts (at most four decimals). */
export function toScaled(major: number): number {
  return toMinorUnits(major, AMOUNT_DIGITS);
}

/** Scaled units → major units: the number nearest the exact amount (85833.26, never 85833.26000000004). */
export function fromScaled(units: number): number {
  return units / NET_SCALE;
}

/**
 * A sum of stored amounts as an exact decimal string, with the currency's decimals (four when
 * the amount has more, which Shopify amounts never do): 85833.26 EUR → "85833.26".
 */
export function amountToDecimal(value: number, exponent: number): string {
  const scaled = toScaled(value);
  const step = 10 ** Math.max(0, AMOUNT_DIGITS - exponent);
  return scaled % step === 0 ? unitsToDecimal(scaled / step, Math.min(exponent, AMOUNT_DIGITS)) : scaledToDecimal(scaled);
}
