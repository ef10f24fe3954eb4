-- The projector sends a batch's whole transaction (BEGIN, guard, writes, NOTIFY, COMMIT) in one round trip, so it
-- cannot look at an answer before the COMMIT goes out. Every check that decides whether the batch may commit is
-- therefore a statement that fails inside the transaction, which turns the COMMIT into a rollback.

-- The batch guard: moves the checkpoints of `names` from `from` to `to`, and fails with DV010 unless every one of
-- them was still at `from` (another process applied these events first: the batch is stale). As the batch's first
-- statement it also takes the checkpoint rows' locks, serialising every writer of these projections until commit.
CREATE OR REPLACE FUNCTION dvmm_advance_checkpoints(names text[], from_tx bigint, from_position bigint, to_tx bigint, to_position bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  moved int;
BEGIN
  UPDATE projection_checkpoints
  SET transaction_id = to_tx, position = to_position, updated_at = now(), stalled_at = NULL, stalled_position = NULL, error = NULL
  WHERE name = ANY(names) AND transaction_id = from_tx AND position = from_position;
  GET DIAGNOSTICS moved = ROW_COUNT;
  IF moved <> cardinality(names) THEN
    RAISE EXCEPTION 'stale batch: % of % checkpoint(s) still at (%, %)', moved, cardinality(names), from_tx, from_position
      USING ERRCODE = 'DV010';
  END IF;
END
$$;
--> statement-breakpoint
-- A projection handler's consistency check (a patch for a row that does not exist, an event it cannot price), as
-- SQL: `select dvmm_fail(message) from ... where <wrong>` fails the statement, and so the batch, with DV011.
CREATE OR REPLACE FUNCTION dvmm_fail(message text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', message USING ERRCODE = 'DV011';
END
$$;
