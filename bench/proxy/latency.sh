#!/usr/bin/env bash
# Added latency of the service proxy under keep-alive load (issue 6's "no more than HAProxy's added p99"):
# direct vs HAProxy (mode tcp) vs svcnet's default (splice-enabled) proxy, on loopback, interleaved, many short rounds.
# Several svcnet JVMs with different JVM options run side by side (one apiserver + proxy each, own node IPs), so
# GC or JIT settings are compared in the same run, e.g.
#   SVCNET_BENCH_JVMS='g1=-Xmx1g;serial=-Xmx1g -XX:+UseSerialGC' bench/proxy/latency.sh 2 6 6
# and so are two builds: a name written name@DIR takes svcnet-proxy's classes from DIR (e.g. an older commit's
# `mvn compile` output), e.g. SVCNET_BENCH_JVMS='old@/tmp/old/svcnet-proxy/target/classes=-Xmx1g -Xms256m;new=-Xmx1g -Xms256m'.
# For each round and target: wrk -t1 -c64 keep-alive for SECS seconds; a wrk Lua hook prints p50/p90/p99/p99.9/max
# from wrk's own histogram. Each column is the median over the rounds; "p99 / HAProxy p99" is the median of the
# per-round ratios (a round measures every target one after the other). Direct's p99 is no baseline for "added"
# latency here: unthrottled, wrk drives the backend nginx twice as hard as through a proxy and its own tail is the
# longest (seen: 3.5 ms vs HAProxy's 1.8 ms), so only p50 is given as added to direct.
# Each JVM logs its GC pauses (-Xlog:gc); the summary gives their count, total and longest per JVM over the run.
# Usage: [SVCNET_TARGET=target-x] [SVCNET_BENCH_JVMS=...] bench/proxy/latency.sh [W=nproc] [ROUNDS=6] [SECS=6]
set -euo pipefail
W=${1:-$(nproc)}; ROUNDS=${2:-6}; SECS=${3:-6}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${SVCNET_TARGET:-target-bench}
# -Xms: left to itself G1 shrinks this JVM's heap to ~90 MB around the apiserver's ~50 MB and then runs a concurrent
# cycle (Remark pause) every other young GC — 26 pauses in 50 s of load instead of 3
JVMS=${SVCNET_BENCH_JVMS:-svcnet=-Xmx1g -Xms256m}
WORK=$(mktemp -d /tmp/svcnet-proxy-latency.XXXXXX)
BACKEND=18480; IPERF=15401; HAP=18490
for t in wrk haproxy nginx python3; do command -v $t >/dev/null || { echo "missing $t (apt-get install -y wrk haproxy nginx)"; exit 2; }; done
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

mkdir -p "$WORK/ngx-backend"
cat > "$WORK/ngx-backend/nginx.conf" <<CONF
worker_processes $W; daemon off; pid $WORK/ngx-backend/nginx.pid; error_log $WORK/ngx-backend/error.log warn;
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
haproxy -f "$WORK/haproxy.cfg" -db >/dev/null 2>&1 & PIDS+=($!)

