-- DropIndex
DROP INDEX "CustomerMetrics_shop_customerId_key";
