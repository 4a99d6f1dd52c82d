-- CreateTable
CREATE TABLE "CustomerMetrics" (
    "customerId" INTEGER NOT NULL,
    "shop" TEXT NOT NULL,
    "recencyDays" INTEGER NOT NULL,
    "frequency" INTEGER NOT NULL,
    "purchaseDays" INTEGER NOT NULL,
    "monetary" DECIMAL(19,4) NOT NULL,
    "currency" TEXT NOT NULL,
    "rScore" INTEGER NOT NULL,
    "fScore" INTEGER NOT NULL,
    "mScore" INTEGER NOT NULL,
    "segment" TEXT NOT NULL,
    "previousSegment" TEXT,
    "segmentChangedAt" TIMESTAMP(3) NOT NULL,
    "pAlive" DOUBLE PRECISION,
    "expectedPurchases12m" DOUBLE PRECISION,
    "expectedOrderValue" DECIMAL(19,4),
    "predictedClv12m" DECIMAL(19,4),
    "expectedNextOrderAt" TIMESTAMP(3),
    "firstOrderAt" TIMESTAMP(3) NOT NULL,
    "lastOrderAt" TIMESTAMP(3) NOT NULL,
    "lowConfidence" BOOLEAN NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerMetrics_pkey" PRIMARY KEY ("customerId")
);

-- CreateTable
CREATE TABLE "SegmentSnapshot" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "segment" TEXT NOT NULL,
    "customers" INTEGER NOT NULL,
    "orders" INTEGER NOT NULL,
    "revenue" DECIMAL(19,4) NOT NULL,
    "currency" TEXT NOT NULL,
    "movedIn" JSONB NOT NULL DEFAULT '{}',
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SegmentSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "KpiSnapshot" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "rangeKind" TEXT NOT NULL,
    "rangeFrom" TIMESTAMP(3) NOT NULL,
    "rangeTo" TIMESTAMP(3) NOT NULL,
    "currency" TEXT NOT NULL,
    "netRevenue" DECIMAL(19,4) NOT NULL,
    "orders" INTEGER NOT NULL,
    "customers" INTEGER NOT NULL,
    "newCustomers" INTEGER NOT NULL,
    "averageOrderValue" DECIMAL(19,4),
    "repeatPurchaseRate" DOUBLE PRECISION,
    "current" JSONB NOT NULL,
    "previous" JSONB NOT NULL,
    "comparison" JSONB NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "KpiSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnalysisSnapshot" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "customers" INTEGER NOT NULL,
    "repeatCustomers" INTEGER NOT NULL,
    "lowConfidence" BOOLEAN NOT NULL,
    "confidenceNotes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "model" JSONB NOT NULL,
    "cohorts" JSONB NOT NULL,
    "timings" JSONB NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AnalysisSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CustomerMetrics_shop_segment_idx" ON "CustomerMetrics"("shop", "segment");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerMetrics_shop_customerId_key" ON "CustomerMetrics"("shop", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "SegmentSnapshot_shop_date_segment_key" ON "SegmentSnapshot"("shop", "date", "segment");

-- CreateIndex
CREATE UNIQUE INDEX "KpiSnapshot_shop_date_rangeKind_key" ON "KpiSnapshot"("shop", "date", "rangeKind");

-- CreateIndex
CREATE UNIQUE INDEX "AnalysisSnapshot_shop_date_key" ON "AnalysisSnapshot"("shop", "date");

-- AddForeignKey
ALTER TABLE "CustomerMetrics" ADD CONSTRAINT "CustomerMetrics_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerMetrics" ADD CONSTRAINT "CustomerMetrics_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SegmentSnapshot" ADD CONSTRAINT "SegmentSnapshot_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "KpiSnapshot" ADD CONSTRAINT "KpiSnapshot_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalysisSnapshot" ADD CONSTRAINT "AnalysisSnapshot_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;
