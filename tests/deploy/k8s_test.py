#!/usr/bin/python3
"""Static checks of deploy/k8s/*.yaml, deploy/Dockerfile and .dockerignore.

No cluster and no Docker engine are needed: every manifest is parsed and the
pieces are cross-checked against each other the way a cluster would wire them
(selectors to pod labels, Service ports to container ports to the endpoints
in the command lines, the PVC to the volumes, the image's user to the pods'
securityContext).

usage: k8s_test.py [BIN_DIR] [--k8s-dir DIR] [--dockerfile FILE]
BIN_DIR is ignored (ctest passes it to every test); the options let a scratch
copy be checked. Run with /usr/bin/python3 (Debian's, which has python3-yaml).
"""

import argparse
import glob
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LABEL_NAME = "app.kubernetes.io/name"
LABEL_COMPONENT = "app.kubernetes.io/component"
BINARIES = ["logsweep", "logsweep-coordinator", "logsweep-worker",
            "logsweep-gencorpus"]
# In debian:12-slim already (apt itself needs them).
SLIM_BASE_PACKAGES = {"libc6", "libstdc++6", "libgcc-s1"}
# Sanitizer runtimes appear only in the ASan/TSan test builds.
SANITIZER_LIBS = re.compile(r"^lib(asan|ubsan|tsan|lsan|clang_rt)")
# Probe commands must exist in debian:12-slim.
SLIM_MISSING = {"pgrep", "pidof", "curl", "wget", "nc", "ncat", "ss",
                "netstat", "ps"}

# Field names allowed at the levels these manifests use (from the Kubernetes
# API reference; no schema is available offline). A typo such as
# `readinesProbe` or a field at the wrong level would be silently dropped by
# a lenient client, so it fails here.
KNOWN_FIELDS = {
    "object": {"apiVersion", "kind", "metadata", "spec"},
    "metadata": {"name", "labels", "annotations", "generateName"},
    "Deployment.spec": {"replicas", "selector", "template", "strategy",
                        "minReadySeconds", "revisionHistoryLimit",
                        "progressDeadlineSeconds", "paused"},
    "Job.spec": {"backoffLimit", "ttlSecondsAfterFinished", "template",
                 "podFailurePolicy", "activeDeadlineSeconds", "completions",
                 "parallelism", "completionMode", "suspend", "selector",
                 "manualSelector", "backoffLimitPerIndex", "maxFailedIndexes",
                 "podReplacementPolicy"},
    "Service.spec": {"type", "selector", "ports", "clusterIP",
                     "sessionAffinity", "publishNotReadyAddresses",
                     "internalTrafficPolicy"},
    "PersistentVolumeClaim.spec": {"accessModes", "resources",
                                   "storageClassName", "volumeName",
                                   "volumeMode", "selector", "dataSource"},
    "template": {"metadata", "spec"},
    "pod": {"containers", "initContainers", "volumes", "restartPolicy",
            "securityContext", "enableServiceLinks", "serviceAccountName",
            "terminationGracePeriodSeconds", "nodeSelector", "affinity",
            "tolerations", "automountServiceAccountToken",
            "topologySpreadConstraints", "priorityClassName"},
    "container": {"name", "image", "imagePullPolicy", "command", "args",
                  "env", "envFrom", "ports", "volumeMounts", "resources",
                  "livenessProbe", "readinessProbe", "startupProbe",
                  "securityContext", "workingDir", "lifecycle"},
}

errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)
    return bool(cond)


def flag(args, name):
    """Value of `--name=V` or `--name V` in an argv list, or None."""
    for i, a in enumerate(args):
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
        if a == name and i + 1 < len(args):
            return args[i + 1]
    return None


def endpoint(value):
    """tcp://HOST:PORT -> (HOST, PORT) or None."""
    m = re.fullmatch(r"tcp://([^:/]+):(\d+)", value or "")
    return (m.group(1), int(m.group(2))) if m else None


def load_manifests(k8s_dir):
    docs = []
    files = sorted(glob.glob(os.path.join(k8s_dir, "*.yaml")) +
                   glob.glob(os.path.join(k8s_dir, "*.yml")))
    check(files, f"no manifests in {k8s_dir}")
    for path in files:
        try:
            with open(path) as f:
                for doc in yaml.safe_load_all(f):
                    if doc is None:
                        continue
                    if check(isinstance(doc, dict) and "kind" in doc
                             and "apiVersion" in doc
                             and "name" in (doc.get("metadata") or {}),
                             f"{path}: a document without kind/apiVersion/metadata.name"):
                        docs.append((os.path.basename(path), doc))
        except yaml.YAMLError as e:
            check(False, f"{path}: not valid YAML: {e}")
    return docs


def pod_spec(obj):
    return obj["spec"]["template"]["spec"]


