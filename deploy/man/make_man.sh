#!/usr/bin/env bash
# Writes one program's man page, gzipped, from its --help and --version
# (help2man) and the hand-written sections in deploy/man/PROGRAM.h2m; for
# `logsweep`, each subcommand's --help is added as a section of its own.
# Run at build time by deploy/CMakeLists.txt.
#
# usage: make_man.sh BIN_DIR PROGRAM INCLUDE_FILE OUTPUT   (OUTPUT: PROGRAM.1.gz)
set -euo pipefail

bin_dir=$1
program=$2
include=$3
out=$4

work=$(mktemp -d "${TMPDIR:-/tmp}/logsweep-man-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Run by name from PATH, so that usage lines say `logsweep`, not the build
# directory's path.
export PATH="$bin_dir:$PATH"
# A fixed locale, so that the text does not depend on who builds it.
export LC_ALL=C.UTF-8

# Some defaults are computed by --help on the machine that runs it: a
# worker's --name (host:pid), and --threads or --workers "(default: cores)".
# Show what they are instead of the build machine's values.
host=$(hostname)
machine_defaults() {
  sed -e "s/=${host//./\\.}:[0-9][0-9]*/=HOST:PID/" |
    awk '{ line[NR] = $0 }
         END {
           for (i = 1; i <= NR; i++) {
             if (line[i] !~ /\(default: cores\)/) continue
             for (j = i; j >= i - 2 && j >= 1; j--)
               if (sub(/\]=[0-9]+/, "]", line[j])) break
           }
           for (i = 1; i <= NR; i++) print line[i]
         }'
}

cp "$include" "$work/include.h2m"
if [ "$program" = logsweep ]; then
  subcommands=$("$program" --help | awk '/^Subcommands:/ { s = 1; next } s && /^  [a-z]/ { print $1 }')
  [ -n "$subcommands" ] || { echo "make_man.sh: no subcommands in '$program --help'" >&2; exit 1; }
  {
    echo "[SUBCOMMANDS]"
    for sub in $subcommands; do
      echo ".SS \"logsweep $sub\""
      echo ".nf"
      # Verbatim, with roff's escape character and control lines escaped.
      "$program" "$sub" --help | machine_defaults | sed -e 's/\\/\\e/g' -e "s/^[.']/\\\\\\&&/" -e 's/-/\\-/g'
      echo ".fi"
    done
  } >>"$work/include.h2m"
fi

help2man --no-info --section 1 --manual "logsweep manual" \
  --include "$work/include.h2m" "$program" | machine_defaults >"$work/page.1"

gzip -9n <"$work/page.1" >"$out.tmp"
mv "$out.tmp" "$out"
