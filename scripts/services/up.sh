#!/usr/bin/env bash
# scripts/services/up.sh — fetch (cached), start and wait for the real servers that tests and
# benchmarks use in place of the production ones (no Docker needed), all on 127.0.0.1 only:
#   kafka      Apache Kafka 3.9 (KRaft, one node)   127.0.0.1:9092, controller 127.0.0.1:9093
#   cassandra  Apache Cassandra 5.0                  127.0.0.1:9042 (CQL), storage 127.0.0.1:7000
#   ferretdb   FerretDB 1.24 (SQLite backend)        127.0.0.1:27017 (MongoDB wire), debug 127.0.0.1:8088
#
# Usage: scripts/services/up.sh [kafka] [cassandra] [ferretdb]   (no argument: all three)
#        scripts/services/down.sh [...]                           stops them again
# Idempotent: a server that is already up is left alone; jars and binaries are fetched once.
# Needs java 17, mvn, go, and node or deno (CQL probe). Registries: Maven Central, Go module proxy.
#
# Environment (all optional):
#   STREAMBOARD_SERVICES_HOME   tools/jars/binaries   (default ~/.cache/streamboard-services)
#   STREAMBOARD_SERVICES_STATE  data, pid files, logs (default $STREAMBOARD_SERVICES_HOME/state)
#                               logs: <state>/logs/{kafka,cassandra,ferretdb}.log
#   STREAMBOARD_KAFKA_TIMEOUT / _CASSANDRA_TIMEOUT / _FERRETDB_TIMEOUT   seconds (90 / 180 / 60)
#   JAVA_HOME                   java to use (default: java on PATH)
# Clients: kafkajs brokers ["127.0.0.1:9092"] (topics are NOT auto-created: create them);
#   cassandra-driver contactPoints ["127.0.0.1:9042"], localDataCenter "datacenter1";
#   mongodb driver "mongodb://127.0.0.1:27017/".
# Exits non-zero, printing the tail of the server's log, when a server fails to come up in time.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${HOME:=/root}"
SERVICES_HOME="${STREAMBOARD_SERVICES_HOME:-$HOME/.cache/streamboard-services}"
STATE="${STREAMBOARD_SERVICES_STATE:-$SERVICES_HOME/state}"
LOGS="$STATE/logs"
RUN="$STATE/run"
# shellcheck disable=SC2034 # *_TIMEOUT and *_ADDR are read indirectly (${!name})
KAFKA_TIMEOUT="${STREAMBOARD_KAFKA_TIMEOUT:-90}"
# shellcheck disable=SC2034
CASSANDRA_TIMEOUT="${STREAMBOARD_CASSANDRA_TIMEOUT:-180}"
# shellcheck disable=SC2034
FERRETDB_TIMEOUT="${STREAMBOARD_FERRETDB_TIMEOUT:-60}"
FERRETDB_MODULE="github.com/FerretDB/FerretDB"
FERRETDB_VERSION="v1.24.2"
MVN_DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.6.1"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

