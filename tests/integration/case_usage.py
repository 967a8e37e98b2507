#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""umbra-case explains itself: every verb of the verb table (read from
caseworker/cli.c, so a new verb is walked too) and every keys sub-command
(caseworker/verbs_keys.c) answers a usage error with one line naming the
problem, then the usage; new passphrases are measured (weak refused,
five random words accepted, --weak-passphrase-ok overrides); import of a
file that is not a bundle says only that. No server. Ends with
"N passed, N failed"."""
import os
import re
import shutil
import subprocess
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from case_lib import CASE, ROOT, Home, Results, tmpdir  # noqa: E402

T = Results()
TMP = tmpdir()
NOHOME = os.path.join(TMP, "no-home")


def src(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


VERBS = re.findall(r'^\s*\{"([a-z-]+)", verb_\w+,', src("caseworker/cli.c"),
                   re.M)
SUBS = re.findall(r'^\s*\{"([a-z-]+)", (?:NULL|")',
                  src("caseworker/verbs_keys.c").split("SUBS[] = {")[1]
                  .split("};")[0], re.M)
T.check("the verb table is read (%d verbs)" % len(VERBS), len(VERBS) >= 15,
        VERBS)
T.check("the keys sub-commands are read (%d)" % len(SUBS), len(SUBS) >= 7,
        SUBS)


def run(*args, env=None, home=NOHOME, stdin=None):
    e = dict(os.environ)
    e.pop("UMBRA_PASSPHRASE_FILE", None)
    e.update(env or {})
    return subprocess.run([CASE, "--home", home] + list(args),
                          capture_output=True, timeout=60, env=e,
                          input=stdin, stdin=None if stdin else
                          subprocess.DEVNULL)


def usage_error(name, args, want):
    """exit 2; first line 'umbra-case: ...' holding want; usage after it;
    nothing on standard output."""
    r = run(*args)
    lines = r.stderr.decode(errors="replace").splitlines()
    first = lines[0] if lines else ""
    ok = (r.returncode == 2 and first.startswith("umbra-case: ") and
          want in first and len(lines) > 1 and
          lines[1].startswith("usage:") and r.stdout == b"")
    T.check("%s: '%s' says %r, then the usage" % (name, " ".join(args), want),
            ok, r.stderr[:400])


# ---- every verb: an unknown option -----------------------------------------
for verb in VERBS:
    usage_error(verb, [verb, "--no-such-option"], "'--no-such-option'")

# ---- every verb: what it needs and lacks -------------------------------
# One case per verb of the table; a verb missing here is a failure, so a
# new verb comes with its own line.
MISSING = {
    "init": (["init"], "init needs --org SLUG"),
    "fingerprint": (["fingerprint"], "fingerprint needs a file"),
    "seal": (["seal"], "seal needs --to PUBLIC.json"),
    "open": (["open", "x.env"], "open does not take 'x.env'"),
    "keys": (["keys"], "keys needs a sub-command first"),
    "pull": (["pull", "--server", "http://127.0.0.1:9"],
             "pull needs --token-file FILE"),
    "import": (["import", "a.bundle", "b.bundle"],
               "import does not take 'b.bundle'"),
    "list": (["list", "--stauts", "new"], "did you mean --status?"),
    "show": (["show", "abc"], "show needs a case number, not 'abc'"),
    "triage": (["triage"], "triage needs a case number"),
    "reply": (["reply", "1"], "reply 1 needs --message-file FILE"),
    "push": (["push", "--token-file", "t"], "push needs --server URL"),
    "ack": (["ack", "--server", "http://127.0.0.1:9"],
            "ack needs --token-file FILE"),
    "quarantine": (["quarantine", "x"], "quarantine does not take 'x'"),
    "stats": (["stats"], "--by DIM is required"),
    "desk": (["desk", "--port"], "--port needs a value"),
    "delete": (["delete", "1"], "add --yes to confirm"),
    "team": (["team", "share"], "team share needs --member NAME"),
    "links": (["links", "--min"], "--min needs a value"),
    "alert": (["alert"], "alert needs a sub-command first"),
    "purge": (["purge", "--yes"], "purge needs --closed-older-than DAYS"),
}
for verb in VERBS:
    T.check("%s has a missing-argument case in this test" % verb,
            verb in MISSING)
    if verb in MISSING:
        usage_error(verb, *MISSING[verb])

# ---- misspelled verbs and options: "did you mean" --------------------------
r = run("fingerprnt", "x")
T.check("a misspelled verb: one line with did you mean",
        r.returncode == 2 and r.stderr.decode() ==
        "umbra-case: unknown verb 'fingerprnt'; did you mean fingerprint?\n",
        r.stderr)
usage_error("init", ["init", "--orgg", "x"], "did you mean --org?")
usage_error("seal", ["seal", "--too", "p.json"], "did you mean --to?")
usage_error("stats", ["stats", "--bye", "period"], "did you mean --by?")
usage_error("keys", ["keys", "lsit"],
            "unknown keys sub-command 'lsit'; did you mean list?")
usage_error("keys", ["keys", "passphrase", "--new-passphrase"],
            "did you mean --new-passphrase-file?")
usage_error("init", ["init", "--org", "x", "--kdf-memory", "lots"],
            "--kdf-memory needs a whole number, not 'lots'")
usage_error("init", ["init", "--org", "x", "--name", "A\x01na"],
            "--name must be 1 to 64 bytes without control characters")
usage_error("fingerprint", ["fingerprint", "a.json", "b.json"],
            "fingerprint takes one file; 'b.json' is one too many")

# ---- every keys sub-command -------------------------------------------------
for sub in SUBS:
    usage_error("keys " + sub, ["keys", sub, "--no-such-option"],
                "for keys %s" % sub)
for sub, meta in [("join", "PUBLIC.json"), ("add-member", "MEMBER.json"),
                  ("remove-member", "ID|NAME")]:
    usage_error("keys " + sub, ["keys", sub],
                "write it as 'umbra-case keys %s %s'" % (sub, meta))
for sub in ["list", "add", "export"]:
    usage_error("keys " + sub, ["keys", sub, "extra"],
                "keys %s does not take 'extra'" % sub)

# ---- every alert sub-command ------------------------------------------------
for sub in ["new", "edit", "list", "show", "sign", "withdraw", "push",
            "verify", "config"]:
    usage_error("alert " + sub, ["alert", sub, "--no-such-option"],
                "'--no-such-option'")
usage_error("alert", ["alert", "lsit"],
            "unknown alert sub-command 'lsit'; did you mean list?")
usage_error("alert new", ["alert", "new"], "alert new needs --case ID")
usage_error("alert new", ["alert", "new", "--case", "x"],
            "--case needs a case number, not 'x'")
usage_error("alert new", ["alert", "new", "--case", "1", "--lang", "xx"],
            "--lang 'xx': use one of en es pt-BR")
usage_error("alert new", ["alert", "new", "--case", "1", "--lang", "th",
                          "--lang", "th"], "--lang th is given twice")
usage_error("alert new", ["alert", "new", "--case", "1", "--level", "loud"],
            "--level 'loud': use info, warning or danger")
usage_error("alert new", ["alert", "new", "--case", "1", "--expires", "400"],
            "--expires needs a number of days from 1 to 365")
usage_error("alert new", ["alert", "new", "--case", "1", "--identifier",
                          "0"], "--identifier needs the number")
usage_error("alert new", ["alert", "new", "--case", "1", "--edit",
                          "--no-edit"], "choose one")
usage_error("alert new", ["alert", "new", "--case", "1", "--bundle", "p"],
            "alert new does not take --bundle")
usage_error("alert show", ["alert", "show"], "alert show needs an alert "
            "number")
usage_error("alert sign", ["alert", "sign", "one"], "alert sign needs an "
            "alert number (see 'umbra-case alert list'), not 'one'")
usage_error("alert sign", ["alert", "sign", "1", "2"], "alert sign takes "
            "one alert number; '2' is one too many")
usage_error("alert verify", ["alert", "verify"], "alert verify needs a file")
usage_error("alert push", ["alert", "push", "--server", "http://127.0.0.1:9"],
            "alert push needs --token-file FILE")
usage_error("alert config", ["alert", "config", "--area", "street"],
            "--area 'street': use country or region")

# ---- a usage error asks no passphrase and touches nothing --------------------
T.check("no usage error above made a home", not os.path.exists(NOHOME))

# ---- new passphrases: measured, not counted ----------------------------------
LOW = ["--kdf-memory", "8192", "--kdf-passes", "1", "--kdf-lanes", "1"]


def pwfile(name, text):
    p = os.path.join(TMP, name + ".pw")
    with open(p, "wb") as f:
        f.write(text.encode() + b"\n")
    return p


def init(home, pw, *extra):
    return run("--passphrase-file", pw, "init", "--org", "demo", *LOW,
               *extra, home=home)


WEAK = ["Password123!", "correcthorse", "qwertyuiop asdfghjkl",
        "summer2024 summer2024", "a very long one", "12345678901234567890",
        # a long run of one word: length alone would call it strong
        "abcabcabcabcabcabcabcabcabcabcabc"]
for i, weak in enumerate(WEAK):
    h = os.path.join(TMP, "weak%d" % i)
    r = init(h, pwfile("weak%d" % i, weak))
    err = r.stderr.decode()
    T.check("init refuses the weak passphrase #%d in one line, exit 1" % i,
            r.returncode == 1 and err.count("\n") == 1 and
            "too easy to guess" in err and "five or more words" in err and
            "--weak-passphrase-ok" in err, err)
    T.check("the refusal never prints the passphrase #%d" % i,
            weak.encode() not in r.stderr + r.stdout)
    T.check("the refused init wrote no key file #%d" % i,
            not os.path.exists(os.path.join(h, "keys.umbra")))

STRONG = ["lantern quarry violet harbour mitten",
          "kindness river ocean piano seven",
          "ม้า แมว บ้าน น้ำ ไฟ"]  # five Thai words, separated by spaces
for i, strong in enumerate(STRONG):
    h = os.path.join(TMP, "strong%d" % i)
    r = init(h, pwfile("strong%d" % i, strong))
    T.check("five random words are accepted (#%d)" % i,
            r.returncode == 0 and r.stderr == b"" and
            os.path.exists(os.path.join(h, "keys.umbra")), r.stderr)
r = init(os.path.join(TMP, "thai3"), pwfile("thai3", "ม้า แมว บ้าน"))
T.check("three words of a script the estimator cannot look up are refused",
        r.returncode == 1 and b"3 words" in r.stderr, r.stderr)

h = os.path.join(TMP, "override")
r = init(h, pwfile("ov", "Password123!"), "--weak-passphrase-ok")
T.check("--weak-passphrase-ok keeps a weak passphrase, with a warning",
        r.returncode == 0 and b"easy to guess" in r.stderr and
        os.path.exists(os.path.join(h, "keys.umbra")), r.stderr)
r = run("--passphrase-file", pwfile("ov", "Password123!"), "list", home=h)
T.check("and the home it made opens with it", r.returncode == 0, r.stderr)

# keys passphrase: the new passphrase is measured too
home = Home(TMP, name="kp")
weak_new = pwfile("kpweak", "iloveyou2024")
r = home.run("keys", "passphrase", "--new-passphrase-file", weak_new)
T.check("keys passphrase refuses a weak new passphrase (exit 1, one line)",
        r.returncode == 1 and r.stderr.count(b"\n") == 1 and
        b"too easy to guess" in r.stderr and b"iloveyou" not in r.stderr,
        r.stderr)
r = home.run("list")
T.check("and the old passphrase still opens the home", r.returncode == 0,
        r.stderr)
r = home.run("keys", "passphrase", "--new-passphrase-file", weak_new,
             "--weak-passphrase-ok")
T.check("keys passphrase --weak-passphrase-ok changes it",
        r.returncode == 0 and b"is changed" in r.stdout, r.stderr)
r = run("--passphrase-file", weak_new, "list", home=home.dir)
T.check("and the new one opens the home", r.returncode == 0, r.stderr)

# member homes set a new passphrase as well
r = run("--passphrase-file", pwfile("mweak", "member1"), "init", "--org",
        "demo", "--member", "--name", "Ana", *LOW,
        home=os.path.join(TMP, "member"))
T.check("init --member refuses a weak passphrase",
        r.returncode == 1 and b"too easy to guess" in r.stderr, r.stderr)

# ---- import of a file that is not a bundle ----------------------------------
home2 = Home(TMP, name="imp")
junk = os.path.join(TMP, "notes.txt")
with open(junk, "w") as f:
    f.write("shopping list\n")
r = home2.run("import", junk)
T.check("import of a file that is not a bundle says only that (one line)",
        r.returncode == 1 and r.stdout == b"" and
        r.stderr.decode() ==
        "umbra-case: '%s' is not an Umbra bundle file\n" % junk, r.stderr)
r = home2.run("import", os.path.join(TMP, "missing.bundle"))
T.check("import of a missing file: one line",
        r.returncode == 1 and r.stdout == b"" and
        r.stderr.count(b"\n") == 1, r.stderr + r.stdout)

# ---- list: columns line up by display width ---------------------------------
def width(text):
    """Terminal columns, by Python's own Unicode tables (independent of
    caseworker/dwidth.c): combining marks 0, East Asian Wide/Fullwidth 2."""
    return sum(0 if unicodedata.combining(c) or
               unicodedata.category(c) in ("Mn", "Me") else
               2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
               for c in text)


from case_lib import report, write_bundle  # noqa: E402

NARR = ["ตำรวจเอาเงินของฉันไปที่สถานีและขู่ว่าจะจับถ้าฉันพูด" * 2,
        "警察在车站拿走了我的钱，还威胁说如果我说出去就抓我" * 2,
        "أخذت الشرطة أموالي في المحطة وهددوني بالاعتقال إذا تكلمت" * 2,
        "short"]
home3 = Home(TMP, name="wide")
recs = [("%d" % (i + 1), "2026-11-0%d" % (i + 1), home3.seal(report(n)))
        for i, n in enumerate(NARR)]
write_bundle(os.path.join(TMP, "wide.bundle"), "demo", recs)
r = home3.run("import", os.path.join(TMP, "wide.bundle"))
T.check("four cases in Thai, Chinese, Arabic, English", r.returncode == 0,
        r.stderr)
for cid, who, label in [("1", "สมชาย", "ตำรวจ"), ("2", "李小龙", "警察"),
                        ("3", "فاطمة", "شرطة")]:
    r = home3.run("triage", cid, "--assign", who, "--label", label)
    T.check("case %s assigned and labelled" % cid, r.returncode == 0,
            r.stderr)
r = home3.run("list")
rows = r.stdout.decode().splitlines()
T.check("list shows a header and four rows", r.returncode == 0 and
        len(rows) == 5, r.stdout)
starts = set()
for row in rows[1:]:
    # CATEGORIES starts where the header says, in columns, on every row
    cut = rows[0].index("CATEGORIES")
    head = width(rows[0][:cut])
    # the row's text up to the same column
    acc, k = 0, 0
    while k < len(row) and acc < head:
        acc += width(row[k])
        k += 1
    starts.add((acc, row[k:k + 7] if k < len(row) else ""))
T.check("every row's CATEGORIES column starts at the same display column",
        len(starts) == 1 and list(starts)[0][1] == "robbery", starts)
T.check("no narrative takes more than 40 columns",
        all(width(row.split("robbery", 1)[1].strip()) <= 40
            for row in rows[1:]), rows)
T.check("the Chinese and Arabic ones, wider, end in an ellipsis",
        rows[2].endswith("\u2026") and rows[3].endswith("\u2026"), rows)
T.check("the short one is not cut", rows[4].endswith("short"), rows[4])

# ---- plurals ------------------------------------------------------------------
one = Home(TMP, name="one")
write_bundle(os.path.join(TMP, "one.bundle"), "demo",
             [("1", "2026-11-01", one.seal(report("one report")))])
r = one.run("import", os.path.join(TMP, "one.bundle"))
T.check("one case: 'Imported 1 new case from 1 report;'",
        b"Imported 1 new case from 1 report;" in r.stdout, r.stdout)
r = one.run("import", os.path.join(TMP, "wide.bundle"))
T.check("four: 'Imported 0 new cases from 4 reports;' (not for this home)",
        b"Imported 0 new cases from 4 reports;" in r.stdout, r.stdout)
r = one.run("keys", "export")
T.check("'(1 key)' in keys export", b"(1 key)." in r.stdout, r.stdout)

# ---- stats says when every figure is hidden, and why ----------------------
r = home3.run("stats", "--by", "category", "--from", "2026-11",
              "--to", "2026-11", "--format", "csv")
err = r.stderr.decode()
T.check("stats: every figure hidden is said on stderr, with why and what "
        "to try", r.returncode == 0 and
        "every figure of this table is hidden" in err and
        "under 10" in err and "--period" in err, err)
T.check("and in the table's own notes",
        b"# Every figure of this table is hidden" in r.stdout, r.stdout)

shutil.rmtree(TMP, ignore_errors=True)
T.end()
