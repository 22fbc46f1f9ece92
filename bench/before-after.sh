#!/usr/bin/env bash
# Before/after of one bench case: BASE's broker and this tree's broker take turns, broker on core 0, tool on core 1.
# Needs: mvn -pl broker,bench -am package -DskipTests, here and in BASE (another checkout, built).
#   BASE=/path/to/checkout ROUNDS=3 DURATION=8 WARMUP=2 bench/before-after.sh fan-out --subscribers 20 --qos 0 --window 1000
# MOSQUITTO=1 adds a third run per round: mosquitto (from PATH) on the same core, the reference of issue 17.
# The broker's pid goes to the bench (--broker-pid): RSS, and live heap for the connections scenario.
# BROKER_OPTS: extra JVM options for both brokers (e.g. the launchers' heap settings:
#   BROKER_OPTS="-XX:MinHeapFreeRatio=5 -XX:MaxHeapFreeRatio=15 -XX:G1PeriodicGCInterval=60000").
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base=${BASE:?set BASE to a built checkout}
v=0.1.0-SNAPSHOT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { # label classpath bench-args...
  local label=$1 cp=$2; shift 2
  local port=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768+): a port some client socket holds cannot be bound
  (cd "$work" && exec taskset -c 0 java -XX:+UseG1GC -Xss512k ${BROKER_OPTS:-} -Dlogback.configurationFile="$here/conf/logback.xml" \
     -Dvolantmq.listeners=tcp://127.0.0.1:$port -Dvolantmq.withSystree=false -cp "$cp" io.volantmq.broker.Main) \
     > "$work/$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
  bench_run "$label" $port $pid "$@"
}
bench_run() { # label port broker-pid bench-args...
  local label=$1 port=$2 pid=$3; shift 3
  local line
  line=$(taskset -c 1 java -XX:+UseParallelGC -Xms512m -Xmx2g -cp "$here/bench/target/bench-$v.jar:$here/bench/target/lib/*" \
     io.volantmq.bench.Bench "$@" --port $port --broker-pid $pid --duration "${DURATION:-8}" --warmup "${WARMUP:-2}" --label "$label" 2>&1 \
     | grep RESULT)
  kill $pid; wait $pid 2>/dev/null
  echo "$label $(cut -d' ' -f1-3 /proc/loadavg) $line"
}
mosquitto_run() { # bench-args...
  local port=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768+): a port some client socket holds cannot be bound
  # as bench/compare.sh runs it: no broker-side caps, no persistence, only warnings and errors logged
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 0\nmax_queued_messages 0\nmax_queued_bytes 0\nset_tcp_nodelay true\nlog_dest stderr\nlog_type error\nlog_type warning\n' \
     $port > "$work/mosquitto.conf"
  chmod 644 "$work/mosquitto.conf"; chmod 755 "$work"
  taskset -c 0 mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
  bench_run C-mosquitto $port $pid "$@"
}
echo "# $(date -u +%FT%TZ) base $(git -C "$base" rev-parse --short HEAD) head $(git -C "$here" rev-parse --short HEAD) case: $*"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq 1 "${ROUNDS:-3}"); do
  run A-before "$base/broker/target/broker-$v.jar:$base/broker/target/lib/*" "$@"
  run B-after "$here/broker/target/broker-$v.jar:$here/broker/target/lib/*" "$@"
  if [ -n "${MOSQUITTO:-}" ]; then mosquitto_run "$@"; fi
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
