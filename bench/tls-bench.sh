#!/usr/bin/env bash
# What TLS and WebSocket cost: connection (handshake) rate and 1:1 throughput over tcp, ssl, ws and wss
# against one ./volantmq (memory store) with all four listeners, broker pinned to one core and the load
# tool to another. A throw-away CA and server certificate are made with openssl in a temporary directory.
#
#   bench/tls-bench.sh
#   MAX_LOAD=1.2 bench/tls-bench.sh          # first wait (up to 15 min) for the 1-minute load to drop below 1.2
#   DURATION=30 KEY=rsa bench/tls-bench.sh
#
# Runs, in order (each a separate load tool process, RESULT lines collected):
#   warm-up       (WARM=1) 500 connections and a 2 s pair over each transport, not recorded
#   connections   WARMUP_CONNECTIONS, then CONNECTIONS connections over tcp, ssl (full handshakes), ssl
#                 with --tls-resume, ws and wss: connects/s, i.e. CONNECT..CONNACK including the TLS
#                 handshake and/or the HTTP upgrade, and the broker's CPU per connection (the JDK client
#                 hardly resumes at 100 concurrent connects: ssl-resume is close to full handshakes)
#   pair QoS 0    1:1, --window 1000, over tcp, ssl, ws, wss
#   pair QoS 1    1:1, --inflight 1000 --window 1000, over tcp, ssl, ws, wss
#   s_time        openssl s_time -new against the ssl listener: raw full TLS handshakes/s (no MQTT)
#   mosquitto     (MOSQUITTO=1) VolantMQ stopped, mosquitto from PATH on the same core with a tcp and an ssl
#                 listener (same CA, certificate and key): the connections runs over tcp and ssl again
#
# Environment:
#   DURATION      measured seconds per pair run (default 10); WARMUP: warm-up seconds per pair run (default 3)
#   CONNECTIONS   connections per 'connections' run (default 2000)
#   WARMUP_CONNECTIONS  throw-away connections each 'connections' run makes first, so the load tool's fresh
#                 JVM is warm when connects/s is measured (default 1000)
#   KEY           ec (P-256, default) or rsa (2048 bit): the server key
#   S_TIME        seconds of openssl s_time (default 10; 0 skips it)
#   WARM          0 skips the warm-up pass (default 1)
#   MAX_LOAD      wait until the 1-minute load average is below this (polled every 60 s, 15 minutes at most)
#   BROKER_CORE   core the broker is pinned to (default 0); TOOL_CORE: the load tool's and s_time's (default 1)
#   PIN           0 runs everything unpinned (default 1)
#   RESULTS       where the raw RESULT lines go (default bench/target/tls-bench-DATE.txt)
#   VOLANTMQ_OPTS extra -D settings for ./volantmq (VOLANTMQ_JAVA_OPTS is passed through as well)
#   SKIP_BUILD    1 skips the Maven build
#   PAIRS         0 skips the pair runs (default 1)
#   MOSQUITTO     1 adds the mosquitto runs (default 0)
#   TOOL_TLS_PROVIDER  the load tool's --tls-provider (default auto: OpenSSL where it loads); the broker's
#                 is -Dvolantmq.tls.provider=... in VOLANTMQ_OPTS (default auto)
# Only 127.0.0.1 is used; every process started here is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-2000}
WARMUP_CONNECTIONS=${WARMUP_CONNECTIONS:-1000}
KEY=${KEY:-ec}
S_TIME=${S_TIME:-10}
WARM=${WARM:-1}
BROKER_CORE=${BROKER_CORE:-0}
TOOL_CORE=${TOOL_CORE:-1}
PIN=${PIN:-1}
PAIRS=${PAIRS:-1}
MOSQUITTO=${MOSQUITTO:-0}
TOOL_TLS_PROVIDER=${TOOL_TLS_PROVIDER:-auto}
label=volantmq
broker_log=
# kept as a shell variable only: the broker refuses unknown VOLANTMQ_* variables in its environment
export -n VOLANTMQ_OPTS 2>/dev/null || true
mkdir -p bench/target
RESULTS=${RESULTS:-$root/bench/target/tls-bench-$(date +%Y%m%d-%H%M%S).txt}

work=$(mktemp -d)
broker_pid=
tool_pid=
cleanup() {
  if [ -n "$tool_pid" ]; then kill "$tool_pid" 2>/dev/null || true; wait "$tool_pid" 2>/dev/null || true; fi
  if [ -n "$broker_pid" ]; then
    kill "$broker_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "tls-bench: $*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }

