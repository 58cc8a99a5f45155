-- AlterTable
ALTER TABLE "AgentToken" ADD COLUMN     "scramVerifier" TEXT;

-- CreateIndex
CREATE INDEX "AgentToken_prefix_idx" ON "AgentToken"("prefix");

