#!/usr/bin/python3
"""testdata/mta/syslogd.py - a minimal syslog daemon for Sendmail

Usage: syslogd.py SOCKET LOGFILE HOSTNAME

Sendmail logs only through syslog(3). This receives the datagrams
glibc's syslog() sends to SOCKET (the test binds it as /dev/log inside
its own mount namespace) and appends each as one line to LOGFILE in
the traditional format of rsyslog's file output:
    Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MESSAGE
glibc sends "<PRI>Mmm dd hh:mm:ss TAG[PID]: MESSAGE"; the priority is
dropped and the host name put after the time stamp. LOGFILE.ready
appears once the socket is bound.
"""
import os
import re
import socket
import sys

SOCK, LOG, HOST = sys.argv[1], sys.argv[2], sys.argv[3]
MSG = re.compile(rb"^<\d{1,3}>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (.*)$",
                 re.S)
try:
    os.unlink(SOCK)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(SOCK)
os.chmod(SOCK, 0o666)
with open(LOG + ".ready", "w"):
    pass
with open(LOG, "ab", buffering=0) as out:
    while True:
        data = s.recv(65536)
        m = MSG.match(data.rstrip(b"\n\0"))
        if not m:
            continue
        text = m.group(2).replace(b"\n", b" ")
        out.write(m.group(1) + b" " + HOST.encode() + b" " + text + b"\n")
