#!/usr/bin/env bash
# ceph.sh start|stop DIR [PORT]
#
# A throw-away S3 endpoint on Ceph for tests, CI and trying cluster mode: one monitor,
# one OSD (BlueStore in a sparse file) and the RADOS Gateway on 127.0.0.1, everything
# (ceph.conf, monitor store, OSD data, logs, pid files, admin sockets) under DIR.
# Installs Debian's radosgw, ceph-mon and ceph-osd when missing. S3 on PORT (default
# 58090); the monitor on PORT+1 (msgr2) and PORT+2 (msgr1).
#
# `start` creates the bucket `sendbay` and prints the server's settings on stdout:
#   SENDBAY_BLOB_STORE=s3, SENDBAY_S3_ENDPOINT=…, … and
#   SENDBAY_TEST_CEPH_URL=http://KEY:SECRET@127.0.0.1:PORT/ (what the tests read).
# Starting again while it runs prints the same. `stop` stops it (the data stays in DIR).
#
# Inside the cluster there is no cephx (S3 request signatures are still checked by
# the gateway): this is for loopback use, not a production Ceph.
set -euo pipefail

cmd=${1:?usage: $0 start|stop DIR [PORT]}
dir=${2:?usage: $0 start|stop DIR [PORT]}
port=${3:-58090}
mon_port=$((port + 1)) mon_port1=$((port + 2))
access=sendbay secret=sendbay-ceph-secret bucket=sendbay store_gb=${CEPH_STORE_GB:-10}
daemons=(client.rgw.a osd.0 mon.a)

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf="$dir/ceph.conf"

pid_running() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st#Z}" = "$st" ]; }
alive() { [ -f "$dir/run/$1.pid" ] && pid_running "$(cat "$dir/run/$1.pid")"; }
stop_all() {
  local d pid
  for d in "${daemons[@]}"; do # gateway, then OSD, then monitor
    alive "$d" || { rm -f "$dir/run/$d.pid"; continue; }
    pid=$(cat "$dir/run/$d.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 150); do pid_running "$pid" || break; sleep 0.1; done
    pid_running "$pid" && kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/run/$d.pid"
  done
}
s3_up() { curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" 2>/dev/null | grep -q '^[24]'; }
s3() { # METHOD PATH: one signed S3 request without a body (curl's own SigV4)
  curl -sS -m 10 -o /dev/null -w '%{http_code}' -X "$1" --aws-sigv4 "aws:amz:us-east-1:s3" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    "http://$access:$secret@127.0.0.1:$port$2"
}
print_settings() {
  cat <<EOF
SENDBAY_BLOB_STORE=s3
SENDBAY_S3_ENDPOINT=http://127.0.0.1:$port
SENDBAY_S3_BUCKET=$bucket
SENDBAY_S3_REGION=us-east-1
SENDBAY_S3_ACCESS_KEY_ID=$access
SENDBAY_S3_SECRET_ACCESS_KEY=$secret
SENDBAY_S3_FORCE_PATH_STYLE=true
SENDBAY_TEST_CEPH_URL=http://$access:$secret@127.0.0.1:$port/
EOF
}
wait_for() { # SECONDS WHAT COMMAND…
  local n=$(($1 * 5)) what=$2
  shift 2
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "timed out waiting for $what; see $dir/log" >&2
  return 1
}

case $cmd in
  stop) stop_all; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac

if alive mon.a && alive osd.0 && alive client.rgw.a && s3_up; then
  print_settings
  exit 0
fi

if ! command -v radosgw >/dev/null || ! command -v ceph-mon >/dev/null || ! command -v ceph-osd >/dev/null; then
  echo "installing Ceph (radosgw, ceph-mon, ceph-osd) from Debian's packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd curl >&2
fi

mkdir -p "$dir/mon/a" "$dir/osd/0" "$dir/run" "$dir/log" "$dir/rgw"
[ -f "$dir/fsid" ] || cat /proc/sys/kernel/random/uuid >"$dir/fsid"
fsid=$(cat "$dir/fsid")
cat >"$conf" <<EOF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$mon_port,v1:127.0.0.1:$mon_port1]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv6 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# Without cephx the gateway must not ask for "secure" monitor connections (it would hang).
ms_mon_client_mode = crc
ms_client_mode = crc
auth_allow_insecure_global_id_reclaim = false
run_dir = $dir/run
admin_socket = $dir/run/\$cluster-\$name.asok
log_file = $dir/log/\$cluster-\$name.log
pid_file = $dir/run/\$name.pid
# One OSD: one replica, few placement groups.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
mon_max_pg_per_osd = 1000
# The monitor stops itself below 5 % free disk by default.
mon_data_avail_warn = 2
mon_data_avail_crit = 1
debug_ms = 0/0
[mon]
mon_data = $dir/mon/\$id
mon_cluster_log_file = $dir/log/\$cluster.log
[osd]
osd_data = $dir/osd/\$id
osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = $((store_gb * 1024 * 1024 * 1024))
bluestore_block_db_create = false
bluestore_block_wal_create = false
osd_memory_target = 1073741824
osd_fast_shutdown = true
[client.rgw.a]
rgw_data = $dir/rgw
rgw_frontends = beast endpoint=127.0.0.1:$port
debug_rgw = 0/0
rgw_enable_usage_log = false
rgw_gc_obj_min_wait = 30
rgw_gc_processor_period = 30
EOF

