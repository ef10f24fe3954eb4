-- The audit chain and its seals are append-only for every role, as the events are: the sealer only ever inserts.
-- A superuser can still switch these triggers off; what that changes is caught by verification against the seals.
CREATE OR REPLACE FUNCTION dvmm_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'DV002';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain FOR EACH STATEMENT EXECUTE FUNCTION dvmm_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain FOR EACH STATEMENT EXECUTE FUNCTION dvmm_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain FOR EACH STATEMENT EXECUTE FUNCTION dvmm_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals FOR EACH STATEMENT EXECUTE FUNCTION dvmm_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals FOR EACH STATEMENT EXECUTE FUNCTION dvmm_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals FOR EACH STATEMENT EXECUTE FUNCTION dvmm_audit_append_only();
