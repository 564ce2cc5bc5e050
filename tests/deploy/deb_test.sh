#!/usr/bin/env bash
# The Debian package, installed for real: CPack builds logsweep_<version>_<arch>.deb
# from this build, and a fresh debian:12 container (on the private engine of
# tests/deploy/dockerd_lib.sh) installs it with
# `apt-get install ./logsweep_*.deb`, which must pull every library the
# programs need from the Debian mirror by the package's own Depends
# (dpkg-shlibdeps). Then, in the container:
#
#   - logsweep, logsweep-coordinator and logsweep-worker --version;
#   - `man logsweep` (and the other two pages) once man-db is installed;
#   - bash completion of subcommands and flags;
#   - the systemd units name the installed programs; liblogsweep is in the
#     linker cache with every library it needs; the CMake package is there;
#   - `logsweep run` on a few generated logs (gzip, bzip2, plain) gives the
#     generator's answer exactly;
#   - `apt-get purge logsweep` removes the programs.
#
# usage: deb_test.sh BIN_DIR   (the build's bin/; its parent holds CPackConfig.cmake)
# Needs root; installs docker.io, debootstrap and socat when missing.
set -euo pipefail

BIN=${1:?usage: $0 BIN_DIR}
BIN=$(cd "$BIN" && pwd)
BUILD=$(cd "$BIN/.." && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/deploy/dockerd_lib.sh
source "$ROOT/tests/deploy/dockerd_lib.sh"

[ -f "$BUILD/CPackConfig.cmake" ] || fail "no $BUILD/CPackConfig.cmake: configure and build first"
[ -x "$BIN/logsweep-gencorpus" ] || fail "$BIN/logsweep-gencorpus missing: build first"
VERSION=$(sed -n 's/^project(logsweep VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
PROTOCOL=$(sed -n 's/.*kProtocolVersion = \([0-9]*\);.*/\1/p' "$ROOT/common/transport/messages.h")
CONTAINER=""

dk_before_teardown() {
  if [ "$1" -ne 0 ] && [ -n "$CONTAINER" ] && [ -f "$DK_WORK/apt.out" ]; then
    echo "--- apt-get output in the container (last 15 lines)" >&2
    tail -n 15 "$DK_WORK/apt.out" >&2
  fi
}

dk_setup

# ---- the package ---------------------------------------------------------------------
t0=$(date +%s.%N)
PKG="$DK_WORK/pkg"
mkdir -p "$PKG"
(cd "$BUILD" && cpack -G DEB -B "$PKG" >"$DK_WORK/cpack.log" 2>&1) ||
  fail "cpack -G DEB: $(tail -n 10 "$DK_WORK/cpack.log")"
rm -rf "$PKG/_CPack_Packages"
deb=$(find "$PKG" -maxdepth 1 -name "logsweep_${VERSION}_*.deb")
if [ -z "$deb" ] || [ "$(wc -l <<<"$deb")" -ne 1 ]; then
  fail "cpack wrote no single logsweep_${VERSION}_*.deb: $(ls "$PKG")"
fi
dk_log "cpack: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB ($(dk_seconds_since "$t0") s)"
depends=$(dpkg-deb -f "$deb" Depends)
dk_log "Depends: $depends"
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|')
for f in /usr/bin/logsweep /usr/bin/logsweep-coordinator /usr/bin/logsweep-worker \
  /usr/include/logsweep/client.h /usr/lib/cmake/logsweep/logsweepConfig.cmake \
  /usr/lib/cmake/logsweep/logsweepConfigVersion.cmake /usr/lib/cmake/logsweep/logsweepTargets.cmake \
  /usr/lib/systemd/system/logsweep-coordinator.service /usr/lib/systemd/system/logsweep-worker.service \
  /usr/share/man/man1/logsweep.1.gz /usr/share/man/man1/logsweep-coordinator.1.gz \
  /usr/share/man/man1/logsweep-worker.1.gz /usr/share/bash-completion/completions/logsweep \
  /usr/share/bash-completion/completions/logsweep-coordinator \
  /usr/share/bash-completion/completions/logsweep-worker /usr/share/doc/logsweep/README.md; do
  grep -qxF "$f" <<<"$contents" || fail "the package lacks $f"
done
grep -qE '^/usr/lib/liblogsweep\.so\.[0-9.]+$' <<<"$contents" || fail "the package lacks liblogsweep.so"

# ---- a few logs ----------------------------------------------------------------------
LOGS="$DK_WORK/logs"
"$BIN/logsweep-gencorpus" --out "$LOGS" --files 8 --plain 2 --lines 20000 --seed 23 \
  >/dev/null 2>&1 || fail "logsweep-gencorpus"
mapfile -t to_bzip2 < <(find "$LOGS" -name '*.log.gz' | sort | sed -n 1,2p)
for f in "${to_bzip2[@]}"; do
  zcat "$f" | bzip2 -1 >"${f%.gz}" && rm "$f"
done
chmod -R a+rX "$LOGS"

# ---- a clean debian:12 ----------------------------------------------------------------
dk_base_image
CONTAINER=lsdeb$$
docker run -d --name "$CONTAINER" "${DK_ADD_HOST[@]}" -v "$PKG:/pkg:ro" -v "$LOGS:/logs:ro" \
  debian:12 sleep infinity >/dev/null || fail "cannot start a debian:12 container"
in_container() {
  docker exec -e DEBIAN_FRONTEND=noninteractive "$CONTAINER" bash -euo pipefail -c "$1"
}
in_container 'command -v logsweep' >/dev/null 2>&1 &&
  fail "the fresh container already has logsweep"

t0=$(date +%s.%N)
in_container "apt-get update -qq && cd /pkg && apt-get install -y --no-install-recommends ./$(basename "$deb")" \
  >"$DK_WORK/apt.out" 2>&1 ||
  fail "apt-get install ./$(basename "$deb") failed in debian:12"
dk_log "apt-get install ./$(basename "$deb"): $(dk_seconds_since "$t0") s," \
  "$(grep -c '^Setting up' "$DK_WORK/apt.out" || true) packages set up"

for program in logsweep logsweep-coordinator logsweep-worker; do
  out=$(in_container "$program --version" 2>&1) || fail "$program --version in the container: $out"
  [ "$out" = "$program $VERSION (protocol $PROTOCOL)" ] ||
    fail "$program --version says '$out', want '$program $VERSION (protocol $PROTOCOL)'"
done
dk_log "logsweep, logsweep-coordinator, logsweep-worker --version: $VERSION"

# man pages
in_container "apt-get install -y -qq --no-install-recommends man-db" >>"$DK_WORK/apt.out" 2>&1 ||
  fail "apt-get install man-db"
page=$(in_container 'MANWIDTH=80 man logsweep 2>&1') || fail "man logsweep: $page"
flat=$(tr -s ' \n' '  ' <<<"$page")  # justified text: words only
for want in "logsweep - find the hosts that requested a path" "SUBCOMMANDS" "logsweep submit" \
  "EXIT STATUS" "--coordinator"; do
  grep -qF -- "$want" <<<"$flat" || fail "man logsweep lacks '$want': $(sed -n 1,8p <<<"$page")"
done
for pair in logsweep-coordinator:--curve-secret logsweep-worker:--data-root; do
  program=${pair%%:*}
  page=$(in_container "MANWIDTH=80 man $program 2>&1") || fail "man $program: $page"
  grep -q "^NAME" <<<"$page" || fail "man $program has no NAME section"
  grep -qF -- "${pair#*:}" <<<"$page" || fail "man $program lacks ${pair#*:}"
done
dk_log "man logsweep, logsweep-coordinator, logsweep-worker"

# bash completion (the file as bash-completion would load it)
# shellcheck disable=SC2016 # expanded by the container's bash
completion=$(in_container '
  source /usr/share/bash-completion/completions/logsweep
  c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _logsweep; echo "${COMPREPLY[*]}"; }
  c logsweep su; c logsweep submit --coo; c logsweep run --inflate ""; c logsweep-worker --data-r
  complete -p logsweep-coordinator') || fail "bash completion: $completion"
[ "$completion" = $'submit\n--coordinator\nzlib isal\n--data-root\ncomplete -F _logsweep logsweep-coordinator' ] ||
  fail "bash completion gave: $completion"
dk_log "bash completion: subcommands, flags, choices"

# systemd units, the library, the CMake package
for unit in logsweep-coordinator logsweep-worker; do
  exec_start=$(in_container "sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' /usr/lib/systemd/system/$unit.service")
  [ "$exec_start" = "/usr/bin/$unit" ] || fail "$unit.service runs '$exec_start', not /usr/bin/$unit"
done
# (merged /usr: the cache may name it /lib/liblogsweep.so.MAJOR.MINOR)
lib=$(in_container 'ldconfig -p | sed -n "s/^\tliblogsweep\.so\.[0-9.]* .*=> //p" | sed -n 1p')
[ -n "$lib" ] || fail "liblogsweep.so.* is not in the linker cache (the ldconfig trigger)"
unresolved=$(in_container "ldd $lib /usr/bin/logsweep* | grep 'not found' || true")
[ -z "$unresolved" ] || fail "libraries missing after apt-get install: $unresolved"
in_container 'grep -q "add_library(logsweep::client SHARED IMPORTED)" /usr/lib/cmake/logsweep/logsweepTargets.cmake' ||
  fail "the CMake package does not define logsweep::client"

# the job
out=$(in_container 'cd /tmp && logsweep run /logs >hosts.txt 2>run.err && cmp hosts.txt /logs/expected.txt && cat run.err' 2>&1) ||
  fail "logsweep run in the container: not the generator's answer: $out"
grep -q "8 files (0 failed)" <<<"$out" || fail "logsweep run summary: $out"
dk_log "logsweep run /logs in the container: exact ($(grep -o '[0-9]* hosts' <<<"$out"))"

in_container 'apt-get purge -y -qq logsweep >/dev/null && ! command -v logsweep && [ ! -e /usr/lib/systemd/system/logsweep-worker.service ]' \
  >/dev/null 2>&1 || fail "apt-get purge logsweep left files behind"
docker rm -f "$CONTAINER" >/dev/null
CONTAINER=""
echo "PASS deb"
