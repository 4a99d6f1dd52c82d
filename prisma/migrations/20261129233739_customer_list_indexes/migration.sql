-- CreateIndex
CREATE INDEX "CustomerMetrics_shop_lastOrderAt_customerId_idx" ON "CustomerMetrics"("shop", "lastOrderAt", "customerId");

-- CreateIndex
CREATE INDEX "CustomerMetrics_shop_monetary_customerId_idx" ON "CustomerMetrics"("shop", "monetary", "customerId");

-- CreateIndex
CREATE INDEX "CustomerMetrics_shop_frequency_customerId_idx" ON "CustomerMetrics"("shop", "frequency", "customerId");

-- CreateIndex
CREATE INDEX "CustomerMetrics_shop_predictedClv12m_customerId_idx" ON "CustomerMetrics"("shop", "predictedClv12m", "customerId");

-- CreateIndex
CREATE INDEX "CustomerMetrics_shop_pAlive_customerId_idx" ON "CustomerMetrics"("shop", "pAlive", "customerId");

-- CreateIndex
CREATE INDEX "CustomerMetrics_shop_rScore_fScore_idx" ON "CustomerMetrics"("shop", "rScore", "fScore");
