-- CreateEnum
CREATE TYPE "media_source" AS ENUM ('upload', 'provider');

-- CreateEnum
CREATE TYPE "media_kind" AS ENUM ('image', 'video', 'document', 'post');

-- CreateEnum
CREATE TYPE "media_status" AS ENUM ('pending', 'stored', 'failed');

-- CreateEnum
CREATE TYPE "thumbnail_status" AS ENUM ('none', 'pending', 'ready', 'failed');

-- CreateTable
CREATE TABLE "media_items" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "source" "media_source" NOT NULL,
    "linked_account_id" UUID,
    "provider_item_id" VARCHAR(512),
    "kind" "media_kind" NOT NULL,
    "status" "media_status" NOT NULL DEFAULT 'stored',
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "caption" TEXT,
    "mime" VARCHAR(100),
    "size_bytes" BIGINT,
    "sha256" CHAR(64),
    "upload_sha256" CHAR(64),
    "original_name" VARCHAR(255),
    "width" INTEGER,
    "height" INTEGER,
    "duration_ms" INTEGER,
    "thumbnail" "thumbnail_status" NOT NULL DEFAULT 'none',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "media_items_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "media_items_user_id_taken_at_id_idx" ON "media_items"("user_id", "taken_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "media_items_user_id_kind_taken_at_id_idx" ON "media_items"("user_id", "kind", "taken_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "media_items_user_id_source_taken_at_id_idx" ON "media_items"("user_id", "source", "taken_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "media_items_sha256_idx" ON "media_items"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "media_items_user_id_upload_sha256_key" ON "media_items"("user_id", "upload_sha256");

-- CreateIndex
CREATE UNIQUE INDEX "media_items_linked_account_id_provider_item_id_key" ON "media_items"("linked_account_id", "provider_item_id");

-- AddForeignKey
ALTER TABLE "media_items" ADD CONSTRAINT "media_items_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
