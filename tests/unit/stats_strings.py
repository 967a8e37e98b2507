#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The catalogue check of the statistics strings: caseworker/
gen-stats-strings.py (which the build runs over web/locales/*.json) stops
the build when a catalogue with stats.* keys lacks one of en.json's, has
one en.json lacks, or leaves one empty; a catalogue without stats.* keys
is not a statistics language (English is used for it).

Usage: stats_strings.py [top-dir]. Ends with "N passed, N failed".
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

TOP = sys.argv[1] if len(sys.argv) > 1 else "."
GEN = os.path.join(TOP, "caseworker", "gen-stats-strings.py")
LOCALES = os.path.join(TOP, "web", "locales")
passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL %s %s" % (what, detail))


def gen(d):
    files = sorted(os.path.join(d, f) for f in os.listdir(d)
                   if f.endswith(".json"))
    return subprocess.run(["/usr/bin/python3", GEN] + files,
                          capture_output=True, text=True, timeout=60)


def edit(d, lang, fn):
    p = os.path.join(d, lang + ".json")
    with open(p, encoding="utf-8") as f:
        cat = json.load(f)
    fn(cat)
    with open(p, "w", encoding="utf-8") as f:
        json.dump(cat, f, ensure_ascii=False, indent=2)


def main():
    r = gen(LOCALES)
    check(r.returncode == 0, "the catalogues of the tree pass", r.stderr)
    langs = [l.strip().strip('",') for l in r.stdout.split(
        "stats_str_langs[] = {")[1].split("};")[0].split("\n") if l.strip()]
    check(langs == ["en", "ar", "bg", "es", "fr", "pt-BR", "ro", "ru", "th",
                    "uk", "vi", "zh-CN"],
          "the twelve languages, English first", langs)
    cases = [
        ("es", lambda c: c.pop("stats.title"),
         "es.json: key 'stats.title' is missing or empty"),
        ("th", lambda c: c.__setitem__("stats.label.police", ""),
         "th.json: key 'stats.label.police' is missing or empty"),
        ("fr", lambda c: c.__setitem__("stats.extra", "x"),
         "fr.json: key 'stats.extra' is not in en.json"),
        ("ro", lambda c: c.pop("stats.and"),
         "ro.json: key 'stats.and' is missing or empty"),
    ]
    for lang, fn, msg in cases:
        d = tempfile.mkdtemp(prefix="umbra-stats-strings.")
        try:
            for f in os.listdir(LOCALES):
                shutil.copy(os.path.join(LOCALES, f), d)
            edit(d, lang, fn)
            r = gen(d)
            check(r.returncode == 1 and msg in r.stderr,
                  "refused: " + msg, (r.returncode, r.stderr))
        finally:
            shutil.rmtree(d)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
