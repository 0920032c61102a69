#!/usr/bin/python3
"""testdata/deliver/dkim_verify.py - verify a DKIM signature offline

Usage: dkim_verify.py MESSAGE TXT-RECORD-FILE
Verifies with dkimpy (Debian's python3-dkim, an implementation
independent of ours). Its DNS lookup is replaced by a function that
returns the record in TXT-RECORD-FILE for SELECTOR._domainkey.DOMAIN of
the signature (and nothing for any other name), so the check works on a
machine without DNS. Also requires: no l= tag, TLS-Report-Domain and
TLS-Report-Submitter in h=, c=relaxed/relaxed. Exit 0 when it verifies.
"""
import re
import sys

import dkim

msg = open(sys.argv[1], "rb").read()
record = open(sys.argv[2], "rb").read().strip()
m = re.search(rb"^DKIM-Signature:(.*?)\r\n(?![ \t])", msg, re.S | re.M | re.I)
if not m:
    print("dkim_verify: no DKIM-Signature")
    sys.exit(1)
sig = re.sub(rb"\s+", b"", m.group(1))
tags = dict(t.split(b"=", 1) for t in sig.split(b";") if b"=" in t)
want = b"%s._domainkey.%s." % (tags.get(b"s", b""), tags.get(b"d", b""))
asked = []


def dnsfunc(name, timeout=5):
    asked.append(name)
    n = name if isinstance(name, bytes) else name.encode()
    if not n.endswith(b"."):
        n += b"."
    return record if n.lower() == want.lower() else None


bad = []
if b"l" in tags:
    bad.append("l= present")
h = tags.get(b"h", b"").lower().split(b":")
for f in (b"tls-report-domain", b"tls-report-submitter", b"from"):
    if f not in h:
        bad.append("%s not signed" % f.decode())
if tags.get(b"c") != b"relaxed/relaxed":
    bad.append("c= is %r" % tags.get(b"c"))
d = dkim.DKIM(msg)
try:
    ok = d.verify(dnsfunc=dnsfunc)
except Exception as e:
    ok = False
    bad.append("verifier raised %r" % e)
if not ok:
    bad.append("signature does not verify (a=%s, asked %r)"
               % (tags.get(b"a"), asked))
for b in bad:
    print("dkim_verify: %s: %s" % (sys.argv[1], b))
sys.exit(1 if bad else 0)
