#!/usr/bin/env bash
# postgres.sh start|stop DIR [PORT]
#
# A throw-away PostgreSQL on 127.0.0.1 for the test suite and CI, with everything
# (data, socket, log) under DIR. Installs Debian's postgresql package when the
# binaries are missing. `start` prints SENDBAY_TEST_DATABASE_URL=… on stdout.
# PostgreSQL refuses to run as root, so as root it runs as the "postgres" user;
# DIR must then be reachable by that user (use a folder under /tmp).
set -euo pipefail

cmd=${1:?usage: $0 start|stop DIR [PORT]}
dir=${2:?usage: $0 start|stop DIR [PORT]}
port=${3:-55432}

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/pg_ctl" ]; then
  echo "installing PostgreSQL from Debian's packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends postgresql >&2
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /bin/sh postgres
  chown postgres "$dir"
  chmod 755 "$dir"
  as_pg=(runuser -u postgres --)
fi

case $cmd in
  stop)
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
    exit 0
    ;;
  start) ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac

if [ ! -f "$data/PG_VERSION" ]; then
  "${as_pg[@]}" "$pgbin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
fi
# Test databases need no durability: fsync off makes the suite several times faster.
# The port can be held for a moment by another socket (an outbound connection that got
# it as its ephemeral port): a start refused with "Address already in use" is tried again.
for attempt in 1 2 3 4 5 6; do
  "${as_pg[@]}" truncate -s 0 "$dir/postgres.log"
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null && break
  if [ "$attempt" = 6 ] || ! grep -q "Address already in use" "$dir/postgres.log"; then
    tail -20 "$dir/postgres.log" >&2
    exit 1
  fi
  echo "port $port is in use; trying again in 5 s" >&2
  sleep 5
done

psql=("${as_pg[@]}" "$pgbin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qtAX -v ON_ERROR_STOP=1)
if [ "$("${psql[@]}" -c "select 1 from pg_roles where rolname='sendbay'")" != 1 ]; then
  "${psql[@]}" -c "create role sendbay login password 'sendbay' createdb"
fi
if [ "$("${psql[@]}" -c "select 1 from pg_database where datname='sendbay'")" != 1 ]; then
  "${psql[@]}" -c "create database sendbay owner sendbay"
fi
echo "SENDBAY_TEST_DATABASE_URL=postgres://sendbay:sendbay@127.0.0.1:$port/sendbay"
