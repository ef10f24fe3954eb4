CREATE TABLE "vmware_connections" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"settings" jsonb NOT NULL,
	"password_secret" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ip_allocations" (
	"tenant_id" text NOT NULL,
	"request_id" uuid NOT NULL,
	"address" text NOT NULL,
	"allocated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ip_allocations_pkey" PRIMARY KEY("tenant_id","request_id"),
	CONSTRAINT "ip_allocations_address_key" UNIQUE("tenant_id","address")
);
