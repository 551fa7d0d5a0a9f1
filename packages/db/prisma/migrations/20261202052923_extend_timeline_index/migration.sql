-- DropIndex
DROP INDEX "media_items_user_id_taken_at_id_idx";

-- CreateIndex
CREATE INDEX "media_items_user_id_taken_at_id_kind_source_status_idx" ON "media_items"("user_id", "taken_at" DESC, "id" DESC, "kind", "source", "status");
