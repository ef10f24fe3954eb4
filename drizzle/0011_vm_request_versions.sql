CREATE TABLE "vm_request_version_horizon" (
	"singleton" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"changed_tx" bigint NOT NULL,
	"changed_position" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vm_request_versions" (
	"id" uuid NOT NULL,
	"tenant_id" text NOT NULL,
	"project_id" uuid NOT NULL,
	"project_name" text,
	"vm_name" text NOT NULL,
	"size" text NOT NULL,
	"vcpus" integer NOT NULL,
	"memory_gb" integer NOT NULL,
	"disk_gb" integer NOT NULL,
	"monthly_cost_eur" integer NOT NULL,
	"justification" text NOT NULL,
	"status" text NOT NULL,
	"version" integer NOT NULL,
	"requester_id" text NOT NULL,
	"requester_email" text,
	"requester_name" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"rejection_reason" text,
	"cancellation_reason" text,
	"provisioning_stage" text,
	"provisioning_attempts" integer,
	"vmware_vm_id" text,
	"hostname" text,
	"ip_address" text,
	"provisioning_warning" text,
	"failure_code" text,
	"failure_message" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"changed_tx" bigint NOT NULL,
	"changed_position" bigint NOT NULL,
	CONSTRAINT "vm_request_versions_pkey" PRIMARY KEY("changed_tx","changed_position")
);
--> statement-breakpoint
DROP INDEX "vm_requests_tenant_changed_idx";--> statement-breakpoint
-- Versions start with this migration: a `since` from before it is expired (the current state is in vm_requests).
INSERT INTO "vm_request_version_horizon" ("singleton", "changed_tx", "changed_position")
SELECT 1, "transaction_id", "position" FROM "projection_checkpoints" WHERE "name" = 'vm_requests';
