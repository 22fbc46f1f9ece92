#!/usr/bin/env bash
# Offline Testcontainers prerequisites for the Debian 12 CI VM (root, no container registry reachable).
# Adapted from /work/shared/docs/testcontainers-offline.md, trimmed to what this project needs:
#   1. docker.io installed and dockerd running (a daemon that already answers is left alone)
#   2. the image local/redis:7, built from the host's redis-server binary with `docker import`
#      (persistence-redis tests start it with Testcontainers and never pull), and local/jre17:1, a Java 17
#      runtime jlink'ed from the host's JDK plus busybox: the base of the broker image that DockerImageIT
#      builds from dist/docker/Dockerfile and the distribution tarball (BASE_IMAGE build argument)
#   3. leftovers of earlier Testcontainers runs removed (Ryuk is disabled, so a killed JVM leaks containers)
# Idempotent; ~0.2 s when everything is already there.
# Env knobs: FORCE_REBUILD=1 rebuilds the images; REDIS_IMAGE; JRE_IMAGE; JDK; DOCKERD_LOG (default /var/log/dockerd.log).
set -euo pipefail

REDIS_IMAGE=${REDIS_IMAGE:-local/redis:7}
JRE_IMAGE=${JRE_IMAGE:-local/jre17:1}
# pinned: /usr/bin/jlink may belong to another installed JDK (a temurin 25 is on this machine too)
JDK=${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
WORK=${WORK:-/var/tmp/tc-images}
export DEBIAN_FRONTEND=noninteractive

log() { echo "[tc-setup $(date +%H:%M:%S)] $*"; }

# ---------------------------------------------------------------- 1. packages
need=()
command -v dockerd >/dev/null      || need+=(docker.io cgroupfs-mount)   # the latter: recommended, used below if no cgroups are mounted
[ -x /bin/busybox ]                || need+=(busybox-static)
command -v redis-server >/dev/null || need+=(redis-server)
[ -x "$JDK/bin/jlink" ]            || need+=(openjdk-17-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  # no init system here: keep postinst scripts from starting redis or docker as services
  rm_policy=
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; rm_policy=1; }
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ -z "$rm_policy" ] || rm -f /usr/sbin/policy-rc.d
fi

