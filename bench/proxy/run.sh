#!/usr/bin/env bash
# Service proxy benchmark: direct vs svcnet userspace proxy vs HAProxy (mode tcp) vs nginx stream, interleaved,
# all on 127.0.0.1, each proxy with the same number of worker threads (W) as svcnet's event loops.
#   wrk keep-alive (64 connections): req/s, p50, p99 | wrk with "Connection: close": new connections/s |
#   iperf3: throughput | svcnet only: EndpointSlice write -> new endpoint receiving traffic (p50/p99).
# svcnet runs twice in one JVM: "svcnet" (user-space copies only, splice off) on 127.0.0.1 and "svcnet-splice"
# (splice after 256 KiB of bulk reads, issue 6; the default since) on 127.0.0.2, both with W event loops, measured
# one after the other.
# Usage: [SVCNET_TARGET=target-x] bench/proxy/run.sh [W=nproc] [ROUNDS=2] [SECONDS=8]   (needs wrk haproxy nginx libnginx-mod-stream iperf3)
# W is svcnet's event-loop count and, for a fair fight, HAProxy's nbthread and both nginx's worker_processes.
set -euo pipefail
W=${1:-$(nproc)}; ROUNDS=${2:-2}; SECS=${3:-8}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${SVCNET_TARGET:-target-bench}   # Maven build folder for svcnet-proxy
WORK=$(mktemp -d /tmp/svcnet-proxy-bench.XXXXXX)
BACKEND=18080; IPERF=15201; HAP_HTTP=18090; HAP_IPERF=18091; NGX_HTTP=18100; NGX_IPERF=18101
for t in wrk haproxy nginx iperf3 python3; do command -v $t >/dev/null || { echo "missing $t (apt-get install -y wrk haproxy nginx libnginx-mod-stream iperf3)"; exit 2; }; done
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# 1. backend: nginx answering "ok" over HTTP/1.1 keep-alive
mkdir -p "$WORK/ngx-backend" "$WORK/ngx-stream"
cat > "$WORK/ngx-backend/nginx.conf" <<CONF
worker_processes $W; daemon off; pid $WORK/ngx-backend/nginx.pid; error_log $WORK/ngx-backend/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND backlog=4096; location / { return 200 "ok\n"; } } }
CONF
nginx -p "$WORK/ngx-backend" -c "$WORK/ngx-backend/nginx.conf" & PIDS+=($!)
iperf3 -s -B 127.0.0.1 -p $IPERF >/dev/null 2>&1 & PIDS+=($!)

# 2. HAProxy 2.6, mode tcp
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
  bind 127.0.0.1:$HAP_HTTP
  server b1 127.0.0.1:$BACKEND
listen iperf
  bind 127.0.0.1:$HAP_IPERF
  server b1 127.0.0.1:$IPERF
CONF
haproxy -f "$WORK/haproxy.cfg" -db >/dev/null 2>&1 & PIDS+=($!)

# 3. nginx stream
cat > "$WORK/ngx-stream/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes $W; daemon off; pid $WORK/ngx-stream/nginx.pid; error_log $WORK/ngx-stream/error.log warn;
events { worker_connections 8192; }
stream {
  server { listen 127.0.0.1:$NGX_HTTP backlog=4096; proxy_pass 127.0.0.1:$BACKEND; }
  server { listen 127.0.0.1:$NGX_IPERF; proxy_pass 127.0.0.1:$IPERF; }
}
CONF
nginx -p "$WORK/ngx-stream" -c "$WORK/ngx-stream/nginx.conf" & PIDS+=($!)

# 4. svcnet: apiserver + userspace proxy (W event loops), NodePort services on node IP 127.0.0.1
cd "$ROOT"
mvn -o -q -B -pl svcnet-proxy -Dsvcnet.target="$TARGET" compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null
CP="$ROOT/svcnet-proxy/$TARGET/classes:$(cat "$WORK/cp.txt")"
java -Xmx1g -Dio.netty.leakDetection.level=disabled -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
    "$ROOT/bench/proxy/ProxyBench.java" "$WORK/svcnet" "$W" $BACKEND $IPERF "$WORK/svcnet.out" > "$WORK/svcnet.log" 2>&1 & PIDS+=($!)
for i in $(seq 1 300); do [ -s "$WORK/svcnet.out" ] && break; sleep 0.2; done
[ -s "$WORK/svcnet.out" ] || { echo "svcnet did not start:"; cat "$WORK/svcnet.log"; exit 1; }
SV_HTTP=$(sed -n 's/^http=//p' "$WORK/svcnet.out"); SV_IPERF=$(sed -n 's/^iperf=//p' "$WORK/svcnet.out")

