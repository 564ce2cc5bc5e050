#!/usr/bin/env bash
# Static check of deploy/docker-compose.yml (no Docker engine needed; the
# cluster itself is run by compose_run_test.sh): `docker-compose config`
# must accept it, and the rendered configuration must have a coordinator
# whose health check asks it for its status over CURVE, workers with a
# health check that scale (no fixed host port, no container_name), the logs
# mounted read-only on the workers (their --data-root), a client that does
# not mount them and submits with --remote to coordinator:5556, named in
# its environment (LOGSWEEP_COORDINATOR), CurveZMQ on (every key, given by
# flag or environment variable, names a file mounted read-only from
# KEYS_DIR, and each secret key is mounted only into the service it belongs
# to), and the image tagged with the project's version.
#
# usage: compose_test.sh BIN_DIR [COMPOSE_FILE]
# BIN_DIR is unused (ctest passes it to every test); COMPOSE_FILE defaults to
# deploy/docker-compose.yml and lets a scratch copy be checked.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COMPOSE=${2:-$ROOT/deploy/docker-compose.yml}
PYTHON=/usr/bin/python3   # not a pyenv shim: python3-yaml is Debian's

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

command -v docker-compose >/dev/null ||
  fail "docker-compose not found (Debian package docker-compose; deploy/setup.sh installs it)"
"$PYTHON" -c 'import yaml' 2>/dev/null ||
  fail "$PYTHON cannot import yaml (Debian package python3-yaml)"
[ -f "$COMPOSE" ] || fail "no compose file at $COMPOSE"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/logsweep-compose-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Only the variables the file uses, so the caller's environment cannot change
# the outcome.
run_config() {
  env -u LOGS_DIR -u WORKER_THREADS -u LOGSWEEP_IMAGE -u KEYS_DIR "$@"
}
run_config docker-compose -f "$COMPOSE" config -q 2>"$WORK/q.err" ||
  fail "docker-compose config -q rejected $COMPOSE: $(cat "$WORK/q.err")"
run_config docker-compose -f "$COMPOSE" config >"$WORK/default.yml" 2>"$WORK/err" ||
  fail "docker-compose config: $(cat "$WORK/err")"
run_config LOGS_DIR=/srv/logsweep-test-logs \
  docker-compose -f "$COMPOSE" config >"$WORK/logsdir.yml" 2>"$WORK/err" ||
  fail "docker-compose config with LOGS_DIR: $(cat "$WORK/err")"

VERSION=$(sed -n 's/^project(logsweep VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
[ -n "$VERSION" ] || fail "no project(logsweep VERSION ...) in $ROOT/CMakeLists.txt"

"$PYTHON" - "$WORK/default.yml" "$WORK/logsdir.yml" "$(dirname "$COMPOSE")" "$VERSION" <<'PY'
import os, shlex, sys, yaml

default_path, logsdir_path, compose_dir, version = sys.argv[1:5]
errors = []

def check(cond, msg):
    if not cond:
        errors.append(msg)
    return cond

def load(path):
    with open(path) as f:
        return yaml.safe_load(f)

def argv(service):
    cmd = service.get("command")
    if cmd is None:
        return []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]

def flag(args, name):
    """Value of --name=V or --name V, or None."""
    for i, a in enumerate(args):
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
        if a == name and i + 1 < len(args):
            return args[i + 1]
    return None

def logs_mount(service):
    """(source, read_only) of the volume mounted at /logs, or None."""
    for v in service.get("volumes") or []:
        if isinstance(v, str):
            parts = v.split(":")
            if len(parts) >= 2 and parts[1] == "/logs":
                mode = parts[2].split(",") if len(parts) > 2 else []
                return parts[0], "ro" in mode
        elif isinstance(v, dict) and v.get("target") == "/logs":
            return v.get("source"), bool(v.get("read_only"))
    return None

