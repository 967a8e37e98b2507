# SPDX-License-Identifier: AGPL-3.0-or-later
"""An independent Python reading of docs/protocol.md section 6.2 (the
perpetrator identifiers' normalisation), written from the text and not
from client-crypto/ident.c: it uses Python's own Unicode tables
(unicodedata, str.lower/upper) where the C code has its ranges.
pyumbra.py checks tests/vectors/identifiers.json with it (make
crypto-pyumbra)."""
import unicodedata

CAP = 200  # UTF-16 units
DIGIT_ZEROS = [0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x0ED0, 0x1040,
               0x17E0, 0xFF10]
CALLING = {  # country: (code, trunk, digits needed to drop the trunk)
    "AL": ("355", "0", 0), "AT": ("43", "0", 0), "BE": ("32", "0", 0),
    "BG": ("359", "0", 0), "BR": ("55", "0", 0), "CA": ("1", "1", 11),
    "CH": ("41", "0", 0), "CN": ("86", "0", 0), "CO": ("57", "", 0),
    "CZ": ("420", "", 0), "DE": ("49", "0", 0), "DK": ("45", "", 0),
    "DO": ("1", "1", 11), "DZ": ("213", "0", 0), "EC": ("593", "0", 0),
    "EE": ("372", "", 0), "EG": ("20", "0", 0), "ES": ("34", "", 0),
    "FI": ("358", "0", 0), "FR": ("33", "0", 0), "GB": ("44", "0", 0),
    "GH": ("233", "0", 0), "GR": ("30", "", 0), "HR": ("385", "0", 0),
    "HU": ("36", "06", 0), "IE": ("353", "0", 0), "IT": ("39", "", 0),
    "KH": ("855", "0", 0), "LA": ("856", "0", 0), "LB": ("961", "0", 0),
    "LT": ("370", "8", 9), "LU": ("352", "", 0), "LV": ("371", "", 0),
    "MA": ("212", "0", 0), "MD": ("373", "0", 0), "MX": ("52", "", 0),
    "MY": ("60", "0", 0), "NG": ("234", "0", 0), "NL": ("31", "0", 0),
    "NO": ("47", "", 0), "PE": ("51", "0", 0), "PH": ("63", "0", 0),
    "PL": ("48", "", 0), "PT": ("351", "", 0), "PY": ("595", "0", 0),
    "RO": ("40", "0", 0), "RS": ("381", "0", 0), "RU": ("7", "8", 11),
    "SE": ("46", "0", 0), "SI": ("386", "0", 0), "SK": ("421", "0", 0),
    "SY": ("963", "0", 0), "TH": ("66", "0", 0), "TN": ("216", "", 0),
    "TR": ("90", "0", 0), "UA": ("380", "0", 0), "US": ("1", "1", 11),
    "VE": ("58", "0", 0), "VN": ("84", "0", 0),
}
LOOKALIKE = dict(zip(
    "АВЕКМНОРСТХУЅІЈаеорсухѕіјһԁԛԝӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧονιρκα",
    "ABEKMHOPCTXYSIJaeopcyxsijhdqwlABEZHIKMNOPTYXovipka"))
SITES = {"facebook.com": None, "fb.com": None, "instagram.com": None,
         "twitter.com": None, "x.com": None, "tiktok.com": None,
         "t.me": None, "telegram.me": None, "vk.com": None,
         "youtube.com": None, "threads.net": None, "onlyfans.com": None,
         "snapchat.com": "add", "linkedin.com": "in", "reddit.com": "user",
         "line.me": "ti/p", "wa.me": None}


def digit(ch):
    cp = ord(ch)
    if 0x30 <= cp <= 0x39:
        return cp - 0x30
    for z in DIGIT_ZEROS:
        if z <= cp <= z + 9:
            return cp - z
    return None


# Section 6.2: simple case mapping (Python's, one character to one) of
# these blocks only, and the blocks that give a character its script.
LOWER_RANGES = [(0x41, 0x5A), (0xC0, 0xDE), (0x100, 0x17E), (0x391, 0x3AB),
                (0x400, 0x42F), (0x460, 0x481), (0x48A, 0x4BF),
                (0x4D0, 0x52F)]
UPPER_RANGES = [(0x61, 0x7A), (0xE0, 0xFF), (0x100, 0x17E), (0x3B1, 0x3CB),
                (0x430, 0x45F), (0x460, 0x481), (0x48A, 0x4BF),
                (0x4D0, 0x52F)]
