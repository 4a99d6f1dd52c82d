-- CreateTable
CREATE TABLE "ShopperPreference" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "personalization" BOOLEAN NOT NULL DEFAULT true,
    "surveys" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopperPreference_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecommendationEvent" (
    "id" BIGSERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "recId" TEXT NOT NULL,
    "placement" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "productId" TEXT,
    "customerId" TEXT,
    "visitorId" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecommendationEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecommendationAttribution" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "orderShopifyId" TEXT NOT NULL,
    "orderProcessedAt" TIMESTAMP(3) NOT NULL,
    "productId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "recId" TEXT,
    "placement" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "revenue" DECIMAL(19,4) NOT NULL,
    "currency" TEXT NOT NULL,

    CONSTRAINT "RecommendationAttribution_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecommendationOrderVisitor" (
    "id" SERIAL NOT NULL,
    "shop" TEXT NOT NULL,
    "orderShopifyId" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "orderProcessedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecommendationOrderVisitor_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ShopperPreference_shop_customerId_key" ON "ShopperPreference"("shop", "customerId");

-- CreateIndex
CREATE INDEX "RecommendationEvent_shop_occurredAt_idx" ON "RecommendationEvent"("shop", "occurredAt");

-- CreateIndex
CREATE INDEX "RecommendationEvent_shop_customerId_occurredAt_idx" ON "RecommendationEvent"("shop", "customerId", "occurredAt");

-- CreateIndex
CREATE INDEX "RecommendationEvent_shop_visitorId_occurredAt_idx" ON "RecommendationEvent"("shop", "visitorId", "occurredAt");

-- CreateIndex
CREATE INDEX "RecommendationAttribution_shop_orderProcessedAt_idx" ON "RecommendationAttribution"("shop", "orderProcessedAt");

-- CreateIndex
CREATE UNIQUE INDEX "RecommendationAttribution_shop_orderShopifyId_productId_key" ON "RecommendationAttribution"("shop", "orderShopifyId", "productId");

-- CreateIndex
CREATE INDEX "RecommendationOrderVisitor_shop_visitorId_idx" ON "RecommendationOrderVisitor"("shop", "visitorId");

-- CreateIndex
CREATE UNIQUE INDEX "RecommendationOrderVisitor_shop_orderShopifyId_key" ON "RecommendationOrderVisitor"("shop", "orderShopifyId");

-- AddForeignKey
ALTER TABLE "ShopperPreference" ADD CONSTRAINT "ShopperPreference_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecommendationEvent" ADD CONSTRAINT "RecommendationEvent_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecommendationAttribution" ADD CONSTRAINT "RecommendationAttribution_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecommendationOrderVisitor" ADD CONSTRAINT "RecommendationOrderVisitor_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;
