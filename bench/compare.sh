#!/usr/bin/env bash
# Runs the benchmark scenario set against VolantMQ (./volantmq, memory store) and Debian's Mosquitto,
# each broker pinned to one core and the load tool to another, and prints both side by side.
#
#   bench/compare.sh                       # every case, 10 s each after a 3 s warm-up
#   DURATION=30 CASES="pair-qos0 latency" bench/compare.sh
#
# Environment:
#   DURATION      measured seconds per run (default 10)
#   WARMUP        warm-up seconds per run, not measured (default 3)
#   CASES         subset of: pair-qos0 pair-qos1 fan-in fan-out mesh latency connections (the default),
#                 plus fan-in-qos2 and fan-in-qos2-v5 (correctness: 20:1 at QoS 2 over 3.1.1 and 5)
#   CONNECTIONS   connections for the 'connections' case (default 10000)
#   BROKER_CORE   core the brokers are pinned to (default 0); TOOL_CORE: the load tool's (default 1)
#   ROUNDS        how many times the whole set runs, brokers taking turns (default 1); with more
#                 than one, the table shows each broker's median over the rounds
#   PIN           0 runs everything unpinned (default 1)
#   NICE          run brokers and load tool at this nice value, e.g. -10 on a machine shared with other
#                 work, so the pinned processes get their core (default: unchanged; below 0 needs root)
#   RESULTS       where the raw RESULT lines go (default bench/target/compare-DATE.txt)
#   VOLANTMQ_OPTS extra -D settings for ./volantmq (VOLANTMQ_JAVA_OPTS is passed through as well)
#   SKIP_BUILD    1 skips the Maven build
# Only 127.0.0.1 is used; every process started here is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export -n VOLANTMQ_OPTS 2>/dev/null || true # its settings go on the command line; the launcher refuses unknown VOLANTMQ_ variables
cd "$root"

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CASES=${CASES:-"pair-qos0 pair-qos1 fan-in fan-out mesh latency connections"}
CONNECTIONS=${CONNECTIONS:-10000}
BROKER_CORE=${BROKER_CORE:-0}
TOOL_CORE=${TOOL_CORE:-1}
PIN=${PIN:-1}
ROUNDS=${ROUNDS:-1}
mkdir -p bench/target
RESULTS=${RESULTS:-$root/bench/target/compare-$(date +%Y%m%d-%H%M%S).txt}
MOSQUITTO=/usr/sbin/mosquitto

work=$(mktemp -d)
broker_pid=
cleanup() {
  if [ -n "$broker_pid" ]; then stop_broker; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "compare: $*" >&2; }

pinned() { # pinned CORE CMD...: run CMD on that core unless PIN=0 (taskset and nice exec, so $! is CMD's pid)
  local core=$1; shift
  local prefix=()
  if [ -n "${NICE:-}" ]; then prefix+=(nice -n "$NICE"); fi
  if [ "$PIN" = 1 ]; then prefix+=(taskset -c "$core"); fi
  exec "${prefix[@]}" "$@"
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if [ -z "$(ss -ltnH "sport = :$port")" ]; then echo "$port"; return; fi
  done
  log "no free port found"; exit 1
}

