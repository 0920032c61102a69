#!/usr/bin/python3
"""testdata/mta/servers.py - the receiving side of the MTA test

Usage: servers.py DIR CERTDIR ADDR:NAME:CERT ...

One aiosmtpd server (Debian's python3-aiosmtpd) per argument, on
ADDR port 25 (the test runs in its own network namespace: every port
is free). CERT is the base name of CERTDIR/CERT.pem and
CERTDIR/CERT.key offered with STARTTLS, or "-" for a server that does
not offer STARTTLS. Every accepted message is logged to DIR/NAME.log:
    MAIL-FROM <TAB> RCPT,RCPT <TAB> tls|plain
DIR/ready is written once all servers answer.
"""
import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller

DIR, CERTDIR = sys.argv[1], sys.argv[2]
LOCK = threading.Lock()


class Handler:
    def __init__(self, name):
        self.name = name

    async def handle_DATA(self, server, session, envelope):
        with LOCK:
            with open(os.path.join(DIR, self.name + ".log"), "a") as f:
                f.write("%s\t%s\t%s\n" % (envelope.mail_from,
                                          ",".join(envelope.rcpt_tos),
                                          "tls" if session.ssl else "plain"))
        return "250 2.0.0 accepted"


ctls = []
for arg in sys.argv[3:]:
    addr, name, cert = arg.split(":")
    # no AUTH offered: Sendmail would then send "AUTH=<>" with MAIL,
    # a parameter aiosmtpd refuses
    kw = {"hostname": addr, "port": 25, "decode_data": False,
          "server_hostname": name,
          "auth_exclude_mechanism": ["LOGIN", "PLAIN"]}
    if cert != "-":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(CERTDIR, cert + ".pem"),
                            os.path.join(CERTDIR, cert + ".key"))
        kw["tls_context"] = ctx
    ctl = Controller(Handler(name), **kw)
    ctl.start()
    ctls.append(ctl)
with open(os.path.join(DIR, "ready.tmp"), "w") as f:
    f.write("%d\n" % len(ctls))
os.rename(os.path.join(DIR, "ready.tmp"), os.path.join(DIR, "ready"))
threading.Event().wait()
