#!/usr/bin/env bash
# T10 of the cluster design: a three-node cluster over one redis-server on loopback, and
#   pair QoS 0 and 1, same node (publisher and subscriber on n1) and cross node (publisher n1, subscriber n2),
#   fan-out 1:20 QoS 0 and 1, publisher on n1, subscribers spread over n1, n2, n3 (--sub-port in turn).
# Each case prints the bench's result (msgs/s, latency) and the CPU each broker and Redis used over the
# case (utime+stime from /proc/PID/stat, before and after, as a share of one core), with the load average.
#   bench/cluster-bench.sh [DURATION_SECONDS=20] [REPEATS=1]
#   WARMUP=5 CASES="pair0 pair1 fanout0 fanout1" BASE_PORT=18931 bench/cluster-bench.sh 60 3
#   RATE=5000 bench/cluster-bench.sh     a fixed publish rate (latency at a load every case keeps up with)
#   BENCH_ARGS=--persistent-sessions ...  more options of the bench tool for every case (here: subscribers that
#                                         outlive their connection, whose queues are in Redis; clean ones' are on the heap)
# Needs /usr/bin/redis-server (apt-get install redis-server). Node JVMs: -Xmx256m -XX:+UseSerialGC
# -XX:ActiveProcessorCount=1 (three nodes, Redis and the load tool on a 2-core machine); JAVA_OPTS_NODE changes it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
duration=${1:-20}
repeats=${2:-1}
warmup=${WARMUP:-5}
cases=${CASES:-"pair0 pair1 fanout0 fanout1"}
base=${BASE_PORT:-18931}
redis_port=$((base + 10))
ports=($base $((base + 1)) $((base + 2)))
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2; exit 1
}

# utime + stime of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Redis commands served so far: "name=calls ..." for the cluster's hot commands, and the total
redis_calls() {
  redis-cli -p $redis_port info commandstats | tr -d '\r' | awk -F'[:=,]' '/^cmdstat_/ {
    name = substr($1, 9); total += $3
    if (name ~ /^(xadd|xreadgroup|xack|evalsha|eval|publish|exists|set|hset|rpush|lpush|zadd|multi|exec)$/) printf "%s=%s ", name, $3
  } END { printf "total=%d\n", total }'
}
# per delivered message: the difference of two redis_calls lines divided by $3
calls_per_message() {
  awk -v before="$1" -v after="$2" -v n="$3" 'BEGIN {
    split(before, b, " "); for (i in b) { split(b[i], kv, "="); was[kv[1]] = kv[2] }
    split(after, a, " "); for (i in a) { split(a[i], kv, "="); d = kv[2] - was[kv[1]]; if (d > 0 && n > 0) printf "%s %.2f  ", kv[1], d / n }
  }'
}

if [ -z "${VOLANTMQ_NO_BUILD:-}" ]; then
  echo "building broker, cluster-redis and bench ..." >&2
  mvn -q -B -DskipTests -pl broker,bridge,persistence-redis,cluster-redis,bench -am package >&2
fi
export VOLANTMQ_NO_BUILD=1 # three launchers must not build at once

/usr/bin/redis-server --port $redis_port --bind 127.0.0.1 --save '' --appendonly yes --appendfsync everysec \
  --dir "$work" >"$work/redis.log" 2>&1 &
redis=$!
pids+=($redis)
wait_port $redis_port
nodes=()
for i in 1 2 3; do
  VOLANTMQ_JAVA_OPTS=${JAVA_OPTS_NODE:-"-Xmx256m -XX:+UseSerialGC -XX:ActiveProcessorCount=1"} \
    ./volantmq -Dvolantmq.cluster=redis -Dvolantmq.cluster.redis.uri=redis://127.0.0.1:$redis_port/0 \
    -Dvolantmq.nodeName=n$i -Dvolantmq.listeners=tcp://127.0.0.1:${ports[$((i - 1))]} -Dvolantmq.withSystree=false \
    >"$work/n$i.log" 2>&1 &
  nodes+=($!)
  pids+=($!)
done
for p in "${ports[@]}"; do wait_port "$p"; done
sleep 2 # every node has seen the others' liveness

tck=$(getconf CLK_TCK)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo),"\
  "$(java -version 2>&1 | head -n 1), redis $(/usr/bin/redis-server --version | awk '{ print $3 }' | sed 's/^v=//')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); duration ${duration}s after ${warmup}s warm-up, $repeats repeat(s)${RATE:+, rate $RATE/s}"

run_case() {
  local name=$1; shift
  local before=() after=() wall0 wall1 calls0 calls1 sent
  for p in "${nodes[@]}" $redis; do before+=("$(cpu_ticks "$p")"); done
  calls0=$(redis_calls)
  wall0=$(date +%s.%N)
  echo "== $name   (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  bench/bench "$@" --duration "$duration" --warmup "$warmup" --quiet --drain-timeout 30 ${RATE:+--rate $RATE} ${BENCH_ARGS:-} --case "$name" \
    | tee "$work/case.out"
  wall1=$(date +%s.%N)
  for p in "${nodes[@]}" $redis; do after+=("$(cpu_ticks "$p")"); done
  calls1=$(redis_calls)
  # the counters include the warm-up, the bench's "sent" does not: scaled as if the rate were even
  sent=$(sed -n 's/^RESULT .*"sent":\([0-9]*\).*/\1/p' "$work/case.out")
  sent=$(awk -v s="${sent:-0}" -v d="$duration" -v w="$warmup" 'BEGIN { printf "%d", s * (d + w) / d }')
  echo "   redis calls per published message (about): $(calls_per_message "$calls0" "$calls1" "$sent")"
  local names=(n1 n2 n3 redis) line="   cpu over the case (share of one core):"
  for i in 0 1 2 3; do
    line="$line $(awk -v a="${after[$i]}" -v b="${before[$i]}" -v t="$tck" -v w0="$wall0" -v w1="$wall1" -v n="${names[$i]}" \
      'BEGIN { printf "%s %.0f%%", n, 100 * (a - b) / t / (w1 - w0) }')"
  done
  echo "$line   (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
}

for r in $(seq 1 "$repeats"); do
  for c in $cases; do
    case $c in
      pair0|pair1)
        q=${c#pair}
        run_case "same-node pair qos$q #$r" pair --port ${ports[0]} --qos "$q"
        run_case "cross-node pair qos$q #$r" pair --port ${ports[0]} --sub-port ${ports[1]} --qos "$q" ;;
      fanout0|fanout1)
        q=${c#fanout}
        run_case "fan-out 1:20 over 3 nodes qos$q #$r" fan-out --subscribers 20 --port ${ports[0]} \
          --sub-port "${ports[0]},${ports[1]},${ports[2]}" --qos "$q"
        run_case "fan-out 1:20 one node qos$q #$r" fan-out --subscribers 20 --port ${ports[0]} --qos "$q" ;;
      *) echo "unknown case $c (pair0 pair1 fanout0 fanout1)" >&2; exit 2 ;;
    esac
  done
done
