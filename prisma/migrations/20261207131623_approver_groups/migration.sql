-- AlterTable
ALTER TABLE "User" ADD COLUMN     "groups" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "Connection" ALTER COLUMN "approverIds" SET DEFAULT ARRAY[]::UUID[];

-- AlterTable
ALTER TABLE "ApprovalRequest" ADD COLUMN     "approverGroups" TEXT[] DEFAULT ARRAY[]::TEXT[];

