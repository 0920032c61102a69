#!/bin/sh
# benchmarks/shapes.sh DIR MB - the benchmark's logs, each about MB
# megabytes (the distinct-keys log: as large as its domains need), with
# fixed seeds: the same bytes on every machine. BUILD names the build
# with benchmarks/gen and benchmarks/replay. Writes into DIR:
#   gen.log       benchmarks/gen.c's Postfix log: 100 smtp processes of
#                 max_use 100, 20,000 domains (Zipf), smtpd/cleanup/qmgr
#                 noise (seed 1: the log of the earlier rounds)
#   corpus.log    real Postfix lines replayed with fresh pids, queue ids
#                 and times (benchmarks/replay.c): the logs Debian's
#                 Postfix 3.7 wrote in tests/it_mta.sh (testdata/mta/logs)
#                 and the public corpus' (testdata/corpus/postfix.log);
#                 dense in TLS lines
#   churn.log     benchmarks/gen.c with a new smtp process for every
#                 delivery (max_use = 1, or many transports), 40,000
#                 domains over two days, smtpd/cleanup/qmgr noise
#   exim.log      real Exim 4.96 lines replayed (testdata/mta/logs and
#                 the corpus' exim.log and exim-testsuite.log)
#   sendmail.log  real Sendmail 8.17 lines replayed (testdata/mta/logs and
#                 the corpus' sendmail.log)
#   domains.log   benchmarks/gen.c with every domain in turn: 1,000,000
#                 distinct recipient domains at MB >= 250 (fewer, in
#                 proportion, below), with noise
#   corpus.log.gz corpus.log as logrotate leaves it (gzip -6)
# Prints one line per log: "NAME DOMAINS", DOMAINS the distinct
# recipient domains written where the generator knows them, else "-".
set -eu
DIR=$1
MB=$2
BUILD=${BUILD:-build}
GEN=$BUILD/benchmarks/gen
REPLAY=$BUILD/benchmarks/replay
B=$((MB * 1000000))
M=testdata/mta/logs
C=testdata/corpus

"$GEN" -s 1 -b "$B" -d 20000 >"$DIR/gen.log" 2>/dev/null
echo "gen.log 20000"
"$REPLAY" -s 1 -b "$B" "$M"/postfix.verify.log "$M"/postfix.may.log \
    "$C"/postfix.log >"$DIR/corpus.log" 2>/dev/null
echo "corpus.log -"
"$GEN" -s 4 -b "$B" -u 0 -d 40000 -D 2 >"$DIR/churn.log" 2>/dev/null
echo "churn.log 40000"
"$REPLAY" -s 2 -b "$B" "$M"/exim.verify.log "$M"/exim.may.log \
    "$C"/exim.log "$C"/exim-testsuite.log >"$DIR/exim.log" 2>/dev/null
echo "exim.log -"
"$REPLAY" -s 3 -b "$B" "$M"/sendmail.verify.log "$M"/sendmail.may.log \
    "$C"/sendmail.log >"$DIR/sendmail.log" 2>/dev/null
echo "sendmail.log -"
# 1,000,000 domains from 250 MB on; a session takes about 1,130 bytes
nd=$((MB >= 250 ? 1000000 : MB * 4000))
"$GEN" -s 5 -b $((nd * 1200)) -r -d "$nd" >"$DIR/domains.log" 2>/dev/null
echo "domains.log $nd"
gzip -6 -c "$DIR/corpus.log" >"$DIR/corpus.log.gz"
echo "corpus.log.gz -"
