-- Gap-safe readers trust transaction_id to be the writing transaction's id: a forged, older value would sort an
-- event behind a reader's checkpoint and hide it for good. So the link trigger sets it, whatever the INSERT said.
CREATE OR REPLACE FUNCTION dvmm_events_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous text;
BEGIN
  NEW.transaction_id := pg_current_xact_id();
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
