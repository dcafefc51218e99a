#!/usr/bin/env bash
# Runs every benchmark of the core's capabilities once (release builds) and prints one table:
# each figure, its ratio to the baseline measured in the same run, the budget, and whether it
# is met. The benchmarks print their own detail too (kept in target/bench-summary.log); each
# prints a `summary KEY FIGURE RATIOx` line, which this script reads. Numbers vary from run to
# run on a shared machine: a budget is met when two consecutive runs meet it.
#
#   bash scripts/bench.sh
#
# The relay and clinic benchmarks (tests/benches, clinic/benches) are run on their own; they
# measure throughput under load rather than a ratio with a budget.
set -uo pipefail
cd "$(dirname "$0")/.."

log=target/bench-summary.log
mkdir -p target
: >"$log"
failed=()
for bench in store today planner clinical replicas month_writes; do
    echo "== companion-core --bench $bench" >>"$log"
    if ! cargo bench -q -p companion-core --bench "$bench" >>"$log" 2>&1; then
        failed+=("$bench")
    fi
done
echo "== companion-import --bench import" >>"$log"
if ! cargo bench -q -p companion-import --bench import >>"$log" 2>&1; then
    failed+=("import")
fi

# key | what | ratio budget | optional time budget (ms)
budgets='store-write|add one reading, own transaction, vs raw rusqlite|2|
store-query|open + last 30 days of BP in 100k events, vs a plain table|1.5|
today|today() on 109k events and 3 journeys, vs one SQLite week query|15|2
planner|64 notifications, 20 medications, 14 days, vs raw chrono-tz|3|
planner-mixed|the same with the interval and calendar schedules|3|
clinical-stats|statistics over 90 days of 100k, vs a bare SQL aggregate|3|
clinical-report|90-day visit report, vs the same aggregate|4|
replica-export|replica export of a year, vs the documents saves (size)|1.1|
replica-apply|apply one remote reading to a month of 3,000, vs a local write|3|
cold-write-100|one cold write into a month of 100 (whole process), vs plain SQLite|3|
cold-write-1000|one cold write into a month of 1,000, vs plain SQLite|3|
cold-write-3000|one cold write into a month of 3,000, vs plain SQLite|3|
import|import 100,000 CSV rows (CPU), vs a plain insert in one transaction|5|'

printf '%-16s %-66s %11s %9s %8s  %s\n' "bench" "what" "figure" "ratio" "budget" "met"
met=0
missed=0
while IFS='|' read -r key what ratio_budget ms_budget; do
    line=$(grep -m1 "^summary $key " "$log" || true)
    if [ -z "$line" ]; then
        printf '%-16s %-66s %11s %9s %8s  %s\n' "$key" "$what" "-" "-" "${ratio_budget}x" "no figure"
        missed=$((missed + 1))
        continue
    fi
    figure=$(echo "$line" | awk '{print $3}')
    ratio=$(echo "$line" | awk '{print $4}')
    ok=$(awk -v r="${ratio%x}" -v b="$ratio_budget" 'BEGIN { print (r <= b) ? "yes" : "no" }')
    budget="${ratio_budget}x"
    if [ -n "$ms_budget" ]; then
        budget="${ratio_budget}x,${ms_budget}ms"
        ok_ms=$(awk -v f="${figure%ms}" -v b="$ms_budget" 'BEGIN { print (f <= b) ? "yes" : "no" }')
        [ "$ok_ms" = "yes" ] || ok=no
    fi
    printf '%-16s %-66s %11s %9s %8s  %s\n' "$key" "$what" "$figure" "$ratio" "$budget" "$ok"
    if [ "$ok" = "yes" ]; then met=$((met + 1)); else missed=$((missed + 1)); fi
done <<<"$budgets"
echo
echo "$met met, $missed not met; detail in $log"
if [ ${#failed[@]} -gt 0 ]; then
    echo "benchmarks that failed to run: ${failed[*]}"
    exit 1
fi
