-- Every full analysis rewrites each customer's CustomerMetrics row (recency, P(alive) and CLV
-- change daily). Two changes let most of those rewrites be HOT updates, which add no index
-- entry (ADR 013, "The daily rewrite"):
--
-- 1. Half of each page is left free, so that the day's new version of a row fits on its page.
ALTER TABLE "CustomerMetrics" SET (fillfactor = 50);

-- 2. The customers page sorts by P(alive) and by predicted CLV through indexes on columns that
--    change rarely instead of on the exact values (a changed indexed column prevents HOT).
--    Generated columns, so that every writer (full and incremental analysis, tests) gets them.
--    Adding them rewrites the table, which packs it at the new fillfactor.
--
--    "pAlivePercent": P(alive) as the page shows it, a whole percentage rounded half up, equal
--    to Math.round(pAlive * 100) and to Intl's percent format (pAlive * 100 minus its floor is
--    exact in float8). NULL when P(alive) is unknown or outside [0, 1].
--
--    "predictedClv12mKey": predicted CLV rounded down to a step of the series 1, 1.2, 1.5, 2,
--    2.5, 3, 4, 5, 6, 8 times a power of ten (each step 20-33 % wide), tenths below 1, 0.0001
--    below 0.1, and 0 for 0 alone (the customers page reads those apart): one customer in
--    twenty crosses a step on a given day, where two significant digits would be one in four
--    (ADR 013). Exact decimal arithmetic (the leading two digits of the text, the number of
--    integer digits), monotone: a <= b gives key(a) <= key(b), so ordering by the key then the
--    exact value is the exact order of the values. Odd in the sign, never above |value|.
ALTER TABLE "CustomerMetrics"
  ADD COLUMN "pAlivePercent" SMALLINT GENERATED ALWAYS AS (
    CASE WHEN "pAlive" >= 0 AND "pAlive" <= 1
         THEN (floor("pAlive" * 100) + CASE WHEN "pAlive" * 100 - floor("pAlive" * 100) >= 0.5 THEN 1 ELSE 0 END)::smallint
    END) STORED,
  ADD COLUMN "predictedClv12mKey" DECIMAL(19,4) GENERATED ALWAYS AS (
    CASE WHEN abs("predictedClv12m") < 1 THEN sign("predictedClv12m") * greatest(trunc(abs("predictedClv12m"), 1), 0.0001)
         ELSE sign("predictedClv12m")
              * (ARRAY[10, 12, 15, 20, 25, 30, 40, 50, 60, 80])[
                  width_bucket(left(replace(abs("predictedClv12m")::text, '.', '') || '0', 2)::int, ARRAY[10, 12, 15, 20, 25, 30, 40, 50, 60, 80])]
              * power(10::numeric, length(trunc(abs("predictedClv12m"))::text) - 2)
    END) STORED;

-- DropIndex
DROP INDEX "CustomerMetrics_shop_pAlive_customerId_idx";

-- DropIndex
DROP INDEX "CustomerMetrics_shop_predictedClv12m_customerId_idx";

-- CreateIndex
CREATE INDEX "CustomerMetrics_shop_pAlivePercent_customerId_idx" ON "CustomerMetrics"("shop", "pAlivePercent", "customerId");

-- CreateIndex
CREATE INDEX "CustomerMetrics_shop_predictedClv12mKey_customerId_idx" ON "CustomerMetrics"("shop", "predictedClv12mKey", "customerId");
