#!/usr/bin/python3
"""testdata/deliver/https_sink.py - a real HTTPS server that keeps reports

Usage: https_sink.py DIR CERT KEY

Listens on 127.0.0.1, port chosen by the kernel, written to DIR/port once
it accepts connections. Every POST is logged to DIR/log, one line:
    STATUS <TAB> PATH <TAB> CONTENT-TYPE <TAB> SHA256 <TAB> BYTES
and an accepted body is stored as DIR/body.N before the answer is sent
(commit, then acknowledge: what the client sees as accepted is on disk).

The behaviour is read from DIR/mode at each request, so a test can make
the same server fail and heal:
    ok        200 "accepted"            201     201 "created"
    500, 503  that status, body "server busy"
    hang      read the request, never answer
    close     read 10 bytes of the body, close the connection
    redirect  302 to https://elsewhere.invalid/
    301       301 to another path on this same server
    long      500 with a 64 KiB answer (the excerpt kept must be short)
"""
import hashlib
import http.server
import os
import ssl
import sys
import threading
import time

DIR, CERT, KEY = sys.argv[1], sys.argv[2], sys.argv[3]
LOCK = threading.Lock()
SEQ = [0]


def mode():
    try:
        with open(os.path.join(DIR, "mode")) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


def log(status, path, ctype, body):
    with LOCK:
        with open(os.path.join(DIR, "log"), "a") as f:
            f.write("%s\t%s\t%s\t%s\t%d\n" % (status, path, ctype,
                    hashlib.sha256(body).hexdigest(), len(body)))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, text, extra=None):
        data = text.encode()
        self.send_response(code)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        m = mode()
        n = int(self.headers.get("Content-Length", "0"))
        ctype = self.headers.get("Content-Type", "")
        if m == "close":
            self.rfile.read(min(n, 10))
            log("close", self.path, ctype, b"")
            self.close_connection = True
            self.connection.shutdown(2)
            return
        body = self.rfile.read(n)
        if m == "hang":
            log("hang", self.path, ctype, body)
            time.sleep(120)
            return
        if m == "redirect":
            log("302", self.path, ctype, body)
            self.answer(302, "moved", {"Location":
                                       "https://elsewhere.invalid/x"})
            return
        if m == "301":
            log("301", self.path, ctype, body)
            self.answer(301, "moved", {"Location": "/moved"})
            return
        if m == "long":
            log("500", self.path, ctype, body)
            self.answer(500, "x" * 65536)
            return
        if m in ("500", "503"):
            log(m, self.path, ctype, body)
            self.answer(int(m), "server busy\r\ntry later")
            return
        code = 201 if m == "201" else 200
        with LOCK:
            SEQ[0] += 1
            name = os.path.join(DIR, "body.%d" % SEQ[0])
        with open(name, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        log(str(code), self.path, ctype, body)
        self.answer(code, "accepted " + os.path.basename(name))


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
srv.serve_forever()
