#!/bin/sh
# The streaming replica of docker-compose.scale.yml (its entrypoint in the postgres image). On the first start, with
# an empty data volume, it copies the primary with pg_basebackup; --write-recovery-conf leaves standby.signal and
# primary_conninfo (with the replication password) in the copy, so postgres starts as a hot standby that streams from
# the primary and answers read-only queries. Later starts find the copy and only start postgres, which resumes
# streaming where it stopped.
set -e
: "${PGDATA:=/var/lib/postgresql/data}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "replica: copying the primary ($DVMM_PRIMARY_HOST) into $PGDATA"
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  if ! PGPASSWORD="$DVMM_REPLICATION_PASSWORD" gosu postgres pg_basebackup --host="$DVMM_PRIMARY_HOST" \
    --username=replicator --pgdata="$PGDATA" --wal-method=stream --write-recovery-conf --checkpoint=fast; then
    # A half-made copy would pass for a finished one on the next start: remove it, so the restart copies again.
    find "$PGDATA" -mindepth 1 -delete
    echo "replica: pg_basebackup from $DVMM_PRIMARY_HOST failed; the container restarts and tries again" >&2
    exit 1
  fi
fi
# The image's own entrypoint: it drops to the postgres user and runs the command (postgres with its settings).
exec docker-entrypoint.sh "$@"
