# Sourced by .ci/run (and usable by hand): install PostgreSQL if missing, start a cluster on
# loopback, create the role and database the tests use, and export PG_URL.
start_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  local ver
  ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main"' | grep -q .; then
    pg_createcluster "$ver" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" && $4=="online"' | grep -q .; then
    pg_ctlcluster "$ver" main start
  fi
  local port
  port=$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $3}')
  su postgres -c "psql -q -p $port -tc \"SELECT 1 FROM pg_roles WHERE rolname='ledger'\"" | grep -q 1 \
    || su postgres -c "psql -q -p $port -c \"CREATE ROLE ledger LOGIN SUPERUSER PASSWORD 'ledger'\""
  su postgres -c "psql -q -p $port -tc \"SELECT 1 FROM pg_database WHERE datname='ledger_test'\"" | grep -q 1 \
    || su postgres -c "psql -q -p $port -c \"CREATE DATABASE ledger_test OWNER ledger\""
  export PG_URL="postgresql://ledger:ledger@127.0.0.1:$port/ledger_test"
}
