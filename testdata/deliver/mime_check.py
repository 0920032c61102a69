#!/usr/bin/python3
"""testdata/deliver/mime_check.py - is a stored message an RFC 8460 mail?

Usage: mime_check.py MESSAGE REPORT-FILE DOMAIN SUBMITTER RCPT
Checks, with Python's email parser (an independent MIME reader):
multipart/report; report-type="tlsrpt"; exactly two parts, text/plain
first; the second application/tlsrpt+gzip, base64, attachment named as
the report file (also name= on the Content-Type), decoding to exactly
the report file's bytes, which gunzip to JSON whose report-id is the
one in the Subject; TLS-Report-Domain, TLS-Report-Submitter, TLS-Required:
No, Subject per RFC 8460 section 5.3, From, To, Date, Message-ID,
MIME-Version. Prints what failed; exit 1 when anything did.
"""
import email
import email.policy
import gzip
import json
import os
import re
import sys

msgfile, repfile, domain, submitter, rcpt = sys.argv[1:6]
raw = open(msgfile, "rb").read()
rep = open(repfile, "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.compat32)
bad = []


def need(cond, what):
    if not cond:
        bad.append(what)


need(b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""),
     "line ends are not all CRLF")
need(max(len(x) for x in raw.split(b"\r\n")) <= 998, "line over 998 bytes")
need(m.get_content_type() == "multipart/report", "not multipart/report")
need(m.get_param("report-type") == "tlsrpt", "report-type is not tlsrpt")
need(m["MIME-Version"] == "1.0", "MIME-Version")
need(m["TLS-Report-Domain"] == domain, "TLS-Report-Domain")
need(m["TLS-Report-Submitter"] == submitter, "TLS-Report-Submitter")
need(m["TLS-Required"] == "No", "TLS-Required: No")
need(m["To"] is not None and rcpt in m["To"], "To")
need(m["From"] is not None and "@" in m["From"], "From")
need(m["Date"] is not None, "Date")
need(re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", m["Message-ID"] or "")
     is not None, "Message-ID")
subj = re.sub(r"\r?\n[ \t]", " ", m["Subject"] or "")
sm = re.fullmatch(r"Report Domain: (\S+) Submitter: (\S+) "
                  r"Report-ID: <([^<>@\s]+@[^<>@\s]+)>", subj)
need(sm is not None, "Subject not per RFC 8460 5.3: %r" % subj)
parts = m.get_payload() if m.is_multipart() else []
need(len(parts) == 2, "not two parts")
if len(parts) == 2:
    t, r = parts
    need(t.get_content_type() == "text/plain", "first part not text/plain")
    need(b"aggregate TLS report" in t.get_payload(decode=True),
         "text part wording")
    need(r.get_content_type() == "application/tlsrpt+gzip",
         "report part type %s" % r.get_content_type())
    need(r["Content-Transfer-Encoding"] == "base64", "report not base64")
    need(r.get_content_disposition() == "attachment", "not an attachment")
    need(r.get_filename() == os.path.basename(repfile),
         "filename %r" % r.get_filename())
    need(r.get_param("name") == os.path.basename(repfile), "name=")
    data = r.get_payload(decode=True)
    need(data == rep, "attachment differs from the report file")
    try:
        j = json.loads(gzip.decompress(data))
        need(sm is not None and j["report-id"] == sm.group(3),
             "Subject Report-ID differs from the JSON")
        need(sm is not None and sm.group(1) == domain, "Subject domain")
        need(sm is not None and sm.group(2) == submitter, "Subject submitter")
    except Exception as e:
        bad.append("attachment does not gunzip to JSON: %s" % e)
for b in bad:
    print("mime_check: %s: %s" % (msgfile, b))
sys.exit(1 if bad else 0)
