// The recommendation holdout (ADR 011): a stable share of visitors sees no recommendations, so
// that "does it earn money?" is answered by comparing the two arms, not by attribution alone.
// Pure: the hash, the arm and the arithmetic of the comparison.

/** FNV-1a (32 bit) of a string: stable across processes and releases, which the arms need. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * True when the visitor belongs to the holdout. `visitorKey` is "c:<customer id>" or
 * "v:<anonymous id>"; the shop is part of the hash so that one customer's arm differs by shop.
 * `share` is in [0, 1]: 0.1 puts 10 % of visitors in the holdout.
 */
export function inHoldout(shop: string, visitorKey: string, share: number): boolean {
  if (!(share > 0)) return false;
  return fnv1a(`${shop}|${visitorKey}`) / 2 ** 32 < share;
}

/** One arm's visitors, how many ordered, and the sum and sum of squares of revenue per visitor. */
export interface ArmTotals {
  visitors: number;
  converters: number;
  revenue: number;
  revenueSquares: number;
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface ArmFigures {
  visitors: number;
  conversionRate: number | null;
  revenuePerVisitor: number | null;
}

export interface HoldoutComparison {
  treatment: ArmFigures;
  holdout: ArmFigures;
  /** Treatment minus holdout conversion rate (absolute), with its interval; null without data in both arms. */
  conversionLift: Interval | null;
  /** Treatment minus holdout revenue per visitor, with its interval. */
  revenuePerVisitorLift: Interval | null;
  /** The confidence level of both intervals. */
  confidence: number;
}

function figures(arm: ArmTotals): ArmFigures {
  return {
    visitors: arm.visitors,
    conversionRate: arm.visitors ? arm.converters / arm.visitors : null,
    revenuePerVisitor: arm.visitors ? arm.revenue / arm.visitors : null,
  };
}

/** Unbiased sample variance of a mean from n, Σx and Σx² (0 for fewer than 2 values). */
function varianceOfMean(n: number, sum: number, squares: number): number {
  if (n < 2) return 0;
  const variance = Math.max(0, (squares - (sum * sum) / n) / (n - 1));
  return variance / n;
}

/**
 * Compares the arms with normal-approximation intervals at 95 % (z = 1.96): for conversion the
 * unpooled two-proportion interval, for revenue per visitor Welch's difference of means. Both
 * arms need at least 2 visitors; otherwise the lifts are null (nothing honest to say).
 */
export function compareArms(treatment: ArmTotals, holdout: ArmTotals, z = 1.96): HoldoutComparison {
  const base = { treatment: figures(treatment), holdout: figures(holdout), confidence: 0.95 };
  if (treatment.visitors < 2 || holdout.visitors < 2) return { ...base, conversionLift: null, revenuePerVisitorLift: null };
  const p1 = treatment.converters / treatment.visitors;
  const p0 = holdout.converters / holdout.visitors;
  const seConversion = Math.sqrt((p1 * (1 - p1)) / treatment.visitors + (p0 * (1 - p0)) / holdout.visitors);
  const m1 = treatment.revenue / treatment.visitors;
  const m0 = holdout.revenue / holdout.visitors;
  const seRevenue = Math.sqrt(
    varianceOfMean(treatment.visitors, treatment.revenue, treatment.revenueSquares) +
      varianceOfMean(holdout.visitors, holdout.revenue, holdout.revenueSquares),
  );
  const interval = (estimate: number, se: number): Interval => ({ estimate, low: estimate - z * se, high: estimate + z * se });
  return { ...base, conversionLift: interval(p1 - p0, seConversion), revenuePerVisitorLift: interval(m1 - m0, seRevenue) };
}
