#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""pyalert: an independent Python reading of the alert file (protocol
section "Alerts"), written from the protocol text, not from alert.c.

    /usr/bin/python3 tests/vectors/pyalert.py --test build/umbra-vec tests/vectors

checks every case of tests/vectors/alert.json (the verdict and the rule
word), then the interop both ways: alerts signed here are verified by the
C library (umbra-vec alert), and tampered ones refused by it.
"""
import base64
import datetime
import json
import os
import subprocess
import sys
import tempfile

import nacl.exceptions
import nacl.signing

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyumbra  # noqa: E402  (bundle_verify, the base64 and date rules)

FORMAT = "umbra.alert/1"
PREFIX = (FORMAT + "\n").encode()
LANGS = ["en", "es", "pt-BR", "fr", "ro", "bg", "ru", "uk", "zh-CN", "th",
         "vi", "ar"]
LEVELS = ["info", "warning", "danger"]
ID_KINDS = ["phone", "plate", "handle", "place"]
ALERT_KEYS = {"org", "id", "kind", "issued", "expires", "level", "area",
              "period", "identifiers", "texts"}
WITHDRAWAL_KEYS = {"org", "id", "kind", "issued", "withdraws"}


class Refused(Exception):
    def __init__(self, code, why):
        super().__init__("%s (%s)" % (code, why))
        self.code, self.why = code, why


def refuse(why, code="format"):
    raise Refused(code, why)


def depth_ok(raw, limit):
    depth, in_str, esc = 0, False, False
    for c in raw:
        if in_str:
            if esc:
                esc = False
            elif c == 0x5c:
                esc = True
            elif c == 0x22:
                in_str = False
        elif c == 0x22:
            in_str = True
        elif c in (0x5b, 0x7b):
            depth += 1
            if depth > limit:
                return False
        elif c in (0x5d, 0x7d):
            depth -= 1
    return True


def loads_strict(raw):
    def pairs(ps):
        d = {}
        for k, v in ps:
            if k in d:
                raise ValueError("duplicate " + k)
            d[k] = v
        return d
    return json.loads(raw.decode("utf-8"), object_pairs_hook=pairs)


def day(s):
    if not pyumbra._date_ok(s) or s < "1970":
        return None
    return (datetime.date.fromisoformat(s) - datetime.date(1970, 1, 1)).days


def text_ok(s, cap, newline=False):
    if not isinstance(s, str) or s == "":
        return False
    for ch in s:
        c = ord(ch)
        if (c < 0x20 or c == 0x7f) and not (newline and ch == "\n"):
            return False
    return len(s.encode("utf-16-le")) // 2 <= cap


def is_id(s):
    return (isinstance(s, str) and len(s) == 32 and
            all(c in "0123456789abcdef" for c in s))


def check_inner(a):
    """The rules of the inner alert, in the protocol's order."""
    if not isinstance(a, dict):
        refuse("alert")
    if not pyumbra._slug_ok(a.get("org")):
        refuse("org")
    if not is_id(a.get("id")):
        refuse("id")
    if not isinstance(a.get("kind"), str):
        refuse("kind")
    issued = day(a.get("issued"))
    if issued is None:
        refuse("issued")
    if a["kind"] == "withdrawal":
        if set(a) - WITHDRAWAL_KEYS:
            refuse("unknown_member")
        if not is_id(a.get("withdraws")) or a["withdraws"] == a["id"]:
            refuse("withdraws")
        return
    if a["kind"] != "alert":
        refuse("kind")
    if set(a) - ALERT_KEYS:
        refuse("unknown_member")
    expires = day(a.get("expires"))
    if expires is None:
        refuse("expires")
    if not issued < expires <= issued + 365:
        refuse("expires.range")
    if a.get("level") not in LEVELS:
        refuse("level")
    area = a.get("area")
    if not isinstance(area, dict) or set(area) - {"country", "region"}:
        refuse("area")
    c = area.get("country")
    if not (isinstance(c, str) and len(c) == 2 and
            all("A" <= x <= "Z" for x in c)):
        refuse("area.country")
    if "region" in area and not text_ok(area["region"], 100):
        refuse("area.region")
    p = a.get("period")
    if not isinstance(p, dict) or set(p) - {"from", "to"}:
        refuse("period")
    f, t = day(p.get("from")), day(p.get("to"))
    # 1970-01-01 was a Thursday
    if f is None or (f + 3) % 7 != 0:
        refuse("period.from")
    if t is None or (t + 3) % 7 != 6 or t < f:
        refuse("period.to")
    if t - f + 1 > 182:
        refuse("period.length")
    if f > issued:
        refuse("period.after_issued")
    if "identifiers" in a:
        ids = a["identifiers"]
        if not isinstance(ids, list) or len(ids) > 10:
            refuse("identifiers")
        for e in ids:
            if not isinstance(e, dict) or set(e) - {"kind", "value"}:
                refuse("identifiers")
            if e.get("kind") not in ID_KINDS:
                refuse("identifiers.kind")
            if not text_ok(e.get("value"), 100):
                refuse("identifiers.value")
    texts = a.get("texts")
    if not isinstance(texts, list) or not 1 <= len(texts) <= 12:
        refuse("texts")
    seen = set()
    for e in texts:
        if not isinstance(e, dict) or set(e) - {"lang", "title", "body"}:
            refuse("texts")
        if e.get("lang") not in LANGS:
            refuse("texts.lang")
        if e["lang"] in seen:
            refuse("texts.lang_twice")
        seen.add(e["lang"])
        if not text_ok(e.get("title"), 200):
            refuse("texts.title")
        if not text_ok(e.get("body"), 4000, newline=True):
            refuse("texts.body")


