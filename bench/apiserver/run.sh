#!/usr/bin/env bash
# svcnet apiserver benchmarks (issue 3, "Measure"). Prints a markdown results table on stdout; progress on stderr.
#
#   bench/apiserver/run.sh                  # full run: 10,000 Services, 50,000 Pods, 100 watchers (~3-6 min)
#   SERVICES=1000 PODS=2000 WATCHERS=20 WATCH_WRITES=200 REPS=3 bench/apiserver/run.sh   # quick smoke run
#
# Knobs (environment): SERVICES PODS CLIENTS WATCHERS WATCH_WRITES WATCH_RATE SEQ_WRITES REPS HEAP_B_OPTS;
# KEEP_LOGS=DIR keeps the server logs. Results are documented in BENCHMARKS.md (section "apiserver").
#
# Needs the shaded jar (svcnet-dist/target/svcnet.jar; `./svcnet up` builds it on first use), a JDK 17
# (java, javac, jcmd) and kubectl. Starts its own svcnet on an ephemeral 127.0.0.1 port with a temporary data
# directory, runs every measurement, stops svcnet by PID and removes the temporary directory. All traffic stays
# on 127.0.0.1. The jar is copied first so a concurrent rebuild cannot change it mid-run.
set -euo pipefail

SERVICES=${SERVICES:-10000}
PODS=${PODS:-50000}
CLIENTS=${CLIENTS:-16}
WATCHERS=${WATCHERS:-100}
WATCH_WRITES=${WATCH_WRITES:-1000}
WATCH_RATE=${WATCH_RATE:-200}
REPS=${REPS:-5}
HEAP_B_OPTS=${HEAP_B_OPTS:--Xmx1g}   # JVM options of the second server (restart on the same data)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$root/svcnet-dist/target/svcnet.jar"
# A jar being rebuilt right now is missing or a few KB (the shaded one is tens of MB): wait for the build.
for _ in $(seq 1 60); do
  [ -f "$jar" ] && [ "$(stat -c %s "$jar")" -gt 1000000 ] && break
  echo "run.sh: waiting for $jar (missing or being rebuilt)" >&2
  sleep 5
done
[ -f "$jar" ] && [ "$(stat -c %s "$jar")" -gt 1000000 ] \
  || { echo "run.sh: no shaded $jar; build it once with: (cd $root && ./svcnet up --help)" >&2; exit 1; }
for tool in java javac jcmd kubectl; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not on PATH" >&2; exit 1; }
done

work="$(mktemp -d /tmp/svcnet-bench.XXXXXX)"
data="$work/data"
results="$work/results.md"
pid=""
serverlog=""
clk=$(getconf CLK_TCK)

log() { echo "[bench $(date +%T)] $*" >&2; }
row() { echo "| $1 | $2 |" >>"$results"; }

stop_server() {
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "svcnet (pid $pid) did not stop within 30 s of SIGTERM; sending SIGKILL"
      row "**server did not stop within 30 s of SIGTERM** (pid $pid)" "killed with SIGKILL"
      kill -KILL "$pid"
    fi
  fi
  wait "$pid" 2>/dev/null || true
  pid=""
}

