#!/bin/sh
# scripts/layers.sh [DIR] - every folder includes only the layers below
# it (make layers; make check runs it)
#
# Data flows one way: input -> parser -> session record -> aggregate ->
# emit (docs/architecture.md, section 1). The folders are the layers;
# the table below says, for each, what its files may include besides
# the files of their own folder, lowest layer first:
#
#   util             helpers that know nothing of mail
#   global           the session record and the RFC 8460 vocabulary
#   parsers          input, envelopes, the MTA parsers and correlators
#   aggregate        the counters and saved states; of the parsers only
#                    the carried sessions (parsers/carry.h)
#   engine           the thread engine: a run of input, parsers, table
#   emit/resolution  DNS, TLSRPT records, MTA-STS, DANE
#   emit/report      RFC 8460 reports from the counters under a policy
#   emit/delivery    the spool, HTTPS and mail delivery, DKIM
#   cli              main and the subcommands: anything
#
# Every .c and .h file of DIR (default: this tree) outside tests/,
# benchmarks/ and build folders is checked; a file in a folder that has
# no line in the table is an error too, so a new folder is placed in the
# order before it is used. #include <...> is not checked. Prints one
# line per include that breaks the table, naming file, line and the
# rule; exit 1 when there is one.
set -eu
DIR=${1:-.}
cd "$DIR"
find . \( -name .git -o -name tests -o -name benchmarks -o -name 'build*' \
    -o -name debian \) -prune -o \( -name '*.c' -o -name '*.h' \) -print |
    sed 's|^\./||' | sort | awk '
BEGIN {
    allow["util"] = ""
    allow["global"] = "util"
    allow["parsers"] = "util global"
    allow["aggregate"] = "util global parsers/carry.h"
    allow["engine"] = "util global parsers aggregate"
    allow["emit/resolution"] = "util global"
    allow["emit/report"] = "util global aggregate emit/resolution"
    allow["emit/delivery"] = "util global emit/resolution"
    allow["cli"] = "util global parsers aggregate engine emit/resolution " \
        "emit/report emit/delivery"
    bad = 0
    files = 0
    incs = 0
}
# norm(path) - "a/b/../c/./d" as "a/c/d"; "" when it leaves the tree
function norm(p,   n, i, k, part, out) {
    n = split(p, part, "/")
    k = 0
    for (i = 1; i <= n; i++) {
        if (part[i] == "" || part[i] == ".")
            continue
        if (part[i] == "..") {
            if (k == 0)
                return ""
            k--
        } else {
            out[++k] = part[i]
        }
    }
    p = ""
    for (i = 1; i <= k; i++)
        p = p (i > 1 ? "/" : "") out[i]
    return p
}
function dir(p) {
    return p ~ /\// ? substr(p, 1, length(p) - length(basename(p)) - 1) : "."
}
function basename(p,   n, part) {
    n = split(p, part, "/")
    return part[n]
}
# ok(from, target) - 1 when folder from may include file target
function ok(from, target,   n, i, a, t) {
    t = dir(target)
    if (t == from)
        return 1
    n = split(allow[from], a, " ")
    for (i = 1; i <= n; i++)
        if (a[i] == t || a[i] == target)
            return 1
    return 0
}
# one file: its folder, then each include
{
    file = $0
    files++
    d = dir(file)
    if (!(d in allow)) {
        printf "%s: folder %s is no layer: give it its place in the table of scripts/layers.sh\n", file, d
        bad++
    }
    lineno = 0
    while ((getline line < file) > 0) {
        lineno++
        if (line !~ /^[ \t]*#[ \t]*include[ \t]*"/)
            continue
        inc = line
        sub(/^[^"]*"/, "", inc)
        sub(/".*$/, "", inc)
        incs++
        t = norm(d "/" inc)
        if (t == "") {
            printf "%s:%d: #include \"%s\" leaves the tree\n", file, lineno, inc
            bad++
        } else if ((d in allow) && !ok(d, t)) {
            printf "%s:%d: #include \"%s\": %s may include its own files and %s only\n", \
                file, lineno, inc, d, allow[d] == "" ? "nothing else" : allow[d]
            bad++
        }
    }
    close(file)
}
END {
    if (bad) {
        printf "layers: %d include%s break the order (scripts/layers.sh)\n", bad, bad == 1 ? "" : "s"
        exit 1
    }
    printf "layers: %d includes in %d files, each of its own folder or of a layer below\n", incs, files
}'
