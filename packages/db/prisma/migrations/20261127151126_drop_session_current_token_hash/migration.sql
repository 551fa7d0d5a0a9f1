-- AlterTable
ALTER TABLE "sessions" DROP COLUMN "current_token_hash";
