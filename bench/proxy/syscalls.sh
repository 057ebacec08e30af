#!/usr/bin/env bash
# Syscalls per proxied TCP connection: svcnet's userspace proxy vs HAProxy (mode tcp), on 127.0.0.1.
# A Python client makes N sequential HTTP/1.1 "Connection: close" requests through each proxy to one nginx backend
# while `strace -c` is attached to the proxy's worker threads only (svcnet: its event loops, not the apiserver in
# the same JVM); the summary is divided by N. Then one connection is traced in full (`-e trace=network,desc`).
# Usage: bench/proxy/syscalls.sh [N=2000] [W=1]   (needs strace haproxy nginx python3; SVCNET_TARGET=build folder)
set -euo pipefail
N=${1:-2000}; W=${2:-1}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${SVCNET_TARGET:-target-bench}
WORK=$(mktemp -d /tmp/svcnet-proxy-syscalls.XXXXXX)
BACKEND=18280; HAP=18290
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

mkdir -p "$WORK/ngx"
cat > "$WORK/ngx/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/ngx/nginx.pid; error_log $WORK/ngx/error.log warn;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$BACKEND backlog=4096; location / { return 200 "ok\n"; } } }
CONF
nginx -p "$WORK/ngx" -c "$WORK/ngx/nginx.conf" & PIDS+=($!)
cat > "$WORK/haproxy.cfg" <<CONF
global
  nbthread $W
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen http
  bind 127.0.0.1:$HAP
  server b1 127.0.0.1:$BACKEND
CONF
haproxy -f "$WORK/haproxy.cfg" -db >/dev/null 2>&1 & HAP_PID=$!; PIDS+=($HAP_PID)

cd "$ROOT"
mvn -o -q -B -pl svcnet-proxy -Dsvcnet.target="$TARGET" compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null
CP="$ROOT/svcnet-proxy/$TARGET/classes:$(cat "$WORK/cp.txt")"
java -Xmx1g -Dio.netty.leakDetection.level=disabled -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
    "$ROOT/bench/proxy/ProxyBench.java" "$WORK/svcnet" "$W" $BACKEND 1 "$WORK/svcnet.out" > "$WORK/svcnet.log" 2>&1 & SV_PID=$!; PIDS+=($SV_PID)
for i in $(seq 1 600); do [ -s "$WORK/svcnet.out" ] && break; sleep 0.2; done
[ -s "$WORK/svcnet.out" ] || { echo "svcnet did not start:"; cat "$WORK/svcnet.log"; exit 1; }
SV=$(sed -n 's/^http=//p' "$WORK/svcnet.out")

cat > "$WORK/client.py" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
req = b"GET / HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n"
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req)
    while s.recv(4096):
        pass
    s.close()
PY
# svcnet's event-loop threads (Netty names them svcnet-proxy-<node>-<pool>-<n>; comm is cut to 15 chars)
loops() { for t in /proc/$SV_PID/task/*; do grep -q '^svcnet-proxy-' "$t/comm" && echo "-p ${t##*/}"; done; true; }
python3 "$WORK/client.py" "$SV" 3000    # warm-up: the close path JIT-compiled
python3 "$WORK/client.py" "$HAP" 300
for t in svcnet haproxy; do
  if [ $t = svcnet ]; then port=$SV; attach=$(loops); else port=$HAP; attach="-f -p $HAP_PID"; fi
  strace -c -o "$WORK/$t.c.txt" $attach & S=$!; sleep 1
  python3 "$WORK/client.py" "$port" "$N"
  sleep 0.5; kill -INT $S; wait $S 2>/dev/null || true
  strace -tt -o "$WORK/$t.one.txt" -e trace=network,desc $attach & S=$!; sleep 1
  python3 "$WORK/client.py" "$port" 1
  sleep 0.5; kill -INT $S; wait $S 2>/dev/null || true
  echo "== $t: syscalls per connection (N=$N, W=$W)"
  awk -v n="$N" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { name=$NF; calls=$4; printf "%-16s %6.2f\n", name, calls / n; tot += calls }
                 END { printf "%-16s %6.2f\n", "total", tot / n }' "$WORK/$t.c.txt" | sort -k2 -nr
  echo "== $t: one connection ($(grep -vc -e epoll_wait -e '+++' "$WORK/$t.one.txt") calls besides epoll_wait)"
  grep -v -e '+++' "$WORK/$t.one.txt" | cut -c1-160
done
echo "raw: $WORK"
