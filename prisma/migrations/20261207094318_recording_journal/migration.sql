-- AlterTable
ALTER TABLE "SessionEvent" ADD COLUMN     "journalId" UUID,
ADD COLUMN     "journalSeq" BIGINT;

-- CreateIndex
CREATE UNIQUE INDEX "SessionEvent_journalId_journalSeq_key" ON "SessionEvent"("journalId", "journalSeq");

