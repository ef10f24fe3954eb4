-- The hash of one event: SHA-256 over a canonical encoding of everything the event says, chained to the previous
-- event of its stream. jsonb's text form is canonical (keys sorted, whitespace normalised), and the timestamp is
-- rendered in UTC, so the same row always hashes the same whatever the session's settings.
CREATE OR REPLACE FUNCTION dvmm_event_hash(
  p_position bigint, p_stream_id text, p_stream_type text, p_stream_version integer, p_event_type text,
  p_schema_version integer, p_data jsonb, p_metadata jsonb, p_tenant_id text, p_recorded_at timestamptz,
  p_prev_hash text
) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT encode(sha256(convert_to(jsonb_build_array(
    p_position::text, p_stream_id, p_stream_type, p_stream_version, p_event_type, p_schema_version,
    p_data, p_metadata, p_tenant_id,
    to_char(p_recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    p_prev_hash
  )::text, 'UTF8')), 'hex')
$$;
--> statement-breakpoint
-- Links each new event to its predecessor. A version whose predecessor does not exist (the writer expected a
-- version the stream has not reached) is refused with DV001, which the store reports as a concurrency conflict.
-- Rows inserted earlier by the same statement are visible here, so a multi-event append chains correctly.
CREATE OR REPLACE FUNCTION dvmm_events_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous text;
BEGIN
  IF NEW.stream_version < 1 THEN
    RAISE EXCEPTION 'stream % cannot have version %', NEW.stream_id, NEW.stream_version USING ERRCODE = 'DV001';
  END IF;
  IF NEW.stream_version > 1 THEN
    SELECT hash INTO previous FROM events WHERE stream_id = NEW.stream_id AND stream_version = NEW.stream_version - 1;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'stream % has no version %', NEW.stream_id, NEW.stream_version - 1 USING ERRCODE = 'DV001';
    END IF;
  END IF;
  NEW.prev_hash := previous;
  NEW.hash := dvmm_event_hash(NEW.position, NEW.stream_id, NEW.stream_type, NEW.stream_version, NEW.event_type,
    NEW.schema_version, NEW.data, NEW.metadata, NEW.tenant_id, NEW.recorded_at, previous);
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_link BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION dvmm_events_link();
--> statement-breakpoint
-- The audit trail is append-only for everyone, whoever connects: statement-level triggers fire even when no row
-- matches, so `DELETE FROM events WHERE false` is refused as well.
CREATE OR REPLACE FUNCTION dvmm_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are immutable: % on events is not allowed', TG_OP USING ERRCODE = 'DV002';
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_no_update BEFORE UPDATE ON events FOR EACH STATEMENT EXECUTE FUNCTION dvmm_events_immutable();
--> statement-breakpoint
CREATE TRIGGER events_no_delete BEFORE DELETE ON events FOR EACH STATEMENT EXECUTE FUNCTION dvmm_events_immutable();
--> statement-breakpoint
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION dvmm_events_immutable();
