#!/usr/bin/env bash
# Bridge forwarding throughput against local delivery, on this machine:
#   cloud: a VolantMQ on $CLOUD_PORT (memory store)
#   site:  a VolantMQ on $SITE_PORT with a bridge to the cloud (store: $BACKEND), rule 'bench/# out QOS'
# For QoS 0 and 1: 'bench pair' with the publisher on the site and the subscriber on the cloud
# (--sub-port), then the same run with both on the cloud (local delivery, the baseline).
#   bench/bridge-bench.sh [DURATION_SECONDS]      BACKEND=rocksdb bench/bridge-bench.sh 10
#   RATE=20000 bench/bridge-bench.sh 10           a fixed publish rate (latency at a load both keep up with)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
duration=${1:-10}
backend=${BACKEND:-memory}
cloud_port=${CLOUD_PORT:-18831}
site_port=${SITE_PORT:-18832}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2; exit 1
}

if [ -z "${VOLANTMQ_NO_BUILD:-}" ]; then
  echo "building broker, bridge and bench ..." >&2
  mvn -q -B -DskipTests -pl broker,bridge,bench -am package >&2
fi
export VOLANTMQ_NO_BUILD=1 # two launchers must not build at once

./volantmq -Dvolantmq.listeners=tcp://127.0.0.1:$cloud_port -Dvolantmq.withSystree=false \
  >"$work/cloud.log" 2>&1 &
pids+=($!)
for qos in 0 1; do
  store=()
  [ "$backend" = memory ] || store=(-Dvolantmq.persistence=$backend "-Dvolantmq.persistence.$backend.path=$work/site-$qos")
  ./volantmq -Dvolantmq.listeners=tcp://127.0.0.1:$site_port -Dvolantmq.withSystree=false "${store[@]}" \
    -Dvolantmq.bridges=cloud -Dvolantmq.bridge.cloud.address=tcp://127.0.0.1:$cloud_port \
    -Dvolantmq.bridge.cloud.protocol=5 -Dvolantmq.bridge.cloud.inflight=1024 \
    "-Dvolantmq.bridge.cloud.topic.1=bench/# out $qos" >"$work/site-$qos.log" 2>&1 &
  site=$!
  pids+=($site)
  wait_port $cloud_port
  wait_port $site_port
  sleep 1 # the bridge connects
  echo "== QoS $qos: bridged (publisher on the site, subscriber on the cloud), store $backend"
  bench/bench pair --port $site_port --sub-port $cloud_port --qos $qos --duration "$duration" --warmup 2 --quiet ${RATE:+--rate $RATE} \
    --case "bridged qos$qos" --drain-timeout 30
  echo "== QoS $qos: local delivery (both on the cloud)"
  bench/bench pair --port $cloud_port --qos $qos --duration "$duration" --warmup 2 --quiet ${RATE:+--rate $RATE} --case "local qos$qos"
  kill $site; wait $site 2>/dev/null || true
done
