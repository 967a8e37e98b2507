/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * umbra-crypto.js: the browser twin of client-crypto (libumbra), on
 * libsodium.js. Every byte format follows docs/protocol.md and is checked
 * against tests/vectors/*.json under node (web/test/), so a report sealed
 * here opens with umbra-case exactly like one sealed by the C library.
 *
 *   var U = UmbraCrypto.create(sodium [, rng]);
 *   U.seal(pks, content)            envelope (section 2.3)
 *   U.open(env, sks, pks)           content (section 2.4)
 *   U.check(env)                    {n, keyIds} or throws
 *   U.receiptNew()                  "dddd dddd dddd dddd dddd dddd" (5.1)
 *   U.normalise(typed)              24 ASCII digits (5.2)
 *   U.mailboxDerive(digits)         {pk, sk, lookupId, mailboxId} (5.3)
 *   U.bundleVerify(json)            {org, serial, signPk, keys, signers, fingerprint} (3)
 *   U.bundleSigner(vb, pk, may)     the signer vb lets sign may with pk, or null (3)
 *   U.followupProof(pk, sk, mailboxId, narrative)  32-byte proof (6.1)
 *
 * rng, for tests only: {bytes(n) -> Uint8Array, uniform(u) -> int};
 * UmbraCrypto.streamRng(bytes) draws both from a fixed byte stream the way
 * the C library's test hook does. Errors are thrown as Error objects with
 * a .code named like the C library's (FORMAT, SIZE, DECRYPT, ...).
 *
 * No storage, no network: this module only computes.
 */