SCRIPTS = [("Latin", 0x41, 0x5A), ("Latin", 0x61, 0x7A),
           ("Latin", 0xC0, 0x24F), ("Latin", 0x1E00, 0x1EFF),
           ("Greek", 0x370, 0x3FF), ("Greek", 0x1F00, 0x1FFF),
           ("Cyrillic", 0x400, 0x52F), ("Armenian", 0x530, 0x58F),
           ("Hebrew", 0x590, 0x5FF), ("Arabic", 0x600, 0x6FF),
           ("Arabic", 0x750, 0x77F), ("Arabic", 0x8A0, 0x8FF),
           ("Arabic", 0xFB50, 0xFDFF), ("Arabic", 0xFE70, 0xFEFC),
           ("Devanagari", 0x900, 0x97F), ("Bengali", 0x980, 0x9FF),
           ("Thai", 0xE00, 0xE7F), ("Lao", 0xE80, 0xEFF),
           ("Myanmar", 0x1000, 0x109F), ("Georgian", 0x10A0, 0x10FF),
           ("Khmer", 0x1780, 0x17FF), ("CJK", 0x1100, 0x11FF),
           ("CJK", 0x3040, 0x30FF), ("CJK", 0x3400, 0x4DBF),
           ("CJK", 0x4E00, 0x9FFF), ("CJK", 0xAC00, 0xD7AF),
           ("CJK", 0xFF61, 0xFFDC)]


def _in(ranges, ch):
    return any(lo <= ord(ch) <= hi for lo, hi in ranges)


def lower(ch):
    if ch == "\u0130":
        return "i"
    lo = ch.lower()
    return lo if _in(LOWER_RANGES, ch) and len(lo) == 1 else ch


def upper(ch):
    up = ch.upper()
    return up if _in(UPPER_RANGES, ch) and len(up) == 1 else ch


def script(ch):
    """None for digits (any script), x and ÷, combining accents and what
    is outside the blocks of section 6.2."""
    cp = ord(ch)
    if digit(ch) is not None or cp in (0xD7, 0xF7) or 0x300 <= cp <= 0x36F:
        return None
    return next((name for name, lo, hi in SCRIPTS if lo <= cp <= hi), None)


def is_space(ch):
    return ch == " " or unicodedata.category(ch) == "Zs"


def invisible(ch):
    cp = ord(ch)
    return (cp == 0xAD or 0x200B <= cp <= 0x200F or 0x202A <= cp <= 0x202E
            or 0x2060 <= cp <= 0x2064 or cp == 0xFEFF)


def fold_spaces(chars, lower_them):
    s = "".join(lower(c) if lower_them else c for c in chars)
    return " ".join(w for w in s.split(" ") if w)


def phone(chars, country):
    digits, plus, bad = [], False, False
    for c in chars:
        d = digit(c)
        if d is not None:
            digits.append(str(d))
        elif c == "+" and not digits and not plus:
            plus = True
        elif c in " .()/" or c == "-" or 0x2010 <= ord(c) <= 0x2015 or \
                ord(c) == 0x2212:
            continue
        else:
            bad = True
            break
    if bad or not digits:
        return fold_spaces(chars, False), {"not_a_phone_number"}
    d = "".join(digits)
    if plus:
        return "+" + d, set()
    if len(d) > 2 and d.startswith("00"):
        return "+" + d[2:], set()
    entry = CALLING.get((country or "").upper())
    if entry is None:
        return d, {"no_country"}
    code, trunk, need = entry
    if trunk and d.startswith(trunk) and len(d) > len(trunk) and \
            (need == 0 or need == len(d)):
        d = d[len(trunk):]
    return "+" + code + d, set()


def reduce_url(s):
    p, url = s, False
    for scheme in ("https://", "http://"):
        if p.startswith(scheme):
            p, url = p[len(scheme):], True
    for sub in ("www.", "m.", "mobile.", "web."):
        if p.startswith(sub):
            rest = p[len(sub):]
            host, slash, _ = rest.partition("/")
            if url or (slash and host in SITES):
                p = rest
            break
    host, slash, path = p.partition("/")
    if slash and host in SITES:
        seg = path
        skip = SITES[host]
        if seg.startswith("profile.php?id="):
            seg = seg[len("profile.php?id="):]
        elif skip and seg.startswith(skip + "/"):
            seg = seg[len(skip) + 1:]
        elif host == "reddit.com" and seg.startswith("u/"):
            seg = seg[2:]
        seg = seg.lstrip("@")
        for stop in "/?#&":
            seg = seg.split(stop)[0]
        if seg:
            return seg
    return p.rstrip("/") if url else s


def handle(chars):
    """Lower case, spaces folded, then leading @ and spaces, trailing
    spaces and profile addresses dropped until none is left."""
    s = fold_spaces(chars, True)
    while True:
        s = s.lstrip("@ ").rstrip(" ")
        r = reduce_url(s)
        if r == s:
            return s
        s = r


