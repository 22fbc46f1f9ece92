#!/usr/bin/env bash
# Reconnect storms against one running broker: the first storm meets a fresh JVM (class loading and JIT
# compilation count against it, as after a restart), the later ones a warm broker (as after a network outage).
# VolantMQ (this tree) and Mosquitto (from PATH) take turns, broker on core 0, tool on core 1; both log their
# connects and disconnects as their defaults do. Needs: mvn -pl broker,bench -am package -DskipTests.
#   STORMS=4 ROUNDS=2 bench/connect-storm.sh --clients 10000 --qos 1 --connect-concurrency 100
# SIZES="10000 5000 10000 15000 19000": one storm of each size instead (leave --clients out): the broker's RSS
# after a GC with N connections held, against N, gives the memory one idle connection costs (the slope).
# MOSQUITTO=0 leaves Mosquitto out.
# BROKER_OPTS: extra JVM options for VolantMQ. Each line: broker, round, storm, load average, the RESULT JSON,
# and the broker's user and system CPU (clock ticks) over the storm.
set -u
ulimit -n "$(ulimit -Hn)" # up to 19,000 connections: one descriptor each, in the broker and in the tool
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
v=0.1.0-SNAPSHOT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
port_free() { local p; p=$((20000 + RANDOM % 12000)); echo $p; } # below the ephemeral range (32768+)
wait_port() { for _ in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/$1) 2>/dev/null && return; sleep 0.2; done; }
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }
storms() { # label round port pid bench-args...
  local label=$1 round=$2 port=$3 pid=$4; shift 4
  local storm=0 size
  for size in ${SIZES:-$(seq 1 "${STORMS:-4}")}; do
    local before after line clients=()
    storm=$((storm + 1))
    [ -n "${SIZES:-}" ] && clients=(--clients "$size")
    before=$(cpu_ticks "$pid")
    line=$(taskset -c 1 java -XX:+UseParallelGC -Xms512m -Xmx2g -cp "$here/bench/target/bench-$v.jar:$here/bench/target/lib/*" \
       io.volantmq.bench.Bench connections "${clients[@]}" "$@" --port "$port" --broker-pid "$pid" --duration 6 --warmup 1 --label "$label" 2>&1 \
       | grep RESULT)
    after=$(cpu_ticks "$pid")
    echo "$label round $round storm $storm load $(cut -d' ' -f1 /proc/loadavg) $line cpu_ticks_user_sys" \
      $(( ${after% *} - ${before% *} )) $(( ${after#* } - ${before#* } ))
  done
  kill "$pid"; wait "$pid" 2>/dev/null
}
echo "# $(date -u +%FT%TZ) head $(git -C "$here" rev-parse --short HEAD) storms: $*"
for round in $(seq 1 "${ROUNDS:-2}"); do
  port=$(port_free)
  (cd "$work" && exec taskset -c 0 java -XX:+UseG1GC -Xss512k ${BROKER_OPTS:-} -Dlogback.configurationFile="$here/conf/logback.xml" \
     -Dvolantmq.listeners=tcp://127.0.0.1:$port -Dvolantmq.withSystree=false \
     -cp "$here/broker/target/broker-$v.jar:$here/broker/target/lib/*" io.volantmq.broker.Main) > "$work/volantmq.log" 2>&1 &
  pid=$!; wait_port "$port"
  storms volantmq "$round" "$port" "$pid" "$@"
  [ "${MOSQUITTO:-1}" = 0 ] && continue
  port=$(port_free)
  # Mosquitto's default log types (error, warning, notice, information) include its connect lines
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 0\nmax_queued_messages 0\nmax_queued_bytes 0\nset_tcp_nodelay true\nlog_dest stderr\n' \
     "$port" > "$work/mosquitto.conf"
  chmod 644 "$work/mosquitto.conf"
  taskset -c 0 mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
  pid=$!; wait_port "$port"
  storms mosquitto "$round" "$port" "$pid" "$@"
done
