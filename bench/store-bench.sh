#!/usr/bin/env bash
# Persistence benchmarks, every backend, on this machine:
#   1. `bench store` per backend: queue appends/s (one queue, fan-out to 10), the QoS 1 store cycle/s,
#      single-threaded and with the store's lanes, sync and through BufferedStore; then, on a fresh
#      store, recovery time for N queued messages (open + read every session and queue) and the size
#      on disk (Redis: also the server's restart with its append-only file);
#   2. end to end through ./volantmq per durable backend, sync and buffered (and memory as the
#      baseline): `pair --qos 1` and a 10-publisher `fan-in --qos 1`.
#
#   bench/store-bench.sh                                # everything (about 15 minutes on 2 cores)
#   BACKENDS="rocksdb sqlite" PARTS=store bench/store-bench.sh
#
# Environment:
#   BACKENDS        subset of: memory rocksdb mapdb sqlite redis (default: all)
#   PARTS           store (throughput phases), recovery, e2e (default: all three)
#   STORE_DURATION  seconds per store throughput phase (default 3; each phase also stops at 1,000,000 ops)
#   RECOVERY        messages queued for the recovery phase (default 1000000)
#   RECOVERY_MAPDB  the same for MapDB (default 1000000; its fill uses commit=group with a sync
#                   every 1,000 messages per thread, about 2 minutes here)
#   E2E_DURATION    measured seconds per end-to-end run (default 10); E2E_WARMUP: warm-up (default 2)
#   E2E_MODES       sync, buffered and/or inline (sync with the store calls on the event loops,
#                   volantmq.store.lanes=0: the broker before store lanes) (default: sync buffered)
#   FAN_IN          publishers of the end-to-end fan-in run (default 10)
#   E2E_SESSIONS    persistent and/or clean: the end-to-end subscribers' sessions (default: persistent).
#                   persistent (`--persistent-sessions`): their queues are in the durable store, the path a
#                   durable backend is for; clean: their queues stay on the heap whatever the backend
#                   (labels end in +clean, left out of the summary table). Before 2026-12-07 every e2e run
#                   used clean sessions, which then still went through the store.
#   STORE_ARGS      extra arguments for every `bench store` run
#   RESULTS         where the raw RESULT lines go (default bench/target/store-bench-DATE.txt)
#   REDIS_SERVER    default /usr/bin/redis-server (Debian's package); REDIS_CLI: /usr/bin/redis-cli
#   SKIP_BUILD      1 skips the Maven build
#
# Fills for the recovery phase use a backend's faster durability setting where it has one (RocksDB
# fsync=false, SQLite synchronous=NORMAL, Redis appendfsync everysec): the fill is not what is
# measured, and the store it leaves is the same; the timed reopen uses the defaults. Stores live in
# a temporary directory under bench/target (same disk as /work). Only 127.0.0.1 is used; every
# process started here (brokers, redis-server) is stopped on exit, and the directory removed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BACKENDS=${BACKENDS:-"memory rocksdb mapdb sqlite redis"}
PARTS=${PARTS:-"store recovery e2e"}
STORE_DURATION=${STORE_DURATION:-3}
RECOVERY=${RECOVERY:-1000000}
RECOVERY_MAPDB=${RECOVERY_MAPDB:-1000000}
E2E_DURATION=${E2E_DURATION:-10}
E2E_WARMUP=${E2E_WARMUP:-2}
E2E_MODES=${E2E_MODES:-"sync buffered"}
FAN_IN=${FAN_IN:-10}
E2E_SESSIONS=${E2E_SESSIONS:-persistent}
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}
REDIS_CLI=${REDIS_CLI:-/usr/bin/redis-cli}
version=0.1.0-SNAPSHOT
mkdir -p bench/target
RESULTS=${RESULTS:-$root/bench/target/store-bench-$(date +%Y%m%d-%H%M%S).txt}

