#!/bin/sh
# tests/it_cli.sh - the command line as an admin meets it: help, usage
# errors, "did you mean", configuration, outputs that cannot destroy
# inputs, errors found before the work, the installed docs
#
#  1. help: "COMMAND --help", "COMMAND -h" and "help COMMAND" print the
#     same per-command text (its usage line, its own options only); the
#     text of every command, option and setting is the man page's (groff
#     renders docs/mailtlsrpt.1); every option and setting also appears
#     in docs/mailtlsrpt.conf.example; "report --help" on a terminal (a
#     pty) prints the help and ends at once, reading nothing.
#  2. usage errors (exit 2, naming the command): an option of another
#     command, a misspelled command, option or value with "did you mean".
#  3. outputs: "summary --html LOG </dev/null" leaves LOG byte-identical
#     and prints the page; -o naming an input (also through a link) is
#     refused for summary, aggregate and merge, the input unchanged.
#  4. configuration: config, config -n, config -d, config NAME; an
#     unknown setting and a bad value stop with FILE:LINE and "did you
#     mean"; a quoted value is unquoted in the report; run and send with
#     an empty configuration exit 3, print the lines to add, write and
#     send nothing.
#  5. errors up front: an --out or --state-dir that cannot be written
#     exits 3 at once, in words ("cannot write reports to DIR: ..."),
#     without reading the (endless) input; a report that cannot be
#     written is named by its final path, no function or temporary name.
#  6. sessions: a header line, --json one object per session; summary:
#     header, sorted rows, --top, --failures-only, totals, "no sessions".
#  7. check-domain: a resolver that refuses answers at once, a silent
#     one within --timeout; "unknown (no answer)", not "none". It loads
#     ldns; summary and --help load no network or crypto library.
#  8. make install: no compiler run (the last build is installed as it
#     is), and every relative link of the installed README and docs
#     resolves in the installed tree.
set -u
BUILD=${BUILD:-build}
BIN=${MAILTLSRPT:-$BUILD/mailtlsrpt}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
PY=/usr/bin/python3
LOG=testdata/demo/maillog
CONF=testdata/demo/mailtlsrpt.conf
pass=0
fail=0
T=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
# run ARGS...: the binary; stdout in $T/out, stderr in $T/err, status $rc
run() { "$BIN" "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
# says TEXT: stderr of the last run holds TEXT
says() { grep -qF -- "$1" "$T/err"; }

CMDS="report summary sessions check-domain run send spool aggregate merge
config help follow"

# ------------------------------------------------------------ 1. help
for c in $CMDS; do
    "$BIN" "$c" --help >"$T/h1" 2>&1
    check "$c --help exits 0" [ $? -eq 0 ]
    "$BIN" "$c" -h >"$T/h2" 2>&1
    "$BIN" help "$c" >"$T/h3" 2>&1
    check "$c: -h, --help and help $c agree" \
        sh -c "cmp -s '$T/h1' '$T/h2' && cmp -s '$T/h1' '$T/h3'"
    check "$c --help: its usage line" \
        grep -q "^usage: mailtlsrpt $c " "$T/h1"
    cp "$T/h1" "$T/help.$c"
done
check "report and summary help differ" \
    sh -c "! cmp -s '$T/help.report' '$T/help.summary'"
check "summary --help lacks report's --out" \
    sh -c "! grep -q -- '--out ' '$T/help.summary'"
check "report --help lacks --trace" \
    sh -c "! grep -q -- '--trace' '$T/help.report'"
"$BIN" --help >"$T/hall" 2>&1
check "--help lists every command" \
    sh -c "for c in $(echo $CMDS); do grep -q \"^  \$c \" '$T/hall' || exit 1; done"

# the man page rendered (no hyphenation, no adjustment, long lines)
groff -man -Tascii -P-cbou -rLL=2000n -rHY=0 docs/mailtlsrpt.1 \
    >"$T/man.txt" 2>"$T/groff.err"
check "groff renders the man page" [ -s "$T/man.txt" ]
check "groff: no warnings" [ ! -s "$T/groff.err" ]
# every option and setting (from the tables in the sources), in the help
# of each command that takes it, in the man page and in the example
"$PY" - "$T" cli/opt_tab.c cli/conf.c docs/mailtlsrpt.conf.example \
    "$T/man.txt" >"$T/cross" <<'EOF'
import os, re, sys
T, opt_tab, conf_c, example, man = sys.argv[1:6]
norm = lambda s: " ".join(s.split())
mantext = norm(open(man).read())
extext = open(example).read()
src = open(opt_tab).read()
defs = src[src.index("opt_defs[] = {"):]
# {"name", 'x', "ARG", "cmds"...  or {NULL, 'j', ...
pat = re.compile(r'\{(NULL|"([a-z-]+)"), (0|\'(.)\'), (NULL|"[^"]*"), ([A-Z]+|"[^"]*"(?:\s*"[^"]*")*)')
out = []
count = 0
for m in pat.finditer(defs):
    name, letter, cmds = m.group(2), m.group(4), m.group(6)
    shows = (["--" + name] if name else []) + (["-" + letter] if letter else [])
    if cmds in ("LOGS",):
        cl = "report summary sessions run aggregate".split()
    elif cmds == "ALL":
        cl = ("report summary sessions check-domain run send spool aggregate"
              " merge config help").split()
    elif cmds.startswith("LOGS"):
        cl = "report summary sessions run aggregate".split() + \
            re.findall(r'"([^"]*)"', cmds)[0].split()
    else:
        cl = " ".join(re.findall(r'"([^"]*)"', cmds)).split()
    count += 1
    for s in shows:
        for c in cl:
            h = open(os.path.join(T, "help." + c)).read()
            if not re.search(r"(^|[ ,])" + re.escape(s) + r"([ ,=]|$)", h, re.M):
                out.append("%s not in %s --help" % (s, c))
        if not re.search(r"(^|[^\w-])" + re.escape(s) + r"([^\w-]|$)", mantext):
            out.append("%s not in the man page" % s)
        if not re.search(r"(^|[^\w-])" + re.escape(s) + r"([^\w-]|$)", extext):
            out.append("%s not in docs/mailtlsrpt.conf.example" % s)
# the words: every option text of every help is in the man page
for f in os.listdir(T):
    if not f.startswith("help."):
        continue
    txt = open(os.path.join(T, f)).read()
    usage, rest = txt.split("\n\n", 1)
    what, rest = rest.split("\nOptions:\n", 1)
    if norm(what) not in mantext:
        out.append("%s: command text not in the man page" % f[5:])
    body = rest.split("\nSettings")[0].split("\nExit status")[0]
    cur = None
    items = []
    for line in body.split("\n"):
        if line.startswith("  -"):
            mm = re.match(r"  (\S.*?)(?:\s{2,}(.*))?$", line)
            cur = [mm.group(1), mm.group(2) or ""]
            items.append(cur)
        elif line.strip() and cur:
            cur[1] += " " + line.strip()
    for head, text in items:
        if norm(text) not in mantext:
            out.append("%s %s: text not in the man page: %s" % (f[5:], head, norm(text)))
# settings: in the table, in config --help, man page (same words), example
csrc = open(conf_c).read()
keys = re.findall(r'^\s+\{"([a-z_]+)", CK_', csrc, re.M)
ch = open(os.path.join(T, "help.config")).read()
sec = ch.split("Settings (NAME = VALUE in the configuration file):\n")[1]
sec = sec.split("\nExit status")[0]
ktext = {}
cur = None
for line in sec.split("\n"):
    if line.startswith("  ") and not line.startswith("      "):
        cur = line.strip(); ktext[cur] = ""
    elif line.strip() and cur:
        ktext[cur] += " " + line.strip()
for k in keys:
    count += 1
    if k not in ktext:
        out.append("setting %s not in config --help" % k)
    elif norm(ktext[k]) not in mantext:
        out.append("setting %s: text not in the man page" % k)
    if not re.search(r"(^|[^\w])" + k + r"([^\w]|$)", mantext):
        out.append("setting %s not in the man page" % k)
    if not re.search(r"^#?" + k + r" = ", extext, re.M):
        out.append("setting %s not in docs/mailtlsrpt.conf.example" % k)
for o in out:
    print(o)
print("checked %d" % count)
EOF
if grep -q '^checked [1-9]' "$T/cross" && [ "$(grep -vc '^checked' "$T/cross")" -eq 0 ]; then
    ok
else
    bad "options and settings in help, man page, example:"
    cat "$T/cross"
fi
n=$(sed -n 's/^checked //p' "$T/cross")
check "at least 60 options and settings checked ($n)" [ "${n:-0}" -ge 60 ]

# report --help on a terminal: the help, at once, stdin never read
"$PY" - "$BIN" >"$T/pty.out" 2>&1 <<'EOF'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "report", "--help"])
out, t0 = b"", time.time()
while time.time() - t0 < 10:
    r, _, _ = select.select([fd], [], [], 0.5)
    if r:
        try:
            d = os.read(fd, 65536)
        except OSError:
            break
        if not d:
            break
        out += d
    else:
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            break
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode().replace("\r\n", "\n"))
print("EXIT %d AFTER %.1f" % (os.waitstatus_to_exitcode(st), time.time() - t0))
EOF
check "pty: report --help exits 0 at once" \
    grep -Eq '^EXIT 0 AFTER [0-2]\.' "$T/pty.out"
