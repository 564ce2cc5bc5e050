#!/usr/bin/env bash
# docs/cli.md says what is true of the CLI: every flag each `--help` lists
# is in it, and every `logsweep` command it shows parses (LOGSWEEP_PARSE_ONLY:
# parsed, nothing run).
source "$(dirname "$0")/lib.sh"
DOCS="$(dirname "$0")/../../docs/cli.md"
LS="$BIN/logsweep"

missing=()
for cmd in "" run submit wait status workers cancel keygen cache; do
  # shellcheck disable=SC2086
  "$LS" $cmd --help >"$WORK/help.txt"
  for flag in $(grep -oE '(^|[ ,])--[a-z][a-z-]*' "$WORK/help.txt" | tr -d ' ,' | sort -u); do
    case "$flag" in --help) continue ;; esac
    grep -qF -- "$flag" "$DOCS" || missing+=("${cmd:-logsweep} $flag")
  done
done
[ "${#missing[@]}" -eq 0 ] || fail "flags in --help but not in docs/cli.md: ${missing[*]}"

# Each `$ logsweep ...` line in a code block of docs/cli.md.
python3 - "$DOCS" "$LS" <<'PY' || fail "a command shown in docs/cli.md does not parse"
import os, re, shlex, subprocess, sys
docs, ls = sys.argv[1:3]
env = dict(os.environ, LOGSWEEP_PARSE_ONLY="1")
bad, count = [], 0
for line in open(docs):
    m = re.match(r'\s*\$ (?:\w+=\$\()?logsweep (.*)$', line)
    if not m:
        continue
    args = m.group(1).rstrip(")").split("|")[0]
    words = [w for w in shlex.split(args.replace('"$job"', 'JOB').replace("$job", "JOB"))]
    count += 1
    r = subprocess.run([ls] + words, env=env, capture_output=True)
    if r.returncode != 0:
        bad.append("%s: exit %d %s" % (line.strip(), r.returncode, r.stderr.decode()[:200]))
assert count >= 5, "only %d commands found" % count
assert not bad, "\n".join(bad)
print("checked %d commands" % count)
PY
echo "PASS docs"
