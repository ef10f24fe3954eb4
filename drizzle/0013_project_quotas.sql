CREATE TABLE "project_quota_holds" (
	"request_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"project_id" uuid NOT NULL,
	"size" text NOT NULL,
	"vcpus" integer NOT NULL,
	"ram_gb" integer NOT NULL,
	"disk_gb" integer NOT NULL,
	"running" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "project_quotas" (
	"tenant_id" text NOT NULL,
	"project_id" uuid NOT NULL,
	"max_vms" integer,
	"max_vcpus" integer,
	"max_ram_gb" integer,
	"max_storage_gb" integer,
	CONSTRAINT "project_quotas_pkey" PRIMARY KEY("tenant_id","project_id")
);
--> statement-breakpoint
CREATE INDEX "project_quota_holds_project_idx" ON "project_quota_holds" USING btree ("tenant_id","project_id");