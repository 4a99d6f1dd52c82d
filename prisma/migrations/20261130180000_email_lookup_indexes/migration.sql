-- GDPR requests find a customer's rows by e-mail in any case. The (shop, email) indexes could not
-- serve that lookup (it compares lower(email)), so they cost every write and helped no query.
-- Expression indexes: Prisma cannot declare them, and db:drift does not see them. The queries
-- (models/customer.server.ts, models/order.server.ts) must use this very expression.

-- DropIndex
DROP INDEX "CustomerProfile_shop_email_idx";

-- DropIndex
DROP INDEX "OrderPersonal_shop_email_idx";

CREATE INDEX "CustomerProfile_shop_email_lower_idx" ON "CustomerProfile" ("shop", lower("email"));

CREATE INDEX "OrderPersonal_shop_email_lower_idx" ON "OrderPersonal" ("shop", lower("email"));

-- Statistics of the new expressions, for the planner's estimates (PGlite has no autovacuum).
ANALYZE "CustomerProfile";
ANALYZE "OrderPersonal";
