-- A conditional append (AppendOptions.condition: "only while stream S is at version V") is one statement: this
-- function, called from the insert's guard, first takes the condition's advisory lock shared (held until the
-- append commits; writers of S hold it exclusively until theirs), then reads S's version. Being VOLATILE, its query
-- runs with a snapshot taken after the lock was granted, so it sees a writer of S that committed while we waited,
-- which the insert statement's own snapshot (taken before the wait) would not.
CREATE OR REPLACE FUNCTION dvmm_stream_version_after_lock(lock_key text, stream text) RETURNS int
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF lock_key IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock_shared(hashtextextended(lock_key, 0));
  END IF;
  RETURN (SELECT coalesce(max(stream_version), 0)::int FROM events WHERE stream_id = stream);
END
$$;
