#!/usr/bin/env bash
# Cluster DNS benchmark: svcnet ClusterDns vs unbound (same 5,000 services as local-data), dnsperf, interleaved.
# Both servers are pinned to the same core (SERVER_CPU), dnsperf to another (CLIENT_CPU); everything on 127.0.0.1.
# Then: heap retained for 10,000 services / 100,000 endpoints and change-to-visible latency (p50/p99).
#
# Usage: bench/dns/run.sh            (from the repo root; needs dnsperf, unbound, dig: apt-get install dnsperf unbound dnsutils)
# Env:   DURATION=10 ROUNDS=4 SERVICES=5000 SERVER_CPU=1 CLIENT_CPU=0 MEMORY=1 (0 skips the memory/latency part)
#        METRICS=1 (svcnet's CoreDNS-style metrics on, as deployed; 0 off, to measure what counting costs)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-4}
SERVICES=${SERVICES:-5000}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
MEMORY=${MEMORY:-1}
METRICS=${METRICS:-1}
SVC_PORT=${SVC_PORT:-15353}
UNB_PORT=${UNB_PORT:-15354}
for t in dnsperf unbound dig taskset java mvn; do
  command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y dnsperf unbound dnsutils)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/svcnet-dns-bench.XXXXXX)
OUT=bench/dns/results-$(date -u +%Y%m%dT%H%M%SZ).txt
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== build"
mvn -o -q -B -pl svcnet-dns -Dsvcnet.target=target-dns test-compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test
CP="svcnet-dns/target-dns/test-classes:svcnet-dns/target-dns/classes:$(cat "$WORK/cp.txt")"

echo "== svcnet: apiserver + $SERVICES services + ClusterDns on 127.0.0.1:$SVC_PORT"
mkfifo "$WORK/stdin"
java -Xmx1g -cp "$CP" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dsvcnet.bench.dnsMetrics=$([ "$METRICS" = 1 ] && echo true || echo false) \
    io.svcnet.dns.DnsBench serve "$SVC_PORT" 1 "$SERVICES" "$WORK" \
    < "$WORK/stdin" > "$WORK/svcnet.log" 2>&1 &
SVC_PID=$!; PIDS+=("$SVC_PID")
exec 9> "$WORK/stdin"   # keeps the server's stdin open until the end
for _ in $(seq 1 600); do [ -f "$WORK/ready" ] && break; kill -0 "$SVC_PID" || { cat "$WORK/svcnet.log"; exit 1; }; sleep 1; done
[ -f "$WORK/ready" ] || { echo "svcnet did not get ready" >&2; exit 1; }
taskset -a -cp "$SERVER_CPU" "$SVC_PID" > /dev/null   # every JVM thread (event loop, GC, JIT) on the server core

echo "== unbound on 127.0.0.1:$UNB_PORT"
cat > "$WORK/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $UNB_PORT
  num-threads: 1
  do-daemonize: no
  use-syslog: no
  logfile: ""
  username: ""
  chroot: ""
  directory: "$WORK"
  pidfile: ""
  verbosity: 0
  access-control: 127.0.0.0/8 allow
  so-reuseport: yes
  incoming-num-tcp: 100
  module-config: "iterator"
  include: "$WORK/unbound-data.conf"
CONF
taskset -c "$SERVER_CPU" unbound -d -c "$WORK/unbound.conf" > "$WORK/unbound.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do dig @127.0.0.1 -p "$UNB_PORT" +time=1 +tries=1 kubernetes.default.svc.cluster.local >/dev/null 2>&1 && break; sleep 0.2; done

