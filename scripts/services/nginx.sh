#!/usr/bin/env bash
# nginx.sh start DIR PORT UPSTREAM... | stop DIR
#
# nginx on 127.0.0.1:PORT balancing round-robin over the Sendbay nodes UPSTREAM
# (host:port each), with everything (config, pid, logs, temp files) under DIR. This is
# the configuration the cluster test runs behind and docs/cluster.md describes: bodies
# streamed both ways (no request or response buffering, no size limit, so uploads and
# downloads of any size pass through in bounded memory), the client's address passed in
# X-Forwarded-For (nodes set SENDBAY_TRUST_PROXY to this proxy's address), and requests
# moved to another node only when a node cannot be reached at all. Installs Debian's
# nginx package when missing. Prints BALANCER_URL=http://127.0.0.1:PORT on start.
set -euo pipefail

cmd=${1:?usage: $0 start DIR PORT UPSTREAM... | stop DIR}
dir=${2:?usage: $0 start DIR PORT UPSTREAM... | stop DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
case $cmd in
  stop)
    if [ -f "$dir/nginx.pid" ]; then
      pid=$(cat "$dir/nginx.pid")
      kill -QUIT "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    exit 0
    ;;
  start) ;;
  *) echo "usage: $0 start DIR PORT UPSTREAM... | stop DIR" >&2; exit 2 ;;
esac

port=${3:?usage: $0 start DIR PORT UPSTREAM...}
shift 3
[ $# -gt 0 ] || { echo "name at least one upstream node (host:port)" >&2; exit 2; }

if [ ! -x "$nginx_bin" ]; then
  echo "installing nginx from Debian's packages…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends nginx-light >&2 ||
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends nginx >&2
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
fi

mkdir -p "$dir/tmp"
# As root nginx's workers would switch to "nobody", who may not enter DIR.
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
servers=""
for u in "$@"; do servers+="    server $u max_fails=1 fail_timeout=5s;"$'\n'; done

cat >"$dir/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;

  upstream sendbay {
$servers    keepalive 32;
  }

  server {
    listen 127.0.0.1:$port;
    # Uploads of any size, streamed to a node as they arrive (progress is live) ...
    client_max_body_size 0;
    proxy_request_buffering off;
    # ... and downloads streamed back without a temporary copy here.
    proxy_buffering off;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$http_host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto \$scheme;
    # Only a node that cannot be reached is skipped; a request it started is never replayed.
    proxy_next_upstream error timeout;
    proxy_connect_timeout 2s;
    proxy_read_timeout 300s;
    proxy_send_timeout 300s;
    location / {
      proxy_pass http://sendbay;
    }
  }
}
CONF

"$nginx_bin" -t -q -p "$dir" -c "$dir/nginx.conf" 2>&1 | grep -v "^$" >&2 || true
if [ -f "$dir/nginx.pid" ] && kill -0 "$(cat "$dir/nginx.pid")" 2>/dev/null; then
  "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" -s reload
else
  "$nginx_bin" -p "$dir" -c "$dir/nginx.conf"
fi
for _ in $(seq 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "BALANCER_URL=http://127.0.0.1:$port"
    exit 0
  fi
  sleep 0.1
done
echo "nginx did not listen on $port; see $dir/error.log" >&2
tail -5 "$dir/error.log" >&2
exit 1
