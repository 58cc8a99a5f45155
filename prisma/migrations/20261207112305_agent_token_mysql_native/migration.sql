-- AlterTable
ALTER TABLE "AgentToken" ADD COLUMN     "mysqlNativeVerifier" TEXT;

