-- CreateTable
CREATE TABLE "NpsResponse" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" INTEGER,
    "customerShopifyId" TEXT,
    "orderShopifyId" TEXT,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "page" TEXT,
    "source" TEXT NOT NULL,
    "locale" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "redactedAt" TIMESTAMP(3),

    CONSTRAINT "NpsResponse_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NpsFollowUp" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "responseId" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "note" TEXT,
    "contactedAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NpsFollowUp_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NpsSurveyState" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "lastAnsweredAt" TIMESTAMP(3),
    "lastDismissedAt" TIMESTAMP(3),
    "lastShownAt" TIMESTAMP(3),
    "lastShownVisit" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NpsSurveyState_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NpsSurveyKey" (
    "shop" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NpsSurveyKey_pkey" PRIMARY KEY ("shop")
);

-- CreateIndex
CREATE INDEX "NpsResponse_shop_createdAt_idx" ON "NpsResponse"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "NpsResponse_shop_customerShopifyId_idx" ON "NpsResponse"("shop", "customerShopifyId");

-- CreateIndex
CREATE INDEX "NpsResponse_customerId_idx" ON "NpsResponse"("customerId");

-- CreateIndex
CREATE UNIQUE INDEX "NpsResponse_shop_orderShopifyId_key" ON "NpsResponse"("shop", "orderShopifyId");

-- CreateIndex
CREATE UNIQUE INDEX "NpsFollowUp_responseId_key" ON "NpsFollowUp"("responseId");

-- CreateIndex
CREATE INDEX "NpsFollowUp_shop_status_createdAt_idx" ON "NpsFollowUp"("shop", "status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "NpsSurveyState_shop_subjectKey_key" ON "NpsSurveyState"("shop", "subjectKey");

-- AddForeignKey
ALTER TABLE "NpsResponse" ADD CONSTRAINT "NpsResponse_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NpsResponse" ADD CONSTRAINT "NpsResponse_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NpsFollowUp" ADD CONSTRAINT "NpsFollowUp_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NpsFollowUp" ADD CONSTRAINT "NpsFollowUp_responseId_fkey" FOREIGN KEY ("responseId") REFERENCES "NpsResponse"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NpsSurveyState" ADD CONSTRAINT "NpsSurveyState_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NpsSurveyKey" ADD CONSTRAINT "NpsSurveyKey_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;