work=$(mktemp -d "$root/bench/target/store-bench.XXXXXX")
broker_pid=
redis_pid=
cleanup() {
  if [ -n "$broker_pid" ]; then stop_pid "$broker_pid"; broker_pid=; fi
  if [ -n "$redis_pid" ]; then stop_pid "$redis_pid"; redis_pid=; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "store-bench: $*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if [ -z "$(ss -ltnH "sport = :$port")" ]; then echo "$port"; return; fi
  done
  log "no free port found"; exit 1
}

wait_port() { # wait_port PORT PID LOG: until something accepts on 127.0.0.1:PORT (60 s at most)
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then log "process $2 exited; its log:"; cat "$3" >&2; exit 1; fi
    sleep 0.1
  done
  log "nothing listened on port $1 within 60 s"; exit 1
}

stop_pid() { # SIGTERM, up to 30 s for a clean shutdown (a store flushes), then SIGKILL
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

if [ "${SKIP_BUILD:-}" != 1 ]; then
  log "building the broker, every backend and the load tool"
  mvn -q -B -DskipTests -pl broker,bridge,persistence-memory,persistence-rocksdb,persistence-mapdb,persistence-sqlite,persistence-redis,bench -am package
fi
# a private copy of the load tool, so a rebuild of bench/ during the run cannot pull jars from under it
mkdir -p "$work/tool"
cp "bench/target/bench-$version.jar" "$work/tool/bench.jar"
cp -r bench/target/lib "$work/tool/lib"
bench() {
  # shellcheck disable=SC2086
  java -XX:+UseParallelGC -Xms512m -Xmx2g ${BENCH_JAVA_OPTS:-} -cp "$work/tool/bench.jar:$work/tool/lib/*" \
    io.volantmq.bench.Bench "$@"
}

record() { # record OUT: RESULT lines to $RESULTS, the rest to stderr
  grep -v '^RESULT ' "$1" >&2 || true
  if grep -q '^RESULT ' "$1"; then grep '^RESULT ' "$1" >>"$RESULTS"; else log "no RESULT line in $1"; fi
}

start_redis() { # start_redis DIR FSYNC: a redis-server with an append-only file in DIR
  local dir=$1 fsync=$2
  mkdir -p "$dir"
  redis_port=$(free_port)
  "$REDIS_SERVER" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync "$fsync" \
    --dir "$dir" >"$dir.log" 2>&1 &
  redis_pid=$!
  wait_port "$redis_port" "$redis_pid" "$dir.log"
  until [ "$("$REDIS_CLI" -p "$redis_port" ping 2>/dev/null)" = PONG ]; do sleep 0.05; done
}

stop_redis() {
  stop_pid "$redis_pid"
  redis_pid=
}

store_args() { # store_args BACKEND DIR: the backend's settings for `bench store`, its data in DIR
  case "$1" in
    memory) echo "--backend memory" ;;
    rocksdb) echo "--backend rocksdb --path $2/db" ;;
    mapdb) echo "--backend mapdb --path $2/store.mapdb" ;;
    sqlite) echo "--backend sqlite --path $2/store.db" ;;
    *) log "unknown backend '$1'"; exit 2 ;;
  esac
}

fill_args() { # settings for the recovery fill only, and its size
  case "$1" in
    rocksdb) echo "--fill-set fsync=false --recovery-messages $RECOVERY" ;;
    mapdb) echo "--fill-set commit=group --recovery-messages $RECOVERY_MAPDB" ;;
    sqlite) echo "--fill-set synchronous=NORMAL --recovery-messages $RECOVERY" ;;
    *) echo "--recovery-messages $RECOVERY" ;;
  esac
}

