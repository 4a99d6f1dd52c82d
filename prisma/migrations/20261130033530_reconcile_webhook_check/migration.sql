-- AlterTable
ALTER TABLE "BackfillRun" ADD COLUMN     "webhookCheck" JSONB;
