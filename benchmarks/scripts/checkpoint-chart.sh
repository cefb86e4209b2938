#!/usr/bin/env bash
# Runs the COLO checkpoint benchmarks (pause, round trip to a secondary process over loopback TCP,
# secondary apply, dirty-log scan, and the memcpy and loopback limits) with JSON results, then
# draws the chart and prints the medians and the targets' verdicts.
# Not part of the test suite: a full run takes about 5 minutes and its numbers depend on the load.
#
# Usage: benchmarks/scripts/checkpoint-chart.sh [--jar FILE] [--out DIR] [--quick] [-- JMH OPTIONS...]
# --jar FILE   benchmarks jar (default benchmarks/target/benchmarks.jar; build it with
#              mvn -q -B -pl benchmarks -am package -DskipTests)
# --out DIR    where checkpoint.json, checkpoint.svg and checkpoint.txt go (default: the jar's directory)
# --quick      1 warm-up and 2 measured iterations instead of 3 and 5 (a look, not a result)
# Anything after -- goes to JMH as it is (e.g. -p dirtyPages=0,4096).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$ROOT/benchmarks/target/benchmarks.jar
OUT=
ITERATIONS=(-wi 3 -i 5)
JMH_EXTRA=()

usage() {
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

die() {
    echo "checkpoint-chart.sh: $*" >&2
    exit 1
}

while [[ $# -gt 0 ]]; do
    case $1 in
        --jar) JAR=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --quick) ITERATIONS=(-wi 1 -i 2); shift ;;
        --) shift; JMH_EXTRA=("$@"); break ;;
        -h|--help) usage ;;
        *) echo "checkpoint-chart.sh: unknown option '$1'" >&2; usage ;;
    esac
done
[[ -f $JAR ]] || die "no benchmarks jar at $JAR: build it with 'mvn -q -B -pl benchmarks -am package -DskipTests' or pass --jar"
OUT=${OUT:-$(dirname "$JAR")}
mkdir -p "$OUT"
JSON=$OUT/checkpoint.json
SVG=$OUT/checkpoint.svg
TEXT=$OUT/checkpoint.txt

echo "checkpoint-chart.sh: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
java -jar "$JAR" Checkpoint -f 1 "${ITERATIONS[@]}" -rf json -rff "$JSON" "${JMH_EXTRA[@]}"
LOAD="load average after the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
java -cp "$JAR" dev.twinstep.benchmarks.checkpoint.CheckpointReport "$JSON" "$SVG" | tee "$TEXT"
echo "$LOAD" | tee -a "$TEXT"
echo "results: $JSON; table: $TEXT" >&2
