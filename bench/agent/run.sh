#!/usr/bin/env bash
# Node agent benchmark: pod start -> Ready (p50/p99) for a burst of built-in-image pods created at once, then the
# agent's RSS/threads/CPU with many running pods. The apiserver, the agent and the load generator are three JVMs
# so /proc numbers are the agent's own.
# Usage: bench/agent/run.sh [BURST=100] [TOTAL=500] [STEADY_SECONDS=30]
set -euo pipefail
BURST=${1:-100}; TOTAL=${2:-500}; STEADY=${3:-30}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/svcnet-agent-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
cd "$ROOT"
mvn -o -q -B -pl svcnet-agent -Dsvcnet.target=target-bench compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null
CP="$ROOT/svcnet-agent/target-bench/classes:$(cat "$WORK/cp.txt")"
JAVA=(java -Dio.netty.leakDetection.level=disabled -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${BENCH_JAVA_OPTS:-} -cp "$CP")
"${JAVA[@]}" -Xmx1g "$ROOT/bench/agent/AgentBench.java" api "$WORK/api" "$WORK/api.out" > "$WORK/api.log" 2>&1 & PIDS+=($!)
for i in $(seq 1 300); do [ -s "$WORK/api.out" ] && break; sleep 0.2; done
[ -s "$WORK/api.out" ] || { echo "apiserver did not start:"; cat "$WORK/api.log"; exit 1; }
"${JAVA[@]}" -Xmx512m "$ROOT/bench/agent/AgentBench.java" agent "$WORK/api.out" "$WORK/agent" > "$WORK/agent.log" 2>&1 & AGENT=$!; PIDS+=($AGENT)
for i in $(seq 1 300); do grep -q "agent up" "$WORK/agent.log" 2>/dev/null && break; sleep 0.2; done
grep -q "agent up" "$WORK/agent.log" || { echo "agent did not start:"; cat "$WORK/agent.log"; exit 1; }
# the source launcher runs the program in the launched JVM itself, so $AGENT is the agent's pid
"${JAVA[@]}" -Xmx512m "$ROOT/bench/agent/AgentBench.java" load "$WORK/api.out" "$BURST" "$TOTAL" "$AGENT" "$STEADY" | tee "$WORK/results.txt"
echo "machine: $(nproc) vCPU, load average $(cut -d' ' -f1-3 /proc/loadavg); raw: $WORK"