run_store() { # run_store BACKEND: the throughput phases, sync and buffered
  local b=$1 out="$work/store-$1.out" rc
  log "store $b, load $(load)"
  set +e
  if [ "$b" = redis ]; then
    start_redis "$work/redis-store" always # a server that syncs every write before it answers
    # shellcheck disable=SC2086
    bench store --backend redis --uri "redis://127.0.0.1:$redis_port/0" --phases append,fan-out,cycle \
      --duration "$STORE_DURATION" --label redis ${STORE_ARGS:-} >"$out"
    rc=$?
    stop_redis
  else
    # shellcheck disable=SC2086
    bench store $(store_args "$b" "$work/store-$b") --phases append,fan-out,cycle --duration "$STORE_DURATION" \
      --label "$b" ${STORE_ARGS:-} >"$out"
    rc=$?
  fi
  set -e
  record "$out"
  rm -rf "$work/store-$b" "$work/redis-store" "$work/redis-store.log"
  if [ "$rc" != 0 ]; then log "store $b: exit $rc"; fi
}

run_recovery() { # run_recovery BACKEND: a fresh store filled, reopened and read; Redis: and restarted
  local b=$1 out="$work/recovery-$1.out" rc t0 t1 aof reload
  log "recovery $b, load $(load)"
  set +e
  if [ "$b" = redis ]; then
    # filled with everysec (the timed reopen only reads), then the server's own restart: its AOF reload
    start_redis "$work/redis-recovery" everysec
    # shellcheck disable=SC2086
    bench store --backend redis --uri "redis://127.0.0.1:$redis_port/0" --phases recovery --disk "$work/redis-recovery" \
      $(fill_args redis) --label redis ${STORE_ARGS:-} >"$out"
    rc=$?
    stop_redis
    aof=$(du -sb "$work/redis-recovery" | cut -f1)
    t0=$(date +%s%N)
    start_redis "$work/redis-recovery" always # PING answers PONG once the AOF is loaded
    t1=$(date +%s%N)
    stop_redis
    reload=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    echo "RESULT {\"label\":\"redis\",\"scenario\":\"redis-reload\",\"recovery_messages\":$RECOVERY,\"aof_bytes\":$aof,\"reload_s\":$reload}" >>"$RESULTS"
    log "redis: restart with the AOF of $RECOVERY messages ($aof bytes): $reload s"
  else
    # shellcheck disable=SC2086
    bench store $(store_args "$b" "$work/recovery-$b") $(fill_args "$b") --phases recovery --label "$b" \
      ${STORE_ARGS:-} >"$out"
    rc=$?
  fi
  set -e
  record "$out"
  rm -rf "$work/recovery-$b" "$work/redis-recovery" "$work/redis-recovery.log"
  if [ "$rc" != 0 ]; then log "recovery $b: exit $rc"; fi
}

