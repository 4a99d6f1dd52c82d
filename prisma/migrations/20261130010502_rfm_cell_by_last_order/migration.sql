-- DropIndex
DROP INDEX "CustomerMetrics_shop_rScore_fScore_idx";

-- CreateIndex
CREATE INDEX "CustomerMetrics_shop_rScore_fScore_lastOrderAt_customerId_idx" ON "CustomerMetrics"("shop", "rScore", "fScore", "lastOrderAt", "customerId");