def verify(raw, bundle):
    """raw: the alert file (bytes); bundle: pyumbra.bundle_verify's dict.
    Returns the inner alert dict, or raises Refused."""
    if len(raw) > 65536:
        refuse("too_big", "too_long")
    try:
        if not depth_ok(raw, 4):
            raise ValueError("deep")
        o = loads_strict(raw)
    except (ValueError, UnicodeDecodeError):
        refuse("not_alert_file", "version")
    if not isinstance(o, dict) or o.get("format") != FORMAT:
        refuse("not_alert_file", "version")
    if set(o) - {"format", "alert", "signer", "signature"}:
        refuse("unknown_member")
    try:
        signer = pyumbra._b64(o.get("signer"), 32)
    except pyumbra.UmbraError:
        refuse("signer")
    s = o.get("alert")
    if not isinstance(s, str):
        refuse("alert")
    inner_raw = s.encode("utf-8")
    if not depth_ok(inner_raw, 8):
        refuse("alert.depth")
    try:
        a = loads_strict(inner_raw)
    except ValueError:
        refuse("alert.json")
    check_inner(a)
    try:
        sig = pyumbra._b64(o.get("signature"), 64)
    except pyumbra.UmbraError:
        refuse("signature.format")
    try:
        nacl.signing.VerifyKey(signer).verify(PREFIX + inner_raw, sig)
    except nacl.exceptions.BadSignatureError:
        refuse("signature", "signature")
    # signers (spec-team A): the bundle's own key, or an entry allowed alerts
    allowed = [base64.b64decode(bundle["signing_key"])]
    for e in bundle.get("signers", []):
        if "alerts" in e.get("may", []):
            allowed.append(base64.b64decode(e["signing_key"]))
    if signer not in allowed:
        refuse("signer_not_allowed", "signature")
    if a["org"] != bundle["org"]:
        refuse("other_org", "signature")
    return a


def sign(inner, seed):
    """An alert file of the inner JSON text (str), signed with seed."""
    key = nacl.signing.SigningKey(seed)
    sig = key.sign(PREFIX + inner.encode("utf-8")).signature
    return json.dumps({
        "format": FORMAT, "alert": inner,
        "signer": base64.b64encode(bytes(key.verify_key)).decode(),
        "signature": base64.b64encode(sig).decode()}, indent=2).encode()


class Runner:
    def __init__(self, vec, vdir):
        self.vec, self.vdir = vec, vdir
        self.passed = self.failed = 0

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL " + what)

    def c_verdict(self, bundle_text, raw):
        with tempfile.TemporaryDirectory() as d:
            bp, ap = os.path.join(d, "b.json"), os.path.join(d, "a.json")
            open(bp, "w").write(bundle_text)
            open(ap, "wb").write(raw)
            r = subprocess.run([self.vec, "alert", bp, ap],
                               capture_output=True, text=True)
        return r.returncode, r.stdout.strip()

    def run(self):
        v = json.load(open(os.path.join(self.vdir, "alert.json")))
        self.ok(v["prefix"] == FORMAT + "\n", "prefix")
        bundles = {k: pyumbra.bundle_verify(v[k].encode())
                   for k in ("demo", "other", "signers")}
        for c in v["cases"]:
            raw = c["file"].encode()
            raw += b" " * (c.get("pad_to", 0) - len(raw))
            try:
                a = verify(raw, bundles[c["bundle"]])
                got = (None, "ok", a["kind"], a["id"])
            except Refused as e:
                got = (e.code, e.why, None, None)
            want = (c["error"], c["why"], c.get("kind"), c.get("id"))
            self.ok(got == want, "case %r: got %r, want %r"
                    % (c["name"], got, want))
        # interop: Python signs, C verifies; a changed byte, C refuses
        demo = json.loads(v["demo"])
        valid = json.loads(v["cases"][0]["file"])["alert"]
        seed = pyumbra.blake2b(b"alert vector demo")
        raw = sign(valid.replace("Bangkok", "Chiang Mai"), seed)
        rc, out = self.c_verdict(v["demo"], raw)
        self.ok(rc == 0 and out.startswith("ok alert "),
                "C verifies an alert Python signed: %d %s" % (rc, out))
        self.ok(verify(raw, pyumbra.bundle_verify(v["demo"].encode()))
                ["area"]["region"] == "Chiang Mai", "and Python too")
        rc, out = self.c_verdict(v["demo"],
                                 raw.replace(b"Chiang", b"Chiang!"))
        self.ok(rc == 1, "C refuses it edited: %d %s" % (rc, out))
        rc, out = self.c_verdict(v["other"], raw)
        self.ok(rc == 1, "C refuses it under another bundle: %s" % out)
        self.ok(demo["org"] == "demo", "demo bundle")


def main():
    if len(sys.argv) != 4 or sys.argv[1] != "--test":
        print("usage: pyalert.py --test UMBRA_VEC VECTOR_DIR", file=sys.stderr)
        return 2
    r = Runner(sys.argv[2], sys.argv[3])
    try:
        r.run()
    except Exception as e:  # a crash counts as a failure
        import traceback
        traceback.print_exc()
        r.ok(False, "raised %r" % e)
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 0 if r.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
