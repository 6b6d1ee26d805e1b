#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the test suite: use the running one, start the
# installed cluster, or install PostgreSQL and start a private cluster (trust auth on localhost only).
set -euo pipefail
HOST=127.0.0.1; PORT=5432
ready() { pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; }
if command -v pg_isready >/dev/null 2>&1 && ready; then exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/*/main >/dev/null 2>&1; then
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  echo "starting PostgreSQL $ver cluster main …"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing PostgreSQL …"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
if ready; then exit 0; fi
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
data=/tmp/metrocoop-pg
echo "starting a private PostgreSQL cluster in $data …"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"; [ "$(id -u)" -eq 0 ] && chown postgres "$data"
  as_pg "$bindir/initdb" -D "$data" -U postgres -A trust >/dev/null
fi
as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-p $PORT -k /tmp -c listen_addresses=$HOST -c fsync=off" start
ready
