#!/bin/sh
# tests/it_layers.sh - make layers keeps the one-way flow
#
# scripts/layers.sh passes on this tree, and fails, naming file, line
# and rule, on copies of it with one deliberate break each: a lower
# layer including a higher one (aggregate/ an emit header, parsers/ the
# engine, emit/resolution/ a report header), the saved state taking the
# parsers' input or envelope header (only parsers/carry.h is
# aggregate's), an include that leaves the tree, and a file in a folder
# that is no layer. Includes of the folder's own files, of layers below
# and of system headers pass.
set -u
. tests/lib.sh

out=$(sh scripts/layers.sh 2>&1)
if [ $? -eq 0 ]; then ok; else no "the tree breaks its layers: $out"; fi

# a copy of the source folders, fresh for every break
fresh() {
    rm -rf "$tmp/t"
    mkdir -p "$tmp/t"
    cp -r util global parsers aggregate engine emit cli "$tmp/t/"
}

# breaks FILE LINE WORD: with LINE added at the top of FILE (in a fresh
# copy), layers.sh fails and its message names FILE and WORD
breaks() {
    fresh
    mkdir -p "$tmp/t/$(dirname "$1")"
    { printf '%s\n' "$2"; cat "$tmp/t/$1" 2>/dev/null; } >"$tmp/new"
    mv "$tmp/new" "$tmp/t/$1"
    out=$(sh scripts/layers.sh "$tmp/t" 2>&1)
    r=$?
    if [ "$r" -ne 0 ] && printf '%s\n' "$out" | grep -q -- "^$1" &&
        printf '%s\n' "$out" | grep -q -- "$3"; then
        ok
    else
        no "$1 with '$2': exit $r, $out"
    fi
}

# passes FILE LINE: with LINE added, layers.sh still passes
passes() {
    fresh
    { printf '%s\n' "$2"; cat "$tmp/t/$1"; } >"$tmp/new"
    mv "$tmp/new" "$tmp/t/$1"
    out=$(sh scripts/layers.sh "$tmp/t" 2>&1)
    if [ $? -eq 0 ]; then ok; else no "$1 with '$2' refused: $out"; fi
}

breaks aggregate/agg_tab.h '#include "../emit/report/rpt.h"' \
    'aggregate may include'
breaks parsers/corr.c '#include "../engine/pipe.h"' 'parsers may include'
breaks util/htab.c '#include "../global/sess.h"' 'util may include'
breaks global/sess.c '#include "../parsers/parser.h"' 'global may include'
breaks emit/resolution/pol.c '#include "../report/rpt.h"' \
    'emit/resolution may include'
breaks emit/delivery/spool.c '#include "../../aggregate/agg_tab.h"' \
    'emit/delivery may include'
breaks engine/pipe.c '#include "../cli/conf.h"' 'engine may include'
breaks aggregate/agg_state.h '#include "../parsers/wrap.h"' \
    'parsers/carry.h'
breaks aggregate/agg_state.h '#include "../parsers/input.h"' \
    'parsers/carry.h'
breaks parsers/pf.c '#include "../../etc/passwd.h"' 'leaves the tree'
breaks metrics/metrics.c '#include "../util/msg.h"' 'no layer'
breaks emit/loose.c '#include "../util/msg.h"' 'no layer'

passes parsers/pf.c '#include "../util/msg.h"'
passes parsers/pf.c '#include <stdio.h>'
passes cli/main.c '#include "../emit/delivery/spool.h"'
passes aggregate/agg_state.c '#include "../parsers/carry.h"'
passes emit/report/rpt.c '#include "../resolution/pol.h"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