def containers(obj, init=False):
    spec = pod_spec(obj)
    return list(spec.get("containers") or []) + (
        list(spec.get("initContainers") or []) if init else [])


# The client reads these when the flag is absent (`logsweep --help`).
CLIENT_ENV_FLAGS = {"LOGSWEEP_COORDINATOR": "--coordinator",
                    "LOGSWEEP_CURVE_SERVER_KEY": "--curve-server-key",
                    "LOGSWEEP_CURVE_KEY": "--curve-key"}


def argv(container):
    """The container's command line; for `logsweep`, the client settings
    its environment gives (LOGSWEEP_COORDINATOR...) are added as the flags
    they stand for when those flags are absent, as the client reads them."""
    args = [str(a) for a in (container.get("command") or []) +
            (container.get("args") or [])]
    if args[:1] == ["logsweep"]:
        for e in container.get("env") or []:
            name = CLIENT_ENV_FLAGS.get(e.get("name"))
            if name and flag(args, name) is None and "value" in e:
                args.append(f"{name}={e['value']}")
    return args


def check_manifests(k8s_dir):
    docs = load_manifests(k8s_dir)
    by_kind = {}
    for fname, d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
        meta = d["metadata"]
        where = f"{fname}: {d['kind']} {meta['name']}"
        check("namespace" not in meta, f"{where}: sets a namespace (manifests are namespace-less)")
        labels = meta.get("labels") or {}
        check(labels.get(LABEL_NAME) == "logsweep", f"{where}: label {LABEL_NAME} is not logsweep")
        check(LABEL_COMPONENT in labels, f"{where}: no {LABEL_COMPONENT} label")

    def known(where, obj, level):
        if isinstance(obj, dict):
            extra = set(obj) - KNOWN_FIELDS[level]
            check(not extra, f"{where}: unknown field(s) {sorted(extra)} in {level}")

    for fname, d in docs:
        where = f"{fname}: {d['kind']} {d['metadata']['name']}"
        known(where, d, "object")
        known(where, d["metadata"], "metadata")
        spec_level = f"{d['kind']}.spec"
        if spec_level in KNOWN_FIELDS:
            known(where, d.get("spec"), spec_level)
        tmpl = (d.get("spec") or {}).get("template")
        if isinstance(tmpl, dict):
            known(where, tmpl, "template")
            known(where, tmpl.get("metadata"), "metadata")
            known(where, tmpl.get("spec"), "pod")
            for c in ((tmpl.get("spec") or {}).get("containers") or []) + \
                    ((tmpl.get("spec") or {}).get("initContainers") or []):
                known(f"{where} container {c.get('name')}", c, "container")

    def one(kind, component):
        found = [d for d in by_kind.get(kind, [])
                 if (d["metadata"].get("labels") or {}).get(LABEL_COMPONENT) == component]
        check(len(found) == 1, f"want exactly one {kind} for component {component}, found {len(found)}")
        return found[0] if found else None

    coord = one("Deployment", "coordinator")
    svc = one("Service", "coordinator")
    worker = one("Deployment", "worker")
    job = one("Job", "client")
    pvcs = {d["metadata"]["name"]: d for d in by_kind.get("PersistentVolumeClaim", [])}
    check("logsweep-logs" in pvcs, f"no PersistentVolumeClaim logsweep-logs (have {sorted(pvcs)})")
    if errors:
        return
    pvc = pvcs["logsweep-logs"]
    check("ReadOnlyMany" in (pvc["spec"].get("accessModes") or []),
          "PVC logsweep-logs is not ReadOnlyMany: many workers on many nodes mount it")
    for fname, d in docs:
        if d["kind"] in ("Deployment", "Job"):
            for v in pod_spec(d).get("volumes") or []:
                claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
                check(claim is None or claim in pvcs,
                      f"{fname}: {d['metadata']['name']} claims PVC {claim!r}, which no manifest defines")

    workloads = {"coordinator": coord, "worker": worker, "client": job}
    images = set()
    pod_labels = {}
    for component, obj in workloads.items():
        where = f"{obj['kind']} {obj['metadata']['name']}"
        tmpl_labels = obj["spec"]["template"]["metadata"].get("labels") or {}
        pod_labels[component] = tmpl_labels
        check(tmpl_labels.get(LABEL_NAME) == "logsweep" and
              tmpl_labels.get(LABEL_COMPONENT) == component,
              f"{where}: pod labels {tmpl_labels} lack name=logsweep, component={component}")
        if obj["kind"] == "Deployment":
            sel = (obj["spec"].get("selector") or {}).get("matchLabels") or {}
            check(sel and all(tmpl_labels.get(k) == v for k, v in sel.items()),
                  f"{where}: selector {sel} does not match pod labels {tmpl_labels}")
            check(sel.get(LABEL_COMPONENT) == component,
                  f"{where}: selector does not pin component={component}; it could adopt other pods")
        spec = pod_spec(obj)
        sc = spec.get("securityContext") or {}
        check(sc.get("runAsNonRoot") is True, f"{where}: pod securityContext.runAsNonRoot is not true")
        for c in containers(obj, init=True):
            cw = f"{where} container {c.get('name')}"
            images.add(c.get("image"))
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    check(r in (res.get(part) or {}), f"{cw}: no resources.{part}.{r}")
            csc = c.get("securityContext") or {}
            check(csc.get("allowPrivilegeEscalation") is False,
                  f"{cw}: allowPrivilegeEscalation is not false")
            for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
                probe = c.get(probe_name)
                if probe and "exec" in probe:
                    cmd = probe["exec"].get("command") or []
                    words = set(re.split(r"[\s;&|()]+", " ".join(cmd)))
                    check(not (words & SLIM_MISSING),
                          f"{cw}: {probe_name} uses {sorted(words & SLIM_MISSING)}, "
                          "not in debian:12-slim")
    check(len(images) == 1, f"containers use different images: {sorted(map(str, images))}")
    version = project_version()
    for image in images:
        check(str(image).rsplit("/", 1)[-1] == f"logsweep:{version}",
              f"containers use image {image}, want logsweep:{version} (project(VERSION) "
              "in CMakeLists.txt; the image is tagged with it)")

    # Coordinator: one replica, never two at once, probes on its ports.
    check(coord["spec"].get("replicas") == 1, "coordinator replicas is not 1")
    check((coord["spec"].get("strategy") or {}).get("type") == "Recreate",
          "coordinator strategy is not Recreate: a rollout would run two coordinators")
    ccs = containers(coord)
    check(len(ccs) == 1, "coordinator pod should have one container")
    cc = ccs[0]
    cargs = argv(cc)
    check(cargs[:1] == ["logsweep-coordinator"], f"coordinator command is {cargs[:1]}")
    ports_by_name = {p.get("name"): p["containerPort"] for p in cc.get("ports") or []}
    port_numbers = set(ports_by_name.values())
    bound = {}
    for role, opt in (("workers", "--workers-endpoint"), ("clients", "--clients-endpoint")):
        ep = endpoint(flag(cargs, opt))
        if check(ep, f"coordinator {opt} is {flag(cargs, opt)!r}, want tcp://*:PORT"):
            check(ep[0] in ("*", "0.0.0.0"),
                  f"coordinator {opt} binds {ep[0]}: the Service cannot reach it")
            bound[role] = ep[1]
            check(ports_by_name.get(role) == ep[1],
                  f"coordinator containerPort {role}={ports_by_name.get(role)} but {opt} binds {ep[1]}")

    def resolve(port_ref):
        if isinstance(port_ref, int):
            return port_ref if port_ref in port_numbers else None
        return ports_by_name.get(port_ref)

    for probe_name in ("livenessProbe", "readinessProbe"):
        probe = cc.get(probe_name)
        if check(probe, f"coordinator has no {probe_name}"):
            tcp = probe.get("tcpSocket")
            if check(tcp, f"coordinator {probe_name} is not a tcpSocket probe"):
                check(resolve(tcp.get("port")) in bound.values(),
                      f"coordinator {probe_name} probes port {tcp.get('port')!r}, "
                      f"not one the coordinator binds ({bound})")

    # Service: selects the coordinator and only it; ports line up.
    sel = svc["spec"].get("selector") or {}
    svc_name = svc["metadata"]["name"]
    matches = [c for c, lbl in pod_labels.items()
               if sel and all(lbl.get(k) == v for k, v in sel.items())]
    check(matches == ["coordinator"], f"Service selector {sel} selects pods of {matches}, want [coordinator]")
    svc_ports = {}
    for p in svc["spec"].get("ports") or []:
        target = resolve(p.get("targetPort", p.get("port")))
        check(target is not None,
              f"Service port {p.get('name')}: targetPort {p.get('targetPort')!r} is no coordinator port")
        svc_ports[p.get("name")] = (p["port"], target)
    for role, want in (("workers", 5555), ("clients", 5556)):
        if check(role in svc_ports, f"Service has no port named {role}"):
            port, target = svc_ports[role]
            check(port == want, f"Service port {role} is {port}, want {want}")
            check(target == bound.get(role),
                  f"Service port {role} targets {target}, coordinator binds {bound.get(role)}")

    def check_connect(obj, role):
        where = f"{obj['kind']} {obj['metadata']['name']}"
        main = [c for c in containers(obj)]
        check(len(main) == 1, f"{where}: want one container")
        ep = endpoint(flag(argv(main[0]), "--coordinator"))
        if check(ep, f"{where}: --coordinator is not tcp://HOST:PORT: {argv(main[0])}"):
            host = ep[0].split(".")[0]
            check(host == svc_name, f"{where}: connects to host {ep[0]}, Service is {svc_name}")
            check(role in svc_ports and ep[1] == svc_ports[role][0],
                  f"{where}: connects to port {ep[1]}, Service's {role} port is "
                  f"{svc_ports.get(role, (None,))[0]}")
        return main[0]

    wc = check_connect(worker, "workers")
    check(argv(wc)[:1] == ["logsweep-worker"], f"worker command is {argv(wc)[:1]}")
    check(worker["spec"].get("replicas") == 2, f"worker replicas is {worker['spec'].get('replicas')}, want 2")
    check(wc.get("livenessProbe"), "worker has no livenessProbe")
    jc = check_connect(job, "clients")
    check(argv(jc)[:2] == ["logsweep", "submit"], f"client command is {argv(jc)[:2]}")
    check(pod_spec(job).get("restartPolicy") in ("Never", "OnFailure"),
          "client Job restartPolicy must be Never or OnFailure")

    # Logs: the PVC, read-only at every level, on the workers only: the
    # client submits with --remote, so a worker expands its paths under
    # its --data-root (the logs mount) and the client never reads them.
    mount_paths = {}
    for component in ("worker",):
        obj = workloads[component]
        where = f"{obj['kind']} {obj['metadata']['name']}"
        vols = {v["name"]: v for v in pod_spec(obj).get("volumes") or []}
        claims = {n: v["persistentVolumeClaim"] for n, v in vols.items() if "persistentVolumeClaim" in v}
        check(claims, f"{where}: no PVC volume")
        for n, claim in claims.items():
            check(claim.get("claimName") == pvc["metadata"]["name"],
                  f"{where}: volume {n} claims {claim.get('claimName')!r}, PVC is {pvc['metadata']['name']!r}")
            check(claim.get("readOnly") is True, f"{where}: volume {n} is not readOnly")
        main = containers(obj)[0]
        mounts = [m for m in main.get("volumeMounts") or [] if m.get("name") in claims]
        check(mounts, f"{where}: logs volume is not mounted")
        for m in mounts:
            check(m.get("readOnly") is True, f"{where}: mount {m.get('mountPath')} is not readOnly")
            mount_paths[component] = m.get("mountPath")
        for m in main.get("volumeMounts") or []:
            check(m.get("name") in vols, f"{where}: mount of undefined volume {m.get('name')}")
    for m in jc.get("volumeMounts") or []:
        check(m.get("name") in {v["name"] for v in pod_spec(job).get("volumes") or []},
              f"client: mount of undefined volume {m.get('name')}")
    check(not any((v.get("persistentVolumeClaim") or {}).get("claimName") == pvc["metadata"]["name"]
                  for v in pod_spec(job).get("volumes") or []),
          "the client Job mounts the logs: with --remote it never reads them")
    check("--remote" in argv(jc)[2:], f"the client does not submit with --remote: {argv(jc)}")
    logs = mount_paths.get("worker")
    data_root = flag(argv(wc), "--data-root")
    check(logs and data_root == logs,
          f"the workers' --data-root {data_root!r} is not their logs mount {logs!r}")
    paths = [a for a in argv(jc)[2:] if not a.startswith("-")]
    check(paths and all(not p.startswith("/") or p == logs or p.startswith(logs.rstrip("/") + "/")
                        for p in paths),
          f"client submits paths outside the workers' logs mount {logs}: {argv(jc)}")
    check(not any((v.get("persistentVolumeClaim") or {}).get("claimName") == pvc["metadata"]["name"]
                  for v in pod_spec(coord).get("volumes") or []),
          "coordinator mounts the logs, which it never reads")

    # The durable journal: on a writable PersistentVolumeClaim (an emptyDir
    # or the container's filesystem would lose it with the pod), one writer,
    # writable by the pod's user; SQLite needs a writable /tmp.
    state = flag(cargs, "--state")
    if state is not None:
        vols = {v["name"]: v for v in pod_spec(coord).get("volumes") or []}
        mounts = {m["mountPath"].rstrip("/"): m for m in cc.get("volumeMounts") or []}
        m = mounts.get(state.rstrip("/"))
        if check(m, f"coordinator --state {state} is not a volume mount: the journal dies with the pod"):
            check(not m.get("readOnly"), f"coordinator --state mount {state} is read-only")
            claim = (vols.get(m["name"], {}).get("persistentVolumeClaim") or {}).get("claimName")
            if check(claim in pvcs, f"coordinator --state {state} is not on a PersistentVolumeClaim"):
                modes = pvcs[claim]["spec"].get("accessModes") or []
                check(set(modes) & {"ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"},
                      f"PVC {claim} for the coordinator's journal is not writable: {modes}")
        psc = pod_spec(coord).get("securityContext") or {}
        check(psc.get("fsGroup") is not None,
              "coordinator has --state but no fsGroup: uid 10001 cannot write a fresh volume")
        if (cc.get("securityContext") or {}).get("readOnlyRootFilesystem"):
            check("/tmp" in mounts and not mounts["/tmp"].get("readOnly"),
                  "coordinator has a read-only root and --state but no writable /tmp for SQLite")

    check_curve(workloads, cargs, argv(wc), argv(jc))

    # The image's numeric user must be the one the pods run as.
    return {c: (pod_spec(o).get("securityContext") or {}).get("runAsUser") for c, o in workloads.items()}


