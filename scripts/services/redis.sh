#!/usr/bin/env bash
# redis.sh start|stop DIR [PORT]
#
# A throw-away Redis on 127.0.0.1 for the test suite and CI, with its pid file and log
# under DIR and no persistence (tests need none). Installs Debian's redis-server package
# when the binary is missing. `start` prints SENDBAY_TEST_REDIS_URL=… on stdout and is
# a no-op when our server already answers.
set -euo pipefail

cmd=${1:?usage: $0 start|stop DIR [PORT]}
dir=${2:?usage: $0 start|stop DIR [PORT]}
port=${3:-56379}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile="$dir/redis.pid"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case $cmd in
  stop)
    if running; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    exit 0
    ;;
  start) ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac

if ! command -v redis-server >/dev/null; then
  echo "installing Redis from Debian's packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends redis-server >&2
fi

if running && redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
  echo "SENDBAY_TEST_REDIS_URL=redis://127.0.0.1:$port/0"
  exit 0
fi

# noeviction: a full Redis refuses writes instead of silently dropping locks or limits.
redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
  --daemonize yes --supervised no --pidfile "$pidfile" --dir "$dir" \
  --logfile "$dir/redis.log" --appendonly no --save "" \
  --maxmemory 256mb --maxmemory-policy noeviction

for _ in $(seq 100); do
  if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
    echo "SENDBAY_TEST_REDIS_URL=redis://127.0.0.1:$port/0"
    exit 0
  fi
  sleep 0.1
done
echo "Redis did not answer PING within 10 s; see $dir/redis.log" >&2
tail -5 "$dir/redis.log" >&2
exit 1
