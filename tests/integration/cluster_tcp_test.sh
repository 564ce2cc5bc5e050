#!/usr/bin/env bash
# A real coordinator and two real workers over TCP on loopback; a generated
# corpus of 24 files (4 of them plain text) submitted with `logsweep submit`;
# the printed hosts must equal the generator's answer byte for byte.
source "$(dirname "$0")/lib.sh"

generate "$WORK/corpus" 24 --lines 3000 --plain 4 --seed 7
start_coordinator --heartbeat-ms 200
start_worker w1 --threads 2
start_worker w2 --threads 1

"$BIN/logsweep" submit --coordinator "$CLIENTS_EP" "$WORK/corpus" \
  >"$WORK/hosts.txt" 2>"$WORK/stderr.txt" || fail "submit exited $?: $(cat "$WORK/stderr.txt")"
expect_same "$WORK/corpus/expected.txt" "$WORK/hosts.txt" "submit over tcp"
grep -q "24 files (0 failed)" "$WORK/stderr.txt" || fail "summary: $(cat "$WORK/stderr.txt")"

# The same coordinator serves a second job, here with another query.
"$BIN/logsweep" submit --coordinator "$CLIENTS_EP" --path /index.html \
  "$WORK/corpus"/*.gz >"$WORK/index.txt" 2>/dev/null || fail "second job"
zcat "$WORK/corpus"/*.gz | LC_ALL=C awk '$7=="/index.html"{print $1}' |
  LC_ALL=C sort -u >"$WORK/index.expected"
expect_same "$WORK/index.expected" "$WORK/index.txt" "--path /index.html"
echo "PASS cluster_tcp"
