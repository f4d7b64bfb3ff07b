#!/usr/bin/env bash
# nginx with the documented micro-cache in front of the project, for the load harness.
#   microcache.sh start STORY_PATH   # the project's gunicorn must already answer on $UPSTREAM_PORT
#   microcache.sh stop | rss
# Saves STORY_PATH from the project as the static page served on $STATIC_PORT. Own prefix under
# /tmp/bench/newsroom-nginx; never touches the system nginx service.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${BENCH_ROOT:-/tmp/bench}/newsroom-nginx
PORT=${MICROCACHE_PORT:-8130}; STATIC_PORT=${STATIC_PORT:-8131}; UPSTREAM_PORT=${UPSTREAM_PORT:-8113}
NGINX=${NGINX:-/usr/sbin/nginx}
pidf=$PREFIX/nginx.pid
running() { [ -s "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
case "${1:-}" in
  start)
    story=${2:?usage: microcache.sh start STORY_PATH}
    running && { echo "already running (pid $(cat "$pidf"))"; exit 0; }
    rm -rf "$PREFIX/cache"; mkdir -p "$PREFIX/tmp" "$PREFIX/www" "$PREFIX/cache"
    curl -fsS "http://127.0.0.1:$UPSTREAM_PORT$story" -o "$PREFIX/www/story.html"
    sed -e "s#@PREFIX@#$PREFIX#g" -e "s#@PORT@#$PORT#g" -e "s#@STATIC_PORT@#$STATIC_PORT#g" \
        -e "s#@UPSTREAM@#$UPSTREAM_PORT#g" "$HERE/microcache.conf.in" > "$PREFIX/nginx.conf"
    "$NGINX" -p "$PREFIX/" -c "$PREFIX/nginx.conf" -e "$PREFIX/error.log"
    for _ in $(seq 100); do running && break; sleep 0.05; done
    echo "{\"name\": \"newsroom-nginx\", \"pid\": $(cat "$pidf"), \"port\": $PORT}" ;;
  stop)
    running || { echo "not running"; exit 0; }
    pid=$(cat "$pidf"); kill -QUIT "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -KILL "$pid" ;;
  rss)
    pid=$(cat "$pidf")
    w=$(for k in $(ps -o pid= --ppid "$pid"); do printf '"%s": %s,' "$k" "$(awk '/VmRSS/{print $2}' /proc/$k/status)"; done)
    echo "{\"name\": \"newsroom-nginx\", \"master_kib\": $(awk '/VmRSS/{print $2}' /proc/$pid/status), \"workers_kib\": {${w%,}}}" ;;
  *) echo "usage: $0 start STORY_PATH | stop | rss" >&2; exit 2 ;;
esac
