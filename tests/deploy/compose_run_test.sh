#!/usr/bin/env bash
# The docker-compose deployment, run for real: builds deploy/Dockerfile on
# a private Docker engine (tests/deploy/dockerd_lib.sh: its own dockerd in
# its own network namespace, debian:12 made locally with debootstrap), then
# drives the unmodified deploy/docker-compose.yml, CurveZMQ keys made with
# `logsweep keygen` in the image as the file's comments say:
#
#   image    `logsweep --version` (and the other programs') in the image,
#            tagged logsweep:<project version>; runs as uid 10001; no
#            compiler; every library found
#   up       `up --scale worker=3`: the coordinator and the 3 workers healthy
#   job 1    the client service's job, as the file defines it (the paths
#            expanded by a worker: `submit --remote`; the coordinator and
#            keys from the environment): exact against the generator's answer
#   job 2    a worker container killed (`docker kill`) mid-job: the
#            coordinator requeues its tasks, the answer is exact
#   job 3    the coordinator container killed mid-job and started again on
#            its state volume: the job resumes from the journal, the client
#            re-attaches by itself and `logsweep wait JOB` both give the
#            exact answer; everything healthy again
#   down     `down -v` removes the containers, network and volume; the image
#            is removed
#
# The corpus mixes plain, gzip and bzip2 files; the bzip2 ones are slow to
# decompress, so a job lasts long enough for the faults to land mid-job:
# the worker killed is one the coordinator says has tasks in flight, and the
# coordinator is killed while one has (the test fails, rather than passes,
# if a job ends before its fault).
# Everything is removed at the end, also on failure (dockerd_lib.sh).
#
# usage: compose_run_test.sh BIN_DIR   (BIN_DIR holds logsweep-gencorpus)
# Needs root and about 2 GB of disk; installs docker.io, docker-compose,
# debootstrap and socat when missing.
set -euo pipefail

