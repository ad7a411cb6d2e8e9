#!/usr/bin/env bash
# swift.sh start|stop DIR [PORT]
#
# A throw-away S3 endpoint for tests, CI and trying cluster mode: one OpenStack Swift
# node (proxy with the s3api middleware, account, container and object servers) on
# 127.0.0.1, everything (config, rings, objects, logs, pid files) under DIR. Installs
# Debian's swift packages when missing. S3 on PORT (default 58080); the account,
# container and object servers on PORT+1..PORT+3.
#
# `start` creates the bucket `sendbay` and prints the server's settings on stdout:
#   SENDBAY_BLOB_STORE=s3, SENDBAY_S3_ENDPOINT=…, SENDBAY_S3_BUCKET=…, … and
#   SENDBAY_TEST_S3_URL=http://KEY:SECRET@127.0.0.1:PORT/ (what the tests read).
# Starting again while it runs prints the same. `stop` stops it (the data stays in DIR).
#
# No memcached, no keystone: tempauth checks the S3 signatures itself. DIR needs a
# filesystem with user xattrs (ext4, xfs, btrfs; tmpfs only on Linux >= 6.6).
set -euo pipefail

cmd=${1:?usage: $0 start|stop DIR [PORT]}
dir=${2:?usage: $0 start|stop DIR [PORT]}
port=${3:-58080}
acct_port=$((port + 1)) cont_port=$((port + 2)) obj_port=$((port + 3))
account=sendbay user=tester secret=sendbay-s3-secret bucket=sendbay
servers=(proxy account container object)

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# A killed process stays a zombie until reaped, and kill -0 succeeds on it.
pid_running() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st#Z}" = "$st" ]; }
stop_all() {
  local s pid
  for s in "${servers[@]}"; do
    [ -f "$dir/run/$s.pid" ] || continue
    pid=$(cat "$dir/run/$s.pid")
    if pid_running "$pid"; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 100); do pid_running "$pid" || break; sleep 0.1; done
      pid_running "$pid" && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/run/$s.pid"
  done
}
all_running() {
  local s
  for s in "${servers[@]}"; do [ -f "$dir/run/$s.pid" ] && pid_running "$(cat "$dir/run/$s.pid")" || return 1; done
}
healthy() { curl -fsS -m 2 "http://127.0.0.1:$port/healthcheck" 2>/dev/null | grep -q OK; }
s3() { # METHOD PATH: one signed S3 request without a body (curl's own SigV4; the key's
  # colon goes URL-encoded in the URL, which --user would split at)
  curl -sS -m 10 -o /dev/null -w '%{http_code}' -X "$1" --aws-sigv4 "aws:amz:us-east-1:s3" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "http://$account%3A$user:$secret@127.0.0.1:$port$2"
}
print_settings() {
  cat <<EOF
SENDBAY_BLOB_STORE=s3
SENDBAY_S3_ENDPOINT=http://127.0.0.1:$port
SENDBAY_S3_BUCKET=$bucket
SENDBAY_S3_REGION=us-east-1
SENDBAY_S3_ACCESS_KEY_ID=$account:$user
SENDBAY_S3_SECRET_ACCESS_KEY=$secret
SENDBAY_S3_FORCE_PATH_STYLE=true
SENDBAY_TEST_S3_URL=http://$account%3A$user:$secret@127.0.0.1:$port/
EOF
}

case $cmd in
  stop) stop_all; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac

if all_running && healthy; then
  print_settings
  exit 0
fi

if ! command -v swift-proxy-server >/dev/null || ! command -v swift-object-server >/dev/null; then
  echo "installing OpenStack Swift from Debian's packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    swift swift-proxy swift-account swift-container swift-object curl >&2
fi

# Swift reads its hash-path salt and storage policies from this fixed path when it starts.
if ! grep -q '^\s*swift_hash_path_\(suffix\|prefix\)\s*=' /etc/swift/swift.conf 2>/dev/null; then
  mkdir -p /etc/swift
  printf '[swift-hash]\nswift_hash_path_suffix = sendbay\nswift_hash_path_prefix = sendbay\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n' \
    >/etc/swift/swift.conf
