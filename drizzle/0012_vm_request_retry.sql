ALTER TABLE "vm_request_versions" ADD COLUMN "next_retry_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "vm_requests" ADD COLUMN "next_retry_at" timestamp with time zone;--> statement-breakpoint
-- What a replay of the existing events gives (none of them is a VmProvisioningRetryScheduled): a stage only while
-- PROVISIONING, attempt 1 from the start of provisioning on (FAILED rows keep their recorded count).
UPDATE "vm_requests" SET "provisioning_stage" = NULL WHERE "status" <> 'PROVISIONING' AND "provisioning_stage" IS NOT NULL;--> statement-breakpoint
UPDATE "vm_requests" SET "provisioning_attempts" = 1 WHERE "status" IN ('PROVISIONING', 'READY') AND "provisioning_attempts" IS NULL;--> statement-breakpoint
UPDATE "vm_request_versions" SET "provisioning_stage" = NULL WHERE "status" <> 'PROVISIONING' AND "provisioning_stage" IS NOT NULL;--> statement-breakpoint
UPDATE "vm_request_versions" SET "provisioning_attempts" = 1 WHERE "status" IN ('PROVISIONING', 'READY') AND "provisioning_attempts" IS NULL;