BIN=${1:?usage: $0 BIN_DIR}
BIN=$(cd "$BIN" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/deploy/dockerd_lib.sh
source "$ROOT/tests/deploy/dockerd_lib.sh"

COMPOSE_FILE_PATH="$ROOT/deploy/docker-compose.yml"
VERSION=$(sed -n 's/^project(logsweep VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
PROTOCOL=$(sed -n 's/.*kProtocolVersion = \([0-9]*\);.*/\1/p' "$ROOT/common/transport/messages.h")
[ -n "$VERSION" ] || fail "no project(logsweep VERSION ...) in CMakeLists.txt"
IMAGE="logsweep:$VERSION"
[ -x "$BIN/logsweep-gencorpus" ] || fail "$BIN/logsweep-gencorpus missing: build first"

compose() {
  docker-compose -f "$COMPOSE_FILE_PATH" "$@"
}

# Compose's own clean-up, run by dk_teardown before it empties the engine.
dk_before_teardown() {
  local status=$1
  if [ "$status" -ne 0 ] && [ -n "${COMPOSE_PROJECT_NAME:-}" ]; then
    local c
    for c in $(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" 2>/dev/null); do
      echo "--- $(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$c") (last 15 lines)" >&2
      docker logs --tail 15 "$c" 2>&1 | sed 's/^/    /' >&2
    done
  fi
  [ -z "${COMPOSE_PROJECT_NAME:-}" ] ||
    compose down -v --remove-orphans --timeout 5 >/dev/null 2>&1
}

dk_setup
dk_base_image

# ---- the image ----------------------------------------------------------------
t0=$(date +%s.%N)
dk_log "docker build -f deploy/Dockerfile -t $IMAGE (log: build.log)"
# Each line of the build's output stamped with the time, to tell slow steps.
docker build "${DK_ADD_HOST[@]}" -f "$ROOT/deploy/Dockerfile" -t "$IMAGE" "$ROOT" 2>&1 |
  while IFS= read -r line; do printf '%(%T)T %s\n' -1 "$line"; done >"$DK_WORK/build.log" || {
  tail -n 40 "$DK_WORK/build.log" >&2
  fail "docker build failed (last lines above)"
}
# The steps that took 10 s or more (a step ends where the next one starts).
slow_steps=$(awk '
  function secs(t) { split(t, a, ":"); return a[1] * 3600 + a[2] * 60 + a[3] }
  / Step [0-9]+\/[0-9]+ : / {
    if (step != "" && secs($1) - start >= 10) printf "%s %d s; ", step, secs($1) - start
    step = $3; start = secs($1)
  }
  END { if (step != "" && secs(last) - start >= 10) printf "%s %d s", step, secs(last) - start }
  { last = $1 }' "$DK_WORK/build.log")
dk_log "image built: $(dk_seconds_since "$t0") s (steps of 10 s or more: ${slow_steps:-none})"

for program in logsweep logsweep-coordinator logsweep-worker; do
  out=$(docker run --rm "$IMAGE" "$program" --version 2>&1) ||
    fail "docker run $IMAGE $program --version: $out"
  [ "$out" = "$program $VERSION (protocol $PROTOCOL)" ] ||
    fail "$program --version in the image says '$out', want '$program $VERSION (protocol $PROTOCOL)'"
done
# The corpus generator (no --version of its own) is in the image too.
docker run --rm "$IMAGE" logsweep-gencorpus --help >/dev/null 2>&1 ||
  fail "logsweep-gencorpus --help in the image"
user=$(docker image inspect -f '{{.Config.User}}' "$IMAGE")
[ "$user" = "10001:10001" ] || fail "the image's USER is '$user', want 10001:10001"
[ "$(docker run --rm "$IMAGE" id -u)" = 10001 ] || fail "the image does not run as uid 10001"
[ "$(docker image inspect -f '{{json .Config.Entrypoint}}' "$IMAGE")" = null ] ||
  fail "the image has an ENTRYPOINT"
tools=$(docker run --rm "$IMAGE" sh -c \
  'for t in cc gcc g++ c++ cmake make protoc; do command -v "$t" || true; done')
[ -z "$tools" ] || fail "the runtime image holds build tools: $tools"
unresolved=$(docker run --rm "$IMAGE" sh -c 'ldd /usr/local/bin/* | grep "not found" || true')
[ -z "$unresolved" ] || fail "libraries missing in the image: $unresolved"
dk_log "image: $IMAGE, $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }'), uid 10001, every program answers --version"

# ---- keys and logs ----------------------------------------------------------------
KEYS="$DK_WORK/keys"
LOGS="$DK_WORK/logs"
mkdir -p "$KEYS"
chown 10001:10001 "$KEYS"
chmod 0700 "$KEYS"
for k in coordinator worker client; do
  docker run --rm -v "$KEYS:/keys" "$IMAGE" logsweep keygen "/keys/$k" >/dev/null ||
    fail "logsweep keygen $k in the image"
done
for k in coordinator worker client; do
  [ "$(stat -c '%u %a' "$KEYS/$k.key")" = "10001 600" ] ||
    fail "$k.key is $(stat -c '%u %a' "$KEYS/$k.key"), want uid 10001, mode 600"
  [ -s "$KEYS/$k.pub" ] || fail "no $k.pub"
done

# 12 files of 100,000 lines: 2 plain, 4 gzip and 6 bzip2 (named .log: the
# format is read from the content), and each bzip2 file copied 3 times more
# under other names (the same hosts, so expected.txt still holds): 30 files.
# bzip2 is slow to decompress, which makes a job last several seconds, and
# copies cost nothing to make. The generator writes expected.txt.
t0=$(date +%s.%N)
"$BIN/logsweep-gencorpus" --out "$LOGS" --files 12 --plain 2 --lines 100000 \
  --seed 16 --level 1 --jobs 2 >/dev/null 2>&1 || fail "logsweep-gencorpus"
[ -s "$LOGS/expected.txt" ] || fail "the generator wrote no expected.txt"
mapfile -t to_bzip2 < <(find "$LOGS" -name '*.log.gz' | sort | sed -n 1,6p)
[ "${#to_bzip2[@]}" -eq 6 ] || fail "want 6 gzip files to recompress, have ${#to_bzip2[@]}"
# shellcheck disable=SC2016 # $1 is the inner shell's
printf '%s\n' "${to_bzip2[@]}" |
  xargs -P 2 -I{} sh -c 'zcat "$1" | bzip2 -1 >"${1%.gz}" && rm "$1"' sh {} ||
  fail "recompressing the corpus with bzip2"
for f in "${to_bzip2[@]}"; do
  for copy in 1 2 3; do
    cp "${f%.gz}" "${f%.log.gz}-copy$copy.log"
  done
done
chmod -R a+rX "$LOGS"
FILES=$(find "$LOGS" -name '*.log' -o -name '*.gz' | wc -l)
[ "$FILES" -eq 30 ] || fail "the corpus has $FILES log files, want 30"
dk_log "corpus: $FILES files, $(du -sm "$LOGS" | cut -f1) MB, $(wc -l <"$LOGS/expected.txt") expected hosts ($(dk_seconds_since "$t0") s)"

# ---- the cluster --------------------------------------------------------------------
export KEYS_DIR="$KEYS" LOGS_DIR="$LOGS"
export COMPOSE_PROJECT_NAME="lsct$$"
unset LOGSWEEP_IMAGE WORKER_THREADS COMPOSE_FILE
# The file must name the image just built when LOGSWEEP_IMAGE is unset.
images=$(compose config | awk '$1 == "image:" { print $2 }' | sort -u)
[ "$images" = "$IMAGE" ] ||
  fail "deploy/docker-compose.yml uses image(s) '$images', want $IMAGE (the project version)"

coordinator_id() { compose ps -q coordinator; }
worker_ids() { compose ps -q worker; }
coordinator_log() { docker logs "$(coordinator_id)" 2>&1; }
count_log() { coordinator_log | grep -c -- "$1" || true; }
# A scan job's acceptance (the client's --remote listing job says "listing").
ACCEPTED=' accepted: [0-9]* files'


# wait_healthy SECONDS WORKERS: the coordinator and WORKERS workers healthy.
wait_healthy() {
  local limit=$1 want=$2 states=""
  local deadline=$((SECONDS + limit))
  while [ "$SECONDS" -lt "$deadline" ]; do
    states=$(for c in $(coordinator_id) $(worker_ids); do
      docker inspect -f '{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}no-healthcheck{{end}}' "$c"
    done)
    if [ "$(grep -c ' healthy$' <<<"$states" || true)" -eq $((want + 1)) ] &&
      [ "$(wc -l <<<"$states")" -eq $((want + 1)) ]; then
      return 0
    fi
    sleep 1
  done
  fail "not healthy within ${limit}s: $(tr '\n' ';' <<<"$states")"
}

t0=$(date +%s.%N)
compose up -d --no-build --scale worker=3 coordinator worker >"$DK_WORK/up.log" 2>&1 ||
  fail "compose up: $(tail -n 10 "$DK_WORK/up.log")"
wait_healthy 120 3
dk_log "up --scale worker=3: coordinator and 3 workers healthy in $(dk_seconds_since "$t0") s"
log=$(coordinator_log)
grep -q "CURVE on: .* 1 worker and 2 client keys authorised" <<<"$log" ||
  fail "the coordinator does not run with CURVE on: $(sed -n 1,5p <<<"$log")"
[ "$(count_log ' registered with ')" -ge 3 ] ||
  fail "fewer than 3 workers registered: $(coordinator_log | grep registered)"

# run_client OUT ERR [COMMAND...]: the compose file's client service (its
# command unless COMMAND is given), at most 300 s.
run_client() {
  local out=$1 err=$2
  shift 2
  timeout 300 docker-compose -f "$COMPOSE_FILE_PATH" run --rm --no-deps -T client "$@" \
    >"$out" 2>"$err"
}

# check_job N: job N's output is exact and every file was scanned.
check_job() {
  local n=$1 what=$2
  if ! cmp -s "$LOGS/expected.txt" "$DK_WORK/hosts$n.txt"; then
    diff <(head -c 2000 "$LOGS/expected.txt") <(head -c 2000 "$DK_WORK/hosts$n.txt") | head -10 >&2 || true
    fail "job $n ($what): the hosts differ from expected.txt; stderr: $(tail -n 5 "$DK_WORK/client$n.err")"
  fi
  grep -q "$FILES files (0 failed)" "$DK_WORK/client$n.err" ||
    fail "job $n ($what): summary: $(tail -n 3 "$DK_WORK/client$n.err")"
}

# ---- job 1: the client service as the file defines it -------------------------
t0=$(date +%s.%N)
run_client "$DK_WORK/hosts1.txt" "$DK_WORK/client1.err" ||
  fail "job 1: the client exited $?: $(tail -n 5 "$DK_WORK/client1.err")"
check_job 1 "3 workers"
dk_log "job 1: exact, $(dk_seconds_since "$t0") s"

# start_job N: the client service in the background; waits until the
# coordinator has accepted the job. Sets CLIENT_PID and JOB_ID.
start_job() {
  local n=$1 accepted
  accepted=$(count_log "$ACCEPTED")
  # Its exit status is judged by finish_job, not by the ERR trap.
  (
    trap - ERR
    run_client "$DK_WORK/hosts$n.txt" "$DK_WORK/client$n.err"
  ) &
  CLIENT_PID=$!
  local deadline=$((SECONDS + 60))
  until [ "$(count_log "$ACCEPTED")" -gt "$accepted" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "job $n: the coordinator did not accept it within 60 s"
    kill -0 "$CLIENT_PID" 2>/dev/null ||
      fail "job $n: the client ended before its job was accepted: $(tail -n 5 "$DK_WORK/client$n.err")"
    sleep 0.2
  done
  JOB_ID=$(coordinator_log | sed -n 's/.*job \([0-9a-f]*\) accepted: [0-9]* files.*/\1/p' | tail -n 1)
  dk_log "job $n ($JOB_ID) accepted"
}

# busy_worker N: prints the container of the worker with the most tasks in
# flight, as the coordinator's `logsweep workers` tells (asked inside its
# container, with its own key, like its health check); waits for one.
busy_worker() {
  local n=$1 table name deadline=$((SECONDS + 20))
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$CLIENT_PID" 2>/dev/null ||
      fail "job $n ended before its fault: the corpus is too small to test that here"
    table=$(docker exec "$(coordinator_id)" logsweep workers \
      --coordinator=tcp://127.0.0.1:5556 \
      --curve-server-key=/etc/logsweep/authorized/clients/coordinator.pub \
      --curve-key=/etc/logsweep/coordinator.key --connect-timeout-ms=2000 2>/dev/null || true)
    name=$(awk 'NF >= 6 && $3 ~ /^[0-9]+$/ && $3 > 0 { print $3, $1 }' <<<"$table" |
      sort -rn | sed -n 's/^[0-9]* //; 1p')
    if [ -n "$name" ]; then
      # A worker is named host:pid; its host name is its container's short id.
      worker_ids | grep "^${name%%:*}" | sed -n 1p
      return 0
    fi
    sleep 0.1
  done
  fail "job $n: no worker had a task in flight for 20 s: $table"
}

# finish_job N: waits for the background client; it must exit 0.
finish_job() {
  local n=$1 status=0
  wait "$CLIENT_PID" || status=$?
  [ "$status" -eq 0 ] || fail "job $n: the client exited $status: $(tail -n 5 "$DK_WORK/client$n.err")"
}

# Jobs 2 and 3 must scan, not be answered from the coordinator's result cache
# (its --state volume keeps job 1's results, docs/cache.md): a new mtime and
# ctime on every file make each entry a miss.
touch "$LOGS"/*

# ---- job 2: a worker container is killed mid-job ------------------------------------
t0=$(date +%s.%N)
dead_before=$(count_log ' is dead: ')
start_job 2
victim=$(busy_worker 2)
[ -n "$victim" ] || fail "job 2: the busy worker is no container of this project"
docker kill "$victim" >/dev/null
dk_log "job 2: killed worker $(docker inspect -f '{{.Name}}' "$victim") mid-job"
finish_job 2
check_job 2 "a worker killed mid-job"
dead_line=$(coordinator_log | grep ' is dead: ' | sed -n "$((dead_before + 1))p" || true)
[ -n "$dead_line" ] || fail "job 2: the coordinator never declared the killed worker dead"
requeued=$(sed -n 's/.*requeueing \([0-9]*\) tasks.*/\1/p' <<<"$dead_line")
[ "${requeued:-0}" -ge 1 ] ||
  fail "job 2: the killed worker held no task ($dead_line); failover was not exercised"
dk_log "job 2: exact, $(dk_seconds_since "$t0") s; the coordinator requeued $requeued task(s): ${dead_line#*: }"
# Three workers again (the killed one is started again, or replaced).
compose up -d --no-build --no-recreate --scale worker=3 coordinator worker \
  >>"$DK_WORK/up.log" 2>&1 || fail "compose up after job 2: $(tail -n 5 "$DK_WORK/up.log")"
wait_healthy 60 3

# ---- job 3: the coordinator is killed mid-job and started again -----------------
touch "$LOGS"/*
t0=$(date +%s.%N)
start_job 3
busy_worker 3 >/dev/null
coordinator=$(coordinator_id)
docker kill "$coordinator" >/dev/null
dk_log "job 3: killed the coordinator mid-job"
deadline=$((SECONDS + 30))
while [ "$(docker inspect -f '{{.State.Running}}' "$coordinator")" = true ] &&
  [ "$(docker inspect -f '{{.RestartCount}}' "$coordinator")" = 0 ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "job 3: the coordinator is still running 30 s after docker kill"
  sleep 0.1
done
kill -0 "$CLIENT_PID" 2>/dev/null ||
  fail "job 3: the client ended when the coordinator was killed: $(tail -n 5 "$DK_WORK/client3.err")"
docker start "$coordinator" >/dev/null
finish_job 3
check_job 3 "the coordinator killed mid-job; the client re-attached"
resumed=$(coordinator_log | grep "job $JOB_ID resumed: " | tail -n 1 || true)
[ -n "$resumed" ] || fail "job 3: the restarted coordinator did not resume job $JOB_ID from its journal"
done_files=$(sed -n 's/.*resumed: \([0-9]*\) of.*/\1/p' <<<"$resumed")
[ "$done_files" -lt "$FILES" ] ||
  fail "job 3: every file was done before the kill ($resumed): not a mid-job restart"
dk_log "job 3: exact after the restart, $(dk_seconds_since "$t0") s (${resumed#*job })"
# The client service's environment names the coordinator and the keys.
run_client "$DK_WORK/hosts4.txt" "$DK_WORK/client4.err" logsweep wait "$JOB_ID" ||
  fail "logsweep wait $JOB_ID exited $?: $(tail -n 5 "$DK_WORK/client4.err")"
check_job 4 "logsweep wait $JOB_ID after the restart"
dk_log "logsweep wait $JOB_ID: exact"
wait_healthy 60 3
dk_log "coordinator and 3 workers healthy again"

# ---- down ---------------------------------------------------------------------------
compose down -v --remove-orphans --timeout 10 >"$DK_WORK/down.log" 2>&1 ||
  fail "compose down: $(tail -n 5 "$DK_WORK/down.log")"
left=$(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")
[ -z "$left" ] || fail "containers left after down: $left"
left=$(docker volume ls -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")
[ -z "$left" ] || fail "volumes left after down -v: $left"
left=$(docker network ls -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")
[ -z "$left" ] || fail "networks left after down: $left"
docker rmi "$IMAGE" >/dev/null || fail "docker rmi $IMAGE"
COMPOSE_PROJECT_NAME=""
dk_log "down -v: no container, volume or network left; image removed"
echo "PASS compose_run"
