-- AlterTable
ALTER TABLE "AnalysisSnapshot" ADD COLUMN     "scoring" JSONB;

-- CreateTable
CREATE TABLE "SegmentMove" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "fromSegment" TEXT NOT NULL,
    "toSegment" TEXT NOT NULL,
    "movedAt" TIMESTAMP(3) NOT NULL,
    "source" TEXT NOT NULL,

    CONSTRAINT "SegmentMove_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SegmentMove_shop_movedAt_idx" ON "SegmentMove"("shop", "movedAt");

-- CreateIndex
CREATE INDEX "SegmentMove_customerId_idx" ON "SegmentMove"("customerId");

-- AddForeignKey
ALTER TABLE "SegmentMove" ADD CONSTRAINT "SegmentMove_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SegmentMove" ADD CONSTRAINT "SegmentMove_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
