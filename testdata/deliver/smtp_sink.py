#!/usr/bin/python3
"""testdata/deliver/smtp_sink.py - a real SMTP server that keeps mail

Usage: smtp_sink.py DIR CERT KEY [starttls|smtps|auth]

aiosmtpd (Debian's python3-aiosmtpd) on 127.0.0.1, port written to
DIR/port once it answers. starttls offers STARTTLS; auth also requires
it and AUTH (user "rpt", password "secret"); smtps is TLS from the
start. Each accepted message is stored as DIR/msg.N (bytes as received,
after dot-unstuffing) before 250 is sent, and logged to DIR/log:
    STATUS <TAB> MAIL-FROM <TAB> RCPT,RCPT <TAB> FILE <TAB> TLS
DIR/mode at each transaction: ok, 451 (DATA answered 451), 554 (DATA
answered 554), rcpt550 (every RCPT refused).
"""
import os
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

DIR, CERT, KEY = sys.argv[1], sys.argv[2], sys.argv[3]
KIND = sys.argv[4] if len(sys.argv) > 4 else "plain"
LOCK = threading.Lock()
SEQ = [0]


def mode():
    try:
        with open(os.path.join(DIR, "mode")) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


def log(*fields):
    with LOCK:
        with open(os.path.join(DIR, "log"), "a") as f:
            f.write("\t".join(str(x) for x in fields) + "\n")


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, opts):
        if mode() == "rcpt550":
            log("550", envelope.mail_from, address, "-", "-")
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        m = mode()
        tls = "tls" if session.ssl else "plain"
        if m in ("451", "554"):
            log(m, envelope.mail_from, ",".join(envelope.rcpt_tos), "-", tls)
            return ("451 4.3.0 try again later" if m == "451"
                    else "554 5.7.1 message refused")
        with LOCK:
            SEQ[0] += 1
            name = os.path.join(DIR, "msg.%d" % SEQ[0])
        with open(name, "wb") as f:
            f.write(envelope.original_content or envelope.content)
            f.flush()
            os.fsync(f.fileno())
        log("250", envelope.mail_from, ",".join(envelope.rcpt_tos),
            os.path.basename(name), tls)
        return "250 2.0.0 stored as " + os.path.basename(name)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (getattr(auth_data, "login", None) == b"rpt"
          and getattr(auth_data, "password", None) == b"secret")
    return AuthResult(success=ok, handled=False)


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
kw = {"hostname": "127.0.0.1", "port": port, "decode_data": False}
if KIND == "smtps":
    kw["ssl_context"] = ctx
    kw["authenticator"] = authenticator
elif KIND in ("starttls", "auth"):
    kw["tls_context"] = ctx
    kw["require_starttls"] = KIND == "auth"
    kw["authenticator"] = authenticator
    kw["auth_required"] = KIND == "auth"
    kw["auth_require_tls"] = True
if KIND == "smtps":
    kw["auth_require_tls"] = False
ctl = Controller(Handler(), **kw)
ctl.start()
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write("%d\n" % port)
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
threading.Event().wait()
ctl.stop()