(function (root, factory) {
    'use strict';
    if (typeof module === 'object' && module.exports) {
        module.exports = factory();
    } else {
        root.UmbraCrypto = factory();
    }
})(typeof self !== 'undefined' ? self : this, function () {
    'use strict';

    var MAGIC = [0x55, 0x4d, 0x42, 0x52]; /* "UMBR" */
    var VERSION = 1;
    var MAX_RECIPIENTS = 16;
    var CHUNK = 65536;
    var A = 17;
    var MAX_PADDED = 16 * 1024 * 1024;
    var TAG_MESSAGE = 0;
    var TAG_FINAL = 3;
    var RECEIPT_SALT = 'umbra.receipt.v1';
    var DAMM = [
        [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
        [4, 2, 0, 6, 8, 7, 1, 3, 5, 9], [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
        [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
        [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
        [9, 4, 3, 8, 6, 1, 7, 2, 0, 5], [2, 5, 8, 1, 4, 3, 6, 7, 9, 0]
    ];
    /* First code point of each script's digits 0-9 (protocol 5.2). */
    var DIGIT_BASES = [0x0660, 0x06f0, 0x0966, 0x09e6, 0x0e50, 0x0ed0,
                       0x1040, 0x17e0, 0xff10];
    var SEPARATORS = [0x20, 0x09, 0xa0, 0x2007, 0x202f, 0x3000, 0x2d, 0x2010,
                      0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xff0d,
                      0x2e];

    function fail(code, msg) {
        var e = new Error(msg || code.toLowerCase());
        e.code = code;
        return e;
    }

    function ascii(s) {
        var out = new Uint8Array(s.length);
        for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
        return out;
    }

    function concat(parts) {
        var n = 0, i, off = 0;
        for (i = 0; i < parts.length; i++) n += parts[i].length;
        var out = new Uint8Array(n);
        for (i = 0; i < parts.length; i++) {
            out.set(parts[i], off);
            off += parts[i].length;
        }
        return out;
    }

    function eq(a, b) {
        if (a.length !== b.length) return false;
        var d = 0;
        for (var i = 0; i < a.length; i++) d |= a[i] ^ b[i];
        return d === 0;
    }

    function u32le(v) {
        return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff,
                               (v >>> 24) & 0xff]);
    }

    function readU32le(b, off) {
        return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16)) +
               b[off + 3] * 0x1000000;
    }

    /* ---- padding (2.1) ------------------------------------------------ */

    function padme(L) {
        if (L < 2) return L;
        var E = Math.floor(Math.log2(L));
        /* guard against floating point at exact powers of two */
        while (Math.pow(2, E) > L) E--;
        while (Math.pow(2, E + 1) <= L) E++;
        var S = Math.floor(Math.log2(E)) + 1;
        var z = E - S;
        var mask = Math.pow(2, z) - 1;
        return Math.floor((L + mask) / (mask + 1)) * (mask + 1);
    }

    /* The padded content size P of a content of u bytes (0: too long). */
    function padSize(u) {
        var p;
        if (u <= 4096) p = 4096;
        else if (u <= 16384) p = 16384;
        else if (u <= 65536) p = 65536;
        else p = padme(u);
        return p > MAX_PADDED ? 0 : p;
    }

    function padIsValid(p) {
        if (p === 4096 || p === 16384 || p === 65536) return true;
        return p > 65536 && p <= MAX_PADDED && padme(p) === p;
    }

    /* The inner header (version, n, key ids, len) on top of P. */
    function innerHeaderLen(n) {
        return 6 + 8 * n;
    }

    /* total = 8 + 88n + 24 + I + 17 ceil(I / 65536), I = 6 + 8n + P */
    function envelopeSize(n, contentLen) {
        if (n < 1 || n > MAX_RECIPIENTS) return 0;
        var p = padSize(contentLen);
        if (!p) return 0;
        var I = innerHeaderLen(n) + p;
        return 8 + 88 * n + 24 + I + A * Math.ceil(I / CHUNK);
    }

    function maxContent(n) {
        return n >= 1 && n <= MAX_RECIPIENTS ? MAX_PADDED : 0;
    }

    /* ---- randomness --------------------------------------------------- */

    function streamRng(bytes) {
        var pos = 0;
        function take(n) {
            if (pos + n > bytes.length) throw fail('ARG', 'test random stream exhausted');
            var out = bytes.slice(pos, pos + n);
            pos += n;
            return out;
        }
        return {
            bytes: take,
            uniform: function (upper) {
                if (upper < 2) return 0;
                var limit = 256 - (256 % upper);
                for (;;) {
                    var b = take(1)[0];
                    if (b < limit) return b % upper;
                }
            },
            used: function () { return pos; }
        };
    }

    function create(sodium, rng) {
        if (!sodium || !sodium.crypto_box_easy) throw fail('ARG', 'libsodium is not ready');
        var S = sodium;
        var R = rng || {
            bytes: function (n) { return S.randombytes_buf(n); },
            uniform: function (u) { return S.randombytes_uniform(u); }
        };
        var B64 = S.base64_variants.ORIGINAL;

        function b64(bin) { return S.to_base64(bin, B64); }
        function unb64(s) {
            if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4)
                throw fail('FORMAT', 'bad base64');
            return S.from_base64(s, B64);
        }
        function hex(bin) { return S.to_hex(bin); }
        function blake(outlen, parts) { return S.crypto_generichash(outlen, concat(parts), null); }

        function keyId(pk) {
            return blake(32, [ascii('umbra/keyid/v1'), pk]).slice(0, 8);
        }

        function mailboxId(lookupId) {
            return blake(32, [ascii('umbra/mailbox/v1'), lookupId]);
        }

        function fingerprint(signPk) {
            var f = blake(32, [ascii('umbra/fingerprint/v1'), signPk]);
            var groups = [];
            for (var i = 0; i < 6; i++) {
                var v = 0;
                for (var j = 0; j < 5; j++) v = v * 256 + f[5 * i + j];
                var s = String(v % 100000);
                while (s.length < 5) s = '0' + s;
                groups.push(s);
            }
            return groups.join(' ');
        }

        /* ---- envelope (2) --------------------------------------------- */

        function seal(pks, content) {
            var n = pks.length, i;
            if (n < 1 || n > MAX_RECIPIENTS) throw fail('ARG', '1 to 16 recipients');
            if (typeof content === 'string') content = S.from_string(content);
            if (content.length > maxContent(n)) throw fail('TOO_LONG', 'content too large');
            var ids = [];
            for (i = 0; i < n; i++) {
                if (!pks[i] || pks[i].length !== 32) throw fail('ARG', 'bad public key');
                ids.push(keyId(pks[i]));
                for (var j = 0; j < i; j++)
                    if (eq(ids[j], ids[i])) throw fail('ARG', 'duplicate recipient');
            }
            var fileKey = R.bytes(32);
            var ssHeader = R.bytes(24);
            var outer = [new Uint8Array([MAGIC[0], MAGIC[1], MAGIC[2], MAGIC[3], VERSION, n, 0, 0])];
            for (i = 0; i < n; i++) {
                var eseed = R.bytes(32);
                var kp = S.crypto_box_seed_keypair(eseed);
                var nonce = blake(24, [kp.publicKey, pks[i]]);
                var boxed = S.crypto_box_easy(fileKey, nonce, pks[i], kp.privateKey);
                outer.push(ids[i], kp.publicKey, boxed);
                S.memzero(kp.privateKey);
                S.memzero(eseed);
            }
            var header = concat(outer);
            /* Inner plaintext: I = 6 + 8n + P bytes, P padding the content. */
            var P = padSize(content.length);
            var I = innerHeaderLen(n) + P;
            var inner = new Uint8Array(I);
            inner[0] = VERSION;
            inner[1] = n;
            for (i = 0; i < n; i++) inner.set(ids[i], 2 + 8 * i);
            inner.set(u32le(content.length), 2 + 8 * n);
            inner.set(content, innerHeaderLen(n));
            var st = S.crypto_secretstream_xchacha20poly1305_init_pull(ssHeader, fileKey);
            var parts = [header, ssHeader];
            var chunks = Math.ceil(I / CHUNK);
            for (i = 0; i < chunks; i++) {
                var last = i === chunks - 1;
                var piece = inner.subarray(i * CHUNK, last ? I : (i + 1) * CHUNK);
                parts.push(S.crypto_secretstream_xchacha20poly1305_push(
                    st, piece, i === 0 ? header : null, last ? TAG_FINAL : TAG_MESSAGE));
            }
            S.memzero(fileKey);
            S.memzero(inner);
            return concat(parts);
        }

        function check(env) {
            if (!(env instanceof Uint8Array) || env.length < 8) throw fail('TRUNCATED');
            /* The order of checks is the one of protocol section 2.4. */
            for (var i = 0; i < 4; i++) if (env[i] !== MAGIC[i]) throw fail('FORMAT', 'bad magic');
            if (env[4] !== VERSION) throw fail('VERSION');
            if (env[6] !== 0 || env[7] !== 0) throw fail('FORMAT', 'reserved bytes');
            var n = env[5];
            if (n === 0 || n > MAX_RECIPIENTS) throw fail('FORMAT', 'bad stanza count');
            var H = 8 + 88 * n;
            if (env.length < H + 24 + A) throw fail('TRUNCATED');
            /* total = H + 24 + I + 17 * ceil(I / 65536): find the one I,
               then P = I - 6 - 8n must be a valid padded size (2.2). */
            var body = env.length - H - 24;
            if (body < 18) throw fail('SIZE');
            var c = Math.floor((body - 18) / (CHUNK + A)) + 1;
            var I = body - A * c;
            var P = I - innerHeaderLen(n);
            if (Math.ceil(I / CHUNK) !== c || P < 0 || !padIsValid(P)) throw fail('SIZE');
            var ids = [];
            for (i = 0; i < n; i++) {
                var id = env.subarray(8 + 88 * i, 16 + 88 * i);
                for (var j = 0; j < i; j++) if (eq(ids[j], id)) throw fail('FORMAT', 'duplicate key id');
                ids.push(id);
            }
            return {n: n, keyIds: ids, padded: P, innerLen: I, headerLen: H};
        }

        /* sks, pks: arrays of 32-byte keys, pks[i] matching sks[i]. */
        function open(env, sks, pks) {
            var info = check(env), n = info.n, H = info.headerLen, I = info.innerLen;
            var mine = pks.map(keyId), fileKey = null, tried = false, i, j;
            for (i = 0; i < n && !fileKey; i++) {
                for (j = 0; j < mine.length && !fileKey; j++) {
                    if (!eq(info.keyIds[i], mine[j])) continue;
                    tried = true;
                    try {
                        fileKey = S.crypto_box_seal_open(
                            env.subarray(16 + 88 * i, 96 + 88 * i), pks[j], sks[j]);
                    } catch (e) { fileKey = null; }
                }
            }
            if (!tried) throw fail('NO_KEY');
            if (!fileKey) throw fail('DECRYPT');
            var header = env.subarray(0, H);
            var st = S.crypto_secretstream_xchacha20poly1305_init_pull(env.subarray(H, H + 24), fileKey);
            S.memzero(fileKey);
            var chunks = Math.ceil(I / CHUNK), off = H + 24, inner = new Uint8Array(I);
            for (i = 0; i < chunks; i++) {
                var last = i === chunks - 1;
                var clen = (last ? I - i * CHUNK : CHUNK) + A;
                var r = S.crypto_secretstream_xchacha20poly1305_pull(
                    st, env.subarray(off, off + clen), i === 0 ? header : null);
                if (!r || r.tag !== (last ? TAG_FINAL : TAG_MESSAGE)) throw fail('DECRYPT');
                inner.set(r.message, i * CHUNK);
                off += clen;
            }
            if (inner[0] !== VERSION || inner[1] !== n) throw fail('INNER');
            for (i = 0; i < n; i++)
                if (!eq(inner.subarray(2 + 8 * i, 10 + 8 * i), info.keyIds[i])) throw fail('INNER');
            var len = readU32le(inner, 2 + 8 * n);
            var start = innerHeaderLen(n);
            if (len > info.padded) throw fail('INNER'); /* len <= P = I - 6 - 8n */
            for (i = start + len; i < I; i++) if (inner[i] !== 0) throw fail('INNER');
            return inner.slice(start, start + len);
        }

        /* ---- receipts and mailboxes (5) ------------------------------- */

        function damm(digits) {
            var interim = 0;
            for (var i = 0; i < digits.length; i++)
                interim = DAMM[interim][digits.charCodeAt(i) - 48];
            return interim;
        }

        function receiptNew() {
            var d = '';
            for (var i = 0; i < 23; i++) d += String(R.uniform(10));
            d += String(damm(d));
            return d.replace(/(\d{4})(?=\d)/g, '$1 ');
        }

        function normalise(input) {
            var bytes = typeof input === 'string' ? null : input;
            var str;
            if (bytes) {
                if (bytes.length > 256) throw fail('TOO_LONG');
                try {
                    str = new TextDecoder('utf-8', {fatal: true}).decode(bytes);
                } catch (e) {
                    throw fail('FORMAT', 'not UTF-8');
                }
            } else {
                if (S.from_string(input).length > 256) throw fail('TOO_LONG');
                str = input;
            }
            var out = '';
            for (var i = 0; i < str.length; i++) {
                var cp = str.codePointAt(i);
                if (cp > 0xffff) i++;
                if (cp >= 0xd800 && cp <= 0xdfff) throw fail('FORMAT', 'not UTF-8');
                if (cp >= 0x30 && cp <= 0x39) { out += String.fromCharCode(cp); continue; }
                var done = false;
                for (var b = 0; b < DIGIT_BASES.length && !done; b++) {
                    if (cp >= DIGIT_BASES[b] && cp <= DIGIT_BASES[b] + 9) {
                        out += String(cp - DIGIT_BASES[b]);
                        done = true;
                    }
                }
                if (done) continue;
                if (SEPARATORS.indexOf(cp) >= 0) continue;
                throw fail('FORMAT', 'not a digit');
            }
            if (out.length !== 24) throw fail('FORMAT', 'a receipt has 24 digits');
            if (damm(out) !== 0) throw fail('CHECKSUM');
            return out;
        }

        function mailboxDerive(digits) {
            if (!/^[0-9]{24}$/.test(digits)) throw fail('ARG', '24 digits');
            var out = S.crypto_pwhash(64, ascii(digits), ascii(RECEIPT_SALT), 2,
                                      19922944, S.crypto_pwhash_ALG_ARGON2ID13);
            var kp = S.crypto_box_seed_keypair(out.subarray(0, 32));
            var lookupId = out.slice(32, 64);
            S.memzero(out);
            return {pk: kp.publicKey, sk: kp.privateKey, lookupId: lookupId,
                    mailboxId: mailboxId(lookupId)};
        }

        /* ---- follow-up proof (6.1) ------------------------------------ */

        /* BLAKE2b-256 keyed with crypto_box_beforenm(pk, sk) over
         * "umbra/follow-up/v1" || mailboxId || SHA-512(narrative UTF-8):
         * the reporter passes (an organisation key, mailbox sk), the
         * organisation (mailbox pk, its key). Uses crypto_box_beforenm,
         * crypto_hash_sha512 (crypto_hash where a build lacks the name:
         * the same SHA-512) and crypto_generichash, all in the standard
         * (non-sumo) libsodium.js. */
        function followupProof(pk, sk, mailboxIdBytes, narrative) {
            if (!pk || pk.length !== 32 || !sk || sk.length !== 32 ||
                !mailboxIdBytes || mailboxIdBytes.length !== 32)
                throw fail('ARG', 'bad key or mailbox id');
            var text = typeof narrative === 'string' ? S.from_string(narrative) : narrative;
            var sha = S.crypto_hash_sha512 ? S.crypto_hash_sha512(text) : S.crypto_hash(text);
            var key = S.crypto_box_beforenm(pk, sk);
            var proof = S.crypto_generichash(32, concat([ascii('umbra/follow-up/v1'),
                                                         mailboxIdBytes, sha]), key);
            S.memzero(key);
            return proof;
        }

        /* ---- public key bundle (3) ------------------------------------ */

        function bundleVerify(json) {
            /* the order of protocol section 3's refusals: size (in UTF-8
             * bytes) before parsing, a parse error is FORMAT, a format
             * string other than umbra.keys/1 is VERSION */
            var text = typeof json === 'string' ? json : null, b;
            if (text !== null && S.from_string(text).length > 65536) throw fail('TOO_LONG');
            try {
                b = text !== null ? JSON.parse(text) : json;
            } catch (e) {
                throw fail('FORMAT', 'not JSON');
            }
            if (!b || typeof b !== 'object' || Array.isArray(b) || typeof b.format !== 'string')
                throw fail('FORMAT', 'not a key bundle');
            if (b.format !== 'umbra.keys/1') throw fail('VERSION', 'unknown bundle format');
            if (typeof b.org !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(b.org)) throw fail('FORMAT', 'bad org');
            var dateRe = {test: function (d) {
                /* a real calendar date YYYY-MM-DD, year 1970 or later */
                var m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(d);
                if (!m || +m[1] < 1970) return false;
                var t = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
                return t.getUTCFullYear() === +m[1] && t.getUTCMonth() === +m[2] - 1 &&
                    t.getUTCDate() === +m[3];
            }};
            if (typeof b.created !== 'string' || !dateRe.test(b.created)) throw fail('FORMAT', 'bad date');
            if (!Array.isArray(b.keys) || b.keys.length < 1 || b.keys.length > 16) throw fail('FORMAT', 'bad keys');
            /* serial: absent = 0 (bundles before serials, whose signed text
             * has no serial line); present: an integer 1 .. 2^53 - 1, signed
             * as the line 'serial N' after created. (JSON.parse cannot tell
             * 7.0 from 7: the C library and pyumbra refuse 7.0, this twin
             * reads it as 7, and the signature covers the number either way.) */
            var serial = 0;
            if (Object.prototype.hasOwnProperty.call(b, 'serial')) {
                if (!Number.isSafeInteger(b.serial) || b.serial < 1) throw fail('FORMAT', 'bad serial');
                serial = b.serial;
            }
            var signPk = unb64(b.signing_key);
            if (signPk.length !== 32) throw fail('FORMAT', 'bad signing key');
            var lines = ['umbra.keys/1', 'org ' + b.org, 'created ' + b.created];
            if (serial > 0) lines.push('serial ' + String(serial));
            lines.push('signing_key ' + b.signing_key);
            var keys = [], seen = {};
            b.keys.forEach(function (k) {
                if (!k || typeof k.id !== 'string' || typeof k.x25519 !== 'string' ||
                    typeof k.created !== 'string' || !dateRe.test(k.created))
                    throw fail('FORMAT', 'bad key entry');
                var pk = unb64(k.x25519);
                if (pk.length !== 32 || hex(keyId(pk)) !== k.id || seen[k.id])
                    throw fail('FORMAT', 'bad key id');
                seen[k.id] = true;
                lines.push('key ' + k.id + ' ' + k.x25519 + ' ' + k.created);
                keys.push({id: k.id, pk: pk, created: k.created});
            });
            /* signers (optional, 1 to 16; absent = none): name 1..64 UTF-8
             * bytes without a control character, canonical signing_key no
             * two alike, key (optional) one of the ids above, may a
             * non-empty list from events, alerts in that order; one line
             * 'signer <signing_key> <key or -> <may> <name>' each */
            var signers = [], seenSigner = {};
            if (Object.prototype.hasOwnProperty.call(b, 'signers')) {
                if (!Array.isArray(b.signers) || b.signers.length < 1 || b.signers.length > 16)
                    throw fail('FORMAT', 'bad signers');
                b.signers.forEach(function (g) {
                    if (!g || typeof g !== 'object' || Array.isArray(g) ||
                        typeof g.name !== 'string' || !/^[^\u0000-\u001f\u007f]+$/.test(g.name) ||
                        S.from_string(g.name).length > 64)
                        throw fail('FORMAT', 'bad signer name');
                    var spk = unb64(g.signing_key);
                    if (spk.length !== 32 || b64(spk) !== g.signing_key || seenSigner[g.signing_key]) throw fail('FORMAT', 'bad signer key');
                    seenSigner[g.signing_key] = true;
                    var hasKey = Object.prototype.hasOwnProperty.call(g, 'key');
                    if (hasKey && (typeof g.key !== 'string' || !seen[g.key]))
                        throw fail('FORMAT', 'signer key not one of the keys');
                    if (!Array.isArray(g.may) || g.may.length < 1 ||
                        ['events', 'alerts', 'events,alerts'].indexOf(g.may.join(',')) < 0 ||
                        g.may.some(function (m) { return typeof m !== 'string'; }))
                        throw fail('FORMAT', 'bad signer may');
                    lines.push('signer ' + g.signing_key + ' ' + (hasKey ? g.key : '-') + ' ' +
                               g.may.join(',') + ' ' + g.name);
                    signers.push({name: g.name, signPk: spk, key: hasKey ? g.key : null,
                                  may: g.may.slice()});
                });
            }
            var sig = unb64(b.signature || '');
            if (sig.length !== 64 ||
                !S.crypto_sign_verify_detached(sig, S.from_string(lines.join('\n') + '\n'), signPk))
                throw fail('SIGNATURE');
            return {org: b.org, created: b.created, serial: serial, signPk: signPk,
                    keys: keys, signers: signers, fingerprint: fingerprint(signPk)};
        }

        /* Who a verified bundle lets sign with signPk every right in may
         * (['events'], ['alerts'] or both): its signers entry, or for the
         * key holder (who may always sign both) its entry or one named by
         * the org slug; else null. umbra_bundle_signer's twin. */
        function bundleSigner(vb, signPk, may) {
            var key = b64(signPk), i, g = null;
            for (i = 0; i < vb.signers.length; i++)
                if (b64(vb.signers[i].signPk) === key) g = vb.signers[i];
            if (key === b64(vb.signPk))
                return {name: g ? g.name : vb.org, signPk: vb.signPk, key: g ? g.key : null,
                        may: ['events', 'alerts']};
            if (!g || may.some(function (m) { return g.may.indexOf(m) < 0; })) return null;
            return g;
        }

        return {
            keyId: keyId, mailboxId: mailboxId, fingerprint: fingerprint,
            padSize: padSize, padme: padme, padIsValid: padIsValid,
            envelopeSize: envelopeSize, maxContent: maxContent,
            seal: seal, open: open, check: check,
            damm: damm, receiptNew: receiptNew, normalise: normalise,
            mailboxDerive: mailboxDerive, bundleVerify: bundleVerify,
            bundleSigner: bundleSigner,
            followupProof: followupProof,
            b64: b64, unb64: unb64, hex: hex
        };
    }

    return {create: create, streamRng: streamRng, padme: padme, padSize: padSize};
});
