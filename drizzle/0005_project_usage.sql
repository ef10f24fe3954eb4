CREATE TABLE "project_usage" (
	"project_id" uuid NOT NULL,
	"month" text NOT NULL,
	"tenant_id" text NOT NULL,
	"vms" integer NOT NULL,
	"vcpus" integer NOT NULL,
	"memory_gb" integer NOT NULL,
	"disk_gb" integer NOT NULL,
	"monthly_cost_eur" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "project_usage_pkey" PRIMARY KEY("project_id","month")
);
--> statement-breakpoint
CREATE TABLE "project_usage_open_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"project_id" uuid NOT NULL,
	"size" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "project_usage_tenant_month_idx" ON "project_usage" USING btree ("tenant_id","month");