fi

stop_all # whatever a half-started earlier run left
for p in "$port" "$acct_port" "$cont_port" "$obj_port"; do
  if ss -Hltn "sport = :$p" | grep -q .; then echo "port 127.0.0.1:$p is already in use" >&2; exit 1; fi
done
mkdir -p "$dir/etc" "$dir/node/d1" "$dir/run" "$dir/log" "$dir/cache"

common() { # PORT
  printf '[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %s\nworkers = 0\nuser = %s\nswift_dir = %s/etc\n' "$1" "$(id -un)" "$dir"
  printf 'devices = %s/node\nmount_check = false\ndisable_fallocate = true\nlog_level = WARNING\nrecon_cache_path = %s/cache\n' "$dir" "$dir"
}
backend() { # NAME PORT
  common "$2"
  printf '[pipeline:main]\npipeline = %s-server\n[app:%s-server]\nuse = egg:swift#%s\n' "$1" "$1" "$1"
  printf '[%s-replicator]\n[%s-auditor]\n' "$1" "$1"
}
backend account "$acct_port" >"$dir/etc/account-server.conf"
backend container "$cont_port" >"$dir/etc/container-server.conf"
backend object "$obj_port" >"$dir/etc/object-server.conf"
{
  common "$port"
  cat <<EOF
[pipeline:main]
# s3api before the auth middleware; slo carries multipart uploads.
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
dns_compliant_bucket_names = true
allow_multipart_uploads = true
s3_acl = false
[filter:tempauth]
use = egg:swift#tempauth
user_${account}_${user} = ${secret} .admin
reseller_prefix = AUTH
[filter:cache]
# No memcached: the middlewares only need the cache object; connecting to port 1 fails at once.
use = egg:swift#memcache
memcache_servers = 127.0.0.1:1
set log_level = CRITICAL
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOF
} >"$dir/etc/proxy-server.conf"

# One device, one replica, 2^8 partitions: the smallest layout that is still a real ring.
for ring in account:$acct_port container:$cont_port object:$obj_port; do
  name=${ring%%:*} rport=${ring#*:}
  if [ ! -f "$dir/etc/$name.ring.gz" ]; then
    rm -f "$dir/etc/$name.builder"
    swift-ring-builder "$dir/etc/$name.builder" create 8 1 1 >/dev/null
    swift-ring-builder "$dir/etc/$name.builder" add "r1z1-127.0.0.1:$rport/d1" 1 >/dev/null
    swift-ring-builder "$dir/etc/$name.builder" rebalance >/dev/null || true # 1 is a warning
    [ -f "$dir/etc/$name.ring.gz" ] || { echo "the $name ring was not built" >&2; exit 1; }
  fi
done

for s in account container object proxy; do
  setsid "swift-$s-server" "$dir/etc/$s-server.conf" -v >>"$dir/log/$s.log" 2>&1 </dev/null &
  echo $! >"$dir/run/$s.pid"
done

for _ in $(seq 300); do
  # The proxy answers before the back ends listen: wait for all four.
  if healthy && [ "$(ss -Hltn "( sport = :$acct_port or sport = :$cont_port or sport = :$obj_port )" | grep -c .)" = 3 ]; then
    code=$(s3 PUT "/$bucket")
    case $code in
      200 | 409) print_settings; exit 0 ;; # 409: it exists already
      *) echo "creating the bucket answered HTTP $code; see $dir/log" >&2; exit 1 ;;
    esac
  fi
  for s in "${servers[@]}"; do
    pid_running "$(cat "$dir/run/$s.pid")" || { echo "swift $s server died:" >&2; tail -20 "$dir/log/$s.log" >&2; exit 1; }
  done
  sleep 0.2
done
echo "swift did not become healthy in 60 s; see $dir/log" >&2
exit 1