def normalise(kind, raw, country):
    """(value, skeleton, set of flags), or raises ValueError (format)."""
    if kind not in ("phone", "plate", "handle", "place"):
        raise KeyError(kind)
    text = raw.decode("utf-8", "strict")
    if "\0" in text:
        raise ValueError("NUL")
    flags, chars, units = set(), [], 0
    for ch in text:
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > CAP:
            flags.add("cut")
            break
        cp = ord(ch)
        if 0xFF01 <= cp <= 0xFF5E:
            ch = chr(cp - 0xFEE0)
        elif cp < 0x20 or 0x7F <= cp < 0xA0 or is_space(ch):
            ch = " "
        elif invisible(ch):
            continue
        chars.append(ch)
    scripts = {script(c) for c in chars} - {None}
    if len(scripts) > 1:
        flags.add("mixed_scripts")
    if kind == "phone":
        value, more = phone(chars, country)
        flags |= more
    elif kind == "plate":
        value = "".join(
            str(digit(c)) if digit(c) is not None else upper(c)
            for c in chars
            if not (c in " .-\u00b7\u30fb" or 0x2010 <= ord(c) <= 0x2015 or
                    ord(c) == 0x2212))
    elif kind == "handle":
        value = handle(chars)
    else:
        value = fold_spaces(chars, True)
    if not value:
        raise ValueError("empty")
    return value, "".join(LOOKALIKE.get(c, c) for c in value), flags


def check_vectors(ok, cases):
    """ok(cond, what) for each case of identifiers.json."""
    for c in cases:
        raw = bytes.fromhex(c["input_hex"])
        try:
            v, sk, fl = normalise(c["kind"], raw, c["country"])
            got = (v, sk, sorted(fl))
        except (ValueError, UnicodeDecodeError):
            got = "format"
        want = "format" if "error" in c else \
            (c["value"], c["skeleton"], sorted(c["flags"]))
        ok(got == want, "identifier %s %r (%s): %r != %r" % (
            c["kind"], raw[:40], c["country"], got, want))


# Characters a hostile or careless value is made of, for the interop test:
# digits of several scripts, separators, letters of Latin, Greek, Cyrillic
# (look-alikes among them), Thai, Arabic, CJK, full-width and half-width
# forms, spaces and invisible characters, controls, "@", URL pieces.
ALPHABET = (list("0123456789+-.()/ @#?&=:_aAbBzZßİıſŉÿŸǸǹ") +
            ["๐", "๘", "١", "٣", "۵", "०", "０", "＋", "－", "　", "\u00a0",
             "\u200b", "\u202e", "\u00ad", "\t", "\x01", "\x7f", "\u0301",
             "А", "В", "о", "р", "Ω", "ο", "ς", "Ё", "ґ", "Ӏ", "ก", "ซ",
             "ب", "中", "ホ", "한", "ﾡ", "Ａ", "ｚ", "😀", "੘", "࿑"] +
            ["https://", "www.", "m.", "instagram.com/", "t.me/",
             "facebook.com/profile.php?id=", "snapchat.com/add/", "u/"])


PHONE_ALPHABET = list("0123456789+-. ()") + ["๐", "๘", "١", "０", "＋",
                                              "\u00a0", "\u200b", "0", "0"]


def interop(run, n=3000, seed=62):
    """Normalises n random values with the C library (`umbra-vec ident`,
    through run(args, stdin) -> (rc, out, err)) and here; the list of
    disagreements (empty when both read section 6.2 alike)."""
    import random
    rnd = random.Random(seed)
    cases = []
    for i in range(n):
        kind = ("phone", "plate", "handle", "place")[i % 4]
        country = rnd.choice(["", "TH", "ru", "US", "IT", "HU", "ZZ"])
        alpha = PHONE_ALPHABET if kind == "phone" and rnd.random() < 0.7 \
            else ALPHABET
        text = "".join(rnd.choice(alpha)
                       for _ in range(rnd.choice([1, 3, 8, 12, 20, 60, 250])))
        cases.append((kind, country, text.encode()))
    stdin = "".join("%s\t%s\t%s\n" % (k, c, t.hex())
                    for k, c, t in cases).encode()
    rc, out, err = run(["ident"], stdin)
    lines = out.decode().splitlines()
    if rc != 0 or len(lines) != n:
        return ["umbra-vec ident: rc %d, %d lines: %s" % (rc, len(lines),
                                                          err)]
    names = {1: "cut", 2: "mixed_scripts", 4: "not_a_phone_number",
             8: "no_country"}
    bad = []
    for (kind, country, raw), line in zip(cases, lines):
        try:
            v, s, f = normalise(kind, raw, country)
            mine = "ok\t%s\t%s\t%s" % (v.encode().hex(), s.encode().hex(),
                                       sorted(f))
        except ValueError:
            mine = "error"
        parts = line.split("\t")
        theirs = line if parts[0] != "ok" else "ok\t%s\t%s\t%s" % (
            parts[1], parts[2],
            sorted(names[b] for b in names if int(parts[3]) & b))
        if mine != theirs:
            bad.append("%s %s %r: C %s, Python %s" % (kind, country, raw,
                                                       theirs, mine))
    return bad
