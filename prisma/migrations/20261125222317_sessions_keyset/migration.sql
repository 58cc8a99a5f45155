-- DropIndex
DROP INDEX "SessionEvent_type_at_idx";

-- CreateIndex
CREATE INDEX "SessionEvent_type_at_id_idx" ON "SessionEvent"("type", "at", "id");