check "pty: report --help prints report's usage" \
    grep -q '^usage: mailtlsrpt report ' "$T/pty.out"
check "pty: report --help lists --offline" grep -q '^  --offline ' "$T/pty.out"
check "pty: the same text as through a pipe" \
    sh -c "sed '\$d' '$T/pty.out' | cmp -s - '$T/help.report'"

# ------------------------------------------------------------ 2. usage
run summary --out x "$LOG"
check "summary --out: exit 2" [ $rc -eq 2 ]
check "summary --out: names the command and where --out belongs" \
    says "summary: --out does not apply to summary (an option of report and run)"
run summary --trace "$LOG"
check "summary --trace: exit 2" [ $rc -eq 2 ]
run sessions --out x "$LOG"
check "sessions --out: exit 2" [ $rc -eq 2 ]
run merge --log-tz UTC -o "$T/m.st" "$T/none.st"
check "merge --log-tz: exit 2" [ $rc -eq 2 ]
run reprot "$LOG"
check "misspelled command: exit 2" [ $rc -eq 2 ]
check "misspelled command: did you mean" says 'unknown command "reprot"; did you mean report?'
run report --ofline "$LOG"
check "misspelled option: exit 2" [ $rc -eq 2 ]
check "misspelled option: did you mean" says "unknown option --ofline; did you mean --offline?"
run summary --sort sesions "$LOG"
check "misspelled value: did you mean" says 'did you mean sessions?'
: >"$T/x.html"
run summary --html "$T/x.html" "$LOG"
check "summary --html page.html LOG (the old form): exit 2" [ $rc -eq 2 ]
check "the old form: says to use -o" says "write the page with -o $T/x.html"
check "the old form: page.html untouched" [ ! -s "$T/x.html" ]
run report --out
check "--out without its value: exit 2" [ $rc -eq 2 ]
check "--out without its value: says so" says "--out wants a value (DIR)"
run -q report
check "an option before the command: exit 2" [ $rc -eq 2 ]