log() { printf '%s\n' "$*" >&2; }
die() { log "up.sh: $*"; exit 1; }
now_ms() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }
rss_mib() { awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not on PATH"; }

port_open() { # port -> 0 when something accepts TCP connections on 127.0.0.1:port
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

http_ok() { # url (http://127.0.0.1:port/path) -> 0 on a 2xx answer
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null
  else
    local rest="${1#http://}" hostport path port
    hostport="${rest%%/*}"; path="/${rest#*/}"; port="${hostport##*:}"
    timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' '$path' '$hostport' >&3 && head -n1 <&3 | grep -q ' 2[0-9][0-9] '" 2>/dev/null
  fi
}

cql_ready() { # 0 when Cassandra answers SELECT release_version FROM system.local
  local probe="$SCRIPT_DIR/cassandra/cql-probe.mjs"
  if command -v node >/dev/null 2>&1; then
    node "$probe" 127.0.0.1 9042 3000 >/dev/null 2>&1
  elif command -v deno >/dev/null 2>&1; then
    deno run --quiet --no-config --no-lock --allow-net "$probe" 127.0.0.1 9042 3000 >/dev/null 2>&1
  else # no JS runtime: fall back to the log line plus the port
    grep -q 'Startup complete' "$LOGS/cassandra.log" 2>/dev/null && port_open 9042
  fi
}

# pid of our running server <name>, or nothing. The pid file must point at a live process whose
# command line mentions our state dir (guards against a recycled pid).
running_pid() {
  local f="$RUN/$1.pid" pid
  [[ -s "$f" ]] || return 0
  pid="$(cat "$f")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STATE"; then
    echo "$pid"
  else
    rm -f "$f"
  fi
}

rotate_log() { # keep the previous run's log as <name>.log.prev
  [[ -f "$LOGS/$1.log" ]] && mv -f "$LOGS/$1.log" "$LOGS/$1.log.prev"
  : >"$LOGS/$1.log"
}

# start_bg <name> <cmd...>: run detached (own session, stdin from /dev/null), log to <state>/logs.
start_bg() {
  local name="$1"; shift
  rotate_log "$name"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/$name.pid"
}

fail_with_log() { # name reason
  log ""
  log "up.sh: $1 $2"
  log "----- last 60 lines of $LOGS/$1.log -----"
  tail -n 60 "$LOGS/$1.log" | cut -c1-300 >&2 || true
  log "-----"
  exit 1
}

kafka_ready() { grep -q 'Kafka Server started' "$LOGS/kafka.log" && port_open 9092; }
cassandra_ready() { cql_ready; }
ferretdb_ready() { http_ok http://127.0.0.1:8088/debug/livez && port_open 27017; }

java_major() {
  "$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }' | cut -d. -f1
}
check_java() {
  need "$JAVA"
  local v; v="$(java_major)"
  [[ "$v" =~ ^[0-9]+$ && "$v" -ge 17 ]] || die "$1 needs Java 17 (found '${v:-none}' at $JAVA)"
}

# fetch_jars <name>: copy the runtime jars of <name>/pom.xml into a cached lib dir keyed by
# the pom's hash; sets LIB to it. Maven caches the downloads in ~/.m2 as usual.
fetch_jars() {
  local name="$1" pom="$SCRIPT_DIR/$1/pom.xml" key lib t
  key="$(sha256sum "$pom" | cut -c1-12)"
  lib="$SERVICES_HOME/$name/lib-$key"
  if [[ ! -f "$lib/.complete" ]]; then
    need mvn
    t="$(now_ms)"
    log "$name: fetching jars from Maven Central into $lib ..."
    rm -rf "$lib.tmp"
    mkdir -p "$lib.tmp"
    if ! mvn -B -q --no-transfer-progress -Dstyle.color=never -f "$pom" "$MVN_DEP_PLUGIN:copy-dependencies" \
      -DincludeScope=runtime -DoutputDirectory="$lib.tmp" </dev/null >"$LOGS/$name-fetch.log" 2>&1; then
      tail -n 40 "$LOGS/$name-fetch.log" >&2
      die "$name: maven copy-dependencies failed (log: $LOGS/$name-fetch.log)"
    fi
    rm -rf "$lib"
    mv "$lib.tmp" "$lib"
    touch "$lib/.complete"
    FETCH_NOTE[$name]=", jars fetched in $(secs_since "$t") s"
  fi
  LIB="$lib"
}

declare -A FETCH_NOTE=()
declare -A STARTED_AT=()

report() { # name status addr note
  local name="$1" status="$2" addr="$3" note="$4" pid
  pid="$(running_pid "$name")"
  printf '%-9s %-7s %-58s pid %-7s rss %4s MiB  %s\n' "$name" "$status" "$addr" "${pid:-?}" \
    "$(rss_mib "${pid:-0}")" "$note"
}

# ---------------------------------------------------------------- kafka
# shellcheck disable=SC2034
KAFKA_ADDR="127.0.0.1:9092 (controller 127.0.0.1:9093)"
prepare_kafka() {
  local pid lib dir="$STATE/kafka" cid
  pid="$(running_pid kafka)"
  if [[ -n "$pid" ]]; then STARTED_AT[kafka]=already; return; fi
  if port_open 9092; then STARTED_AT[kafka]=foreign; return; fi
  if port_open 9093; then die "kafka: 127.0.0.1:9093 (controller port) is taken by another process"; fi
  check_java kafka
  fetch_jars kafka
  lib="$LIB"
  KAFKA_LIB="$lib"
  mkdir -p "$dir/data"
  sed -e "s|@KAFKA_LOG_DIRS@|$dir/data|" "$SCRIPT_DIR/kafka/server.properties.tmpl" >"$dir/server.properties"
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    [[ -s "$dir/cluster.id" ]] || "$JAVA" -cp "$lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null </dev/null \
      | tail -n 1 >"$dir/cluster.id"
    cid="$(cat "$dir/cluster.id")"
    [[ "$cid" =~ ^[A-Za-z0-9_-]{22}$ ]] || { rm -f "$dir/cluster.id"; die "kafka: could not make a cluster id (got '$cid')"; }
    "$JAVA" -Dlog4j.configuration="file:$SCRIPT_DIR/kafka/log4j.properties" -cp "$lib/*" \
      kafka.tools.StorageTool format -t "$cid" -c "$dir/server.properties" --ignore-formatted \
      </dev/null >"$LOGS/kafka-format.log" 2>&1 || {
      tail -n 40 "$LOGS/kafka-format.log" >&2
      die "kafka: storage format failed (log: $LOGS/kafka-format.log)"
    }
  fi
}
launch_kafka() {
  local lib="$KAFKA_LIB" dir="$STATE/kafka"
  STARTED_AT[kafka]="$(now_ms)"
  start_bg kafka "$JAVA" -Xms512m -Xmx512m -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true \
    -Dlog4j.configuration="file:$SCRIPT_DIR/kafka/log4j.properties" \
    -cp "$lib/*" kafka.Kafka "$dir/server.properties"
}

# ---------------------------------------------------------------- cassandra
# shellcheck disable=SC2034
CASSANDRA_ADDR="127.0.0.1:9042 (CQL; storage 127.0.0.1:7000)"
# From Cassandra 5.0's conf/jvm17-server.options (JPMS section).
CASSANDRA_JPMS=(
  -Djdk.attach.allowAttachSelf=true
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
  --add-exports java.sql/java.sql=ALL-UNNAMED
  --add-exports java.base/java.lang.ref=ALL-UNNAMED
  --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
  --add-opens java.base/java.lang.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
  --add-opens java.base/jdk.internal.math=ALL-UNNAMED
  --add-opens java.base/jdk.internal.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.base/java.io=ALL-UNNAMED
  --add-opens java.base/java.nio=ALL-UNNAMED
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED
  --add-opens java.base/java.util=ALL-UNNAMED
)
prepare_cassandra() {
  local pid lib dir="$STATE/cassandra" jamm
  pid="$(running_pid cassandra)"
  if [[ -n "$pid" ]]; then STARTED_AT[cassandra]=already; return; fi
  if port_open 9042; then STARTED_AT[cassandra]=foreign; return; fi
  if port_open 7000; then die "cassandra: 127.0.0.1:7000 (storage port) is taken by another process"; fi
  check_java cassandra
  fetch_jars cassandra
  lib="$LIB"
  local jamms=("$lib"/jamm-*.jar)
  jamm="${jamms[0]}"
  [[ -f "$jamm" ]] || die "cassandra: no jamm-*.jar in $lib"
  CASSANDRA_LIB="$lib"
  CASSANDRA_JAMM="$jamm"
  mkdir -p "$dir"/{data,commitlog,saved_caches,hints,cdc_raw}
  sed -e "s|@CASSANDRA_DATA@|$dir|g" "$SCRIPT_DIR/cassandra/cassandra.yaml.tmpl" >"$dir/cassandra.yaml"
}
launch_cassandra() {
  local lib="$CASSANDRA_LIB" jamm="$CASSANDRA_JAMM" dir="$STATE/cassandra"
  STARTED_AT[cassandra]="$(now_ms)"
  start_bg cassandra "$JAVA" -Xms1g -Xmx1g -Xss256k -XX:+UseG1GC -XX:+ParallelRefProcEnabled \
    -XX:MaxTenuringThreshold=1 -XX:MaxGCPauseMillis=300 -XX:+PerfDisableSharedMem \
    -XX:+ExitOnOutOfMemoryError -XX:+UseStringDeduplication \
    -Djava.net.preferIPv4Stack=true -Djava.awt.headless=true \
    "${CASSANDRA_JPMS[@]}" \
    -Dio.netty.tryReflectionSetAccessible=true -Dio.netty.allocator.useCacheForAllThreads=true \
    -Dio.netty.allocator.maxOrder=11 \
    -javaagent:"$jamm" \
    -Dcassandra.config="file://$dir/cassandra.yaml" -Dcassandra.storagedir="$dir" \
    -Dcassandra.logdir="$LOGS" -Dcassandra-foreground=yes \
    -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=1000 \
    -Dcassandra.superuser_setup_delay_ms=0 \
    -Dlogback.configurationFile="file://$SCRIPT_DIR/cassandra/logback.xml" \
    -cp "$lib/*" org.apache.cassandra.service.CassandraDaemon
}

# ---------------------------------------------------------------- ferretdb
# shellcheck disable=SC2034
FERRETDB_ADDR="127.0.0.1:27017 (MongoDB wire; debug http://127.0.0.1:8088)"
# `go install .../cmd/ferretdb@v1.24.2` (and a wrapper module that builds that package) panic at
# start: build/version/version.txt is generated and not in the module zip, and the check runs
# because cmd/ferretdb's module is the binary's main module. So: copy the module source from the
# Go module proxy (go mod download), write version.txt, and build it as its own main module with
# its own go.sum.
build_ferretdb() {
  local bin="$SERVICES_HOME/ferretdb/$FERRETDB_VERSION/ferretdb" src tmp dir t
  FERRETDB_BIN="$bin"
  if [[ -x "$bin" ]]; then return; fi
  need go
  t="$(now_ms)"
  log "ferretdb: building $FERRETDB_MODULE@$FERRETDB_VERSION with Go (first run only) ..."
  src="$SERVICES_HOME/ferretdb/$FERRETDB_VERSION/src"
  tmp="$(mktemp -d)"
  if ! dir="$(cd "$tmp" && GO111MODULE=on GOWORK=off GOFLAGS='' go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" \
    </dev/null 2>>"$LOGS/ferretdb-build.log" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" || [[ -z "$dir" ]]; then
    rm -rf "$tmp"
    tail -n 40 "$LOGS/ferretdb-build.log" >&2
    die "ferretdb: go mod download failed (log: $LOGS/ferretdb-build.log)"
  fi
  rm -rf "$tmp" "$src"
  mkdir -p "$(dirname "$src")"
  cp -R "$dir" "$src"
  chmod -R u+w "$src"
  printf '%s\n' "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  printf 'streamboard-services\n' >"$src/build/version/package.txt"
  if ! (cd "$src" && CGO_ENABLED=0 GOWORK=off GOFLAGS='' go build -buildvcs=false -trimpath -o "$bin.tmp" ./cmd/ferretdb \
    </dev/null >>"$LOGS/ferretdb-build.log" 2>&1); then
    tail -n 40 "$LOGS/ferretdb-build.log" >&2
    die "ferretdb: go build failed (log: $LOGS/ferretdb-build.log)"
  fi
  mv -f "$bin.tmp" "$bin"
  rm -rf "$src" # the module cache keeps the source; the binary is all we need
  FETCH_NOTE[ferretdb]=", built in $(secs_since "$t") s"
}
prepare_ferretdb() {
  local pid dir="$STATE/ferretdb"
  pid="$(running_pid ferretdb)"
  if [[ -n "$pid" ]]; then STARTED_AT[ferretdb]=already; return; fi
  if port_open 27017; then STARTED_AT[ferretdb]=foreign; return; fi
  if port_open 8088; then die "ferretdb: 127.0.0.1:8088 (debug port) is taken by another process"; fi
  build_ferretdb
  mkdir -p "$dir/data"
}
launch_ferretdb() {
  local bin="$FERRETDB_BIN" dir="$STATE/ferretdb"
  STARTED_AT[ferretdb]="$(now_ms)"
  # Measured on 2 cores (1.1 kB user profiles, 4 writers): FerretDB spends about a quarter of its
  # CPU in Go's GC and inserts 100 documents per SQLite statement by default, ~6.5k documents/s.
  # A less eager GC (GOGC=400, RSS ~280 MB) and 1,000 documents per statement give ~9.9k/s.
  GOGC=400 start_bg ferretdb "$bin" --handler=sqlite --test-batch-size=1000 --sqlite-url="file:$dir/data/" \
    --listen-addr=127.0.0.1:27017 --debug-addr=127.0.0.1:8088 --state-dir="$dir" \
    --telemetry=disable --log-level=info
}

# ---------------------------------------------------------------- main
SERVICES=("$@")
((${#SERVICES[@]})) || SERVICES=(kafka cassandra ferretdb)
for s in "${SERVICES[@]}"; do
  case "$s" in kafka | cassandra | ferretdb) ;; *) die "unknown service '$s' (kafka, cassandra, ferretdb)" ;; esac
done

mkdir -p "$SERVICES_HOME" "$STATE" "$LOGS" "$RUN"
exec 9>"$RUN/up.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 900 9 || die "another up.sh holds $RUN/up.lock"
fi

# 1. fetch/build what is missing (cached after the first run), 2. launch all of them at once,
# slowest first, 3. wait for each. Startup times are from launch to ready.
for s in cassandra kafka ferretdb; do
  if [[ " ${SERVICES[*]} " == *" $s "* ]]; then "prepare_$s"; fi
done
for s in cassandra kafka ferretdb; do
  if [[ " ${SERVICES[*]} " == *" $s "* && "${STARTED_AT[$s]:-}" == "" ]]; then "launch_$s"; fi
done

# Poll every pending server in turn, so each one's time to ready is its own.
pending=()
for s in cassandra kafka ferretdb; do
  if [[ " ${SERVICES[*]} " == *" $s "* ]]; then pending+=("$s"); fi
done
wait_start="$(date +%s)"
while ((${#pending[@]})); do
  still=()
  for s in "${pending[@]}"; do
    addr_var="${s^^}_ADDR"
    addr="${!addr_var}"
    timeout_var="${s^^}_TIMEOUT"
    t="${STARTED_AT[$s]}"
    if [[ "$t" == foreign ]]; then
      # Something else listens on the port (started by hand, or the state dir changed).
      if "${s}_ready"; then
        printf '%-9s %-7s %-58s %s\n' "$s" up "$addr" "already listening (not started by this script), left alone"
        continue
      fi
      die "$s: its port is taken by another process that does not answer like $s"
    fi
    if "${s}_ready"; then
      if [[ "$t" == already ]]; then
        report "$s" up "$addr" "already running, left alone"
      else
        report "$s" started "$addr" "ready in $(secs_since "$t") s after launch${FETCH_NOTE[$s]:-}"
      fi
      continue
    fi
    pid="$(cat "$RUN/$s.pid" 2>/dev/null || true)"
    if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$RUN/$s.pid"
      fail_with_log "$s" "exited before it was ready (pid ${pid:-?})"
    fi
    if (($(date +%s) - wait_start >= ${!timeout_var})); then
      if [[ "$t" != already ]]; then # we launched it: do not leave a half-started server behind
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$RUN/$s.pid"
        fail_with_log "$s" "was not ready within ${!timeout_var}s; stopped it (pid $pid)"
      fi
      fail_with_log "$s" "(pid $pid, already running) was not ready within ${!timeout_var}s; see down.sh"
    fi
    still+=("$s")
  done
  pending=("${still[@]}")
  ((${#pending[@]} == 0)) || sleep 0.5
done