declare -A HTTP_PORT=([direct]=$BACKEND [svcnet]=$SV_HTTP [svcnet-splice]=$SV_HTTP [haproxy]=$HAP_HTTP [nginx-stream]=$NGX_HTTP)
declare -A IPERF_PORT=([direct]=$IPERF [svcnet]=$SV_IPERF [svcnet-splice]=$SV_IPERF [haproxy]=$HAP_IPERF [nginx-stream]=$NGX_IPERF)
declare -A HOST=([direct]=127.0.0.1 [svcnet]=127.0.0.1 [svcnet-splice]=127.0.0.2 [haproxy]=127.0.0.1 [nginx-stream]=127.0.0.1)
TARGETS=(direct svcnet svcnet-splice haproxy nginx-stream)

# warm-up (JIT for svcnet; page cache and pools for all): keep-alive, then "Connection: close", so svcnet's
# connection setup/teardown path is compiled before round 1 measures it
for t in "${TARGETS[@]}"; do
  wrk -t1 -c64 -d3s "http://${HOST[$t]}:${HTTP_PORT[$t]}/" >/dev/null
  wrk -t1 -c64 -d3s -H "Connection: close" "http://${HOST[$t]}:${HTTP_PORT[$t]}/" >/dev/null
  iperf3 -c "${HOST[$t]}" -p "${IPERF_PORT[$t]}" -t 2 >/dev/null   # JIT for the bulk path too
done

RES="$WORK/results.tsv"; : > "$RES"
echo "machine: nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\" W=$W rounds=$ROUNDS secs=$SECS"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
( while true; do cut -d' ' -f1 /proc/loadavg >> "$WORK/load.txt"; sleep 20; done ) & PIDS+=($!)
for r in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    wrk -t1 -c64 -d${SECS}s --latency "http://${HOST[$t]}:${HTTP_PORT[$t]}/" > "$WORK/ka-$t-$r.txt"
    wrk -t1 -c64 -d${SECS}s -H "Connection: close" "http://${HOST[$t]}:${HTTP_PORT[$t]}/" > "$WORK/nc-$t-$r.txt"
    iperf3 -c "${HOST[$t]}" -p "${IPERF_PORT[$t]}" -t 5 -J > "$WORK/ip-$t-$r.json"
    echo -e "$t\t$r" >> "$RES"
  done
done

python3 - "$WORK" "$ROUNDS" <<'PY'
import json, re, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def ms(v):
    n, u = re.match(r'([\d.]+)(us|ms|s)', v).groups(); n = float(n)
    return n / 1000 if u == 'us' else n * 1000 if u == 's' else n
rows = {}
for t in ['direct', 'svcnet', 'svcnet-splice', 'haproxy', 'nginx-stream']:
    ka, p50, p99, nc, gb = [], [], [], [], []
    for r in range(1, rounds + 1):
        k = open(f'{work}/ka-{t}-{r}.txt').read()
        ka.append(float(re.search(r'Requests/sec:\s+([\d.]+)', k).group(1)))
        p50.append(ms(re.search(r'\s50%\s+(\S+)', k).group(1))); p99.append(ms(re.search(r'\s99%\s+(\S+)', k).group(1)))
        n = open(f'{work}/nc-{t}-{r}.txt').read()
        nc.append(float(re.search(r'Requests/sec:\s+([\d.]+)', n).group(1)))
        gb.append(json.load(open(f'{work}/ip-{t}-{r}.json'))['end']['sum_received']['bits_per_second'] / 1e9)
    rows[t] = [statistics.median(x) for x in (ka, p50, p99, nc, gb)]
print('| target | keep-alive req/s | p50 ms | p99 ms | new conn/s | iperf3 Gbit/s | req/s vs direct | req/s vs HAProxy | Gbit/s vs direct | Gbit/s vs HAProxy |')
print('|---|---|---|---|---|---|---|---|---|---|')
d, h = rows['direct'], rows['haproxy']
for t, v in rows.items():
    print(f'| {t} | {v[0]:.0f} | {v[1]:.2f} | {v[2]:.2f} | {v[3]:.0f} | {v[4]:.1f} | {v[0]/d[0]:.2f} | {v[0]/h[0]:.2f} | {v[4]/d[4]:.2f} | {v[4]/h[4]:.2f} |')
PY
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg); 1-min load sampled every 20 s: min $(sort -n "$WORK/load.txt" | head -1), max $(sort -n "$WORK/load.txt" | tail -1)"
grep slice_to_traffic "$WORK/svcnet.out"
grep '^transport\|^splice' "$WORK/svcnet.out"
for t in "${TARGETS[@]}"; do   # per-round iperf3 Gbit/s, for the noise
  echo "iperf3 $t: $(for r in $(seq 1 "$ROUNDS"); do python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['end']['sum_received']['bits_per_second']/1e9, 2))" "$WORK/ip-$t-$r.json"; done | tr '\n' ' ')"
done
echo "raw results: $WORK"
