#!/bin/sh
# The primary's first start (docker-compose.scale.yml mounts this into the postgres image's
# /docker-entrypoint-initdb.d/, which runs only on an empty data volume): the role the replica streams as, and a
# pg_hba.conf line letting it connect for replication from the compose network with its password (the image's own
# `host all all all` line does not cover replication connections).
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=password="$DVMM_REPLICATION_PASSWORD" <<'SQL'
create role replicator with replication login password :'password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