def secret_file(obj, path):
    """Where PATH (a file or directory in the main container) comes from:
    (secretName, [item paths under it], defaultMode), or None when PATH is
    not under a Secret volume mount."""
    main = containers(obj)[0]
    vols = {v["name"]: v for v in pod_spec(obj).get("volumes") or []}
    for m in main.get("volumeMounts") or []:
        root = m["mountPath"].rstrip("/") + "/"
        if not path.startswith(root):
            continue
        secret = (vols.get(m["name"]) or {}).get("secret")
        if not secret:
            return None
        rel = path[len(root):]
        items = [i["path"] for i in secret.get("items") or []]
        under = [i for i in items if i == rel or i.startswith(rel.rstrip("/") + "/")]
        return secret.get("secretName"), under, secret.get("defaultMode", 0o644), m
    return None


def check_curve(workloads, cargs, wargs, jargs):
    """CurveZMQ is on for every component, each key flag names a file from a
    read-only Secret volume the pod user can read, and each pod gets only
    its own role's Secret (so only its own secret key)."""
    wanted = {
        "coordinator": (cargs, [("--curve-secret", "coordinator.key", False),
                                ("--authorized-keys", None, True)]),
        "worker": (wargs, [("--curve-server-key", "coordinator.pub", False),
                           ("--curve-key", "worker.key", False)]),
        "client": (jargs, [("--curve-server-key", "coordinator.pub", False),
                           ("--curve-key", "client.key", False)]),
    }
    for component, (args, flags) in wanted.items():
        obj = workloads[component]
        where = f"{obj['kind']} {obj['metadata']['name']}"
        for name, basename, is_dir in flags:
            value = flag(args, name)
            if not check(value, f"{where}: CURVE is off (no {name}): {args}"):
                continue
            if name == "--curve-key" and not value.endswith(".key"):
                value += ".key"
            found = secret_file(obj, value)
            if not check(found, f"{where}: {name} {value} is not in a Secret volume"):
                continue
            secret_name, items, mode, mount = found
            check(secret_name == f"logsweep-{component}-keys",
                  f"{where}: {name} comes from Secret {secret_name}, want logsweep-{component}-keys")
            check(mount.get("readOnly") is True, f"{where}: key mount {mount['mountPath']} is not readOnly")
            if is_dir:
                for role in ("workers", "clients"):
                    check(any(i.startswith(value.rstrip("/").split("/")[-1] + f"/{role}/")
                              or f"/{role}/" in "/" + i for i in items),
                          f"{where}: {name} {value} has no {role}/ keys in the Secret's items")
            else:
                check(items and os.path.basename(items[0]) == basename,
                      f"{where}: {name} {value} is not the Secret item {basename}")
            sc = pod_spec(obj).get("securityContext") or {}
            readable = (mode & 0o004) or ((mode & 0o040) and sc.get("fsGroup") == sc.get("runAsUser"))
            check(readable, f"{where}: Secret {secret_name} (mode {mode:o}) is not readable by uid "
                  f"{sc.get('runAsUser')}: make it 0440 with fsGroup")
            check(not (mode & 0o007) or not basename or not basename.endswith(".key"),
                  f"{where}: secret key readable by others (mode {mode:o})")
        # Only this role's secret key in the pod.
        for v in pod_spec(obj).get("volumes") or []:
            secret = v.get("secret")
            if not secret:
                continue
            for i in secret.get("items") or []:
                if i["key"].endswith(".key"):
                    check(i["key"] == f"{component}.key",
                          f"{where}: mounts another role's secret key {i['key']}")
            check(secret.get("items"), f"{where}: Secret {secret.get('secretName')} mounted "
                  "without items: every key in it would be visible")
    check(flag(wargs, "--data-root") == "/logs",
          f"worker is not confined to the logs (--data-root=/logs): {wargs}")


