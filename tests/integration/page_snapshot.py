#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Saves every page of one or more umbra-server builds, for a byte diff.

Not a suite: a tool for a change that must leave every page the same (a
refactor of server/page.c, templates or catalogues). Run by with_server.sh
(which starts PostgreSQL and registers 'alpha' and 'beta'):

    SNAP_SERVERS="build/base/umbra-server build/umbra-server" \\
    SNAP_OUT=/tmp/snap O=build \\
        tests/integration/with_server.sh tests/integration/page_snapshot.py

Each server in turn is started against the same database and fetches /,
/report, /check, every /info page and the error pages, in every locale,
with ?lang=, with Accept-Language and with neither, plus the no-JS posts
(receipt page, check page with a reply, form errors). Receipts, which are
random, are masked. Pages go to SNAP_OUT/<n>/, one file each; then
`diff -r SNAP_OUT/0 SNAP_OUT/1` must be empty. Ends with "N passed, N
failed" (failed: a server that did not start or a page that was not 2xx
where one is expected).
"""
import base64
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server_test as T  # noqa: E402

LANGS = sorted(f[:-5] for f in os.listdir(os.path.join(T.TOP, "web",
                                                      "locales"))
               if f.endswith(".json") and f != "status.json")
INFO = sorted({f[:-5] for d in os.listdir(os.path.join(T.TOP, "web",
                                                       "content"))
               for f in os.listdir(os.path.join(T.TOP, "web", "content", d))
               if f.endswith(".html")})
RECEIPT = re.compile(rb"\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}")


def save(out, name, st, page):
    with open(os.path.join(out, name.replace("/", "_")), "wb") as f:
        f.write(b"%d\n" % st + RECEIPT.sub(b"RECEIPT", page))


def snapshot(out, reply_receipt):
    gets = ["/", "/report", "/check", "/report?org=alpha",
            "/report?org=nosuch", "/info/nosuch", "/nosuch"]
    gets += ["/info/" + n for n in INFO]
    for path in gets:
        st, _, page = T.request("GET", path)
        save(out, "GET" + path, st, page)
        for lang in LANGS:
            sep = "&" if "?" in path else "?"
            st, _, page = T.request("GET", path + sep + "lang=" + lang)
            save(out, "GET%s%slang=%s" % (path, sep, lang), st, page)
            st, _, page = T.request("GET", path,
                                    headers={"Accept-Language": lang})
            save(out, "GET%s AL %s" % (path, lang), st, page)
    for lang in LANGS:
        fields = dict(T.NOJS_FIELDS, narrative="snapshot", lang=lang)
        st, _, page = T.form_post("/report", fields)
        save(out, "POST_report_%s" % lang, st, page)
        st, _, page = T.form_post("/report", {"org": "alpha", "lang": lang,
                                              "narrative": ""})
        save(out, "POST_report_empty_%s" % lang, st, page)
        st, _, page = T.form_post("/check", {"receipt": reply_receipt,
                                             "lang": lang})
        save(out, "POST_check_%s" % lang, st, page)
        st, _, page = T.form_post("/check", {"receipt": "1234", "lang": lang})
        save(out, "POST_check_bad_%s" % lang, st, page)


def main():
    root = os.environ["SNAP_OUT"]
    servers = os.environ["SNAP_SERVERS"].split()
    passed = failed = 0
    receipt = None
    for n, server in enumerate(servers):
        out = os.path.join(root, str(n))
        os.makedirs(out, exist_ok=True)
        T.SERVER = server
        try:
            T.SRV.start()
        except RuntimeError:
            print("FAIL %s did not start" % server)
            failed += 1
            continue
        try:
            if receipt is None:
                # One report with a reply, checked by every build.
                st, _, page = T.form_post("/report", dict(
                    T.NOJS_FIELDS, narrative="snapshot reply"))
                receipt = T.receipt_of(page)
                pk, _, mailbox = T.tool("derive", receipt).decode().split()
                reply = json.dumps({"schema": "umbra.reply/1", "lang": "en",
                                    "message": "We can help <b>&</b> 'x'",
                                    "date": "2026-11-29"}).encode()
                env = T.tool("seal", pk, data=reply)
                for _ in range(100):  # the mailbox is stored with the batch
                    st, _, _ = T.sync_post("alpha", "/api/v1/sync/replies", {
                        "replies": [{"mailbox": mailbox, "envelope":
                                     base64.b64encode(env).decode()}]})
                    if st != 404:
                        break
                    time.sleep(0.1)
                assert st == 201, st
            snapshot(out, receipt)
            print("ok   %s -> %s (%d pages)" % (server, out,
                                                len(os.listdir(out))))
            passed += 1
        except Exception as e:  # noqa: BLE001
            print("FAIL %s: %r" % (server, e))
            failed += 1
        finally:
            T.SRV.stop()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
