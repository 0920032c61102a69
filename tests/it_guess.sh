#!/bin/sh
# tests/it_guess.sh - what the tool guesses it says; what it cannot know
# it refuses or leaves out, and says so (testdata/guess/, README.md there)
#
# Every directory testdata/guess/<case>/ with a file "cmd" is one case:
#   cmd          shell commands, run by sh in a scratch copy of the case
#                directory, with $MTR the binary under test and TZ=UTC
#   expect.out   what they write on standard output, exactly
#   expect.err   what they write on standard error, exactly (the scratch
#                directory's path written as "."); absent: not compared
#   SOURCE       where the lines come from (optional)
# The commands print exit statuses themselves ("echo exit $?") where
# they matter. UPDATE_REF=1 rewrites the expected files (make
# update-ref) -- review the diff before committing.
set -u
TEST_TMPFS=1
. tests/lib.sh

for dir in testdata/guess/*/; do
    dir=${dir%/}
    [ -f "$dir/cmd" ] || continue
    name=$(basename "$dir")
    w=$tmp/$name
    rm -rf "$w"
    cp -R "$dir" "$w"
    (cd "$w" && MTR=$BIN TZ=UTC LC_ALL=C MAILTLSRPT_DNS_TIMEOUT_MS=300 \
        sh ./cmd >"$tmp/$name.out" 2>"$tmp/$name.err.raw")
    rc=$?
    sed "s|$w|.|g" "$tmp/$name.err.raw" >"$tmp/$name.err"
    if [ "${UPDATE_REF:-}" = 1 ]; then
        cp "$tmp/$name.out" "$dir/expect.out"
        [ -f "$dir/expect.err" ] && cp "$tmp/$name.err" "$dir/expect.err"
    fi
    if grep -q -E 'Sanitizer|runtime error:' "$tmp/$name.err"; then
        echo "FAIL $name: sanitizer report"; head -n 30 "$tmp/$name.err"
        fail=$((fail + 1))
    elif [ "$rc" -ne 0 ]; then
        echo "FAIL $name: the commands exit $rc"; tail -n 20 "$tmp/$name.err"
        fail=$((fail + 1))
    elif ! diff -u "$dir/expect.out" "$tmp/$name.out" >/dev/null 2>&1; then
        echo "FAIL $name: output differs"
        diff -u "$dir/expect.out" "$tmp/$name.out"
        fail=$((fail + 1))
    elif [ -f "$dir/expect.err" ] &&
        ! diff -u "$dir/expect.err" "$tmp/$name.err" >/dev/null 2>&1; then
        echo "FAIL $name: messages differ"
        diff -u "$dir/expect.err" "$tmp/$name.err"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
