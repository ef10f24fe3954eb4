ALTER TABLE "project_usage_open_requests" ADD COLUMN "ready_month" text;--> statement-breakpoint
ALTER TABLE "usage_report_vms" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "vm_request_versions" ADD COLUMN "power_state" text;--> statement-breakpoint
ALTER TABLE "vm_request_versions" ADD COLUMN "pending_operation" text;--> statement-breakpoint
ALTER TABLE "vm_request_versions" ADD COLUMN "decommissioned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "vm_request_versions" ADD COLUMN "failed_operation" text;--> statement-breakpoint
ALTER TABLE "vm_request_versions" ADD COLUMN "failed_operation_code" text;--> statement-breakpoint
ALTER TABLE "vm_request_versions" ADD COLUMN "failed_operation_message" text;--> statement-breakpoint
ALTER TABLE "vm_request_versions" ADD COLUMN "failed_operation_attempts" integer;--> statement-breakpoint
ALTER TABLE "vm_request_versions" ADD COLUMN "failed_operation_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "vm_requests" ADD COLUMN "power_state" text;--> statement-breakpoint
ALTER TABLE "vm_requests" ADD COLUMN "pending_operation" text;--> statement-breakpoint
ALTER TABLE "vm_requests" ADD COLUMN "decommissioned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "vm_requests" ADD COLUMN "failed_operation" text;--> statement-breakpoint
ALTER TABLE "vm_requests" ADD COLUMN "failed_operation_code" text;--> statement-breakpoint
ALTER TABLE "vm_requests" ADD COLUMN "failed_operation_message" text;--> statement-breakpoint
ALTER TABLE "vm_requests" ADD COLUMN "failed_operation_attempts" integer;--> statement-breakpoint
ALTER TABLE "vm_requests" ADD COLUMN "failed_operation_at" timestamp with time zone;--> statement-breakpoint
-- What a replay of the existing events gives (none of them happened after READY): a READY VM is ON.
UPDATE "vm_requests" SET "power_state" = 'ON' WHERE "status" = 'READY';--> statement-breakpoint
UPDATE "vm_request_versions" SET "power_state" = 'ON' WHERE "status" = 'READY';--> statement-breakpoint
-- project_usage now remembers READY VMs too (to take them off when decommissioned), which its rows so far dropped:
-- it starts over and replays the whole history on the next start, as it did when it was added.
DELETE FROM "project_usage";--> statement-breakpoint
DELETE FROM "project_usage_open_requests";--> statement-breakpoint
DELETE FROM "projection_checkpoints" WHERE "name" = 'project_usage';
