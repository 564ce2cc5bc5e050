# shellcheck shell=bash
# A private Docker engine for one test, shared by compose_run_test.sh and
# deb_test.sh. Source it, then:
#
#   dk_setup        installs docker.io, docker-compose, debootstrap and socat
#                   when missing, and starts the engine; exports DOCKER_HOST
#   dk_base_image   makes the images debian:12 and debian:12-slim when the
#                   engine lacks them (debootstrap, cached between runs)
#   docker ...      Debian's docker client, talking to that engine
#   DK_ADD_HOST     --add-host arguments that let apt in a build stage or a
#                   container reach the host's Debian mirror
#
# The engine runs in a network namespace of its own (made here, removed at
# the end): its bridges, the iptables chains and NAT rules dockerd adds and
# its ip_forward setting all live there, never in the host's namespace, so
# two runs at once do not collide and nothing is left when the namespace
# goes. Its only link out is a veth pair whose two ends have addresses from
# 198.18.0.0/15 (the benchmarking range), and the namespace has no default
# route: a container can reach nothing outside its own networks but the one
# port of the host's end where socat forwards to the Debian mirror the
# host's apt uses. The bridge (--bip) and the networks compose makes
# (--default-address-pool) take 198.19.0.0/16. dockerd also gets its own
# mount namespace (the containers' overlay mounts die with it), data root,
# exec root, pid file, socket, config file and cgroup parent, all under a
# temporary directory. No registry is reachable: images come from this
# machine only (see dk_base_image).
#
# The EXIT trap set here removes every container, network, volume and image,
# stops dockerd by its pid (TERM, then KILL after 30 s), removes the
# namespace, the veth, the forwarder and the directory, and then checks that
# the host has no new network interface, address, iptables rule, mount or
# netns left, failing the test if it does. It runs on failure too. A
# machine that cannot run containers fails the test with the reason; it
# never passes silently.
#
# Needs root (network namespaces, dockerd). Environment:
#   LOGSWEEP_DEPLOY_CACHE  where the debootstrap tarball is kept between
#                          runs (default ${XDG_CACHE_HOME:-$HOME/.cache}/logsweep-deploy);
#                          delete it to start from nothing
#   DK_KEEP_LOGS=1         print dockerd's log at the end even on success

set -Eeuo pipefail
# A command that fails outside a test's own checks ends the test too; say
# where (once, not again in every function it unwinds through).
dk_on_error() {
  [ -z "${DK_ERR:-}" ] || return 0
  DK_ERR=1
  echo "FAIL: ${BASH_SOURCE[1]##*/}:$2: \`$3\` exited $1" >&2
}
trap 'dk_on_error $? $LINENO "$BASH_COMMAND"' ERR

DK_START=$(date +%s.%N)
DK_WORK=""
DK_NS=""
DK_VETH=""
DK_DOCKERD_PID=""
DK_SOCAT_PID=""
DK_CGROUP="lsdk$$"
# shellcheck disable=SC2034 # used by the tests that source this file
DK_ADD_HOST=()
DK_CREATED=()   # host paths this run created that may outlive DK_WORK
DK_BEFORE=""    # a snapshot of the host's network state, see dk_host_state

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# dk_log MESSAGE: a progress line with the seconds since the test started.
dk_log() {
  printf '[%6.1fs] %s\n' "$(awk -v s="$DK_START" -v n="$(date +%s.%N)" 'BEGIN { print n - s }')" "$*" >&2
}

# dk_seconds_since START: seconds since START (date +%s.%N), one decimal.
dk_seconds_since() {
  awk -v s="$1" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'
}

# Debian's client, which speaks the engine's API version (/usr/local/bin may
# hold a newer client of another origin).
docker() {
  /usr/bin/docker "$@"
}

# ---- packages -----------------------------------------------------------------
dk_install_packages() {
  local wanted=(docker.io docker-compose debootstrap socat iproute2 iptables util-linux bzip2)
  local missing=() p
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  dk_log "installing ${missing[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"; } >"$DK_WORK/apt.log" 2>&1; then
    fail "cannot install ${missing[*]}: $(tail -5 "$DK_WORK/apt.log")"
  fi
}

