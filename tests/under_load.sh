#!/usr/bin/env bash
# Run a command (default `make test`) several times in a row (default 3) while two CPU hogs keep the machine
# busy, as CI's machines are: shows whether the tests wait for what the page shows or for how long it usually
# takes. Prints each run's wall time and pytest summary line; exits non-zero if any run failed.
#
#   tests/under_load.sh                                   # make test, 3 times
#   tests/under_load.sh -n 2 .venv/bin/python -m pytest -q -m browser tests/test_browser_restart.py
#   RUNS=2 tests/under_load.sh make test-fast
set -u

runs=${RUNS:-3}
if [ "${1:-}" = "-n" ]; then
  runs=${2:?"-n needs a number of runs"}
  shift 2
fi
case "$runs" in '' | *[!0-9]* | 0) echo "the number of runs must be a whole number above 0, not '$runs'" >&2; exit 2 ;; esac
if [ $# -eq 0 ]; then
  set -- make test
fi

hogs=()
run_pid=
log=$(mktemp "${TMPDIR:-/tmp}/under_load.XXXXXX")
stop_hogs() {
  # a run cut short (Ctrl-C, SIGTERM) is ended with everything it started: it runs in a group of its own
  if [ -n "$run_pid" ]; then
    kill -TERM -- "-$run_pid" 2>/dev/null
  fi
  for pid in "${hogs[@]}"; do
    kill "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  rm -f "$log"
}
trap stop_hogs EXIT
trap 'exit 130' INT TERM  # ends through the EXIT trap, so the hogs are stopped

for _ in 1 2; do
  python3 -c "while True: pass" &
  hogs+=("$!")
done
echo "CPU hogs running: PIDs ${hogs[*]} (stopped on exit)"
echo "Command: $*   runs: $runs"

failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  # in the background and waited for, so that a signal to this script is handled at once (bash runs a trap
  # only after a foreground command ends); setsid gives the run its own process group to stop
  setsid "$@" >"$log" 2>&1 &
  run_pid=$!
  wait "$run_pid"
  rc=$?
  run_pid=
  seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  # pytest's summary: the last line naming passed/failed/error counts (with -q it has no '=' banner)
  summary=$(grep -E '[0-9]+ (passed|failed|error|errors|skipped|deselected)' "$log" | tail -n 1 | sed 's/^=* *//; s/ *=*$//')
  echo "run $i/$runs: exit $rc, ${seconds}s, ${summary:-no pytest summary line}"
  if [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
    echo "--- last 40 lines of run $i ---"
    tail -n 40 "$log"
    echo "---"
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "$failed of $runs run(s) failed under load"
  exit 1
fi
echo "all $runs run(s) passed under load"