pinned() { # pinned CORE CMD...: run CMD on that core unless PIN=0 (exec, so $! is CMD's pid)
  local core=$1; shift
  if [ "$PIN" = 1 ]; then exec taskset -c "$core" "$@"; else exec "$@"; fi
}

ports_taken=" "
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if [[ "$ports_taken" != *" $port "* ]] && [ -z "$(ss -ltnH "sport = :$port")" ]; then
      ports_taken="$ports_taken$port "
      echo "$port"; return
    fi
  done
  log "no free port found"; exit 1
}

wait_port() { # wait_port PORT: until something accepts on 127.0.0.1:PORT (60 s at most)
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    if ! kill -0 "$broker_pid" 2>/dev/null; then log "broker exited; its log:"; cat "$broker_log" >&2; exit 1; fi
    sleep 0.1
  done
  log "broker did not listen on port $1 within 60 s"; exit 1
}

cpu_ticks() { # user + system clock ticks of a process
  awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

make_pki() { # a CA and a server certificate for 127.0.0.1 and localhost; the key as PKCS#8 PEM
  local newkey
  if [ "$KEY" = rsa ]; then newkey=(-newkey rsa:2048); else newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); fi
  openssl req -x509 -new "${newkey[@]}" -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 2 \
    -subj "/CN=tls-bench throw-away CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new "${newkey[@]}" -nodes -keyout "$work/key.pem" -out "$work/server.csr" -subj "/CN=localhost" 2>/dev/null
  cat >"$work/server.ext" <<EOF
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EOF
  openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile "$work/server.ext" -out "$work/server.pem" 2>/dev/null
  cat "$work/server.pem" "$work/ca.pem" >"$work/chain.pem"
  grep -q 'BEGIN PRIVATE KEY' "$work/key.pem" || { log "openssl did not write a PKCS#8 key"; exit 1; }
}

wire_args() { # the load tool's options for a transport
  case "$1" in
    tcp) echo "--port $tcp_port" ;;
    ssl) echo "--port $ssl_port --tls --cafile $work/ca.pem --tls-provider $TOOL_TLS_PROVIDER" ;;
    ssl-resume) echo "--port $ssl_port --tls --cafile $work/ca.pem --tls-resume --tls-provider $TOOL_TLS_PROVIDER" ;;
    ws) echo "--port $ws_port --ws /mqtt" ;;
    wss) echo "--port $wss_port --ws /mqtt --tls --cafile $work/ca.pem --tls-provider $TOOL_TLS_PROVIDER" ;;
    *) log "unknown transport $1"; exit 2 ;;
  esac
}

run_tool() { # run_tool CASE WIRE ARGS...: one load tool run; its RESULT line goes to $RESULTS unless CASE is -
  local name=$1 wire=$2 out rc
  shift 2
  out="$work/run.out"
  log "$name over $wire: bench/bench $* $(wire_args "$wire")  (load $(cut -d' ' -f1-3 /proc/loadavg))"
  set +e
  # shellcheck disable=SC2046
  (pinned "$TOOL_CORE" bench/bench "$@" $(wire_args "$wire") --host 127.0.0.1 --label "$label" \
    --case "$name" --broker-pid "$broker_pid" --quiet >"$out" 2>"$work/run.err") &
  tool_pid=$!
  wait "$tool_pid"
  rc=$?
  tool_pid=
  set -e
  grep -E '^(wire|TLS):' "$work/run.err" >&2 || true
  if [ "$name" = - ]; then return; fi
  grep -v '^RESULT ' "$out" >&2 || true
  if grep -q '^RESULT ' "$out"; then
    echo "# load before: $before_load" >>"$RESULTS"
    grep '^RESULT ' "$out" >>"$RESULTS"
  else
    log "$name over $wire produced no result (exit $rc)"; cat "$work/run.err" >&2
  fi
}

if [ -n "${MAX_LOAD:-}" ]; then
  for i in $(seq 0 15); do
    if awk -v l="$(load1)" -v m="$MAX_LOAD" 'BEGIN { exit !(l < m) }'; then break; fi
    if [ "$i" = 15 ]; then log "load still $(load1) after 15 minutes; measuring anyway"; break; fi
    log "1-minute load $(load1) >= $MAX_LOAD: waiting 60 s ($i/15)"
    sleep 60
  done
fi

if [ "${SKIP_BUILD:-}" != 1 ]; then
  log "building broker and load tool"
  mvn -q -B -DskipTests -pl broker,persistence-memory,bench -am package