def dpkg_owner(path):
    """The Debian package that ships PATH (merged /usr: try both spellings)."""
    def spellings(p):
        if p.startswith("/usr/lib/"):
            return [p, p[len("/usr"):]]
        if p.startswith("/lib/"):
            return [p, "/usr" + p]
        return [p]
    # The name itself first: a -dev symlink resolves into the runtime package.
    cands = spellings(path) + spellings(os.path.realpath(path))
    for c in cands:
        r = subprocess.run(["dpkg-query", "-S", c], capture_output=True, text=True)
        if r.returncode == 0 and r.stdout:
            return r.stdout.splitlines()[0].split(":")[0].strip()
    return None


def dpkg_depends(package):
    """Names in PACKAGE's Depends (installed packages only), or an empty set."""
    r = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", package],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return set()
    return {re.split(r"[\s(:]", alt.strip())[0]
            for dep in r.stdout.split(",") for alt in dep.split("|") if alt.strip()}


def linked_libraries(bin_dir):
    """{soname: path} of the libraries the built binaries name in NEEDED."""
    libs = {}
    for b in BINARIES:
        path = os.path.join(bin_dir, b)
        if not check(os.access(path, os.X_OK), f"{path} missing: build first (the runtime "
                     "stage is checked against the binaries' shared libraries)"):
            continue
        elf = subprocess.run(["readelf", "-d", path], capture_output=True, text=True)
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", elf.stdout)
        ldd = subprocess.run(["ldd", path], capture_output=True, text=True)
        where = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd.stdout, re.M))
        check(needed, f"readelf found no NEEDED entries in {path}")
        for soname in needed:
            if SANITIZER_LIBS.match(soname):
                continue
            if check(soname in where, f"{b}: ldd cannot resolve {soname}"):
                libs[soname] = where[soname]
    return libs


