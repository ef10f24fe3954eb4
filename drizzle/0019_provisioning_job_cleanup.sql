ALTER TABLE "provisioning_jobs" ADD COLUMN "cleanup_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "provisioning_jobs" ADD COLUMN "cleanup_error" text;