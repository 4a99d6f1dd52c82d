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
