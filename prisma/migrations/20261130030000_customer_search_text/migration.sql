-- The customers page's search (models/customerList.server.ts): one trigram index of the e-mail,
-- first and last name together, instead of one per column (each word was three index scans, and
-- the per-name indexes of a shop with few distinct names matched thousands of rows per trigram).
-- An expression index: Prisma cannot declare it, and db:drift does not see it. The query must use
-- this very expression.
CREATE INDEX "CustomerProfile_search_trgm_idx" ON "CustomerProfile" USING gin ((coalesce("email", '') || ' ' || coalesce("firstName", '') || ' ' || coalesce("lastName", '')) gin_trgm_ops);

-- DropIndex
DROP INDEX "CustomerProfile_firstName_trgm_idx";

-- DropIndex
DROP INDEX "CustomerProfile_lastName_trgm_idx";

-- Statistics of the new expression, for the planner's estimates (PGlite has no autovacuum).
ANALYZE "CustomerProfile";
