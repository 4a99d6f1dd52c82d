-- CreateTable
CREATE TABLE "BackfillRun" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "bulkOperationId" TEXT,
    "lineOffset" INTEGER NOT NULL DEFAULT 0,
    "progress" JSONB NOT NULL DEFAULT '{}',
    "counts" JSONB NOT NULL DEFAULT '{}',
    "since" TIMESTAMP(3),
    "until" TIMESTAMP(3),
    "ordersLimited" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "BackfillRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WriteBackState" (
    "customerId" INTEGER NOT NULL,
    "shop" TEXT NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "metafields" JSONB NOT NULL DEFAULT '{}',
    "writtenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WriteBackState_pkey" PRIMARY KEY ("customerId")
);

-- CreateIndex
CREATE INDEX "BackfillRun_shop_kind_startedAt_idx" ON "BackfillRun"("shop", "kind", "startedAt");

-- CreateIndex
CREATE INDEX "WriteBackState_shop_idx" ON "WriteBackState"("shop");

-- AddForeignKey
ALTER TABLE "BackfillRun" ADD CONSTRAINT "BackfillRun_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WriteBackState" ADD CONSTRAINT "WriteBackState_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WriteBackState" ADD CONSTRAINT "WriteBackState_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
