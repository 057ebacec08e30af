#!/usr/bin/env bash
# CPU cost of proxying, per request and per new connection: svcnet's userspace proxy vs HAProxy (mode tcp) vs
# nginx stream, on 127.0.0.1, interleaved. Throughput on a small shared machine moves ±25% between rounds; the CPU
# a proxy burns per unit of work moves much less, so this is the number to compare efficiency by.
# For each target and round: wrk (64 connections, keep-alive, then "Connection: close") for SECS seconds; the
# proxy's CPU time (utime+stime from /proc, all threads of the process: for svcnet that is the whole JVM — event
# loops, GC, JIT — minus nothing, so its idle apiserver is charged too) is divided by the requests wrk completed.
# svcnet's event loops alone are reported as well ("loops").
# Usage: [SVCNET_TARGET=target-x] bench/proxy/cpu.sh [W=1] [ROUNDS=3] [SECS=6]   (needs wrk haproxy nginx libnginx-mod-stream)
set -euo pipefail
W=${1:-1}; ROUNDS=${2:-3}; SECS=${3:-6}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${SVCNET_TARGET:-target-bench}
WORK=$(mktemp -d /tmp/svcnet-proxy-cpu.XXXXXX)
BACKEND=18380; IPERF=15301; HAP=18390; NGX=18400
for t in wrk haproxy nginx; do command -v $t >/dev/null || { echo "missing $t"; exit 2; }; done
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
TICK=$(getconf CLK_TCK)

mkdir -p "$WORK/ngx-backend" "$WORK/ngx-stream"
cat > "$WORK/ngx-backend/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/ngx-backend/nginx.pid; error_log $WORK/ngx-backend/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND backlog=4096; location / { return 200 "ok\n"; } } }
CONF
nginx -p "$WORK/ngx-backend" -c "$WORK/ngx-backend/nginx.conf" & PIDS+=($!)
cat > "$WORK/haproxy.cfg" <<CONF
global
  nbthread $W
  maxconn 8000
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
cat > "$WORK/ngx-stream/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes $W; daemon off; pid $WORK/ngx-stream/nginx.pid; error_log $WORK/ngx-stream/error.log warn;
events { worker_connections 8192; }
stream { server { listen 127.0.0.1:$NGX backlog=4096; proxy_pass 127.0.0.1:$BACKEND; } }
CONF
nginx -p "$WORK/ngx-stream" -c "$WORK/ngx-stream/nginx.conf" & NGX_MASTER=$!; PIDS+=($NGX_MASTER)

cd "$ROOT"
mvn -o -q -B -pl svcnet-proxy -Dsvcnet.target="$TARGET" compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null
CP="$ROOT/svcnet-proxy/$TARGET/classes:$(cat "$WORK/cp.txt")"
java -Xmx1g -Dio.netty.leakDetection.level=disabled -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
    "$ROOT/bench/proxy/ProxyBench.java" "$WORK/svcnet" "$W" $BACKEND $IPERF "$WORK/svcnet.out" > "$WORK/svcnet.log" 2>&1 & SV_PID=$!; PIDS+=($SV_PID)
for i in $(seq 1 300); do [ -s "$WORK/svcnet.out" ] && break; sleep 0.2; done
[ -s "$WORK/svcnet.out" ] || { echo "svcnet did not start:"; cat "$WORK/svcnet.log"; exit 1; }
SV=$(sed -n 's/^http=//p' "$WORK/svcnet.out")
sleep 1
NGX_PIDS="$(pgrep -P $NGX_MASTER | tr '\n' ' ')"

# CPU ticks of a set of PIDs (whole processes) or of svcnet's event-loop threads
ticks() { local s=0; for p in "$@"; do s=$((s + $(awk '{print $14 + $15}' /proc/$p/stat))); done; echo $s; }
loop_ticks() { local s=0; for t in /proc/$SV_PID/task/*; do grep -q '^svcnet-proxy-' "$t/comm" && s=$((s + $(awk '{print $14 + $15}' "$t/stat"))); done; echo $s; }
declare -A PORT=([svcnet]=$SV [haproxy]=$HAP [nginx-stream]=$NGX)
# svcnet's default proxy (splice on, level-triggered epoll) is ProxyBench's second one, on 127.0.0.2
declare -A HOST=([svcnet]=127.0.0.2 [haproxy]=127.0.0.1 [nginx-stream]=127.0.0.1)
declare -A PROCS=([svcnet]=$SV_PID [haproxy]=$HAP_PID [nginx-stream]="$NGX_PIDS")
TARGETS=(svcnet haproxy nginx-stream)
for t in "${TARGETS[@]}"; do   # warm-up: JIT for svcnet, pools for all
  wrk -t1 -c64 -d3s "http://${HOST[$t]}:${PORT[$t]}/" >/dev/null
  wrk -t1 -c64 -d3s -H "Connection: close" "http://${HOST[$t]}:${PORT[$t]}/" >/dev/null
done
echo "machine: nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\" W=$W rounds=$ROUNDS secs=$SECS load=$(cut -d' ' -f1-3 /proc/loadavg)"
RES="$WORK/res.tsv"; : > "$RES"
for r in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    for mode in ka nc; do
      hdr=(); [ $mode = nc ] && hdr=(-H "Connection: close")
      c0=$(ticks ${PROCS[$t]}); l0=$(loop_ticks)
      out=$(wrk -t1 -c64 -d${SECS}s "${hdr[@]}" "http://${HOST[$t]}:${PORT[$t]}/")
      c1=$(ticks ${PROCS[$t]}); l1=$(loop_ticks)
      reqs=$(echo "$out" | awk '/requests in/ {print $1}')
      rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
      echo -e "$t\t$mode\t$r\t$reqs\t$rps\t$((c1 - c0))\t$((l1 - l0))" >> "$RES"
    done
  done
done
python3 - "$RES" "$TICK" <<'PY'
import statistics, sys
rows = [l.split('\t') for l in open(sys.argv[1]).read().split('\n') if l]
tick = 1e6 / int(sys.argv[2])
print('| target | keep-alive req/s | CPU µs per keep-alive request | new conn/s | CPU µs per new connection |')
print('|---|---|---|---|---|')
res = {}
for t in ['svcnet', 'haproxy', 'nginx-stream']:
    v = {}
    for mode in ['ka', 'nc']:
        rs = [r for r in rows if r[0] == t and r[1] == mode]
        v[mode] = (statistics.median(float(r[4]) for r in rs), statistics.median(int(r[5]) * tick / int(r[3]) for r in rs),
                   statistics.median(int(r[6]) * tick / int(r[3]) for r in rs))
    res[t] = v
    loops = f" (event loops {v['ka'][2]:.1f})" if t == 'svcnet' else ''
    loopsn = f" (event loops {v['nc'][2]:.1f})" if t == 'svcnet' else ''
    print(f"| {t} | {v['ka'][0]:.0f} | {v['ka'][1]:.1f}{loops} | {v['nc'][0]:.0f} | {v['nc'][1]:.1f}{loopsn} |")
h = res['haproxy']
print(f"svcnet/haproxy CPU per request: keep-alive {res['svcnet']['ka'][1]/h['ka'][1]:.2f}x, new connection {res['svcnet']['nc'][1]/h['nc'][1]:.2f}x")
PY
echo "raw: $RES"
