CREATE TABLE "audit_chain" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"transaction_id" "xid8" NOT NULL,
	"position" bigint NOT NULL,
	"stream_id" text NOT NULL,
	"stream_version" integer NOT NULL,
	"event_hash" "bytea" NOT NULL,
	"chain_hash" "bytea" NOT NULL,
	CONSTRAINT "audit_chain_position_unique" UNIQUE("position")
);
--> statement-breakpoint
CREATE TABLE "audit_seals" (
	"seal_no" bigint PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"position" bigint NOT NULL,
	"key_id" text NOT NULL,
	"statement" text NOT NULL,
	"signature" text NOT NULL,
	"sealed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_chain_stream_idx" ON "audit_chain" USING btree ("stream_id","stream_version");