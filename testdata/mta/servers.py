#!/usr/bin/python3
"""testdata/mta/servers.py - the receiving side of the MTA test

Usage: servers.py DIR CERTDIR ADDR:NAME:CERT ...

One aiosmtpd server (Debian's python3-aiosmtpd) per argument, on
ADDR port 25 (the test runs in its own network namespace: every port
is free). CERT is the base name of CERTDIR/CERT.pem and
CERTDIR/CERT.key offered with STARTTLS, or "-" for a server that does
not offer STARTTLS. Every accepted message is logged to DIR/NAME.log:
    MAIL-FROM <TAB> RCPT,RCPT <TAB> tls|plain
Every TCP connection is logged too, to DIR/NAME.conn, one line per
event as it happens (so that a connection whose handshake the client
broke off is still seen):
    ID <TAB> connect|starttls|tls|msg
ID is unique per server; "starttls": the client sent STARTTLS, "tls":
the handshake completed, "msg": a message was accepted. These are the
receiver's own count of sessions (one TCP connection, at most one TLS
attempt) that tests/it_mta.sh holds the parsers to.
DIR/ready is written once all servers answer.
"""
import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

DIR, CERTDIR = sys.argv[1], sys.argv[2]
LOCK = threading.Lock()


def event(name, cid, what):
    with LOCK:
        with open(os.path.join(DIR, name + ".conn"), "a") as f:
            f.write("%d\t%s\n" % (cid, what))


class CountingSMTP(SMTP):
    """one instance per TCP connection: logs its events"""
    ids = {}

    def __init__(self, name, *args, **kw):
        super().__init__(*args, **kw)
        self.cname = name
        with LOCK:
            self.cid = CountingSMTP.ids.get(name, 0) + 1
            CountingSMTP.ids[name] = self.cid
        self.seen_tls = False

    def connection_made(self, transport):
        # called again, with the TLS transport, when STARTTLS completes
        again = self._original_transport is not None
        super().connection_made(transport)
        if not again:
            event(self.cname, self.cid, "connect")
        elif not self.seen_tls:
            self.seen_tls = True
            event(self.cname, self.cid, "tls")

    async def smtp_STARTTLS(self, arg):
        event(self.cname, self.cid, "starttls")
        await super().smtp_STARTTLS(arg)


class CountingController(Controller):
    def __init__(self, name, *args, **kw):
        self.cname = name
        super().__init__(*args, **kw)

    def factory(self):
        return CountingSMTP(self.cname, self.handler, **self.SMTP_kwargs)


class Handler:
    def __init__(self, name):
        self.name = name

    async def handle_DATA(self, server, session, envelope):
        event(self.name, server.cid, "msg")
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
    ctl = CountingController(name, Handler(name), **kw)
    ctl.start()
    ctls.append(ctl)
# the controllers' own test connections are no session of an MTA
for arg in sys.argv[3:]:
    try:
        os.unlink(os.path.join(DIR, arg.split(":")[1] + ".conn"))
    except FileNotFoundError:
        pass
with open(os.path.join(DIR, "ready.tmp"), "w") as f:
    f.write("%d\n" % len(ctls))
os.rename(os.path.join(DIR, "ready.tmp"), os.path.join(DIR, "ready"))
threading.Event().wait()
