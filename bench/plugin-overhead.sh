#!/usr/bin/env bash
# Plugin overhead (issue 12): 1:1 QoS 1 throughput of three brokers, taking turns, broker on core 0, tool on core 1:
#   A  BASE's broker (a checkout without the plugin SDK, built: BASE/broker/target)       - before
#   B  this tree's broker, no plugin installed                                           - the hot path's cost
#   C  this tree's broker with the topic-rewrite example as a no-op inbound interceptor  - an interceptor's cost
# Needs: mvn -pl broker,bench,plugin-example-topic-rewrite -am package -DskipTests (here and, for A, in BASE).
#   BASE=/path/to/other/checkout ROUNDS=3 DURATION=8 WARMUP=2 bench/plugin-overhead.sh > results.txt
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base=${BASE:?set BASE to a built checkout without plugins}
v=0.1.0-SNAPSHOT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugins" "$work/none"
cp "$here/plugin-example-topic-rewrite/target/plugin-example-topic-rewrite-$v.jar" "$work/plugins/"
run() { # label classpath jvm-options...
  local label=$1 cp=$2; shift 2
  local port=$((20000 + RANDOM % 20000))
  (cd "$work" && exec taskset -c 0 java -XX:+UseG1GC -Xss512k -Dlogback.configurationFile="$here/conf/logback.xml" \
     -Dvolantmq.listeners=tcp://127.0.0.1:$port -Dvolantmq.withSystree=false "$@" -cp "$cp" io.volantmq.broker.Main) \
     > "$work/$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
  local line
  line=$(taskset -c 1 java -XX:+UseParallelGC -Xms512m -Xmx2g -cp "$here/bench/target/bench-$v.jar:$here/bench/target/lib/*" \
     io.volantmq.bench.Bench pair --port $port --qos 1 --duration "${DURATION:-8}" --warmup "${WARMUP:-2}" --label "$label" 2>&1 \
     | grep RESULT)
  kill $pid; wait $pid 2>/dev/null
  echo "$label $line"
}
echo "# $(date -u +%FT%TZ) $(git -C "$here" rev-parse --short HEAD) load: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq 1 "${ROUNDS:-3}"); do
  run A-before "$base/broker/target/broker-$v.jar:$base/broker/target/lib/*"
  run B-no-plugin "$here/broker/target/broker-$v.jar:$here/broker/target/lib/*" -Dvolantmq.pluginsDir="$work/none"
  run C-noop-interceptor "$here/broker/target/broker-$v.jar:$here/broker/target/lib/*" -Dvolantmq.pluginsDir="$work/plugins" \
     -Dvolantmq.plugins=topic-rewrite -Dvolantmq.plugin.topic-rewrite.enrich=false
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
