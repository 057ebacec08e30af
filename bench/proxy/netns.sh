#!/usr/bin/env bash
# The service proxy as users run it with `svcnet up --network netns`: one node, a real nginx (and iperf3 server)
# running as pods in their own network namespaces, the client in the node's namespace. Interleaved, per round:
#   direct        the pod IP (veth + bridge, no proxy: the limit)
#   svcnet        the ClusterIP, served by the node's data-plane JVM (the proxy a pod's traffic goes through)
#   haproxy       HAProxy 2.6 mode tcp in the node namespace, nbthread = the data plane's event loops, to the pod IP
# wrk keep-alive (64 connections): req/s, p50, p99; wrk "Connection: close": new conn/s; iperf3: Gbit/s.
# Root only (network namespaces). Everything it creates is named with a random prefix and removed on exit.
# Usage: sudo [SVCNET_TARGET=target-x] bench/proxy/netns.sh [ROUNDS=3] [SECS=6]   (needs wrk haproxy nginx iperf3)
# SVCNET_DATAPLANE_JAVA_OPTS (passed through to svcnet) sets the data-plane JVM's options, e.g. to compare JIT settings.
set -euo pipefail
ROUNDS=${1:-3}; SECS=${2:-6}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${SVCNET_TARGET:-target-bench}
[ "$(id -u)" = 0 ] || { echo "netns.sh needs root (network namespaces)"; exit 2; }
for t in wrk haproxy nginx iperf3 kubectl python3; do command -v $t >/dev/null || { echo "missing $t"; exit 2; }; done
WORK=$(mktemp -d /tmp/svcnet-proxy-netns.XXXXXX)
PREFIX="sb$(printf '%04x' $((RANDOM)))"
NODE_NS="$PREFIX-node-1"
SV_PID=""; HAP_PID=""
cleanup() {
  [ -n "$HAP_PID" ] && kill "$HAP_PID" 2>/dev/null || true
  if [ -n "$SV_PID" ]; then kill "$SV_PID" 2>/dev/null || true; wait "$SV_PID" 2>/dev/null || true; fi
  for ns in $(ip netns list | awk '{print $1}' | grep "^$PREFIX-" || true); do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

cd "$ROOT"
mvn -o -q -B -DskipTests -Dsvcnet.target="$TARGET" package -pl svcnet-dist -am >/dev/null
JAR="$ROOT/svcnet-dist/$TARGET/svcnet.jar"
java -Xmx1g -jar "$JAR" up --port 0 --dns-port 0 --data-dir "$WORK/data" --network netns --nodes 1 --netns-prefix "$PREFIX" \
    > "$WORK/svcnet.log" 2>&1 & SV_PID=$!
K="kubectl --kubeconfig $WORK/data/kubeconfig --cache-dir $WORK/kube-cache"
for i in $(seq 1 300); do $K get nodes 2>/dev/null | grep -q ' Ready' && break; sleep 0.5; done
$K get nodes | grep -q ' Ready' || { echo "svcnet did not start"; tail -30 "$WORK/svcnet.log"; exit 1; }

# the backends: real nginx and iperf3 run as pod processes ("debian" runs the command on the node, in the pod's namespace)
W=$(nproc)
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/nginx.pid; error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 8080 backlog=4096; location / { return 200 "ok\n"; } } }
CONF
cat > "$WORK/pods.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - {name: nginx, image: debian, command: [nginx, -p, "$WORK", -c, "$WORK/nginx.conf"], ports: [{containerPort: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: bulk, labels: {app: bulk}}
spec:
  containers:
  - {name: iperf3, image: debian, command: [iperf3, -s, -p, "5201"], ports: [{containerPort: 5201}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: bulk}
spec: {selector: {app: bulk}, ports: [{port: 5201, targetPort: 5201}]}
YAML
$K apply -f "$WORK/pods.yaml" >/dev/null
for i in $(seq 1 240); do
  [ "$($K get endpoints web bulk -o jsonpath='{.items[*].subsets[*].addresses[*].ip}' 2>/dev/null | wc -w)" = 2 ] && break; sleep 0.5
done
WEB_IP=$($K get pod web -o jsonpath='{.status.podIP}'); BULK_IP=$($K get pod bulk -o jsonpath='{.status.podIP}')
WEB_CIP=$($K get svc web -o jsonpath='{.spec.clusterIP}'); BULK_CIP=$($K get svc bulk -o jsonpath='{.spec.clusterIP}')
[ -n "$WEB_IP" ] && [ -n "$BULK_IP" ] || { echo "pods did not start"; $K get pods -o wide; exit 1; }
IN="ip netns exec $NODE_NS"
for i in $(seq 1 120); do $IN python3 -c "import urllib.request,sys; urllib.request.urlopen('http://$WEB_CIP/', timeout=2)" 2>/dev/null && break; sleep 0.5; done
DP_PID=$(pgrep -f "SvcnetCommand dataplane.*$WORK" | head -1 || true)
[ -n "$DP_PID" ] || { echo "no data-plane process found"; exit 1; }
# its proxy event loops are the threads named svcnet-proxy-<node>-… (comm is cut to 15 characters: svcnet-proxy-no)
LOOPS=$(cat /proc/$DP_PID/task/*/comm | grep -c '^svcnet-proxy-no' || true)

cat > "$WORK/haproxy.cfg" <<CONF
global
  nbthread $LOOPS
  maxconn 8000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen web
  bind 127.0.0.1:18190
  server b1 $WEB_IP:8080
listen bulk
  bind 127.0.0.1:18191
  server b1 $BULK_IP:5201
CONF
$IN haproxy -f "$WORK/haproxy.cfg" -db >/dev/null 2>&1 & HAP_PID=$!
sleep 1

declare -A URL=([direct]="http://$WEB_IP:8080/" [svcnet]="http://$WEB_CIP/" [haproxy]="http://127.0.0.1:18190/")
declare -A BULK=([direct]="$BULK_IP 5201" [svcnet]="$BULK_CIP 5201" [haproxy]="127.0.0.1 18191")
TARGETS=(direct svcnet haproxy)
for t in "${TARGETS[@]}"; do   # warm-up (JIT of the data plane's connection and bulk paths)
  $IN wrk -t1 -c64 -d3s "${URL[$t]}" >/dev/null
  $IN wrk -t1 -c64 -d3s -H "Connection: close" "${URL[$t]}" >/dev/null
  set -- ${BULK[$t]}; $IN iperf3 -c "$1" -p "$2" -t 2 >/dev/null
done
echo "machine: nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\" data-plane event loops=$LOOPS haproxy nbthread=$LOOPS rounds=$ROUNDS secs=$SECS"
echo "data-plane JVM options: ${SVCNET_DATAPLANE_JAVA_OPTS:-default}; git $(git -C "$ROOT" rev-parse --short HEAD)  load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    $IN wrk -t1 -c64 -d${SECS}s --latency "${URL[$t]}" > "$WORK/ka-$t-$r.txt"
    $IN wrk -t1 -c64 -d${SECS}s -H "Connection: close" "${URL[$t]}" > "$WORK/nc-$t-$r.txt"
    set -- ${BULK[$t]}; $IN iperf3 -c "$1" -p "$2" -t 5 -J > "$WORK/ip-$t-$r.json"
  done
done
python3 - "$WORK" "$ROUNDS" <<'PY'
import json, re, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def ms(v):
    n, u = re.match(r'([\d.]+)(us|ms|s)', v).groups(); n = float(n)
    return n / 1000 if u == 'us' else n * 1000 if u == 's' else n
rows = {}
for t in ['direct', 'svcnet', 'haproxy']:
    ka, p50, p99, nc, gb = [], [], [], [], []
    for r in range(1, rounds + 1):
        k = open(f'{work}/ka-{t}-{r}.txt').read()
        ka.append(float(re.search(r'Requests/sec:\s+([\d.]+)', k).group(1)))
        p50.append(ms(re.search(r'\s50%\s+(\S+)', k).group(1))); p99.append(ms(re.search(r'\s99%\s+(\S+)', k).group(1)))
        nc.append(float(re.search(r'Requests/sec:\s+([\d.]+)', open(f'{work}/nc-{t}-{r}.txt').read()).group(1)))
        gb.append(json.load(open(f'{work}/ip-{t}-{r}.json'))['end']['sum_received']['bits_per_second'] / 1e9)
    rows[t] = [statistics.median(x) for x in (ka, p50, p99, nc, gb)]
print('| target | keep-alive req/s | p50 ms | p99 ms | new conn/s | iperf3 Gbit/s | req/s vs HAProxy | new conn/s vs HAProxy | Gbit/s vs HAProxy | Gbit/s vs direct |')
print('|---|---|---|---|---|---|---|---|---|---|')
d, h = rows['direct'], rows['haproxy']
for t, v in rows.items():
    print(f'| {t} | {v[0]:.0f} | {v[1]:.2f} | {v[2]:.2f} | {v[3]:.0f} | {v[4]:.2f} | {v[0]/h[0]:.2f} | {v[3]/h[3]:.2f} | {v[4]/h[4]:.2f} | {v[4]/d[4]:.2f} |')
PY
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg); raw results: $WORK"
