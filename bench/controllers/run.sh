#!/usr/bin/env bash
# svcnet controllers benchmark (issue 4, "Measure"): endpoint propagation latency (quiet and under churn), full resync
# time and controller memory. Prints a markdown results table on stdout; progress on stderr.
#
#   bench/controllers/run.sh                    # full run: 1,000 Services / 10,000 Pods, then up to 10,000 / 100,000
#   SERVICES=100 MEASURE=100 CHURN_SECONDS=5 BIG_SERVICES=300 bench/controllers/run.sh   # quick smoke run
#
# Knobs (environment): SERVICES PODS_PER_SERVICE NAMESPACES MEASURE RATE CHURN_RATE CHURN_SECONDS BIG_SERVICES
# BIG_BUDGET_SECONDS WRITERS CONTROLLERS_JAVA_OPTS (JVM options of the controllers' process) CONTROLLERS_WORKERS
#
# Builds svcnet-controllers' test classes offline into svcnet-controllers/target-ctlbench (Maven, -o), then runs
# io.svcnet.controllers.bench.EndpointPropagationBench: the real apiserver (SQLite store in a temp dir, 127.0.0.1,
# ephemeral port) in the driver JVM, the controllers in a child JVM (ControllersProcess). The driver removes the temp
# dir and stops the child when done. Results are documented in BENCHMARKS.md ("Controllers (endpoint propagation)").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${SVCNET_TARGET:-target-ctlbench}"
cd "$root"
mvn -o -q -B -pl svcnet-controllers -Dsvcnet.target="$target" test-compile >&2
cpfile="$root/svcnet-controllers/$target/bench-classpath.txt"
mvn -o -q -B -pl svcnet-controllers -Dsvcnet.target="$target" dependency:build-classpath \
  -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test >&2
cp="$root/svcnet-controllers/$target/test-classes:$root/svcnet-controllers/$target/classes:$(cat "$cpfile")"
echo "run.sh: $(date -u +%FT%TZ), git $(git -C "$root" rev-parse --short HEAD), load avg $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec java ${DRIVER_JAVA_OPTS:-} -cp "$cp" io.svcnet.controllers.bench.EndpointPropagationBench