# ------------------------------------------------------------ 3. outputs
cp "$LOG" "$T/mail.log"
sha=$(sha256sum <"$T/mail.log")
"$BIN" summary --html --config "$CONF" "$T/mail.log" </dev/null \
    >"$T/page.html" 2>"$T/err"
check "summary --html LOG </dev/null: exit 0" [ $? -eq 0 ]
check "summary --html LOG: LOG byte-identical" [ "$(sha256sum <"$T/mail.log")" = "$sha" ]
check "summary --html LOG: the page on stdout" grep -q '<svg id="chart"' "$T/page.html"
"$BIN" summary --html --config "$CONF" -o "$T/page2.html" "$T/mail.log" \
    </dev/null 2>/dev/null
check "summary --html -o FILE: the page in FILE" cmp -s "$T/page.html" "$T/page2.html"
for o in "$T/mail.log" "$T/./mail.log"; do
    run summary --html -o "$o" "$T/mail.log"
    check "summary -o $o (the input): exit 2" [ $rc -eq 2 ]
done
ln "$T/mail.log" "$T/hard.log"
ln -s "$T/mail.log" "$T/soft.log"
run summary --json -o "$T/hard.log" "$T/mail.log"
check "summary -o a hard link of the input: exit 2" [ $rc -eq 2 ]
check "says which input" says "is $T/mail.log, an input"
run aggregate --config "$CONF" -o "$T/soft.log" "$T/mail.log"
check "aggregate -o a symlink to the input: exit 2" [ $rc -eq 2 ]
check "the input is unchanged" [ "$(sha256sum <"$T/mail.log")" = "$sha" ]
"$BIN" aggregate --config "$CONF" -q -o "$T/a.st" "$T/mail.log"
cp "$T/a.st" "$T/a.copy"
run merge --config "$CONF" -o "$T/a.st" "$T/a.st"
check "merge -o an input state: exit 2" [ $rc -eq 2 ]
check "the state is unchanged" cmp -s "$T/a.st" "$T/a.copy"
run summary --config "$CONF" -o "$CONF" "$T/mail.log"
check "-o the configuration file: exit 2" [ $rc -eq 2 ]