def project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        m = re.search(r"project\(logsweep\s+VERSION\s+([0-9.]+)", f.read())
    check(m, "no project(logsweep VERSION ...) in CMakeLists.txt")
    return m.group(1) if m else None


# What each dependency CMake looks for comes from on Debian 12: the name in
# find_package(), pkg_check_modules(), find_library() or find_program() ->
# the packages that provide it. A new dependency fails this test until it is
# listed here, in the Dockerfile's build stage (if the image build reaches
# it) and in deploy/setup.sh.
CMAKE_DEPENDENCIES = {
    "Threads": [], "logsweep": [],
    "ZLIB": ["zlib1g-dev"], "zstd": ["libzstd-dev"], "LibLZMA": ["liblzma-dev"],
    "BZip2": ["libbz2-dev"], "Protobuf": ["libprotobuf-dev", "protobuf-compiler"],
    "cppzmq": ["cppzmq-dev", "libzmq3-dev"], "spdlog": ["libspdlog-dev"],
    "CLI11": ["libcli11-dev"], "nlohmann_json": ["nlohmann-json3-dev"],
    "SQLite3": ["libsqlite3-dev"], "PkgConfig": ["pkg-config"], "libisal": ["libisal-dev"],
    "GTest": ["libgtest-dev"], "benchmark": ["libbenchmark-dev"], "deflate": ["libdeflate-dev"],
    "help2man": ["help2man"], "cpp-httplib": ["libcpp-httplib-dev"], "re2": ["libre2-dev"],
}
CMAKE_LOOKUPS = [
    re.compile(r"\bfind_package\(\s*(\w+)"),
    re.compile(r"\bpkg_check_modules\(\s*\w+\s+(?:(?:REQUIRED|QUIET|IMPORTED_TARGET|GLOBAL)\s+)*([\w.+-]+)"),
    re.compile(r"\bfind_library\(\s*\w+\s+(?:NAMES\s+)?([\w.+-]+)"),
    re.compile(r"\bfind_program\(\s*\w+\s+(?:NAMES\s+)?([\w.+-]+)"),
]


