-- AlterTable
ALTER TABLE "AnalysisSnapshot" ADD COLUMN     "extras" JSONB;