# ------------------------------------------------------------ 4. config
run config --config "$CONF"
check "config: exit 0" [ $rc -eq 0 ]
check "config: every setting" [ "$(grep -c ' =' "$T/out")" -ge 20 ]
check "config: a value of the file" grep -q '^submitter = example.net$' "$T/out"
check "config: a default" grep -q '^mx_ports = 25$' "$T/out"
run config -n --config "$CONF"
check "config -n: only what the file sets" \
    [ "$(grep -c ' = ' "$T/out")" -eq "$(grep -c '^[a-z_]* = ' "$CONF")" ]
run config -d --config "$CONF"
check "config -d: the defaults, not the file" \
    sh -c "grep -q '^submitter =\$' '$T/out' && grep -q '^state_dir = /var/lib/mailtlsrpt\$' '$T/out'"
run config --config "$CONF" state_dir mx_ports
check "config NAME NAME" [ "$(cat "$T/out")" = "state_dir = /var/lib/mailtlsrpt
mx_ports = 25" ]
run config --config "$CONF" stat_dir
check "config unknown NAME: exit 2, did you mean" \
    sh -c "[ $rc -eq 2 ] && grep -q 'did you mean state_dir' '$T/err'"
printf 'submitter = example.net\norganiztion_name = Example\n' >"$T/typo.conf"
run summary --config "$T/typo.conf" "$LOG"
check "unknown setting: exit 3" [ $rc -eq 3 ]
check "unknown setting: FILE:LINE, did you mean" \
    says "$T/typo.conf:2: unknown setting \"organiztion_name\"; did you mean organization_name?"
printf '# x\nplaintext = alway\n' >"$T/bad.conf"
run summary --config "$T/bad.conf" "$LOG"
check "bad value: exit 3, FILE:LINE, did you mean" \
    sh -c "[ $rc -eq 3 ] && grep -qF '$T/bad.conf:2: plaintext = \"alway\" is not valid' '$T/err' && grep -q 'did you mean always' '$T/err'"
printf 'organization_name = "Example Ops\n' >"$T/quote.conf"
run config --config "$T/quote.conf"
check "unmatched quote: exit 3, FILE:LINE" \
    sh -c "[ $rc -eq 3 ] && grep -qF '$T/quote.conf:1: a quote without its closing quote' '$T/err'"
cat >"$T/q.conf" <<'EOF'
organization_name = "Example Ops # not a comment"   # a comment
contact_info = 'tlsrpt@example.net'
submitter = example.net
EOF
run config -n --config "$T/q.conf"
check "quoted values unquoted" [ "$(head -2 "$T/out")" = "organization_name = Example Ops # not a comment
contact_info = tlsrpt@example.net" ]
mkdir -p "$T/qout"
"$BIN" report --offline --config "$T/q.conf" --log-tz UTC --log-year 2024 \
    --all-days --no-gzip -q --out "$T/qout" "$LOG" 2>/dev/null
f=$(ls "$T"/qout/*.json | head -1)
check "report: organization-name without quotes" \
    grep -q '"organization-name":"Example Ops # not a comment"' "$f"
: >"$T/empty.conf"
for c in run send; do
    run "$c" --config "$T/empty.conf" --offline --state-dir "$T/st-$c" \
        --rua "https://127.0.0.1:9/x" "$LOG" 2>/dev/null
    [ "$c" = send ] && run send --config "$T/empty.conf" \
        --state-dir "$T/st-$c" --rua "https://127.0.0.1:9/x"
    check "$c, empty configuration: exit 3 ($rc)" [ $rc -eq 3 ]
    check "$c: the lines to add" \
        sh -c "grep -q '^    organization_name = ' '$T/err' && grep -q '^    contact_info = ' '$T/err' && grep -q '^    submitter = ' '$T/err'"
    check "$c: nothing written" [ ! -e "$T/st-$c" ]
done
run report --offline --config "$T/empty.conf" --log-tz UTC --log-year 2024 \
    --all-days --out "$T/gout" "$LOG"
check "report, empty configuration: writes, and says the identity is guessed" \
    sh -c "[ $rc -eq 0 ] && grep -q 'guessed' '$T/err'"

# ------------------------------------------------------------ 5. up front
as_user() { "$@"; }
if [ "$(id -u)" = 0 ]; then
    as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
    chmod 755 "$T"
fi
mkdir -p "$T/ro"
chmod 555 "$T/ro"
cp "$CONF" "$T/c.conf"
chmod 644 "$T/c.conf"
# an input that never ends (a FIFO nobody writes): nothing may be read
# before the check
mkfifo "$T/fifo"
chmod 644 "$T/fifo"
start=$(date +%s)
as_user timeout 10 "$BIN" report --offline --config "$T/c.conf" \
    --out "$T/ro/out" "$T/fifo" >/dev/null 2>"$T/err"
rc=$?
check "unwritable --out: exit 3 ($rc)" [ $rc -eq 3 ]
check "unwritable --out: at once" [ $(($(date +%s) - start)) -le 3 ]
check "unwritable --out: words a person reads" \
    says "mailtlsrpt report: cannot write reports to $T/ro/out: Permission denied; nothing was read"
as_user timeout 10 "$BIN" run --offline --config "$T/c.conf" \
    --state-dir "$T/ro/st" "$T/fifo" >/dev/null 2>"$T/err"
rc=$?
check "unwritable --state-dir: exit 3 ($rc)" [ $rc -eq 3 ]
check "unwritable --state-dir: words" \
    says "mailtlsrpt run: cannot write to the state directory $T/ro/st: Permission denied"
# a report that cannot be written: its final name, no internal names
mkdir -p "$T/blk"
"$BIN" report --offline --config "$CONF" --log-tz UTC --log-year 2024 \
    --all-days --out "$T/blk" -q "$LOG" 2>/dev/null
first=$(ls "$T/blk" | head -1)
rm -f "$T/blk"/*
mkdir "$T/blk/$first"
run report --offline --config "$CONF" --log-tz UTC --log-year 2024 \
    --all-days --out "$T/blk" "$LOG"
check "blocked report: exit 1" [ $rc -eq 1 ]
check "blocked report: named by its path" says "cannot write report $T/blk/$first"
check "no function or temporary names" \
    sh -c "! grep -Eq 'rpt_[a-z]+:|\\.tmp\\.' '$T/err'"

# ------------------------------------------------------------ 6. output forms
run sessions --config "$CONF" --log-tz UTC --log-year 2024 "$LOG"
head -1 "$T/out" >"$T/sh"
check "sessions: a header line" \
    [ "$(cat "$T/sh")" = "#day	domain	result	mx-host	mx-ip	reason	disposition" ]
tail -n +2 "$T/out" >"$T/s.tsv"
run sessions --json --config "$CONF" --log-tz UTC --log-year 2024 "$LOG"
check "sessions --json: one object per session" \
    [ "$(wc -l <"$T/out")" -eq "$(wc -l <"$T/s.tsv")" ]
"$PY" - "$T/out" "$T/s.tsv" <<'EOF' && ok || bad "sessions --json = the tab-separated lines"
import json, sys
js = [json.loads(l) for l in open(sys.argv[1])]
tsv = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
keys = ["day", "domain", "result", "mx-host", "mx-ip", "reason", "disposition"]
for j, t in zip(js, tsv):
    assert [j[k] if j[k] is not None else "-" for k in keys] == t, (j, t)
assert len(js) == len(tsv) > 0
EOF
run summary --json --top 0 --config "$CONF" --log-tz UTC --log-year 2024 "$LOG"
cp "$T/out" "$T/all.json"
run summary --config "$CONF" --log-tz UTC --log-year 2024 --top 3 "$LOG"
"$PY" - "$T/all.json" "$T/out" <<'EOF' && ok || bad "summary text: header, top 3 by sessions, rest counted, totals"
import json, sys
j = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().splitlines()
assert lines[0].startswith("period "), lines[0]
assert lines[1].startswith("read %d lines, " % j["lines"]), lines[1]
assert lines[2].split()[0] == "DOMAIN"
doms = sorted(j["domains"], key=lambda d: (-d["sessions"], d["domain"]))
rows = lines[3:6]
assert [r.split()[0] for r in rows] == [d["domain"] for d in doms[:3]], rows
assert lines[6] == "(%d more domains by sessions; --top 0 shows all)" % (len(doms) - 3), lines[6]
tot = lines[7].split()
assert tot[0] == "TOTAL" and int(tot[1]) == sum(d["sessions"] for d in doms), tot
assert int(tot[3]) == sum(d["failed"] for d in doms) == j["totals"]["failed"]
assert j["domains-total"] == len(doms) and j["sort"] == "sessions"
assert len(lines) == 8
EOF
run summary --config "$CONF" --log-tz UTC --log-year 2024 --failures-only \
    --sort failures --top 0 "$LOG"
"$PY" - "$T/all.json" "$T/out" <<'EOF' && ok || bad "summary --failures-only --sort failures"
import json, sys
j = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().splitlines()
want = sorted([d for d in j["domains"] if d["failed"]],
              key=lambda d: (-d["failed"], -d["sessions"], d["domain"]))
got = [l.split()[0] for l in lines[3:-1]]
assert got == [d["domain"] for d in want], (got, want)
EOF
run summary --config "$CONF" /dev/null
check "summary of nothing: says no sessions" grep -q ': no sessions$' "$T/out"
run summary --html --config "$CONF" /dev/null
check "empty page: no sessions, no chart" \
    sh -c "grep -q '<p id=\"chart\" class=\"empty\">no sessions</p>' '$T/out' && ! grep -q '<svg id=\"chart\"' '$T/out'"

# run --max-delay: the jobs it spools are due when its delay ends, so a
# send started meanwhile (the 5-minute timer) leaves them alone
Y=$(date -u -d yesterday +%Y-%m-%d)
sed "s/^Nov 23 \([0-9:]*\) /${Y}T\1+00:00 /" "$LOG" >"$T/ylog"
"$BIN" run --offline --config "$CONF" --state-dir "$T/dst" --max-delay 86400 \
    --allow-private-targets --rua https://127.0.0.1:9/x "$T/ylog" \
    2>"$T/run.err" &
rp=$!
pids="$pids $rp"
i=0
while ! grep -q 'waiting [0-9]* s before sending' "$T/run.err" && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
wait_s=$(sed -n 's/.*waiting \([0-9]*\) s before sending.*/\1/p' "$T/run.err")
run send --config "$CONF" --state-dir "$T/dst" --allow-private-targets
check "send during run's delay: nothing due" says "send: 0 due, 0 delivered"
"$BIN" spool --json --config "$CONF" --state-dir "$T/dst" >"$T/dspool"
"$PY" - "$T/dspool" "${wait_s:-x}" <<'EOF2' && ok || bad "spooled jobs due when run's delay ends"
import json, sys, time
jobs = json.load(open(sys.argv[1]))["jobs"]
w = int(sys.argv[2])
assert len(jobs) == 8 and w > 0, (len(jobs), w)
for j in jobs:
    assert j["state"] == "pending" and abs(j["next"] - (time.time() + w)) < 30, j
EOF2
kill "$rp" 2>/dev/null

# ------------------------------------------------------------ 7. check-domain
start=$("$PY" -c 'import time; print(time.time())')
run check-domain --resolver 127.0.0.1:9 example.com
t=$("$PY" -c "import time; print('%.1f' % (time.time() - $start))")
check "refusing resolver: exit 1" [ $rc -eq 1 ]
check "refusing resolver: at once ($t s)" \
    "$PY" -c "import sys; sys.exit(not $t < 1.0)"
check "refusing resolver: unknown (no answer), not none" \
    sh -c "grep -q '^  TLSRPT   unknown (no answer): the resolver 127.0.0.1:9 refused' '$T/out' && ! grep -q ' none' '$T/out'"
# the network libraries are loaded on first use (util/dlib.h): a
# resolution loads ldns; summary and --help load none of them
LD_DEBUG=files "$BIN" check-domain --resolver 127.0.0.1:9 example.com \
    >/dev/null 2>"$T/ld" </dev/null
check "check-domain loads ldns when it resolves" grep -q 'file=libldns.so' "$T/ld"
LD_DEBUG=files "$BIN" summary -q "$LOG" >/dev/null 2>"$T/ld" </dev/null
check "summary loads no network or crypto library" \
    sh -c "! grep -Eq 'file=lib(curl|ldns|microhttpd|ssl|crypto|gnutls)' '$T/ld'"
LD_DEBUG=files "$BIN" report --help >/dev/null 2>"$T/ld" </dev/null
check "report --help loads no network or crypto library" \
    sh -c "! grep -Eq 'file=lib(curl|ldns|microhttpd|ssl|crypto|gnutls)' '$T/ld'"
# a UDP socket that never answers
"$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
time.sleep(60)' "$T/silent.port" &
pids="$pids $!"
i=0
while [ ! -s "$T/silent.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sp=$(cat "$T/silent.port")
start=$("$PY" -c 'import time; print(time.time())')
run check-domain --timeout 2 --resolver "127.0.0.1:$sp" example.com example.org
t=$("$PY" -c "import time; print('%.1f' % (time.time() - $start))")
check "silent resolver, --timeout 2, two domains at once: ${t} s" \
    "$PY" -c "import sys; sys.exit(not 1.5 < $t < 3.5)"
check "silent resolver: unknown (no answer) for each lookup" \
    [ "$(grep -c 'unknown (no answer)' "$T/out")" -eq 6 ]
run check-domain --json --timeout 1 --resolver "127.0.0.1:$sp" example.com
check "silent resolver --json: sts status unknown" \
    grep -q '"sts":{"status":"unknown"' "$T/out"

# ------------------------------------------------------------ 8. install
make -s -n install BUILD="$BUILD" DESTDIR="$T/root" PGO=1 >"$T/make.n" 2>&1
check "make install runs no compiler" \
    sh -c "! grep -Eq ' -c -o |pgo|gcc|clang| cc ' '$T/make.n'"
make -s install BUILD="$BUILD" DESTDIR="$T/root" PREFIX=/usr/local \
    >"$T/make.out" 2>&1
check "make install" [ $? -eq 0 ]
D=$T/root/usr/local/share/doc/mailtlsrpt
check "installed README" [ -f "$D/README.md" ]
"$PY" - "$D" >"$T/links" <<'EOF'
import os, re, sys
root = sys.argv[1]
bad = []
n = 0
for dp, dn, fn in os.walk(root):
    for f in fn:
        if not f.endswith(".md"):
            continue
        p = os.path.join(dp, f)
        for link in re.findall(r"\]\(([^)#\s]+)", open(p).read()):
            if re.match(r"[a-z]+:", link):
                continue
            n += 1
            if not os.path.exists(os.path.normpath(os.path.join(dp, link))):
                bad.append("%s: %s" % (os.path.relpath(p, root), link))
for b in bad:
    print(b)
print("links %d" % n)
EOF
check "every relative link of the installed docs resolves" \
    [ "$(grep -vc '^links' "$T/links")" -eq 0 ]
grep -v '^links' "$T/links" | head -5
check "links checked: $(sed -n 's/^links //p' "$T/links")" \
    [ "$(sed -n 's/^links //p' "$T/links")" -ge 20 ]
check "installed man page renders" \
    sh -c "groff -man -Tascii '$T/root/usr/local/share/man/man1/mailtlsrpt.1' | grep -q 'config -n'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
