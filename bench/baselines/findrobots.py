#!/usr/bin/env python3
"""findrobots.py: the Python original that logsweep is measured against.

Prints the sorted unique client hosts (field 1) of every access-log line whose
request path (field 7) is exactly /robots.txt, across gzip-compressed logs.
Stdlib only; bytes are never decoded, fields are split as bytes.split() does,
and a line with fewer than 7 fields is skipped (same rules as logsweep).

    findrobots.py --serial PATH...        one process, file after file
    findrobots.py --pool N PATH...        ProcessPoolExecutor(N), pool.map

PATH is a .gz file or a directory (walked recursively for *.gz).
Output: hosts sorted bytewise (LC_ALL=C sort -u order), one per line.
"""
import argparse
import concurrent.futures
import gzip
import os
import sys

ROBOTS = b'/robots.txt'


def find_robots(path):
    """map: one file -> set of hosts that requested /robots.txt."""
    hosts = set()
    with gzip.open(path, 'rb') as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 7 and fields[6] == ROBOTS:
                hosts.add(fields[0])
    return hosts


def expand(paths):
    """Files as given; a directory is walked (sorted) for *.gz."""
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                files.extend(os.path.join(root, n)
                             for n in sorted(names) if n.endswith('.gz'))
        else:
            files.append(p)
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument('--serial', action='store_true',
                      help='scan the files one after another in this process')
    mode.add_argument('--pool', type=int, metavar='N',
                      help='scan with ProcessPoolExecutor(N)')
    ap.add_argument('paths', nargs='+', help='.gz files or a directory')
    args = ap.parse_args()

    files = expand(args.paths)
    all_hosts = set()
    if args.serial:
        for path in files:
            all_hosts |= find_robots(path)
    else:
        if args.pool < 1:
            ap.error('--pool N needs N >= 1')
        # Many small files: batch them so the per-task pickling/IPC cost is
        # amortised; about 4 chunks per worker keeps the load balanced.
        chunksize = max(1, len(files) // (args.pool * 4))
        with concurrent.futures.ProcessPoolExecutor(args.pool) as pool:
            for hosts in pool.map(find_robots, files, chunksize=chunksize):
                all_hosts |= hosts  # reduce: union

    out = sys.stdout.buffer
    for host in sorted(all_hosts):
        out.write(host + b'\n')
    out.flush()


if __name__ == '__main__':
    main()
