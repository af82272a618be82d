#!/usr/bin/env bash
# scripts/services/down.sh — stop the servers that scripts/services/up.sh started (Kafka,
# Cassandra, FerretDB), using the pid files in <state>/run. Idempotent: a server that is not
# running is skipped; data and logs stay in the state dir (delete it for a clean slate).
#
# Usage: scripts/services/down.sh [kafka] [cassandra] [ferretdb]   (no argument: all three)
# Environment: STREAMBOARD_SERVICES_HOME / STREAMBOARD_SERVICES_STATE as for up.sh;
#   STREAMBOARD_SERVICES_STOP_TIMEOUT seconds to wait after SIGTERM before SIGKILL (default 60).
set -euo pipefail

: "${HOME:=/root}"
SERVICES_HOME="${STREAMBOARD_SERVICES_HOME:-$HOME/.cache/streamboard-services}"
STATE="${STREAMBOARD_SERVICES_STATE:-$SERVICES_HOME/state}"
RUN="$STATE/run"
STOP_TIMEOUT="${STREAMBOARD_SERVICES_STOP_TIMEOUT:-60}"

now_ms() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# Only a live process whose command line mentions our state dir is ours (guards against a
# recycled pid).
ours() {
  kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$STATE"
}

stop() {
  local name="$1" f="$RUN/$1.pid" pid t deadline
  if [[ ! -s "$f" ]]; then
    printf '%-9s not running\n' "$name"
    return
  fi
  pid="$(cat "$f")"
  if ! [[ "$pid" =~ ^[0-9]+$ ]] || ! ours "$pid"; then
    rm -f "$f"
    printf '%-9s not running (stale pid file removed)\n' "$name"
    return
  fi
  t="$(now_ms)"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(($(date +%s) + STOP_TIMEOUT))
  while ours "$pid"; do
    if (($(date +%s) >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      printf '%-9s killed (pid %s did not stop within %ss)\n' "$name" "$pid" "$STOP_TIMEOUT"
      rm -f "$f"
      return
    fi
    sleep 0.2
  done
  rm -f "$f"
  printf '%-9s stopped (pid %s, %s s)\n' "$name" "$pid" "$(secs_since "$t")"
}

SERVICES=("$@")
((${#SERVICES[@]})) || SERVICES=(kafka cassandra ferretdb)
for s in "${SERVICES[@]}"; do
  case "$s" in
    kafka | cassandra | ferretdb) ;;
    *) echo "down.sh: unknown service '$s' (kafka, cassandra, ferretdb)" >&2; exit 1 ;;
  esac
done

# Stop them all at once (each JVM takes a few seconds to shut down cleanly), then report.
pids=()
for s in "${SERVICES[@]}"; do
  stop "$s" &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
exit "$rc"
