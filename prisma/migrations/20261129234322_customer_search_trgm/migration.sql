-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateIndex
CREATE INDEX "CustomerProfile_email_trgm_idx" ON "CustomerProfile" USING GIN ("email" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "CustomerProfile_firstName_trgm_idx" ON "CustomerProfile" USING GIN ("firstName" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "CustomerProfile_lastName_trgm_idx" ON "CustomerProfile" USING GIN ("lastName" gin_trgm_ops);