cleanup() {
  stop_server
  # surface server-side errors before the logs go away
  for f in "$work"/server-*.log; do
    [ -f "$f" ] || continue
    if grep -qE 'ERROR|Exception|WARN' "$f"; then
      echo "---- errors/warnings in $(basename "$f") (first 40 lines) ----" >&2
      grep -nE -A3 'ERROR|Exception|WARN' "$f" | head -40 >&2
    fi
  done
  [ -n "${KEEP_LOGS:-}" ] && mkdir -p "$KEEP_LOGS" && cp "$work"/*.log "$KEEP_LOGS"/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME JAVA_OPTS: starts svcnet on the shared data dir, sets pid and url, records start-up time
start_server() {
  local name=$1 opts=$2 t0
  serverlog="$work/server-$name.log"
  t0=$(date +%s%N)
  # shellcheck disable=SC2086 # opts are JVM flags, word splitting intended
  java $opts -jar "$work/svcnet.jar" up --port 0 --nodes 0 --data-dir "$data" >"$serverlog" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    grep -q 'listening on https://' "$serverlog" && break
    kill -0 "$pid" 2>/dev/null || { cat "$serverlog" >&2; echo "run.sh: svcnet exited during start-up" >&2; exit 1; }
    sleep 0.1
  done
  url=$(grep -oE 'https://127\.0\.0\.1:[0-9]+' "$serverlog" | head -1)
  [ -n "$url" ] || { cat "$serverlog" >&2; echo "run.sh: svcnet did not start within 120 s" >&2; exit 1; }
  log "svcnet '$name' (pid $pid, JVM options '${opts:-none}') listening on $url"
  row "server $name: start-up to listening (JVM options: \`${opts:-none}\`)" "$(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

server_cpu() { awk -v t="$clk" '{printf "%.1f", ($14 + $15) / t}' "/proc/$pid/stat"; }
rss_mib() { awk '/^VmRSS/{printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
hwm_mib() { awk '/^VmHWM/{printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
heap_used_mib() { jcmd "$pid" GC.heap_info 2>/dev/null | grep -oE 'used [0-9]+K' | head -1 | awk '{sub("K","",$2); printf "%.0f", $2 / 1024}'; }
file_mib() { [ -f "$1" ] && awk -v b="$(stat -c %s "$1")" 'BEGIN{printf "%.1f", b / 1048576}' || echo 0; }

# phase NAME CMD...: runs one driver/kubectl step, adds a context row (load, server and driver CPU)
phase() {
  local name=$1; shift
  local load cpu0 cpu1 t0 t1
  load=$(cut -d' ' -f1 /proc/loadavg)
  cpu0=$(server_cpu)
  t0=$(date +%s%N)
  log "$name ..."
  local TIMEFORMAT='%U %S'
  { time "$@" >>"$results" 2>&3; } 3>&2 2>"$work/time"
  t1=$(date +%s%N)
  cpu1=$(server_cpu)
  row "$name: context — load avg at start / wall / server CPU / driver CPU" \
      "$load / $(( (t1 - t0) / 1000000000 )) s / $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN{printf "%.1f", b - a}') s / $(awk '{printf "%.1f", $1 + $2}' "$work/time") s"
}

load() { java -cp "$work/classes" ApiLoad "$1" --url "$url" --dir "$data" "${@:2}"; }

kubectl_get_svc() {
  local kc=(kubectl --kubeconfig "$data/kubeconfig" --cache-dir "$work/kubecache")
  local times=() lines t0
  "${kc[@]}" get svc -A >"$work/kubectl.out" # warm-up: discovery and OpenAPI into the cache dir
  for _ in $(seq 1 "$REPS"); do
    t0=$(date +%s%N)
    "${kc[@]}" get svc -A >"$work/kubectl.out"
    times+=($(( ($(date +%s%N) - t0) / 1000000 )))
  done
  lines=$(($(wc -l <"$work/kubectl.out") - 1))
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  echo "| \`kubectl get svc -A\` ($lines rows): wall time median of $REPS (min / max) | ${sorted[$((REPS / 2))]} ms (${sorted[0]} / ${sorted[$((REPS - 1))]} ms) |"
}

# ---------------------------------------------------------------------------------------------------------------
cp -p "$jar" "$work/svcnet.jar"
mkdir -p "$work/classes" "$work/kubecache"
javac -d "$work/classes" "$here/ApiLoad.java"
{
  echo "| metric | value |"
  echo "|---|---|"
} >"$results"

row "svcnet measured" "jar built $(date -u -r "$work/svcnet.jar" +%FT%TZ), git HEAD $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD -- ':(glob)**/src/main/**' 2>/dev/null || echo ', working tree has uncommitted src/main changes')"
log "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
start_server A ""
row "server A: JVM heap flags (defaults, from \`jcmd VM.flags\`)" \
    "$(jcmd "$pid" VM.flags | tr ' ' '\n' | grep -E 'MaxHeapSize|InitialHeapSize|Use[A-Za-z0-9]*GC' | tr '\n' ' ')"

phase "1. create $SERVICES Services" load create --kind services --count "$SERVICES" --clients "$CLIENTS" \
      --prefix svc --label "1. create $SERVICES Services, $CLIENTS clients" --max-seconds 240
SEQ_WRITES=${SEQ_WRITES:-1000}
phase "1b. sequential creates" load create --kind configmaps --count "$SEQ_WRITES" --clients 1 --prefix seq \
      --label "1b. create $SEQ_WRITES ConfigMaps, 1 client (one commit each: the fsync floor)" --max-seconds 60
phase "2a. kubectl get svc -A" kubectl_get_svc
phase "2b. full LIST" load list --path /api/v1/services --reps "$REPS" --label "2b. LIST /api/v1/services (no limit)"
phase "2c. paged LIST" load list --path /api/v1/services --reps "$REPS" --limit 500 \
      --label "2c. LIST /api/v1/services limit=500 + continue"
phase "3. watch" load watch --watchers "$WATCHERS" --writes "$WATCH_WRITES" --rate "$WATCH_RATE" --prefix wcm \
      --max-seconds 120 --label "3. watch"
phase "4. create $PODS Pods" load create --kind pods --count "$PODS" --clients "$CLIENTS" --prefix pod \
      --label "4. create $PODS Pods, $CLIENTS clients" --max-seconds 360

objects="$SERVICES Services + $PODS Pods + $((SEQ_WRITES + WATCH_WRITES)) ConfigMaps"
row "4. server A RSS holding $objects (VmRSS / VmHWM)" "$(rss_mib) MiB / $(hwm_mib) MiB"
row "4. server A Java heap used, before / after a full GC (\`jcmd GC.run\`)" \
    "$(heap_used_mib) MiB / $(jcmd "$pid" GC.run >/dev/null; heap_used_mib) MiB"
row "4. server A RSS after the full GC" "$(rss_mib) MiB"
row "4. data files: state.db / state.db-wal / whole data dir" \
    "$(file_mib "$data/state.db") MiB / $(file_mib "$data/state.db-wal") MiB / $(du -sm "$data" | cut -f1) MiB"
t0=$(date +%s%N); stop_server
row "server A: SIGTERM to exit" "$(( ($(date +%s%N) - t0) / 1000000 )) ms"

# Second server: same data, restricted heap. It reloads every object at start, so it holds the same state.
start_server B "$HEAP_B_OPTS"
row "4. server B ($HEAP_B_OPTS) RSS after restart on the same data" "$(rss_mib) MiB"
phase "4b. full LIST of Pods" load list --path /api/v1/pods --reps 1 --label "4b. server B LIST /api/v1/pods (no limit)"
row "4. server B ($HEAP_B_OPTS) RSS after two full LISTs of Pods (VmRSS / VmHWM)" "$(rss_mib) MiB / $(hwm_mib) MiB"
row "4. server B Java heap used, before / after a full GC" "$(heap_used_mib) MiB / $(jcmd "$pid" GC.run >/dev/null; heap_used_mib) MiB"
stop_server

cat "$results"