for p in "$port" "$mon_port" "$mon_port1"; do
  if ss -Hltn "sport = :$p" | grep -q . && ! { alive mon.a || alive client.rgw.a; }; then
    echo "port 127.0.0.1:$p is already in use" >&2
    exit 1
  fi
done
c=(-c "$conf")

if [ ! -d "$dir/mon/a/store.db" ]; then
  rm -rf "$dir/mon/a" && mkdir -p "$dir/mon/a"
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port,v1:127.0.0.1:$mon_port1]" "$dir/monmap" >/dev/null
  ceph-mon "${c[@]}" -i a --mkfs --monmap "$dir/monmap"
fi
alive mon.a || ceph-mon "${c[@]}" -i a # daemonizes and writes run/mon.a.pid
wait_for 30 "the monitor" timeout 5 ceph "${c[@]}" mon stat

if [ ! -f "$dir/osd/0/whoami" ]; then
  rm -rf "$dir/osd/0" && mkdir -p "$dir/osd/0"
  [ -f "$dir/osd.uuid" ] || cat /proc/sys/kernel/random/uuid >"$dir/osd.uuid"
  uuid=$(cat "$dir/osd.uuid")
  ceph "${c[@]}" osd new "$uuid" 0 >/dev/null
  ceph-osd "${c[@]}" -i 0 --mkfs --osd-uuid "$uuid" >>"$dir/log/mkfs.log" 2>&1 ||
    { echo "ceph-osd --mkfs failed:" >&2; tail -5 "$dir/log/mkfs.log" >&2; exit 1; }
fi
alive osd.0 || ceph-osd "${c[@]}" -i 0 >>"$dir/log/osd-stdout.log" 2>&1
wait_for 60 "the OSD" sh -c "ceph -c '$conf' osd dump 2>/dev/null | grep -q '^osd.0 up'"

# The gateway's pools, made once up front: otherwise it makes them at its first start
# and at the first bucket, which makes the first requests slow.
if [ ! -f "$dir/pools.done" ]; then
  for pool in .rgw.root default.rgw.log default.rgw.control default.rgw.meta \
    default.rgw.buckets.index default.rgw.buckets.non-ec default.rgw.buckets.data; do
    ceph "${c[@]}" osd pool create "$pool" 8 8 >/dev/null 2>&1
    ceph "${c[@]}" osd pool application enable "$pool" rgw >/dev/null 2>&1
  done
  touch "$dir/pools.done"
fi
alive client.rgw.a || radosgw "${c[@]}" -n client.rgw.a >>"$dir/log/rgw-stdout.log" 2>&1
wait_for 120 "the gateway on :$port" s3_up

if ! radosgw-admin "${c[@]}" user info --uid=sendbay >/dev/null 2>&1; then
  radosgw-admin "${c[@]}" user create --uid=sendbay --display-name="Sendbay" --access-key="$access" --secret-key="$secret" >/dev/null
fi
for _ in $(seq 50); do
  code=$(s3 PUT "/$bucket")
  case $code in
    200 | 409) print_settings; exit 0 ;; # 409: it exists already
  esac
  sleep 0.2 # a new user may take a moment to be seen by the gateway
done
echo "creating the bucket answered HTTP $code; see $dir/log" >&2
exit 1