cd "$ROOT"
mvn -o -q -B -pl svcnet-proxy -Dsvcnet.target="$TARGET" compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null
CP="$ROOT/svcnet-proxy/$TARGET/classes:$(cat "$WORK/cp.txt")"
# compiled ahead, so the JVMs' heaps hold no javac leftovers (the source launcher's) for the GC to move during rounds
mkdir -p "$WORK/classes" && javac -d "$WORK/classes" -cp "$CP" "$ROOT/bench/proxy/ProxyBench.java"
CP="$WORK/classes:$CP"
declare -A JPID=()
declare -A PORT=([direct]=$BACKEND [haproxy]=$HAP)
declare -A HOST=([direct]=127.0.0.1 [haproxy]=127.0.0.1)
TARGETS=(direct haproxy)
IFS=';' read -ra SPECS <<< "$JVMS"
n=0
for spec in "${SPECS[@]}"; do   # name=options; JVM n uses 127.0.1.(2n+1) (copying proxy) and 127.0.1.(2n+2) (default, splice)
  name=${spec%%=*}; opts=${spec#*=}; n=$((n + 1))
  JCP=$CP
  if [[ $name == *@* ]]; then   # name@DIR: svcnet-proxy classes from DIR (another build) ahead of this one's
    JCP="$WORK/classes:${name#*@}:$(cat "$WORK/cp.txt")"; name=${name%%@*}
  fi
  read -ra OPTS <<< "$opts"
  java "${OPTS[@]}" -Xlog:gc:file="$WORK/gc-$name.log":uptime -Dio.netty.leakDetection.level=disabled \
      -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dsvcnet.bench.ip=127.0.1.$((2 * n - 1)) \
      -Dsvcnet.bench.spliceIp=127.0.1.$((2 * n)) -Dsvcnet.bench.noClusterIps=true -cp "$JCP" \
      ProxyBench "$WORK/$name" "$W" $BACKEND $IPERF "$WORK/$name.out" > "$WORK/$name.log" 2>&1 & PIDS+=($!)
  JPID[$name]=$!
  for i in $(seq 1 300); do [ -s "$WORK/$name.out" ] && break; sleep 0.2; done
  [ -s "$WORK/$name.out" ] || { echo "svcnet $name did not start:"; cat "$WORK/$name.log"; exit 1; }
  PORT[$name]=$(sed -n 's/^http=//p' "$WORK/$name.out"); HOST[$name]=127.0.1.$((2 * n)); TARGETS+=("$name")
  echo "$name: $opts"
done

cat > "$WORK/pct.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("PCT %d %.1f %.1f %.1f %.1f %.1f\n", summary.requests, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
LUA
for t in "${TARGETS[@]}"; do   # warm-up: the JIT settles within ~15 s of load (round 1 spiked after 4 s of warm-up)
  wrk -t1 -c64 -d$([ "$t" = direct ] || [ "$t" = haproxy ] && echo 3 || echo 15)s "http://${HOST[$t]}:${PORT[$t]}/" >/dev/null
done
echo "machine: nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\" W=$W rounds=$ROUNDS secs=$SECS load=$(cut -d' ' -f1-3 /proc/loadavg)"
for name in "${TARGETS[@]:2}"; do : > "$WORK/gc-$name.mark"; grep -c 'Pause' "$WORK/gc-$name.log" > "$WORK/gc-$name.mark" || true; done
RES="$WORK/res.tsv"; : > "$RES"
for r in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    out=$(wrk -t1 -c64 -d${SECS}s -s "$WORK/pct.lua" "http://${HOST[$t]}:${PORT[$t]}/")
    echo -e "$t\t$r\t$(echo "$out" | awk '/^PCT/ {print $2"\t"$3"\t"$4"\t"$5"\t"$6"\t"$7}')" >> "$RES"
  done
done
for name in "${TARGETS[@]:2}"; do   # how evenly the kernel's SO_REUSEPORT hash spread the connections over the loops
  echo "$name event-loop CPU (ms) of the measured proxy: $(jcmd "${JPID[$name]}" Thread.print 2>/dev/null \
      | sed -n 's/^"svcnet-proxy-bench-splice-[^"]*".* cpu=\([0-9.]*\)ms.*/\1/p' | tr '\n' ' ')"
done
python3 - "$RES" "$WORK" "$SECS" "${TARGETS[@]}" <<'PY'
import re, statistics, sys
res, work, secs, targets = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
rows = [l.split('\t') for l in open(res).read().split('\n') if l]
by = {(r[0], r[1]): [float(x) for x in r[2:]] for r in rows}
rounds = sorted({r[1] for r in rows}, key=int)
med = lambda f: statistics.median(f(r) for r in rounds)
print('| target | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | p50 added to direct | p99 / HAProxy p99 | rounds with p99 <= HAProxy |')
print('|---|---|---|---|---|---|---|---|---|---|')
for t in targets:
    v = lambda i: med(lambda r: by[(t, r)][i] / 1000)
    ratio = med(lambda r: by[(t, r)][3] / by[('haproxy', r)][3])
    wins = sum(1 for r in rounds if by[(t, r)][3] <= by[('haproxy', r)][3])
    print(f"| {t} | {med(lambda r: by[(t, r)][0]) / secs:.0f} | {v(1):.2f} | {v(2):.2f} | {v(3):.2f} | {v(4):.2f} | {v(5):.1f} "
          f"| {med(lambda r: (by[(t, r)][1] - by[('direct', r)][1]) / 1000):.2f} | {ratio:.2f} | {wins}/{len(rounds)} |")
print('per round p99 ms: ' + '; '.join(f"{t} " + ' '.join(f"{by[(t, r)][3] / 1000:.2f}" for r in rounds) for t in targets))
for t in targets[2:]:
    pauses = [float(m) for m in re.findall(r'Pause.* ([\d.]+)ms', open(f'{work}/gc-{t}.log').read())]
    skip = int(open(f'{work}/gc-{t}.mark').read().strip() or 0)
    p = pauses[skip:]
    print(f"{t} GC pauses during the rounds: {len(p)}, total {sum(p):.1f} ms, longest {max(p) if p else 0:.1f} ms")
PY
echo "raw: $RES"
