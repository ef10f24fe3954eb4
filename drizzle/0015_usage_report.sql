CREATE TABLE "usage_report_vms" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"project_id" uuid NOT NULL,
	"size" text NOT NULL,
	"ready_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "usage_report_vms_tenant_ready_idx" ON "usage_report_vms" USING btree ("tenant_id","ready_at");