def cmake_options(overrides):
    """{option: bool} from the top-level option() defaults and -DNAME=ON/OFF."""
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        text = f.read()
    opts = {n: v == "ON" for n, v in re.findall(r'option\((\w+)\s+"[^"]*"\s+(ON|OFF)\)', text)}
    for name, value in re.findall(r"-D(\w+)=(\w+)", overrides):
        if name in opts:
            opts[name] = value.upper() in ("ON", "1", "TRUE", "YES")
    return opts


def cmake_requirements(dirs, options):
    """(dependency, where) for every lookup a configure with OPTIONS reaches in
    DIRS' CMakeLists.txt, and (directory, where) of every add_subdirectory().
    An if() block is skipped when its condition names an option that is OFF
    (or NOT one that is ON); everything else counts, to be safe."""
    deps, subdirs = [], []
    for d in dirs:
        path = os.path.join(ROOT, d, "CMakeLists.txt")
        if not os.path.isfile(path):
            continue
        active = [True]
        with open(path) as f:
            lines = f.read().splitlines()
        for n, raw in enumerate(lines, 1):
            line = raw.split("#", 1)[0]
            where = f"{os.path.relpath(path, ROOT)}:{n}"
            m = re.match(r"\s*(if|elseif|else|endif)\s*\((.*)", line)
            if m:
                kw, cond = m.group(1), m.group(2)
                words = re.findall(r"\w+", cond)
                off = any(w in options and not options[w] and (i == 0 or words[i - 1] != "NOT")
                          for i, w in enumerate(words)) or \
                    any(w == "NOT" and i + 1 < len(words) and options.get(words[i + 1]) is True
                        for i, w in enumerate(words))
                if kw == "if":
                    active.append(active[-1] and not off)
                elif kw in ("elseif", "else"):
                    active[-1] = active[-2] if len(active) > 1 else True
                elif len(active) > 1:
                    active.pop()
                continue
            if not active[-1]:
                continue
            for pattern in CMAKE_LOOKUPS:
                for name in pattern.findall(line):
                    deps.append((name, where))
            for sub in re.findall(r"\badd_subdirectory\(\s*([\w/.-]+)", line):
                subdirs.append((os.path.normpath(os.path.join(d, sub)), where))
    return deps, subdirs


