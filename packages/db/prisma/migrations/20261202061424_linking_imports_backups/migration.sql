-- CreateEnum
CREATE TYPE "provider" AS ENUM ('instagram', 'x', 'facebook', 'google', 'microsoft', 'linkedin');

-- CreateEnum
CREATE TYPE "linked_account_status" AS ENUM ('active', 'needs_reauth', 'revoked');

-- CreateEnum
CREATE TYPE "import_status" AS ENUM ('queued', 'running', 'completed', 'failed');

-- CreateEnum
CREATE TYPE "import_trigger" AS ENUM ('manual', 'schedule');

-- CreateEnum
CREATE TYPE "backup_kind" AS ENUM ('database', 'media');

-- CreateEnum
CREATE TYPE "backup_status" AS ENUM ('running', 'completed', 'verified', 'failed');

-- AlterTable
ALTER TABLE "media_items" ADD COLUMN     "download_ref" JSONB,
ADD COLUMN     "failure_reason" VARCHAR(500),
ADD COLUMN     "import_run_id" UUID;

-- CreateTable
CREATE TABLE "linked_accounts" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "provider" "provider" NOT NULL,
    "provider_account_id" VARCHAR(255) NOT NULL,
    "handle" VARCHAR(255),
    "display_name" VARCHAR(255),
    "access_token_enc" TEXT,
    "refresh_token_enc" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "refresh_expires_at" TIMESTAMPTZ(3),
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" "linked_account_status" NOT NULL DEFAULT 'active',
    "last_refresh_at" TIMESTAMPTZ(3),
    "last_refresh_error" VARCHAR(500),
    "reauth_notified_at" TIMESTAMPTZ(3),
    "expiry_warned_at" TIMESTAMPTZ(3),
    "last_synced_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "linked_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_runs" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "linked_account_id" UUID NOT NULL,
    "active_for" UUID,
    "trigger" "import_trigger" NOT NULL DEFAULT 'manual',
    "status" "import_status" NOT NULL DEFAULT 'queued',
    "cursor" TEXT,
    "pages_done" INTEGER NOT NULL DEFAULT 0,
    "listing_done" BOOLEAN NOT NULL DEFAULT false,
    "items_seen" INTEGER NOT NULL DEFAULT 0,
    "items_new" INTEGER NOT NULL DEFAULT 0,
    "items_existing" INTEGER NOT NULL DEFAULT 0,
    "items_skipped" INTEGER NOT NULL DEFAULT 0,
    "items_failed" INTEGER NOT NULL DEFAULT 0,
    "items_pending" INTEGER NOT NULL DEFAULT 0,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "error" VARCHAR(500),
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "import_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backup_records" (
    "id" UUID NOT NULL,
    "kind" "backup_kind" NOT NULL,
    "status" "backup_status" NOT NULL DEFAULT 'running',
    "location" VARCHAR(1024) NOT NULL,
    "size_bytes" BIGINT,
    "sha256" CHAR(64),
    "details" JSONB NOT NULL DEFAULT '{}',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "verified_at" TIMESTAMPTZ(3),
    "drilled_at" TIMESTAMPTZ(3),
    "error" VARCHAR(1000),

    CONSTRAINT "backup_records_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "linked_accounts_user_id_provider_idx" ON "linked_accounts"("user_id", "provider");

-- CreateIndex
CREATE INDEX "linked_accounts_status_expires_at_idx" ON "linked_accounts"("status", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "linked_accounts_provider_provider_account_id_key" ON "linked_accounts"("provider", "provider_account_id");

-- CreateIndex
CREATE UNIQUE INDEX "import_runs_active_for_key" ON "import_runs"("active_for");

-- CreateIndex
CREATE INDEX "import_runs_user_id_created_at_idx" ON "import_runs"("user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "import_runs_linked_account_id_created_at_idx" ON "import_runs"("linked_account_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "backup_records_kind_status_started_at_idx" ON "backup_records"("kind", "status", "started_at" DESC);

-- AddForeignKey
ALTER TABLE "media_items" ADD CONSTRAINT "media_items_linked_account_id_fkey" FOREIGN KEY ("linked_account_id") REFERENCES "linked_accounts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "linked_accounts" ADD CONSTRAINT "linked_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_linked_account_id_fkey" FOREIGN KEY ("linked_account_id") REFERENCES "linked_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
