// Money convention of the analytics domain: amounts are stored as integer minor units
// (cents) and converted to plain numbers in major units only for statistics (sums, means,
// model fits). Results that are persisted are converted back with toMinorUnits.

/** Decimal places of a currency's minor unit (ISO 4217), e.g. 2 for EUR, 0 for JPY. */
export function currencyExponent(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
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