run_e2e() { # run_e2e BACKEND MODE SESSIONS: one broker, the pair and fan-in runs against it
  local b=$1 mode=$2 sessions=$3 data="$work/e2e-$1-$2" port opts=() label="$1-$2" out rc kind=()
  case "$sessions" in
    persistent) kind=(--persistent-sessions) ;;
    clean) label="$label+clean" ;;
    *) log "E2E_SESSIONS: persistent or clean, not '$sessions'"; exit 2 ;;
  esac
  mkdir -p "$data"
  case "$b" in
    memory) ;;
    rocksdb) opts+=("-Dvolantmq.persistence.rocksdb.path=$data/rocksdb") ;;
    mapdb) opts+=("-Dvolantmq.persistence.mapdb.path=$data/volantmq.mapdb") ;;
    sqlite) opts+=("-Dvolantmq.persistence.sqlite.path=$data/volantmq.db") ;;
    redis)
      start_redis "$data/redis" always
      opts+=("-Dvolantmq.persistence.redis.uri=redis://127.0.0.1:$redis_port/0") ;;
  esac
  if [ "$mode" = buffered ]; then opts+=("-Dvolantmq.persistence.buffer=true"); fi
  if [ "$mode" = inline ]; then opts+=("-Dvolantmq.store.lanes=0"); fi
  port=$(free_port)
  VOLANTMQ_NO_BUILD=1 ./volantmq -Dvolantmq.listeners="tcp://127.0.0.1:$port" -Dvolantmq.persistence="$b" \
    "${opts[@]}" >"$data/broker.log" 2>&1 &
  broker_pid=$!
  wait_port "$port" "$broker_pid" "$data/broker.log"
  for run in pair fan-in; do
    out="$data/$run.out"
    log "e2e $label $run, load $(load)"
    set +e
    if [ "$run" = pair ]; then
      bench pair --port "$port" --qos 1 --duration "$E2E_DURATION" --warmup "$E2E_WARMUP" \
        --label "$label" --case "pair qos1" --broker-pid "$broker_pid" "${kind[@]}" --quiet >"$out"
    else
      bench fan-in --port "$port" --publishers "$FAN_IN" --qos 1 --window 100 --duration "$E2E_DURATION" --warmup "$E2E_WARMUP" \
        --label "$label" --case "fan-in $FAN_IN:1 qos1" --broker-pid "$broker_pid" "${kind[@]}" --quiet >"$out"
    fi
    rc=$?
    set -e
    record "$out"
    if [ "$rc" != 0 ]; then
      # the broker's log goes with the data directory: keep it beside the results for a failed run
      cp "$data/broker.log" "${RESULTS%.txt}-$label-$run-broker.log" 2>/dev/null || true
      log "e2e $label $run: exit $rc (broker log: ${RESULTS%.txt}-$label-$run-broker.log)"
    fi
  done
  stop_pid "$broker_pid"
  broker_pid=
  if [ "$b" = redis ]; then stop_redis; fi
  rm -rf "$data"
}

{
  echo "# store-bench.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB, $(uname -r)"
  echo "# disk: $(df -hT "$work" | awk 'NR==2 {print $1, $2, $3}')"
  echo "# $(java -version 2>&1 | head -1); $("$REDIS_SERVER" --version 2>/dev/null | cut -d' ' -f1-3)"
  echo "# BACKENDS=$BACKENDS PARTS=$PARTS STORE_DURATION=$STORE_DURATION RECOVERY=$RECOVERY RECOVERY_MAPDB=$RECOVERY_MAPDB E2E_DURATION=$E2E_DURATION E2E_WARMUP=$E2E_WARMUP E2E_MODES=$E2E_MODES E2E_SESSIONS=$E2E_SESSIONS STORE_ARGS=${STORE_ARGS:-}"
  echo "# load at start: $(load)"
} >>"$RESULTS"

for part in $PARTS; do
  for b in $BACKENDS; do
    case "$part" in
      store) run_store "$b" ;;
      recovery) run_recovery "$b" ;;
      e2e)
        for mode in $E2E_MODES; do
          # the broker buffers durable backends only: memory runs once, as the baseline
          if [ "$b" = memory ] && [ "$mode" != sync ]; then continue; fi
          for sessions in $E2E_SESSIONS; do
            run_e2e "$b" "$mode" "$sessions"
          done
        done ;;
      *) log "unknown part '$part'"; exit 2 ;;
    esac
  done
done
echo "# load at end: $(load)" >>"$RESULTS"