fi

make_pki
tcp_port=$(free_port); ssl_port=$(free_port); ws_port=$(free_port); wss_port=$(free_port)
listeners="tcp://127.0.0.1:$tcp_port,ssl://127.0.0.1:$ssl_port,ws://127.0.0.1:$ws_port/mqtt,wss://127.0.0.1:$wss_port/mqtt"
log "starting ./volantmq on core $BROKER_CORE: $listeners"
# shellcheck disable=SC2086
(pinned "$BROKER_CORE" ./volantmq -Dvolantmq.listeners="$listeners" -Dvolantmq.tls.certFile="$work/chain.pem" \
  -Dvolantmq.tls.keyFile="$work/key.pem" ${VOLANTMQ_OPTS:-} >"$work/volantmq.log" 2>&1) &
broker_pid=$!
broker_log=$work/volantmq.log
for p in $tcp_port $ssl_port $ws_port $wss_port; do wait_port "$p"; done

{
  echo "# tls-bench.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); $(java -version 2>&1 | head -1); $(openssl version)"
  echo "# server key $KEY: $(openssl x509 -in "$work/server.pem" -noout -text | grep -m1 'Public Key Algorithm' | xargs)"
  echo "# DURATION=$DURATION WARMUP=$WARMUP CONNECTIONS=$CONNECTIONS WARMUP_CONNECTIONS=$WARMUP_CONNECTIONS PIN=$PIN BROKER_CORE=$BROKER_CORE TOOL_CORE=$TOOL_CORE VOLANTMQ_OPTS=${VOLANTMQ_OPTS:-}"
  echo "# load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$RESULTS"

before_load=
if [ "$WARM" = 1 ]; then
  for w in tcp ssl ws wss; do
    run_tool - "$w" connections --clients 500 --qos 0
    run_tool - "$w" pair --qos 1 --inflight 1000 --window 1000 --duration 2
  done
fi

for w in tcp ssl ssl-resume ws wss; do
  before_load=$(cut -d' ' -f1-3 /proc/loadavg)
  run_tool "connections-$w" "$w" connections --clients "$CONNECTIONS" --qos 0 --connect-concurrency 100 \
    --warmup-connections "$WARMUP_CONNECTIONS"
done
for w in tcp ssl ws wss; do
  [ "$PAIRS" = 1 ] || break
  before_load=$(cut -d' ' -f1-3 /proc/loadavg)
  run_tool "pair-qos0-$w" "$w" pair --qos 0 --window 1000 --duration "$DURATION" --warmup "$WARMUP"
done
for w in tcp ssl ws wss; do
  [ "$PAIRS" = 1 ] || break
  before_load=$(cut -d' ' -f1-3 /proc/loadavg)
  run_tool "pair-qos1-$w" "$w" pair --qos 1 --inflight 1000 --window 1000 --duration "$DURATION" --warmup "$WARMUP"
done

if [ "$S_TIME" != 0 ] && command -v openssl >/dev/null; then
  log "openssl s_time -connect 127.0.0.1:$ssl_port -new -time $S_TIME (load $(cut -d' ' -f1-3 /proc/loadavg))"
  ticks0=$(cpu_ticks "$broker_pid")
  t0=$(date +%s.%N)
  set +e
  (pinned "$TOOL_CORE" openssl s_time -connect "127.0.0.1:$ssl_port" -new -time "$S_TIME" >"$work/s_time.out" 2>&1) &
  tool_pid=$!
  wait "$tool_pid"
  tool_pid=
  set -e
  ticks1=$(cpu_ticks "$broker_pid")
  t1=$(date +%s.%N)
  cat "$work/s_time.out" >&2
  # "N connections in R real seconds, ..." (whole seconds): handshakes over our own wall clock instead
  real=$(grep -m1 'real seconds' "$work/s_time.out" || true)
  if [ -n "$real" ]; then
    n=$(echo "$real" | awk '{ print $1 }')
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    echo "S_TIME {\"handshakes\":$n,\"real_s\":$secs,\"handshakes_per_s\":$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }'),\"broker_cpu_pct\":$(awk -v t=$((ticks1 - ticks0)) -v s="$secs" 'BEGIN { printf "%.0f", t / s }'),\"broker_cpu_us_per_handshake\":$(awk -v t=$((ticks1 - ticks0)) -v n="$n" 'BEGIN { printf "%.0f", t * 10000 / n }')}" >>"$RESULTS"
  fi
fi

if [ "$MOSQUITTO" = 1 ]; then
  log "stopping VolantMQ; starting mosquitto ($(mosquitto -h 2>&1 | head -1)) on core $BROKER_CORE"
  kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true
  tcp_port=$(free_port); ssl_port=$(free_port)
  printf '%s\n' "allow_anonymous true" "listener $tcp_port 127.0.0.1" "listener $ssl_port 127.0.0.1" \
    "cafile $work/ca.pem" "certfile $work/chain.pem" "keyfile $work/key.pem" >"$work/mosquitto.conf"
  # as root mosquitto switches to user mosquitto, who cannot read the key in this private directory
  if [ "$(id -u)" = 0 ]; then echo "user root" >>"$work/mosquitto.conf"; fi
  (pinned "$BROKER_CORE" mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1) &
  broker_pid=$!
  broker_log=$work/mosquitto.log
  wait_port "$tcp_port"; wait_port "$ssl_port"
  echo "# $(mosquitto -h 2>&1 | head -1), $(ldd "$(command -v mosquitto)" | grep -o 'libssl[^ ]*' | head -1)" >>"$RESULTS"
  label=mosquitto
  for w in tcp ssl; do
    before_load=$(cut -d' ' -f1-3 /proc/loadavg)
    run_tool "mosquitto-connections-$w" "$w" connections --clients "$CONNECTIONS" --qos 0 --connect-concurrency 100 \
      --warmup-connections "$WARMUP_CONNECTIONS"
  done
fi
echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS"

awk '
  function get(line, key,   v) {
    if (match(line, "\"" key "\":(\"[^\"]*\"|[^,}]*)")) {
      v = substr(line, RSTART + length(key) + 3, RLENGTH - length(key) - 3); gsub(/"/, "", v); return v
    }
    return ""
  }
  /^# tls-bench.sh/ { delete r; st = "" }
  /^RESULT / { c = get($0, "case"); r[c] = $0 }
  /^S_TIME / { st = $0 }
  function ok(c) { return get(r[c], "ok") == "true" ? "ok" : "FAILED" }
  END {
    print ""
    print "| transport | connects/s | broker CPU per connect (us) | CPU % broker / tool while connecting | pair QoS 0 msgs/s | CPU % broker / tool | pair QoS 1 msgs/s | CPU % broker / tool | correct |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    n = split("tcp ssl ssl-resume ws wss", ws, " ")
    for (i = 1; i <= n; i++) {
      w = ws[i]; cc = "connections-" w; q0 = "pair-qos0-" w; q1 = "pair-qos1-" w
      verdict = (cc in r ? ok(cc) : "-") (q0 in r ? " " ok(q0) : "") (q1 in r ? " " ok(q1) : "")
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", w,
        cc in r ? sprintf("%.0f", get(r[cc], "connect_per_s")) : "-",
        cc in r ? sprintf("%.0f", get(r[cc], "connect_broker_cpu_us")) : "-",
        cc in r ? sprintf("%.0f / %.0f", get(r[cc], "connect_broker_cpu_pct"), get(r[cc], "connect_tool_cpu_pct")) : "-",
        q0 in r ? sprintf("%.0f", get(r[q0], "delivered_per_s")) : "-",
        q0 in r ? sprintf("%.0f / %.0f", get(r[q0], "broker_cpu_pct"), get(r[q0], "tool_cpu_pct")) : "-",
        q1 in r ? sprintf("%.0f", get(r[q1], "delivered_per_s")) : "-",
        q1 in r ? sprintf("%.0f / %.0f", get(r[q1], "broker_cpu_pct"), get(r[q1], "tool_cpu_pct")) : "-",
        verdict
    }
    for (i = 1; i <= 2; i++) {
      w = i == 1 ? "tcp" : "ssl"; cc = "mosquitto-connections-" w
      if (cc in r) {
        printf "| mosquitto %s | %.0f | %.0f | %.0f / %.0f | - | - | - | - | %s |\n", w, get(r[cc], "connect_per_s"),
          get(r[cc], "connect_broker_cpu_us"), get(r[cc], "connect_broker_cpu_pct"), get(r[cc], "connect_tool_cpu_pct"), ok(cc)
      }
    }
    if (st != "") {
      printf "\nopenssl s_time -new: %s full TLS handshakes/s, broker CPU %s %% of a core, %s us per handshake\n",
        get(st, "handshakes_per_s"), get(st, "broker_cpu_pct"), get(st, "broker_cpu_us_per_handshake")
    }
  }' "$RESULTS"
echo
log "raw RESULT lines: $RESULTS"