for label, path, want_source in (
        ("default", default_path, os.path.join(os.path.abspath(compose_dir), "logs")),
        ("LOGS_DIR=/srv/logsweep-test-logs", logsdir_path, "/srv/logsweep-test-logs")):
    cfg = load(path)
    services = cfg.get("services") or {}
    for name in ("coordinator", "worker", "client"):
        check(name in services, f"{label}: no service '{name}'")
    if errors:
        break
    coord, worker, client = (services[n] for n in ("coordinator", "worker", "client"))

    # Coordinator: binds both ports, reachable on 5555 by workers, health check.
    cargs = argv(coord)
    check(cargs[:1] == ["logsweep-coordinator"], f"{label}: coordinator command {cargs}")
    check((flag(cargs, "--workers-endpoint") or "").endswith(":5555"),
          f"{label}: coordinator --workers-endpoint is not port 5555: {cargs}")
    check((flag(cargs, "--clients-endpoint") or "").endswith(":5556"),
          f"{label}: coordinator --clients-endpoint is not port 5556: {cargs}")
    exposed = {str(p).split("/")[0] for p in coord.get("expose") or []}
    published = {str(p.get("target") if isinstance(p, dict) else p).split(":")[-1].split("/")[0]
                 for p in coord.get("ports") or []}
    check("5555" in exposed | published, f"{label}: coordinator does not expose 5555")
    check("5556" in exposed | published, f"{label}: coordinator does not expose 5556")
    hc = coord.get("healthcheck") or {}
    test = hc.get("test")
    test_text = " ".join(test) if isinstance(test, list) else str(test or "")
    check(bool(test) and not hc.get("disable"), f"{label}: coordinator has no health check")
    # Healthy means answering a client: `logsweep status` on the clients port,
    # with a key the coordinator admits there.
    hc_args = shlex.split(test_text.replace("&&", " && "))
    check("logsweep" in hc_args and "status" in hc_args and
          flag(hc_args, "--coordinator") == "tcp://127.0.0.1:5556",
          f"{label}: coordinator health check is not `logsweep status "
          f"--coordinator=tcp://127.0.0.1:5556`: {test_text!r}")
    hc_server_key, hc_key = flag(hc_args, "--curve-server-key"), flag(hc_args, "--curve-key")
    if check(hc_server_key and hc_key, f"{label}: coordinator health check has no CURVE keys: {test_text!r}"):
        coord_targets = {(v.split(":")[1] if isinstance(v, str) else v.get("target")): v
                         for v in coord.get("volumes") or []}
        hc_key_file = hc_key if hc_key.endswith(".key") else hc_key + ".key"
        check(hc_key_file in coord_targets and hc_server_key in coord_targets,
              f"{label}: coordinator health check names unmounted keys {hc_key_file}, {hc_server_key}")
        hc_auth = flag(cargs, "--authorized-keys") or ""
        authorised = [t for t in coord_targets
                      if t and t.startswith(hc_auth.rstrip("/") + "/clients/")]
        base = os.path.basename(hc_key_file)[:-len(".key")]
        check(any(os.path.basename(t) == base + ".pub" for t in authorised),
              f"{label}: the health check's key {base} is not authorised for clients "
              f"({authorised}): `logsweep status` would be refused")
    whc = worker.get("healthcheck") or {}
    wtest = whc.get("test")
    wtest_text = " ".join(wtest[1:]) if isinstance(wtest, list) else str(wtest or "")
    check(bool(wtest) and not whc.get("disable") and
          wtest_text.strip() not in ("true", "/bin/true", "exit 0", "kill -0 1",
                                     "/bin/sh -c kill -0 1", "/bin/sh -c true"),
          f"{label}: worker has no real health check: {wtest!r}")

    # The durable journal, when asked for, must be on a writable volume that
    # outlives the container, and SQLite needs a writable /tmp when the root
    # filesystem is read-only.
    state = flag(cargs, "--state")
    if state is not None:
        vols = [v for v in coord.get("volumes") or []]
        def target(v):
            return v.get("target") if isinstance(v, dict) else v.split(":")[1]
        on = [v for v in vols if target(v) == state]
        if check(on, f"{label}: coordinator --state {state} is not a mounted volume: "
                 "the journal would die with the container"):
            v = on[0]
            ro = v.get("read_only") if isinstance(v, dict) else v.endswith(":ro")
            check(not ro, f"{label}: coordinator --state volume is read-only")
    for name, svc in services.items():
        if svc.get("read_only"):
            tmpfs = svc.get("tmpfs") or []
            tmpfs = [tmpfs] if isinstance(tmpfs, str) else tmpfs
            tmp = [t for t in tmpfs if str(t).split(":")[0] == "/tmp"]
            check(tmp, f"{label}: {name} has a read-only root but no tmpfs at /tmp")

    # Workers scale: no fixed host port, no fixed container name.
    check(not worker.get("ports"), f"{label}: worker publishes host ports {worker.get('ports')}: "
          "`--scale worker=N` would collide")
    check("container_name" not in worker, f"{label}: worker has container_name: cannot scale")
    wargs = argv(worker)
    check(wargs[:1] == ["logsweep-worker"], f"{label}: worker command {wargs}")
    check(flag(wargs, "--coordinator") == "tcp://coordinator:5555",
          f"{label}: worker --coordinator is {flag(wargs, '--coordinator')!r}, "
          "want tcp://coordinator:5555")
    check("coordinator" in (worker.get("depends_on") or {}), f"{label}: worker does not depend on coordinator")

    # Client: one job against the clients port, its paths expanded by a
    # worker (--remote); the endpoint and keys by flag or environment.
    largs = argv(client)
    lenv = client.get("environment") or {}
    if isinstance(lenv, list):
        lenv = dict(e.split("=", 1) for e in lenv)
    def client_setting(flag_name, env_name):
        return flag(largs, flag_name) or lenv.get(env_name)
    check(largs[:2] == ["logsweep", "submit"], f"{label}: client command {largs}")
    endpoint = client_setting("--coordinator", "LOGSWEEP_COORDINATOR")
    check(endpoint == "tcp://coordinator:5556",
          f"{label}: client's coordinator is {endpoint!r}, want tcp://coordinator:5556")
    check("--remote" in largs[2:], f"{label}: client does not submit with --remote: {largs}")
    check(largs[-1] in (".", "/logs"), f"{label}: client does not submit the data root: {largs}")
    dep = (client.get("depends_on") or {}).get("coordinator")
    check(isinstance(dep, dict) and dep.get("condition") == "service_healthy",
          f"{label}: client does not wait for a healthy coordinator: {dep}")
    check(str(client.get("restart", "no")) in ("no", "False", "false"),
          f"{label}: one-shot client must not restart: {client.get('restart')}")
    check(not client.get("ports"), f"{label}: client publishes ports")

    # Logs: read-only at /logs on the workers only (the client's --remote
    # paths are expanded by a worker).
    check(logs_mount(client) is None, f"{label}: the client mounts /logs (it uses --remote)")
    for name, svc in (("worker", worker),):
        m = logs_mount(svc)
        if check(m is not None, f"{label}: {name} has no volume at /logs"):
            check(m[1], f"{label}: {name}'s /logs mount is not read-only")
            check(m[0] == want_source, f"{label}: {name}'s /logs comes from {m[0]!r}, want {want_source!r}")
    check(logs_mount(coord) is None or logs_mount(coord)[1],
          f"{label}: coordinator mounts /logs writable")

    # CURVE: on everywhere, each key flag backed by a read-only file mount
    # from KEYS_DIR (default ./keys next to the compose file).
    keys_dir = os.path.join(os.path.abspath(compose_dir), "keys")
    def mounts(service):
        """{target: (source, read_only)} of bind mounts."""
        out = {}
        for v in service.get("volumes") or []:
            if isinstance(v, str):
                parts = v.split(":")
                if len(parts) >= 2:
                    out[parts[1]] = (parts[0], len(parts) > 2 and "ro" in parts[2].split(","))
            elif isinstance(v, dict):
                out[v.get("target")] = (v.get("source"), bool(v.get("read_only")))
        return out
    def key_file(name, service, path, want_basename):
        m = mounts(service).get(path)
        if check(m is not None, f"{label}: {name}: key file {path} is not mounted"):
            check(m[1], f"{label}: {name}: key mount {path} is not read-only")
            check(m[0] == os.path.join(keys_dir, want_basename),
                  f"{label}: {name}: {path} comes from {m[0]!r}, want {keys_dir}/{want_basename}")
    secret = flag(cargs, "--curve-secret")
    auth = flag(cargs, "--authorized-keys")
    if check(secret and auth, f"{label}: coordinator runs without CURVE (--curve-secret, --authorized-keys): {cargs}"):
        key_file("coordinator", coord, secret, "coordinator.key")
        key_file("coordinator", coord, auth.rstrip("/") + "/workers/worker.pub", "worker.pub")
        key_file("coordinator", coord, auth.rstrip("/") + "/clients/client.pub", "client.pub")
    for name, svc, args, own in (("worker", worker, wargs, "worker.key"),
                                 ("client", client, largs, "client.key")):
        env = lenv if name == "client" else {}
        server_key = flag(args, "--curve-server-key") or env.get("LOGSWEEP_CURVE_SERVER_KEY")
        own_key = flag(args, "--curve-key") or env.get("LOGSWEEP_CURVE_KEY")
        if check(server_key and own_key, f"{label}: {name} runs without CURVE keys: {args}"):
            key_file(name, svc, server_key, "coordinator.pub")
            key_file(name, svc, own_key if own_key.endswith(".key") else own_key + ".key", own)
    for name, svc in services.items():
        for target, (source, _) in mounts(svc).items():
            base = os.path.basename(str(source))
            if base.endswith(".key"):
                check(base == f"{name}.key",
                      f"{label}: {name} mounts another role's secret key {source}")
    check(flag(wargs, "--data-root") == "/logs",
          f"{label}: worker is not confined to the logs (--data-root=/logs): {wargs}")

    images = {n: s.get("image") for n, s in services.items()}
    check(len(set(images.values())) == 1 and None not in images.values(),
          f"{label}: services should share one image: {images}")
    check(set(images.values()) == {f"logsweep:{version}"},
          f"{label}: services use {set(images.values())}, want logsweep:{version} "
          "(project(VERSION) in CMakeLists.txt; the image is tagged with it)")

for e in errors:
    print("FAIL:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
echo "PASS compose"