# the summary, from this run's RESULT lines
awk -v fanin="$FAN_IN" '
  function get(line, key,   v) {
    if (match(line, "\"" key "\":(\"[^\"]*\"|[^,}]*)")) {
      v = substr(line, RSTART + length(key) + 3, RLENGTH - length(key) - 3); gsub(/"/, "", v); return v
    }
    return ""
  }
  function n(v,   x, out) { # thousands separators (mawk has no %\047d)
    if (v == "") return "-"
    x = sprintf("%.0f", v); out = ""
    while (length(x) > 3) { out = "," substr(x, length(x) - 2) out; x = substr(x, 1, length(x) - 3) }
    return x out
  }
  function e(b, sc, m) { return n(r[b, sc, m]) (failed[b, sc, m] ? " (FAILED)" : "") }
  function s(v) { return v == "" ? "-" : sprintf("%.2f", v) }
  /^# store-bench.sh/ { delete seen; nb = 0 }
  /^RESULT / {
    sc = get($0, "scenario"); l = get($0, "label")
    if (sc == "store") {
      b = get($0, "backend"); if (!(b in seen)) { seen[b] = 1; order[++nb] = b }
      split("append_sync_t1 append_sync_tn fanout_sync_t1 cycle_sync_t1 cycle_sync_tn append_buffered_t1 cycle_buffered_t1", ks, " ")
      for (i in ks) { v = get($0, ks[i] "_per_s"); if (v != "") r[b, ks[i]] = v }
      v = get($0, "append_buffered_t1_backend_writes_per_s"); if (v != "") r[b, "bufw"] = v
      v = get($0, "threads_n"); if (get($0, "append_sync_tn_per_s") != "") r[b, "n"] = v
      v = get($0, "recovery_messages"); if (v != "") { r[b, "rn"] = v; r[b, "rs"] = get($0, "recovery_s"); r[b, "disk"] = get($0, "disk_bytes"); r[b, "reopened"] = get($0, "recovery_reopened") }
      if (get($0, "ok") != "true") r[b, "bad"] = 1
    } else if (sc == "redis-reload") {
      r["redis", "reload"] = get($0, "reload_s"); r["redis", "aof"] = get($0, "aof_bytes")
    } else {
      split(l, p, "-"); b = p[1]; m = p[2]
      if (!(b in seen)) { seen[b] = 1; order[++nb] = b }
      r[b, sc, m] = get($0, "delivered_per_s")
      if (get($0, "ok") != "true") failed[b, sc, m] = 1
    }
  }
  END {
    print ""
    print "| backend | appends/s 1 thread | appends/s N threads (N) | fan-out 10 msgs/s | QoS 1 store cycle/s 1 / N threads | buffered appends/s (backend wrote/s) | buffered cycle/s | recovery (messages) | disk MiB | e2e pair QoS 1 sync / buffered | e2e fan-in " fanin ":1 QoS 1 sync / buffered |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= nb; i++) {
      b = order[i]
      if (r[b, "rn"] == "") rec = "-"
      else if (r[b, "reopened"] == "false") rec = "n/a, not durable (read back " s(r[b, "rs"]) " s) (" n(r[b, "rn"]) ")"
      else rec = s(r[b, "rs"]) " s (" n(r[b, "rn"]) ")"
      if (b == "redis" && r[b, "reload"] != "") rec = rec " + Redis AOF reload " s(r[b, "reload"]) " s"
      bad = r[b, "bad"] ? " (FAILED)" : ""
      threads = r[b, "n"] == "" ? "-" : r[b, "n"]
      if (r[b, "aof"] > 0) r[b, "disk"] = r[b, "aof"] # Redis: its append-only file once the server has stopped
      disk = r[b, "disk"] > 0 ? sprintf("%.1f", r[b, "disk"] / 1048576) : "-"
      printf "| %s%s | %s | %s (%s) | %s | %s / %s | %s (%s) | %s | %s | %s | %s / %s | %s / %s |\n", b, bad,
        n(r[b, "append_sync_t1"]), n(r[b, "append_sync_tn"]), threads, n(r[b, "fanout_sync_t1"]),
        n(r[b, "cycle_sync_t1"]), n(r[b, "cycle_sync_tn"]), n(r[b, "append_buffered_t1"]), n(r[b, "bufw"]),
        n(r[b, "cycle_buffered_t1"]), rec, disk,
        e(b, "pair", "sync"), e(b, "pair", "buffered"), e(b, "fan-in", "sync"), e(b, "fan-in", "buffered")
    }
  }' "$RESULTS"
echo
log "raw RESULT lines: $RESULTS"