def reached_dirs(options):
    """The directories a configure with OPTIONS reads, from the top level down."""
    dirs, todo = [], ["."]
    while todo:
        d = todo.pop(0)
        dirs.append(d)
        _, subdirs = cmake_requirements([d], options)
        todo += [s for s, _ in subdirs if s not in dirs and s not in todo]
    return dirs


def check_build_dependencies(build_text, build_pkgs, copied):
    """The build stage installs every package a configure with its -D flags
    needs, and copies every directory that configure reads; deploy/setup.sh
    installs what a developer's build (every default option) needs."""
    cmake_cmd = " ".join(l for l in build_text.splitlines() if "cmake -S" in l)
    options = cmake_options(cmake_cmd)
    dirs = reached_dirs(options)
    deps, _ = cmake_requirements(dirs, options)
    for d in dirs:
        check(d == "." or any(c in (".", d, d + "/CMakeLists.txt") or d.startswith(c + "/")
                              for c in copied),
              f"the image build configures {d}/CMakeLists.txt, which the build stage does not COPY")
    for name, where in deps:
        if check(name in CMAKE_DEPENDENCIES,
                 f"{where}: {name} is not in k8s_test.py's CMAKE_DEPENDENCIES: add its Debian "
                 "package(s) there, to the Dockerfile's build stage and to deploy/setup.sh"):
            for pkg in CMAKE_DEPENDENCIES[name]:
                check(pkg in build_pkgs,
                      f"{where}: the image build needs {name} ({pkg}), which the build stage "
                      "does not install")
    with open(os.path.join(ROOT, "deploy", "setup.sh")) as f:
        m = re.search(r"PACKAGES=\((.*?)\)", f.read(), re.S)
    setup_pkgs = set(m.group(1).split()) if m else set()
    dev_options = cmake_options("")
    dev_deps, _ = cmake_requirements(reached_dirs(dev_options), dev_options)
    for name, where in dev_deps:
        for pkg in CMAKE_DEPENDENCIES.get(name, []):
            check(pkg in setup_pkgs, f"{where}: a default build needs {name} ({pkg}), "
                  "which deploy/setup.sh does not install")