wait_port() { # wait_port PORT: until something accepts on 127.0.0.1:PORT (60 s at most)
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    if ! kill -0 "$broker_pid" 2>/dev/null; then log "broker exited; its log:"; cat "$work"/*.log >&2; exit 1; fi
    sleep 0.1
  done
  log "broker did not listen on port $1 within 60 s"; exit 1
}

start_volantmq() {
  port=$(free_port)
  # shellcheck disable=SC2086
  (pinned "$BROKER_CORE" ./volantmq -Dvolantmq.listeners="tcp://127.0.0.1:$port" ${VOLANTMQ_OPTS:-} \
    >"$work/volantmq.log" 2>&1) &
  broker_pid=$!
  wait_port "$port"
}

start_mosquitto() {
  port=$(free_port)
  # no broker-side caps: unlimited inflight and queue (mosquitto.conf(5) of 2.0.11), no persistence;
  # TCP_NODELAY like our broker
  cat >"$work/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence false
max_inflight_messages 0
max_queued_messages 0
max_queued_bytes 0
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
EOF
  chmod 644 "$work/mosquitto.conf"
  chmod 755 "$work"
  (pinned "$BROKER_CORE" "$MOSQUITTO" -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1) &
  broker_pid=$!
  wait_port "$port"
}

stop_broker() {
  kill "$broker_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$broker_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$broker_pid" 2>/dev/null || true
  wait "$broker_pid" 2>/dev/null || true
  broker_pid=
}

# case name -> description and load tool arguments
describe() {
  case "$1" in
    pair-qos0) echo "1:1 QoS 0|pair --qos 0 --window 1000" ;;
    pair-qos1) echo "1:1 QoS 1|pair --qos 1 --inflight 1000 --window 1000" ;;
    fan-in) echo "fan-in 20:1 QoS 0|fan-in --publishers 20 --qos 0 --window 100" ;;
    fan-out) echo "fan-out 1:20 QoS 0|fan-out --subscribers 20 --qos 0 --window 1000" ;;
    mesh) echo "mesh 20 QoS 0|mesh --clients 20 --qos 0 --window 100" ;;
    fan-in-qos2) echo "fan-in 20:1 QoS 2|fan-in --publishers 20 --qos 2 --inflight 100 --window 100" ;;
    fan-in-qos2-v5) echo "fan-in 20:1 QoS 2 MQTT 5|fan-in --publishers 20 --qos 2 --inflight 100 --window 100 --protocol 5" ;;
    latency) echo "latency 1:1 QoS 1 at 5,000 msgs/s|pair --qos 1 --rate 5000" ;;
    connections) echo "$CONNECTIONS connections QoS 1|connections --clients $CONNECTIONS --qos 1 --connect-concurrency 100" ;;
    *) log "unknown case '$1'"; exit 2 ;;
  esac
}

run_case() { # run_case LABEL CASE: one load tool run against the broker on $port
  local label=$1 name=$2 spec title args out rc
  spec=$(describe "$name")
  title=${spec%%|*}
  args=${spec#*|}
  out="$work/$label-$name.out"
  log "$label: $title (${DURATION}s + ${WARMUP}s warm-up), load: $(cut -d' ' -f1-3 /proc/loadavg)"
  set +e
  # shellcheck disable=SC2086
  (pinned "$TOOL_CORE" bench/bench $args --host 127.0.0.1 --port "$port" --label "$label" --case "$title" \
    --duration "$DURATION" --warmup "$WARMUP" --broker-pid "$broker_pid" --quiet >"$out")
  rc=$?
  set -e
  grep -v '^RESULT ' "$out" >&2 || true
  if grep -q '^RESULT ' "$out"; then
    grep '^RESULT ' "$out" >>"$RESULTS"
  else
    log "$label: $title produced no result (exit $rc)"
  fi
}

if [ "${SKIP_BUILD:-}" != 1 ]; then
  log "building broker and load tool"
  mvn -q -B -DskipTests -pl broker,persistence-memory,bench -am package
fi
if [ ! -x "$MOSQUITTO" ]; then
  log "installing mosquitto"
  apt-get install -y mosquitto >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y mosquitto >/dev/null; }
fi

{
  echo "# compare.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
  echo "# $(java -version 2>&1 | head -1); $("$MOSQUITTO" -h 2>/dev/null | head -1)"
  echo "# DURATION=$DURATION WARMUP=$WARMUP ROUNDS=$ROUNDS PIN=$PIN NICE=${NICE:-} BROKER_CORE=$BROKER_CORE TOOL_CORE=$TOOL_CORE VOLANTMQ_OPTS=${VOLANTMQ_OPTS:-}"
} >>"$RESULTS"

# throughput and latency cases share one broker process each; connections gets fresh ones, so
# the memory per connection is not hidden in a heap that earlier runs already grew
shared=() fresh=()
for c in $CASES; do
  describe "$c" >/dev/null
  if [ "$c" = connections ]; then fresh+=("$c"); else shared+=("$c"); fi
done
for round in $(seq 1 "$ROUNDS"); do
  for label in volantmq mosquitto; do
    if [ ${#shared[@]} -gt 0 ]; then
      "start_$label"
      for c in "${shared[@]}"; do run_case "$label" "$c"; done
      stop_broker
    fi
    for c in "${fresh[@]}"; do
      "start_$label"
      run_case "$label" "$c"
      stop_broker
    done
  done
done

# side by side, from the RESULT lines of this run
awk -v cases="$CASES" '
  function get(line, key,   v) {
    if (match(line, "\"" key "\":(\"[^\"]*\"|[^,}]*)")) {
      v = substr(line, RSTART + length(key) + 3, RLENGTH - length(key) - 3); gsub(/"/, "", v); return v
    }
    return ""
  }
  # the median of the k values stored as a[key, 1..k] (insertion sort: mawk has no asort)
  function median(a, key, k,   i, j, v, s) {
    for (i = 1; i <= k; i++) {
      v = a[key, i] + 0
      for (j = i - 1; j >= 1 && s[j] > v; j--) s[j + 1] = s[j]
      s[j + 1] = v
    }
    return k % 2 ? s[(k + 1) / 2] : (s[k / 2] + s[k / 2 + 1]) / 2
  }
  /^# compare.sh/ { n = 0; for (k in seen) delete seen[k]; for (k in runs) delete runs[k] }
  /^RESULT / {
    label = get($0, "label"); c = get($0, "case")
    if (!(c in seen)) { seen[c] = 1; order[++n] = c }
    r = ++runs[c, label]
    rates[c SUBSEP label, r] = get($0, "delivered_per_s"); p50s[c SUBSEP label, r] = get($0, "latency_p50_us")
    p99s[c SUBSEP label, r] = get($0, "latency_p99_us")
    rate[c, label] = median(rates, c SUBSEP label, r); p50[c, label] = median(p50s, c SUBSEP label, r)
    p99[c, label] = median(p99s, c SUBSEP label, r)
    if (r == 1 || ok[c, label] == "true") ok[c, label] = get($0, "ok")
    heap[c, label] = get($0, "broker_live_heap_kb_per_connection")
    conn[c, label] = get($0, "connect_per_s")
    mem[c, label] = get($0, "broker_kb_per_connection"); scen[c] = get($0, "scenario")
    bcpu[c, label] = get($0, "broker_cpu_pct"); tcpu[c, label] = get($0, "tool_cpu_pct")
    # summed over the rounds, so a failure in any round shows
    lost[c, label] += get($0, "lost"); dup[c, label] += get($0, "duplicated")
    reuse[c, label] += get($0, "pktid_reuse"); errs[c, label] += get($0, "errors")
  }
  function verdict(c, l,   why) {
    if (ok[c, l] == "true") return "ok"
    why = ""
    if (lost[c, l] > 0) why = why " lost " lost[c, l]
    if (dup[c, l] > 0) why = why " duplicated " dup[c, l]
    if (reuse[c, l] > 0) why = why " packet-id reuse " reuse[c, l]
    if (errs[c, l] > 0) why = why " errors " errs[c, l]
    return "FAILED:" why
  }
  function cpu(c, l) { return sprintf("%.0f / %.0f", bcpu[c, l], tcpu[c, l]) }
  END {
    print ""
    if (runs[order[1], "volantmq"] > 1) print "Medians over " runs[order[1], "volantmq"] " rounds."
    print "| case | volantmq msgs/s | mosquitto msgs/s | ratio | volantmq p50 / p99 us | mosquitto p50 / p99 us | CPU % broker / tool, volantmq | CPU % broker / tool, mosquitto | volantmq | mosquitto |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
    for (i = 1; i <= n; i++) {
      c = order[i]
      if (scen[c] == "connections") continue
      ratio = rate[c, "mosquitto"] > 0 ? sprintf("%.2f", rate[c, "volantmq"] / rate[c, "mosquitto"]) : "-"
      printf "| %s | %.0f | %.0f | %s | %.0f / %.0f | %.0f / %.0f | %s | %s | %s | %s |\n", c, rate[c, "volantmq"],
        rate[c, "mosquitto"], ratio, p50[c, "volantmq"], p99[c, "volantmq"], p50[c, "mosquitto"],
        p99[c, "mosquitto"], cpu(c, "volantmq"), cpu(c, "mosquitto"), verdict(c, "volantmq"), verdict(c, "mosquitto")
    }
    for (i = 1; i <= n; i++) {
      c = order[i]
      if (scen[c] == "connections") {
        printf "\n| %s | volantmq | mosquitto |\n|---|---:|---:|\n", c
        printf "| connects/s | %.0f | %.0f |\n", conn[c, "volantmq"], conn[c, "mosquitto"]
        printf "| broker RSS per connection (KB) | %.1f | %.1f |\n", mem[c, "volantmq"], mem[c, "mosquitto"]
        printf "| broker live heap per connection (KB, JVM only) | %.1f | - |\n", heap[c, "volantmq"]
      }
    }
  }' "$RESULTS"
echo
log "raw RESULT lines: $RESULTS"
