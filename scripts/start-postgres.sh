#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster and make a role and database for the service's tests (idempotent).
# Prints `export PRIORAUTH_TEST_DATABASE_URL=...` on stdout, so: eval "$(bash scripts/start-postgres.sh)".
# Stop it again with: pg_ctlcluster <version> main stop (PRIORAUTH_PG_STARTED=1 says this call started it).
set -euo pipefail
DB=${PRIORAUTH_PG_DB:-priorauth_test}
ROLE=${PRIORAUTH_PG_ROLE:-priorauth}
PASSWORD=${PRIORAUTH_PG_PASSWORD:-priorauth-test-only}
if [ "$(id -u)" = 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else
  echo "start-postgres: needs root (or sudo without a password) to start the cluster" >&2; exit 1; fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
[ -n "$version" ] || { echo "start-postgres: PostgreSQL is not installed (scripts/install.sh installs it)" >&2; exit 1; }
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main"' | grep -q .; then
  "${as_root[@]}" pg_createcluster "$version" main >&2
fi
started=0
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" && $4=="online"' | grep -q .; then
  "${as_root[@]}" pg_ctlcluster "$version" main start >&2
  started=1
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
psql_() { "${as_root[@]}" su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qAt $*"; }
for _ in $(seq 1 30); do psql_ "-c 'select 1'" >/dev/null 2>&1 && break; sleep 0.5; done
if [ "$(psql_ "-c \"select 1 from pg_roles where rolname='$ROLE'\"")" != 1 ]; then
  psql_ "-c \"create role $ROLE login password '$PASSWORD'\""
fi
if [ "$(psql_ "-c \"select 1 from pg_database where datname='$DB'\"")" != 1 ]; then
  psql_ "-c \"create database $DB owner $ROLE\""
fi
echo "PostgreSQL $version main is up on port $port (stop: pg_ctlcluster $version main stop)" >&2
echo "export PRIORAUTH_TEST_DATABASE_URL=postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$port/$DB"
# so a caller can stop only a cluster it started: [ "$PRIORAUTH_PG_STARTED" = 1 ] && pg_ctlcluster $version main stop
echo "export PRIORAUTH_PG_STARTED=$started PRIORAUTH_PG_VERSION=$version"