def check_dockerfile(path, run_as, bin_dir):
    with open(path) as f:
        text = f.read()
    # Join continuation lines; drop comments.
    lines = [l for l in re.sub(r"\\\n", " ", text).splitlines()
             if l.strip() and not l.lstrip().startswith("#")]
    stages = []
    for l in lines:
        words = l.split()
        if words[0].upper() == "FROM":
            stages.append({"from": words[1], "as": words[3] if len(words) > 3 and
                           words[2].upper() == "AS" else None, "lines": []})
        elif stages:
            stages[-1]["lines"].append(l)
    if not check(len(stages) == 2, f"Dockerfile has {len(stages)} FROM stages, want 2 (build, runtime)"):
        return
    build, runtime = stages
    check(build["from"] == "debian:12", f"build stage is FROM {build['from']}, want debian:12")
    check(runtime["from"] == "debian:12-slim", f"runtime stage is FROM {runtime['from']}, want debian:12-slim")
    check(build["as"], "build stage has no name (FROM debian:12 AS build)")
    btext = "\n".join(build["lines"])
    check("-DLOGSWEEP_BUILD_TESTS=OFF" in btext, "build stage does not pass -DLOGSWEEP_BUILD_TESTS=OFF")
    check("-DCMAKE_BUILD_TYPE=Release" in btext, "build stage is not a Release build")
    for dev in ("libzmq3-dev", "cppzmq-dev", "libprotobuf-dev", "protobuf-compiler",
                "libspdlog-dev", "libcli11-dev", "zlib1g-dev", "libisal-dev"):
        check(re.search(rf"(^|\s){re.escape(dev)}(\s|$)", btext), f"build stage does not install {dev}")

    rlines = runtime["lines"]
    rtext = "\n".join(rlines)
    installs = " ".join(l for l in rlines if "apt-get" in l and "install" in l)
    build_installs = " ".join(l for l in build["lines"] if "apt-get" in l and "install" in l)

    def words(text):
        return set(re.split(r"[\s&;\\]+", text))

    # Every shared library the binaries load must come from a package the
    # runtime stage installs (or one of their dependencies, or the base
    # image), and its -dev package must be in the build stage.
    runtime_pkgs = words(installs)
    runtime_closure = runtime_pkgs | SLIM_BASE_PACKAGES
    for p in list(runtime_pkgs):
        runtime_closure |= dpkg_depends(p)
    build_pkgs = words(build_installs)
    copied = [os.path.normpath(w) for l in build["lines"] if l.split()[0].upper() == "COPY"
              for w in l.split()[1:-1] if not w.startswith("--")]
    check_build_dependencies(btext, build_pkgs, copied)
    build_closure = set(build_pkgs)
    for p in list(build_pkgs):
        build_closure |= dpkg_depends(p)
    for soname, lib_path in sorted(linked_libraries(bin_dir).items()):
        pkg = dpkg_owner(lib_path)
        if not check(pkg, f"{soname} ({lib_path}) belongs to no Debian package"):
            continue
        if pkg in SLIM_BASE_PACKAGES:
            continue
        check(pkg in runtime_closure,
              f"the binaries need {soname} from {pkg}, which the runtime stage does not install")
        dev_link = os.path.join(os.path.dirname(lib_path), soname.split(".so")[0] + ".so")
        dev = dpkg_owner(dev_link)
        if check(dev, f"no -dev package ships {dev_link}"):
            check(dev in build_closure,
                  f"the build links {soname}; its {dev} is not installed in the build stage")
    check(not re.search(r"\S+-dev(\s|$)", installs), "runtime stage installs -dev packages")
    check(not re.search(r"(^|\s)(build-essential|cmake|g\+\+|gcc)(\s|$)", installs),
          "runtime stage installs a compiler or cmake")
    copies = [l for l in rlines if l.split()[0].upper() == "COPY"]
    check(any(f"--from={build['as']}" in l for l in copies),
          f"runtime stage copies nothing --from={build['as']}")
    for b in BINARIES:
        check(any(re.search(rf"/{re.escape(b)}(\s|$)", l) and "/usr/local/bin" in l for l in copies),
              f"runtime stage does not copy {b} into /usr/local/bin")
    users = [l.split()[1] for l in rlines if l.split()[0].upper() == "USER"]
    if check(users, "runtime stage has no USER line"):
        user = users[-1].split(":")[0]
        check(user not in ("root", "0"), f"runtime stage runs as {users[-1]}")
        if user.isdigit():
            for component, uid in run_as.items():
                check(uid is None or uid == int(user),
                      f"{component} pod runs as uid {uid}, the image's USER is {user}")
    check(not any(l.split()[0].upper() == "ENTRYPOINT" for l in lines),
          "Dockerfile sets an ENTRYPOINT: compose/k8s pick the command")
    check("apt/lists" in rtext, "runtime stage keeps the apt lists")


def check_dockerignore(path):
    if not check(os.path.isfile(path), f"no {path}"):
        return
    with open(path) as f:
        patterns = {l.strip().strip("/") for l in f if l.strip() and not l.startswith("#")}
    for want in (".git", "bench/.corpus"):
        check(want in patterns, f".dockerignore does not exclude {want}")
    check(patterns & {"build", "build*", "build/"}, ".dockerignore does not exclude build dirs")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin_dir", nargs="?")
    ap.add_argument("--k8s-dir", default=os.path.join(ROOT, "deploy", "k8s"))
    ap.add_argument("--dockerfile", default=os.path.join(ROOT, "deploy", "Dockerfile"))
    ap.add_argument("--dockerignore", default=os.path.join(ROOT, ".dockerignore"))
    opts = ap.parse_args()
    bin_dir = opts.bin_dir or os.path.join(ROOT, "build", "bin")
    run_as = check_manifests(opts.k8s_dir) or {}
    check_dockerfile(opts.dockerfile, run_as, bin_dir)
    check_dockerignore(opts.dockerignore)
    for e in errors:
        print("FAIL:", e, file=sys.stderr)
    if errors:
        return 1
    print("PASS k8s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
