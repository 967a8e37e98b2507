#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The desk's strings: caseworker/gen-stats-strings.py --prefix desk.
builds the desk.* keys of web/locales/*.json into umbra-case; it must
take the tree's catalogues (every launch language, English first) and
stop the build on a catalogue that lacks one of en.json's desk.* keys,
has one en.json lacks, or leaves one empty. Ends with
"N passed, N failed"."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from umbra import Results  # noqa: E402

TOP = os.path.join(HERE, "..", "..")
GEN = os.path.join(TOP, "caseworker", "gen-stats-strings.py")
LOCALES = os.path.join(TOP, "web", "locales")
T = Results()


def gen(d):
    files = sorted(os.path.join(d, f) for f in os.listdir(d)
                   if f.endswith(".json"))
    return subprocess.run(["/usr/bin/python3", GEN, "--prefix", "desk."] +
                          files, capture_output=True, text=True, timeout=60)


def main():
    r = gen(LOCALES)
    T.check("the tree's catalogues pass", r.returncode == 0, r.stderr)
    langs = [l.strip().strip('",') for l in r.stdout.split(
        "desk_str_langs[] = {")[1].split("};")[0].split("\n") if l.strip()]
    T.check("twelve desk languages, English first",
            langs[:1] == ["en"] and sorted(langs) == sorted(
                ["en", "es", "pt-BR", "fr", "ro", "bg", "ru", "uk", "zh-CN",
                 "th", "vi", "ar"]), langs)
    T.check("only desk.* keys are built in",
            "desk_str_keys[]" in r.stdout and '"stats.' not in r.stdout)
    cases = [
        ("th", lambda c: c.pop("desk.inbox.title"),
         "th.json: key 'desk.inbox.title' is missing or empty"),
        ("ar", lambda c: c.__setitem__("desk.reply.queue", ""),
         "ar.json: key 'desk.reply.queue' is missing or empty"),
        ("fr", lambda c: c.__setitem__("desk.extra", "x"),
         "fr.json: key 'desk.extra' is not in en.json"),
    ]
    for lang, fn, msg in cases:
        d = tempfile.mkdtemp(prefix="umbra-desk-strings.")
        try:
            for f in os.listdir(LOCALES):
                shutil.copy(os.path.join(LOCALES, f), d)
            p = os.path.join(d, lang + ".json")
            with open(p, encoding="utf-8") as f:
                cat = json.load(f)
            fn(cat)
            with open(p, "w", encoding="utf-8") as f:
                json.dump(cat, f, ensure_ascii=False)
            r = gen(d)
            T.check("refused: " + msg, r.returncode == 1 and msg in r.stderr,
                    (r.returncode, r.stderr))
        finally:
            shutil.rmtree(d)


T.run(main)
