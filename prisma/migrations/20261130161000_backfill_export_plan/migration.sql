-- AlterTable
ALTER TABLE "BackfillRun" ADD COLUMN     "exportPlan" JSONB;
