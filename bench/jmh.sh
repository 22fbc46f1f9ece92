#!/usr/bin/env bash
# JMH micro-benchmarks of the broker's shared hot spots (bench/src/test/java/io/volantmq/bench/jmh), each run
# with 1 and with 2 threads. Builds the bench module's test classes first; extra arguments go to JMH, e.g.
#   bench/jmh.sh                         all of them, -t 1 then -t 2
#   bench/jmh.sh SubscriptionTree        one class (a JMH include regex)
# Raw output: bench/results/<date>-<commit>-jmh-t<threads>.txt
set -eu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
cpfile=$(mktemp)
trap 'rm -f "$cpfile"' EXIT
# in one reactor, so the project's modules resolve to their target/classes (they are never installed in ~/.m2);
# every module writes the file, bench last
mvn -B -o -q -pl bench -am test-compile dependency:build-classpath -Dnofuzz -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cpfile"
cp="$here/bench/target/test-classes:$(cat "$cpfile")"
stamp=$(date -u +%F)-$(git rev-parse --short HEAD)
mkdir -p bench/results
for t in 1 2; do
  out="bench/results/$stamp-jmh-t$t.txt"
  { echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD) threads $t load $(cut -d' ' -f1-3 /proc/loadavg) cpus $(nproc)"
    java -cp "$cp" org.openjdk.jmh.Main -t "$t" "${@:-io.volantmq.bench.jmh}" 2>&1
    echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$out" | grep -E "^(Benchmark|[A-Z][A-Za-z]+Benchmark\.)|^#"
done