echo "== same answers from both (sample of 40 queries)"
MISMATCH=0
while read -r name type; do
  a=$(dig @127.0.0.1 -p "$SVC_PORT" +short +tcp "$name" "$type" | sort); b=$(dig @127.0.0.1 -p "$UNB_PORT" +short +tcp "$name" "$type" | sort)
  ra=$(dig @127.0.0.1 -p "$SVC_PORT" "$name" "$type" | grep -o 'status: [A-Z]*'); rb=$(dig @127.0.0.1 -p "$UNB_PORT" "$name" "$type" | grep -o 'status: [A-Z]*')
  if [ "$type" = SRV ]; then a=$(echo "$a" | awk '{print $3, $4}' | sort); b=$(echo "$b" | awk '{print $3, $4}' | sort); fi  # weights differ by design
  if [ "$a" != "$b" ] || [ "$ra" != "$rb" ]; then echo "MISMATCH $name $type: [$ra $a] vs [$rb $b]"; MISMATCH=$((MISMATCH+1)); fi
done < <(head -40 "$WORK/queries.txt")
echo "mismatches: $MISMATCH"

run() { # name port mode
  taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$2" -m "$3" -d "$WORK/queries.txt" -l "$DURATION" -c 20 -q 200 -t 2 2>&1 \
    | awk -v n="$1" -v m="$3" '/Queries per second/{q=$4} /Average Latency/{l=$4*1000} /Latency StdDev/{s=$4*1000} /Queries lost/{lost=$3}
        END{printf "%-7s %-4s qps=%.0f avg_ms=%.3f stddev_ms=%.3f lost=%s\n", n, m, q, l, s, lost}'
}
echo "== warm-up (JIT: two svcnet runs, UDP and TCP) — not recorded"
run svcnet "$SVC_PORT" udp > /dev/null
run svcnet "$SVC_PORT" tcp > /dev/null
run unbound "$UNB_PORT" udp > /dev/null

{
  echo "# svcnet cluster DNS vs unbound — $(date -u +%FT%TZ)"
  echo "# machine: $(nproc) cores $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/{print $2}') GiB; CPU shared with other work"
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# servers pinned to cpu $SERVER_CPU (svcnet: 1 event loop, JVM threads all on that cpu; unbound: num-threads 1); dnsperf on cpu $CLIENT_CPU"
  echo "# dnsperf -l $DURATION -c 20 -q 200; $SERVICES services; queries: $(wc -l < "$WORK/queries.txt") (A/SRV/PTR/NXDOMAIN mix); $(java -version 2>&1 | head -1)"
  echo "# answer mismatches in sample: $MISMATCH"
} | tee "$OUT"
for i in $(seq 1 "$ROUNDS"); do
  run svcnet "$SVC_PORT" udp | tee -a "$OUT"
  run unbound "$UNB_PORT" udp | tee -a "$OUT"
done
run svcnet "$SVC_PORT" tcp | tee -a "$OUT"
run unbound "$UNB_PORT" tcp | tee -a "$OUT"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
echo "# svcnet RSS after the runs: $(ps -o rss= -p "$SVC_PID" | awk '{printf "%.0f MB", $1/1024}') (includes the in-process apiserver); unbound RSS: $(ps -o rss= -p "${PIDS[1]}" | awk '{printf "%.0f MB", $1/1024}')" | tee -a "$OUT"
awk '/^svcnet +udp/{split($3,a,"=");s+=a[2];ns++} /^unbound +udp/{split($3,a,"=");u+=a[2];nu++}
     END{if(ns&&nu) printf "# mean UDP qps: svcnet %.0f, unbound %.0f, ratio svcnet/unbound %.2f\n", s/ns, u/nu, (s/ns)/(u/nu)}' "$OUT" > "$WORK/mean"
tee -a "$OUT" < "$WORK/mean"
exec 9>&-
cleanup; PIDS=()

if [ "$MEMORY" = 1 ]; then
  echo "== memory for 10,000 services / 100,000 endpoints, change-to-visible latency" | tee -a "$OUT"
  java -Xmx4g -cp "$CP" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn io.svcnet.dns.DnsBench memory 10000 10 2>&1 | grep -E 'RESULT|populated|Exception' | tee -a "$OUT"
fi
echo "results in $OUT"
