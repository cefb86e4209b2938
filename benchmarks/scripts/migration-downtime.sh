#!/usr/bin/env bash
# Live-migrates the kvstore guest back and forth between Twinstep processes while the kv client load
# runs, and prints each migration's downtime (the guest's stop-and-copy pause plus the hand-over of
# its network endpoint, as `migrate` reports it), their median, and the client's verdict.
# Not part of the test suite: its numbers depend on the machine.
#
# Usage: benchmarks/scripts/migration-downtime.sh [--migrations N] [--clients N] [--memory SIZE] [--keep]
# Environment: TWINSTEP (launcher, default ./twinstep).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TWINSTEP=${TWINSTEP:-$ROOT/twinstep}
MIGRATIONS=5
CLIENTS=4
MEMORY=128M
KEEP=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --migrations) MIGRATIONS=$2; shift 2 ;;
        --clients) CLIENTS=$2; shift 2 ;;
        --memory) MEMORY=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
        *) echo "migration-downtime.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ $KEEP == 0 ]]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi
}
trap cleanup EXIT

free_port() { # $1: tcp or udp
    python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1]=='tcp' else socket.SOCK_DGRAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" "$1"
}

qmp() { # $1: socket, $2: command JSON; prints the reply line
    python3 - "$1" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
f.readline()
f.write('{"execute": "qmp_capabilities"}\n'); f.flush(); f.readline()
f.write(sys.argv[2] + "\n"); f.flush()
while True:
    line = f.readline()
    if not line or '"event"' not in line:
        print(line.strip())
        break
PY
}

await_text() { # $1: file, $2: text, $3: seconds
    for _ in $(seq $(( $3 * 10 ))); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "migration-downtime.sh: '$2' did not appear in $1" >&2
    tail -n 20 "$1" >&2 || true
    exit 1
}

start_machine() { # $1: name, then extra options
    local name=$1
    shift
    "$TWINSTEP" run --guest kvstore -m "$MEMORY" --drive "file=$WORK/$name.img,format=raw,if=ide,index=0" \
        --netdev "user,hostfwd=udp:127.0.0.1:$KV_PORT-:9000" --control "unix:$WORK/$name.sock" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err" &
    PIDS+=($!)
    echo $! >"$WORK/$name.pid"
}

KV_PORT=$(free_port udp)
truncate -s 64M "$WORK/a.img" "$WORK/b.img"
start_machine a
await_text "$WORK/a.out" "kvstore: listening" 120
"$TWINSTEP" kv-client --target "127.0.0.1:$KV_PORT" --duration "$(( MIGRATIONS * 5 + 8 ))s" --clients "$CLIENTS" \
    --retries 400 --timeout 100ms --mix incr=60,put=40 >"$WORK/kv.out" 2>&1 &
CLIENT=$!
PIDS+=($CLIENT)
sleep 3

source=a
downtimes=()
for i in $(seq "$MIGRATIONS"); do
    dest=$([[ $source == a ]] && echo b || echo a)
    rm -f "$WORK/$dest.sock"
    port=$(free_port tcp)
    start_machine "$dest" --incoming "tcp:127.0.0.1:$port"
    await_text "$WORK/$dest.err" "waiting for an incoming migration" 120
    sleep 2
    reply=$(qmp "$WORK/$source.sock" "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"tcp:127.0.0.1:$port\"}}")
    downtime=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["return"]["downtime-ms"]) if "return" in r else sys.exit("migrate failed: " + sys.argv[1])' "$reply")
    echo "migration $i: $source -> $dest, downtime ${downtime} ms  ($reply)"
    downtimes+=("$downtime")
    wait "$(cat "$WORK/$source.pid")" || true
    source=$dest
done

wait $CLIENT || true
echo "kv client:"
sed 's/^/  /' "$WORK/kv.out"
python3 -c 'import statistics,sys; v=sorted(map(float,sys.argv[1:])); print("downtime ms: median %.1f, min %.1f, max %.1f over %d migrations" % (statistics.median(v), v[0], v[-1], len(v)))' "${downtimes[@]}"
grep -q "contradictions 0" "$WORK/kv.out" || { echo "the kv client saw contradictions" >&2; exit 1; }
