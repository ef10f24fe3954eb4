CREATE TABLE "project_names" (
	"tenant_id" text NOT NULL,
	"name_key" text NOT NULL,
	"project_id" uuid NOT NULL,
	CONSTRAINT "project_names_pkey" PRIMARY KEY("tenant_id","name_key")
);