# ---------------------------------------------------------------- 2. dockerd
docker_ok() { timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if docker_ok; then
  log "docker daemon already answering: $(docker version --format '{{.Server.Version}}')"
else
  if ! pidof dockerd >/dev/null; then
    # cgroup v1 hierarchies (freezer is needed by docker pause); mount them only if nothing is mounted
    if [ ! -e /sys/fs/cgroup/cgroup.controllers ] && [ ! -d /sys/fs/cgroup/freezer ] && command -v cgroupfs-mount >/dev/null; then
      cgroupfs-mount || true
    fi
    mkdir -p /etc/docker
    # publish container ports on loopback only; only effective for a daemon this script starts
    [ -e /etc/docker/daemon.json ] || printf '{\n  "ip": "127.0.0.1",\n  "log-opts": {"max-size": "10m", "max-file": "2"}\n}\n' > /etc/docker/daemon.json
    rm -f /var/run/docker.pid   # a stale pid file from a killed daemon blocks the start
    log "starting dockerd (log: $DOCKERD_LOG)"
    nohup setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  else
    log "dockerd process exists but does not answer yet; waiting"
  fi
  for _ in $(seq 1 60); do docker_ok && break; sleep 1; done
  docker_ok || { log "dockerd did not come up"; tail -30 "$DOCKERD_LOG" >&2; exit 1; }
  log "docker daemon up: $(docker version --format '{{.Server.Version}}'), storage $(docker info --format '{{.Driver}}')"
fi

# ---------------------------------------------------------------- 3. image
# copy each FILE and every shared library ldd lists into ROOT at the same paths (mawk: no \s)
copy_with_libs() {
  local root=$1 f lib; shift
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"; cp -L "$f" "$root$f"
    for lib in $(ldd "$f" 2>/dev/null | awk '$2=="=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
      [ -e "$root$lib" ] && continue
      mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"
    done
  done
}
# merged-/usr skeleton like Debian 12 (else the loader under /lib64 is missing) + busybox as /bin/sh:
# Testcontainers' listening-port wait runs sh/grep/nc inside the container
skeleton() {
  local root=$1 a
  rm -rf "$root"; mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,tmp,data,root}
  ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/usr/bin/busybox"
  for a in sh cat awk grep nc ls ps sleep kill env sed head tail; do ln -s busybox "$root/usr/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
}

if [ -n "${FORCE_REBUILD:-}" ] || ! docker image inspect "$REDIS_IMAGE" >/dev/null 2>&1; then
  log "building $REDIS_IMAGE"
  mkdir -p "$WORK"
  r=$WORK/redis; skeleton "$r"; copy_with_libs "$r" /usr/bin/redis-server   # a symlink: cp -L
  # protected-mode no: clients arrive through docker-proxy/the bridge, not loopback, and there is no password
  tar -C "$r" -c . | docker import \
    --change 'CMD ["/usr/bin/redis-server","--protected-mode","no","--save","","--appendonly","no"]' \
    --change 'EXPOSE 6379' --change 'WORKDIR /data' \
    --change "LABEL built-from=redis-server_$(dpkg-query -W -f='${Version}' redis-server)" - "$REDIS_IMAGE" >/dev/null
  rm -rf "$WORK"
fi

# a Java 17 runtime (every non-incubator module of the host's JDK, ~100 MB) with busybox as /bin/sh and its
# applets (the Dockerfile's RUN and bin/volantmq need sh, sed, ls, mv, ...): the broker image's base in CI
if [ -n "${FORCE_REBUILD:-}" ] || ! docker image inspect "$JRE_IMAGE" >/dev/null 2>&1; then
  log "building $JRE_IMAGE (jlink of $JDK)"
  mkdir -p "$WORK"
  j=$WORK/jre; skeleton "$j"; mkdir -p "$j/opt"
  for a in $(/bin/busybox --list); do [ -e "$j/usr/bin/$a" ] || ln -s busybox "$j/usr/bin/$a"; done
  mods=$("$JDK/bin/java" --list-modules | cut -d@ -f1 | grep -v '^jdk\.incubator' | paste -sd, -)
  "$JDK/bin/jlink" --add-modules "$mods" --strip-debug --no-header-files --no-man-pages --compress=2 \
    --output "$j/opt/java"
  # the C and C++ runtimes whole: the backends' JNI libraries (sqlite-jdbc, rocksdbjni) are unpacked at run time
  # and need more of them (libpthread, libstdc++, ...) than the JRE's binaries do
  for lib in $(dpkg -L libc6 libgcc-s1 libstdc++6 zlib1g | grep -E '^(/usr)?/lib/x86_64-linux-gnu/[^/]+\.so[.0-9]*$'); do
    [ -e "$lib" ] && [ ! -e "$j$lib" ] && { mkdir -p "$j$(dirname "$lib")"; cp -L "$lib" "$j$lib"; }
  done
  # the system libraries the JRE's binaries need (its own, found through $ORIGIN, are there already)
  for f in $(find "$j/opt/java/bin" -type f) $(find "$j/opt/java/lib" -name '*.so'); do
    for lib in $(ldd "$f" 2>/dev/null | awk '$2=="=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
      case $lib in "$j"/*) continue ;; esac
      [ -e "$j$lib" ] || { mkdir -p "$j$(dirname "$lib")"; cp -L "$lib" "$j$lib"; }
    done
  done
  tar -C "$j" -c . | docker import \
    --change 'ENV JAVA_HOME=/opt/java' --change 'ENV PATH=/opt/java/bin:/usr/bin:/bin' \
    --change "LABEL built-from=openjdk-17-jdk-headless_$(dpkg-query -W -f='${Version}' openjdk-17-jdk-headless 2>/dev/null || echo unknown)" \
    - "$JRE_IMAGE" >/dev/null
  rm -rf "$WORK"
fi

# ---------------------------------------------------------------- 4. leftovers of earlier runs
docker ps -aq --filter label=org.testcontainers=true | xargs -r docker rm -f >/dev/null
docker network ls -q --filter label=org.testcontainers=true | xargs -r docker network rm >/dev/null 2>&1 || true
docker volume ls -q --filter label=org.testcontainers=true | xargs -r docker volume rm >/dev/null 2>&1 || true
# broker images DockerImageIT built (ImageFromDockerfile): the JVM's hook removes them unless it was killed
docker images -q --filter label=org.testcontainers=true | sort -u | xargs -r docker rmi -f >/dev/null 2>&1 || true

docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^($REDIS_IMAGE|$JRE_IMAGE) " || true
log "done"