# ---- the host's Debian mirror ----------------------------------------------------
# Sets DK_MIRROR_URL (for debootstrap), DK_MIRROR_HOST, DK_MIRROR_PORT,
# DK_MIRROR_IP and DK_SOURCES (the image's sources.list: the host's Debian
# entries, all of which must be on that one host).
dk_find_mirror() {
  local targets hosts
  # shellcheck disable=SC2016 # apt's $(FIELD) placeholders, not the shell's
  targets=$(apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' \
    'Identifier: Packages' 'Target-Of: deb' 2>/dev/null | sort -u)
  DK_MIRROR_URL=$(awk '$2 == "bookworm" { print $1; exit }' <<<"$targets")
  [ -n "$DK_MIRROR_URL" ] ||
    fail "the host's apt has no Debian bookworm source to make debian:12 from"
  DK_MIRROR_HOST=$(sed -E 's|^[a-z]+://([^/:]+).*|\1|' <<<"$DK_MIRROR_URL")
  case $DK_MIRROR_URL in
    http://*) DK_MIRROR_PORT=80 ;;
    https://*) DK_MIRROR_PORT=443 ;;
    *) fail "unsupported mirror URL $DK_MIRROR_URL (want http:// or https://)" ;;
  esac
  # Only the mirror's own entries (its suites: bookworm, -updates, -security).
  DK_SOURCES=$(awk -v h="$DK_MIRROR_HOST" '
    { site = $1; sub(/^[a-z]+:\/\//, "", site); sub(/[\/:].*/, "", site) }
    site == h { print "deb " $1 " " $2 " " $3 }' <<<"$targets")
  hosts=$(awk '{ s = $1; sub(/^[a-z]+:\/\//, "", s); sub(/[\/:].*/, "", s); print s }' \
    <<<"$targets" | sort -u | tr '\n' ' ')
  [ "$hosts" = "$DK_MIRROR_HOST " ] ||
    dk_log "note: apt sources on other hosts ($hosts) are not made reachable from containers"
  DK_MIRROR_IP=$(getent ahostsv4 "$DK_MIRROR_HOST" | awk 'NR == 1 { print $1 }')
  [ -n "$DK_MIRROR_IP" ] || fail "cannot resolve the Debian mirror $DK_MIRROR_HOST"
}

# ---- what the host looks like, to prove nothing is left --------------------------
# Links, addresses, routes, iptables rules, ip_forward, and this run's
# namespace. Another run of these tests at the same time has links named
# lsdk<pid>h: those are not ours to judge.
dk_host_state() {
  {
    echo "## links"
    ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort
    echo "## addresses"
    ip -o addr show | awk '{ print $2, $4 }' | sort
    echo "## routes"
    ip route show | sort
    echo "## iptables"
    { iptables-save 2>/dev/null || true; } | sed -e '/^#/d' -e 's/\[[0-9]*:[0-9]*\]//' | sort
    echo "## ip_forward"
    cat /proc/sys/net/ipv4/ip_forward
  } | awk -v mine="$DK_VETH" '
    match($0, /lsdk[0-9]+h/) && substr($0, RSTART, RLENGTH) != mine { next }
    { print }'
  echo "## netns"
  ip netns list 2>/dev/null | awk -v mine="$DK_NS" '$1 == mine { print $1 }'
}

# ---- what a killed run left ----------------------------------------------------
# A run killed with SIGKILL (a ctest timeout, a session that ended) cannot
# clean up: its namespace (and with it the veth, the bridge and dockerd's
# iptables chains) and its directory stay. Each run's namespace is named
# lsdk<pid of the test> and its directory records that pid: what belongs to
# a pid that no longer runs, with no process left in the namespace, is
# removed here, before this run takes its snapshot of the host.
dk_sweep_stale() {
  local ns pid dir m
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^lsdk[0-9]+$/ { print $1 }'); do
    pid=${ns#lsdk}
    kill -0 "$pid" 2>/dev/null && continue
    [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] || continue
    dk_log "removing namespace $ns, left by a killed run (pid $pid)"
    ip netns del "$ns" 2>/dev/null || true
  done
  for dir in /tmp/lsdk-??????; do
    [ -f "$dir/owner.pid" ] || continue
    pid=$(cat "$dir/owner.pid")
    kill -0 "$pid" 2>/dev/null && continue
    [ -z "$(ip netns pids "lsdk$pid" 2>/dev/null)" ] || continue
    dk_log "removing $dir, left by a killed run (pid $pid)"
    for m in $(findmnt -rn -o TARGET | { grep -F "$dir/" || true; } | sort -r); do
      umount -l "$m" 2>/dev/null || true
    done
    rm -rf "$dir"
  done
}

# ---- the engine -----------------------------------------------------------------
dk_setup() {
  [ "$(id -u)" -eq 0 ] ||
    fail "needs root: it starts its own dockerd in a network namespace (uid $(id -u))"
  # A short path: the sockets under it must fit in 108 bytes.
  DK_WORK=$(mktemp -d /tmp/lsdk-XXXXXX)
  chmod 0711 "$DK_WORK"
  echo "$$" >"$DK_WORK/owner.pid"
  trap dk_teardown EXIT
  trap 'exit 130' INT TERM
  dk_install_packages
  dk_find_mirror

  local lock=/tmp/logsweep-dockerd.lock x host_ip ns_ip
  [ -d /run/lock ] && lock=/run/lock/logsweep-dockerd.lock
  # A network of our own: namespace, veth, a free /30 from 198.18.200-254.x.
  # Under a lock, so that two runs at once pick different addresses.
  DK_NS="lsdk$$"
  DK_VETH="lsdk$$h"
  exec {lock_fd}>"$lock"
  flock -w 60 "$lock_fd" || fail "timed out waiting for $lock"
  dk_sweep_stale
  DK_BEFORE=$(dk_host_state)
  for x in $(seq 200 254); do
    ip -4 -o addr show | grep " 198\.18\.$x\." >/dev/null || break
  done
  [ "$x" -le 254 ] || fail "no free 198.18.x.0/30 for the engine's link"
  host_ip="198.18.$x.1"
  ns_ip="198.18.$x.2"
  ip netns add "$DK_NS" 2>"$DK_WORK/netns.err" ||
    fail "cannot create a network namespace: $(cat "$DK_WORK/netns.err")"
  ip -n "$DK_NS" link set lo up
  ip link add "$DK_VETH" type veth peer name uplink netns "$DK_NS"
  ip addr add "$host_ip/30" dev "$DK_VETH"
  ip link set "$DK_VETH" up
  ip -n "$DK_NS" addr add "$ns_ip/30" dev uplink
  ip -n "$DK_NS" link set uplink up
  flock -u "$lock_fd"
  exec {lock_fd}>&-

  # The forwarder: the mirror's port on our end of the veth, to the mirror.
  socat "TCP-LISTEN:$DK_MIRROR_PORT,bind=$host_ip,fork,reuseaddr" \
    "TCP:$DK_MIRROR_IP:$DK_MIRROR_PORT" 2>"$DK_WORK/socat.log" &
  DK_SOCAT_PID=$!
  # shellcheck disable=SC2034 # used by the tests that source this file
  DK_ADD_HOST=(--add-host "$DK_MIRROR_HOST:$host_ip")

  # Paths dockerd creates outside its directories whatever its flags say;
  # removed at the end if this run made them.
  local p
  for p in /etc/docker/key.json /run/docker /run/containerd; do
    [ -e "$p" ] || DK_CREATED+=("$p")
  done

  echo '{}' >"$DK_WORK/daemon.json"
  mkdir -p "$DK_WORK/client-config"
  dk_log "starting dockerd (netns $DK_NS, link $host_ip/30, bridge 198.19.0.1/24)"
  # unshare and nsenter exec, so $! is dockerd's own pid.
  unshare --mount --propagation slave \
    nsenter --net="/run/netns/$DK_NS" \
    dockerd --config-file "$DK_WORK/daemon.json" \
    --data-root "$DK_WORK/data" --exec-root "$DK_WORK/exec" \
    --pidfile "$DK_WORK/dockerd.pid" -H "unix://$DK_WORK/docker.sock" \
    --bip 198.19.0.1/24 --default-address-pool base=198.19.128.0/17,size=24 \
    --dns 127.0.0.1 --cgroup-parent "/$DK_CGROUP" \
    >"$DK_WORK/dockerd.log" 2>&1 &
  DK_DOCKERD_PID=$!

  export DOCKER_HOST="unix://$DK_WORK/docker.sock"
  export DOCKER_CONFIG="$DK_WORK/client-config"
  unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
  for _ in $(seq 1 600); do
    docker version >/dev/null 2>&1 && break
    if ! kill -0 "$DK_DOCKERD_PID" 2>/dev/null; then
      tail -n 15 "$DK_WORK/dockerd.log" >&2
      fail "this machine cannot run containers: dockerd exited at start (log above)"
    fi
    sleep 0.1
  done
  docker version >/dev/null 2>&1 || {
    tail -n 15 "$DK_WORK/dockerd.log" >&2
    fail "this machine cannot run containers: dockerd did not answer within 60 s"
  }
  [ "$(cat "$DK_WORK/dockerd.pid")" = "$DK_DOCKERD_PID" ] ||
    fail "dockerd's pid file says $(cat "$DK_WORK/dockerd.pid"), not $DK_DOCKERD_PID"
  dk_log "dockerd $(docker version -f '{{.Server.Version}}') up, pid $DK_DOCKERD_PID"
}

# ---- the base images ----------------------------------------------------------------
dk_cache_dir() {
  echo "${LOGSWEEP_DEPLOY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/logsweep-deploy}"
}

# dk_base_image: debian:12 and debian:12-slim (the same minbase image) from
# `debootstrap --variant=minbase bookworm` off the host's mirror, its apt
# pointed at the same mirror entries as the host's. The root filesystem is
# kept as a tarball in the cache directory; it is made again when missing.
dk_base_image() {
  if docker image inspect debian:12 debian:12-slim >/dev/null 2>&1; then
    return 0
  fi
  local cache tarball arch lock_fd t0 rootfs
  cache=$(dk_cache_dir)
  arch=$(dpkg --print-architecture)
  tarball="$cache/debian-12-minbase-$arch-$DK_MIRROR_HOST.tar"
  mkdir -p "$cache"
  exec {lock_fd}>"$cache/.lock"
  flock -w 600 "$lock_fd" || fail "timed out waiting for $cache/.lock"
  if [ ! -s "$tarball" ]; then
    rootfs="$DK_WORK/rootfs"
    t0=$(date +%s.%N)
    dk_log "debootstrap --variant=minbase bookworm from $DK_MIRROR_URL (not cached in $cache)"
    debootstrap --variant=minbase bookworm "$rootfs" "$DK_MIRROR_URL" \
      >"$DK_WORK/debootstrap.log" 2>&1 ||
      fail "debootstrap failed: $(tail -n 5 "$DK_WORK/debootstrap.log")"
    # No trace of this host in the image: its apt sources are the mirror's
    # entries only; resolv.conf, hosts and hostname are Docker's at run time.
    printf '%s\n' "$DK_SOURCES" >"$rootfs/etc/apt/sources.list"
    rm -f "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$rootfs/etc/hosts"
    rm -rf "$rootfs/var/lib/apt/lists/"* "$rootfs/var/cache/apt/"*.bin \
      "$rootfs/var/cache/apt/archives/"*.deb
    tar -C "$rootfs" --numeric-owner -cf "$tarball.tmp.$$" .
    mv "$tarball.tmp.$$" "$tarball"
    rm -rf "$rootfs"
    dk_log "debootstrap and tarball: $(dk_seconds_since "$t0") s"
  fi
  flock -u "$lock_fd"
  exec {lock_fd}>&-
  t0=$(date +%s.%N)
  docker import --change 'CMD ["bash"]' "$tarball" debian:12 >/dev/null ||
    fail "docker import $tarball"
  docker tag debian:12 debian:12-slim
  dk_log "imported debian:12 and debian:12-slim: $(dk_seconds_since "$t0") s"
  # The engine must run a container before anything else is tried.
  docker run --rm debian:12 true 2>"$DK_WORK/run.err" ||
    fail "this machine cannot run containers: docker run debian:12 true: $(cat "$DK_WORK/run.err")"
}

# ---- the end ------------------------------------------------------------------------
dk_stop_pid() {  # dk_stop_pid PID WHAT SECONDS: TERM, then KILL after SECONDS
  local pid=$1 what=$2 limit=$3
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 $((limit * 10))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "dockerd_lib: $what (pid $pid) ignored SIGTERM for ${limit}s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
}

dk_teardown() {
  local status=$? leftovers="" pid cg p m
  trap - ERR
  set +eE
  # The test's own clean-up first (e.g. compose down), while the engine runs.
  if declare -F dk_before_teardown >/dev/null; then
    dk_before_teardown "$status"
  fi
  if [ -n "$DK_DOCKERD_PID" ] && kill -0 "$DK_DOCKERD_PID" 2>/dev/null; then
    # Everything this engine holds was made by this run.
    local ids=()
    mapfile -t ids < <(docker ps -aq 2>/dev/null)
    [ "${#ids[@]}" -eq 0 ] || docker rm -f -v "${ids[@]}" >/dev/null 2>&1
    docker network prune -f >/dev/null 2>&1
    docker volume prune -f >/dev/null 2>&1
    mapfile -t ids < <(docker images -aq 2>/dev/null | sort -u)
    [ "${#ids[@]}" -eq 0 ] || docker rmi -f "${ids[@]}" >/dev/null 2>&1
    docker builder prune -af >/dev/null 2>&1
    dk_stop_pid "$DK_DOCKERD_PID" dockerd 30
  fi
  # containerd and the shims die with dockerd; anything still in the
  # namespace was started by this run.
  if [ -n "$DK_NS" ]; then
    for pid in $(ip netns pids "$DK_NS" 2>/dev/null); do
      echo "dockerd_lib: pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) outlived dockerd; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
    done
  fi
  if [ -n "$DK_SOCAT_PID" ]; then
    # The forwarder's children serve one connection each.
    for pid in $(pgrep -P "$DK_SOCAT_PID" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
    dk_stop_pid "$DK_SOCAT_PID" socat 5
    wait "$DK_SOCAT_PID" 2>/dev/null
  fi
  [ -z "$DK_VETH" ] || ip link del "$DK_VETH" 2>/dev/null
  [ -z "$DK_NS" ] || ip netns del "$DK_NS" 2>/dev/null
  for cg in /sys/fs/cgroup/*/"$DK_CGROUP"; do
    [ -d "$cg" ] && rmdir "$cg" 2>/dev/null
  done
  for p in "${DK_CREATED[@]:-}"; do
    [ -n "$p" ] || continue
    if [ -d "$p" ]; then
      find "$p" -depth -type d -empty -delete 2>/dev/null
    else
      rm -f "$p"
    fi
  done
  if [ -n "$DK_WORK" ]; then
    # debootstrap mounts /proc and /sys in its target while it runs.
    for m in $(findmnt -rn -o TARGET | grep -F "$DK_WORK/" | sort -r); do
      umount -l "$m" 2>/dev/null
    done
    if [ "$status" -ne 0 ] || [ "${DK_KEEP_LOGS:-0}" = 1 ]; then
      [ -f "$DK_WORK/dockerd.log" ] && {
        echo "--- dockerd.log (last 30 lines)" >&2
        grep -v 'level=info' "$DK_WORK/dockerd.log" | tail -n 30 >&2
      }
    fi
    rm -rf "$DK_WORK"
  fi

  # Nothing may be left on the host: compare with the state before.
  if [ -n "$DK_BEFORE" ]; then
    local after
    for _ in $(seq 1 50); do  # a deleted namespace's links go asynchronously
      after=$(dk_host_state)
      [ "$after" = "$DK_BEFORE" ] && break
      sleep 0.2
    done
    if [ "$after" != "$DK_BEFORE" ]; then
      leftovers=$(diff <(echo "$DK_BEFORE") <(echo "$after") | grep '^[<>]')
    fi
  fi
  [ -z "$DK_WORK" ] || ! findmnt -rn -o TARGET | grep -F "$DK_WORK" >/dev/null ||
    leftovers+=$'\n'"mounts under $DK_WORK"
  [ -z "$DK_DOCKERD_PID" ] || ! kill -0 "$DK_DOCKERD_PID" 2>/dev/null ||
    leftovers+=$'\n'"dockerd (pid $DK_DOCKERD_PID) still runs"
  if [ -n "$leftovers" ]; then
    echo "FAIL: the host changed while this test ran (another test or engineer" \
      "may have changed it too):" >&2
    echo "$leftovers" >&2
    [ "$status" -ne 0 ] || status=1
  elif [ -n "$DK_BEFORE" ]; then
    dk_log "engine stopped; no interface, address, route, netns, iptables rule or mount left"
  fi
  exit "$status"
}
