-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "compareAtPriceMin" DECIMAL(19,4),
ADD COLUMN     "defaultVariantId" TEXT,
ADD COLUMN     "giftCard" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "RecommendationModel" (
    "shop" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "trainedAt" TIMESTAMP(3) NOT NULL,
    "orders" INTEGER NOT NULL,
    "items" JSONB NOT NULL,
    "data" BYTEA NOT NULL,
    "extras" JSONB NOT NULL,
    "trainMs" INTEGER NOT NULL,

    CONSTRAINT "RecommendationModel_pkey" PRIMARY KEY ("shop")
);

-- CreateIndex
CREATE INDEX "Product_shop_shopifyCreatedAt_idx" ON "Product"("shop", "shopifyCreatedAt");

-- AddForeignKey
ALTER TABLE "RecommendationModel" ADD CONSTRAINT "RecommendationModel_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;
