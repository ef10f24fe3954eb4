CREATE TABLE "projection_checkpoints" (
	"name" text PRIMARY KEY NOT NULL,
	"transaction_id" bigint DEFAULT 0 NOT NULL,
	"position" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stalled_at" timestamp with time zone,
	"stalled_position" bigint,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "project_members" (
	"project_id" uuid NOT NULL,
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	CONSTRAINT "project_members_pkey" PRIMARY KEY("project_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"status" text NOT NULL,
	"version" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"changed_tx" bigint NOT NULL,
	"changed_position" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vm_request_project_names" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vm_request_timeline" (
	"position" bigint PRIMARY KEY NOT NULL,
	"request_id" uuid NOT NULL,
	"tenant_id" text NOT NULL,
	"stream_version" integer NOT NULL,
	"type" text NOT NULL,
	"actor_id" text,
	"details" text,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vm_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
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
	"changed_position" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "project_members_tenant_user_idx" ON "project_members" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE INDEX "projects_tenant_created_idx" ON "projects" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "projects_tenant_changed_idx" ON "projects" USING btree ("tenant_id","changed_tx","changed_position");--> statement-breakpoint
CREATE UNIQUE INDEX "vm_request_timeline_request_version_idx" ON "vm_request_timeline" USING btree ("request_id","stream_version");--> statement-breakpoint
CREATE INDEX "vm_requests_tenant_created_idx" ON "vm_requests" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "vm_requests_tenant_requester_created_idx" ON "vm_requests" USING btree ("tenant_id","requester_id","created_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "vm_requests_tenant_status_created_idx" ON "vm_requests" USING btree ("tenant_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "vm_requests_tenant_project_created_idx" ON "vm_requests" USING btree ("tenant_id","project_id","created_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "vm_requests_tenant_changed_idx" ON "vm_requests" USING btree ("tenant_id","changed_tx","changed_position");