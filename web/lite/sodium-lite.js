/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sodium-lite.js: the few libsodium.js calls Umbra's pages make, with the
 * same names, arguments and bytes, on a far smaller download than the
 * libsodium.js sumo build (about 28 KB gzipped against about 323 KB):
 *
 *   TweetNaCl.js (npm tweetnacl, audited): X25519, XSalsa20-Poly1305
 *     (crypto_box_*), Ed25519 verification, SHA-512, Poly1305, randomness;
 *   argon2id (npm argon2id, by Proton's OpenPGP.js team): Argon2id's
 *     block functions in WebAssembly (with and without SIMD), driven for
 *     one lane by argon2-p1.js, and its BLAKE2b (crypto_generichash);
 *   here: ChaCha20 (RFC 8439), HChaCha20 and libsodium's secretstream
 *     construction on top of them, crypto_box_seal_open, and the helpers
 *     (base64, hex, UTF-8, memzero, randombytes_uniform).
 *
 * web/module.mk bundles the two packages and this file into
 * web/vendor/sodium-lite.js (web/lite/bundle.sh); the page loads that one
 * file with Subresource Integrity. web/test/lite.test.js checks every
 * function here against libsodium.js itself on random inputs, and
 * web/test/vectors.test.js runs umbra-crypto.js on both against
 * tests/vectors/.
 *
 * sodiumLite(nacl, argon) returns the object the page knows as
 * window.sodium; its .ready resolves once the Argon2id WebAssembly module
 * is instantiated (and rejects where WebAssembly is missing: the page then
 * keeps its plain form).
 */
function sodiumLite(nacl, argon) {
    'use strict';

    var S = {};
    var SIGMA = new Uint8Array([101, 120, 112, 97, 110, 100, 32, 51, 50, 45,
                                98, 121, 116, 101, 32, 107]); /* "expand 32-byte k" */
    var ZERO16 = new Uint8Array(16);
    var argon2 = null;

    function fail(msg) { throw new Error(msg); }

    function bytes(x, name) {
        if (typeof x === 'string') return S.from_string(x);
        if (!(x instanceof Uint8Array)) fail('invalid ' + (name || 'input') + ' type');
        return x;
    }

    function need(x, n, name) {
        x = bytes(x, name);
        if (x.length !== n) fail('invalid ' + name + ' length');
        return x;
    }

    function isZero(b) {
        var d = 0;
        for (var i = 0; i < b.length; i++) d |= b[i];
        return d === 0;
    }

    function concat(parts) {
        var n = 0, i, off = 0;
        for (i = 0; i < parts.length; i++) n += parts[i].length;
        var out = new Uint8Array(n);
        for (i = 0; i < parts.length; i++) { out.set(parts[i], off); off += parts[i].length; }
        return out;
    }

    /* ---- helpers (libsodium.js names) --------------------------------- */

    S.base64_variants = {ORIGINAL: 1, ORIGINAL_NO_PADDING: 3, URLSAFE: 5, URLSAFE_NO_PADDING: 7};
    var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

    function alphabet(variant) {
        if ([1, 3, 5, 7].indexOf(variant) < 0) fail('unsupported base64 variant');
        return B64 + ((variant & 4) ? '-_' : '+/');
    }

    S.to_base64 = function (bin, variant) {
        if (variant === undefined) variant = 7;
        var a = alphabet(variant), out = '', i;
        bin = bytes(bin);
        for (i = 0; i + 2 < bin.length; i += 3) {
            var v = (bin[i] << 16) | (bin[i + 1] << 8) | bin[i + 2];
            out += a[v >> 18] + a[(v >> 12) & 63] + a[(v >> 6) & 63] + a[v & 63];
        }
        var rest = bin.length - i;
        if (rest) {
            var w = (bin[i] << 16) | (rest === 2 ? bin[i + 1] << 8 : 0);
            out += a[w >> 18] + a[(w >> 12) & 63];
            out += rest === 2 ? a[(w >> 6) & 63] : '';
            if (!(variant & 2)) out += rest === 2 ? '=' : '==';
        }
        return out;
    };

    /* Strict, like sodium_base642bin: the variant's alphabet only, the
     * padding it asks for, and no stray bits in the last character. */
    S.from_base64 = function (s, variant) {
        if (variant === undefined) variant = 7;
        var a = alphabet(variant);
        if (typeof s !== 'string') fail('input must be a string');
        var body = s;
        if (!(variant & 2)) {
            if (s.length % 4) fail('incomplete input');
            body = s.replace(/={1,2}$/, '');
            if (s.length - body.length !== (4 - body.length % 4) % 4) fail('invalid input');
        }
        if (body.length % 4 === 1) fail('invalid input');
        var out = new Uint8Array(Math.floor(body.length * 3 / 4));
        var acc = 0, bits = 0, o = 0;
        for (var i = 0; i < body.length; i++) {
            var v = a.indexOf(body[i]);
            if (v < 0) fail('invalid input');
            acc = ((acc << 6) | v) & 0xffff;
            bits += 6;
            if (bits >= 8) { bits -= 8; out[o++] = (acc >> bits) & 0xff; }
        }
        if (acc & ((1 << bits) - 1)) fail('invalid input');
        return out;
    };

    S.to_hex = function (bin) {
        bin = bytes(bin);
        var out = '';
        for (var i = 0; i < bin.length; i++) out += (bin[i] < 16 ? '0' : '') + bin[i].toString(16);
        return out;
    };

    S.from_hex = function (s) {
        if (typeof s !== 'string' || s.length % 2 || !/^[0-9a-fA-F]*$/.test(s)) fail('invalid input');
        var out = new Uint8Array(s.length / 2);
        for (var i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
        return out;
    };

    S.from_string = function (s) { return new TextEncoder().encode(s); };
    S.to_string = function (b) { return new TextDecoder('utf-8', {fatal: true}).decode(b); };

    S.memzero = function (b) {
        if (!(b instanceof Uint8Array)) fail('only Uint8Array instances can be wiped');
        b.fill(0);
    };

    S.randombytes_buf = function (n) { return nacl.randomBytes(n); };

    /* libsodium's randombytes_uniform: reject below 2^32 mod u. */
    S.randombytes_uniform = function (upper) {
        upper = upper >>> 0;
        if (upper < 2) return 0;
        var min = (0x100000000 - upper) % upper;
        for (;;) {
            var b = nacl.randomBytes(4);
            var r = (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 0x1000000;
            if (r >= min) return r % upper;
        }
    };

    /* ---- hashing ------------------------------------------------------ */

    S.crypto_generichash_BYTES = 32;
    S.crypto_generichash_BYTES_MIN = 16;
    S.crypto_generichash_BYTES_MAX = 64;
    S.crypto_generichash_KEYBYTES = 32;
    S.crypto_generichash_KEYBYTES_MIN = 16;
    S.crypto_generichash_KEYBYTES_MAX = 64;

    /* BLAKE2b, unkeyed when key is null or empty (crypto_generichash). */
    S.crypto_generichash = function (outlen, msg, key) {
        if (!(outlen >= 1 && outlen <= 64) || outlen !== Math.floor(outlen)) fail('invalid hash length');
        msg = bytes(msg, 'message');
        if (key !== null && key !== undefined) {
            key = bytes(key, 'key');
            if (key.length > 64) fail('invalid key length');
            if (key.length === 0) key = null;
        } else {
            key = null;
        }
        return new Uint8Array(argon.blake2b(outlen, key).update(msg).digest());
    };

    S.crypto_hash_sha512 = function (msg) { return nacl.hash(bytes(msg, 'message')); };
    S.crypto_hash = S.crypto_hash_sha512;

    /* ---- X25519 boxes (XSalsa20-Poly1305) ----------------------------- */

    S.crypto_box_PUBLICKEYBYTES = 32;
    S.crypto_box_SECRETKEYBYTES = 32;
    S.crypto_box_NONCEBYTES = 24;
    S.crypto_box_MACBYTES = 16;
    S.crypto_box_SEALBYTES = 48;

    /* crypto_box_beforenm: HSalsa20 of the X25519 shared point; refused,
     * as libsodium refuses it, when that point is all zeros (a public key
     * of small order). */
    S.crypto_box_beforenm = function (pk, sk) {
        pk = need(pk, 32, 'publicKey');
        sk = need(sk, 32, 'privateKey');
        var s = nacl.scalarMult(sk, pk);
        if (isZero(s)) fail('invalid public key');
        var k = new Uint8Array(32);
        nacl.lowlevel.crypto_core_hsalsa20(k, ZERO16, s, SIGMA);
        s.fill(0);
        return k;
    };

    S.crypto_box_easy_afternm = function (msg, nonce, k) {
        return nacl.secretbox(bytes(msg, 'message'), need(nonce, 24, 'nonce'), need(k, 32, 'sharedKey'));
    };

    S.crypto_box_open_easy_afternm = function (c, nonce, k) {
        var m = nacl.secretbox.open(bytes(c, 'ciphertext'), need(nonce, 24, 'nonce'), need(k, 32, 'sharedKey'));
        if (!m) fail('incorrect key pair for the given ciphertext');
        return m;
    };

    S.crypto_box_easy = function (msg, nonce, pk, sk) {
        var k = S.crypto_box_beforenm(pk, sk);
        try { return S.crypto_box_easy_afternm(msg, nonce, k); } finally { k.fill(0); }
    };

    S.crypto_box_open_easy = function (c, nonce, pk, sk) {
        var k = S.crypto_box_beforenm(pk, sk);
        try { return S.crypto_box_open_easy_afternm(c, nonce, k); } finally { k.fill(0); }
    };

    /* crypto_box_seed_keypair: sk = SHA-512(seed)[0..32], pk = X25519(sk, 9). */
    S.crypto_box_seed_keypair = function (seed) {
        var h = nacl.hash(need(seed, 32, 'seed'));
        var sk = h.slice(0, 32);
        h.fill(0);
        return {keyType: 'x25519', privateKey: sk, publicKey: nacl.scalarMult.base(sk)};
    };

    S.crypto_box_keypair = function () {
        var seed = nacl.randomBytes(32);
        var kp = S.crypto_box_seed_keypair(seed);
        seed.fill(0);
        return kp;
    };

    S.crypto_scalarmult_base = function (sk) { return nacl.scalarMult.base(need(sk, 32, 'privateKey')); };

    function sealNonce(epk, pk) { return S.crypto_generichash(24, concat([epk, pk]), null); }

    /* crypto_box_seal: ephemeral key || box(m, BLAKE2b-24(epk || pk)). */
    S.crypto_box_seal = function (msg, pk) {
        pk = need(pk, 32, 'publicKey');
        var e = S.crypto_box_keypair();
        var c = S.crypto_box_easy(msg, sealNonce(e.publicKey, pk), pk, e.privateKey);
        e.privateKey.fill(0);
        return concat([e.publicKey, c]);
    };

    S.crypto_box_seal_open = function (c, pk, sk) {
        c = bytes(c, 'ciphertext');
        pk = need(pk, 32, 'publicKey');
        if (c.length < 48) fail('ciphertext is too short');
        var epk = c.subarray(0, 32);
        return S.crypto_box_open_easy(c.subarray(32), sealNonce(epk, pk), epk, sk);
    };

    /* ---- Ed25519 ------------------------------------------------------ */

    /* The group order L, little-endian: a signature's S must be below it
     * (libsodium refuses a non-canonical S; TweetNaCl alone would not). */
    var L = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2,
             0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];

    function scCanonical(s) {
        for (var i = 31; i >= 0; i--) {
            if (s[i] < L[i]) return true;
            if (s[i] > L[i]) return false;
        }
        return false;
    }

    S.crypto_sign_verify_detached = function (sig, msg, pk) {
        sig = need(sig, 64, 'signature');
        pk = need(pk, 32, 'publicKey');
        if (!scCanonical(sig.subarray(32))) return false;
        if (isZero(pk)) return false;
        return nacl.sign.detached.verify(bytes(msg, 'message'), sig, pk);
    };

    /* ---- ChaCha20 (RFC 8439) and libsodium's secretstream -------------- */

    function rotl(v, c) { return (v << c) | (v >>> (32 - c)); }

    function rounds(x) {
        for (var i = 0; i < 10; i++) {
            qr(x, 0, 4, 8, 12); qr(x, 1, 5, 9, 13); qr(x, 2, 6, 10, 14); qr(x, 3, 7, 11, 15);
            qr(x, 0, 5, 10, 15); qr(x, 1, 6, 11, 12); qr(x, 2, 7, 8, 13); qr(x, 3, 4, 9, 14);
        }
    }

    function qr(x, a, b, c, d) {
        x[a] = (x[a] + x[b]) | 0; x[d] = rotl(x[d] ^ x[a], 16);
        x[c] = (x[c] + x[d]) | 0; x[b] = rotl(x[b] ^ x[c], 12);
        x[a] = (x[a] + x[b]) | 0; x[d] = rotl(x[d] ^ x[a], 8);
        x[c] = (x[c] + x[d]) | 0; x[b] = rotl(x[b] ^ x[c], 7);
    }

    function le32(b, o) { return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24); }

    function setup(key, words) {
        var st = new Int32Array(16);
        st[0] = 0x61707865; st[1] = 0x3320646e; st[2] = 0x79622d32; st[3] = 0x6b206574;
        for (var i = 0; i < 8; i++) st[4 + i] = le32(key, 4 * i);
        for (i = 0; i < 4; i++) st[12 + i] = le32(words, 4 * i);
        return st;
    }

    /* HChaCha20(key, 16-byte input): words 0-3 and 12-15 after the rounds. */
    function hchacha20(key, input) {
        var x = setup(key, input);
        rounds(x);
        var out = new Uint8Array(32), w = [0, 1, 2, 3, 12, 13, 14, 15];
        for (var i = 0; i < 8; i++)
            for (var j = 0; j < 4; j++) out[4 * i + j] = (x[w[i]] >>> (8 * j)) & 0xff;
        x.fill(0);
        return out;
    }

    /* crypto_stream_chacha20_ietf_xor_ic: 32-bit block counter from ic,
     * 12-byte nonce. */
    function chachaXor(m, nonce, ic, key) {
        var words = new Uint8Array(16);
        words.set(nonce, 4);
        var st = setup(key, words), x = new Int32Array(16), ks = new Uint8Array(64);
        var out = new Uint8Array(m.length);
        for (var off = 0; off < m.length; off += 64, ic++) {
            st[12] = ic | 0;
            x.set(st);
            rounds(x);
            for (var i = 0; i < 16; i++) {
                var v = (x[i] + st[i]) | 0;
                ks[4 * i] = v & 0xff; ks[4 * i + 1] = (v >>> 8) & 0xff;
                ks[4 * i + 2] = (v >>> 16) & 0xff; ks[4 * i + 3] = (v >>> 24) & 0xff;
            }
            var n = Math.min(64, m.length - off);
            for (i = 0; i < n; i++) out[off + i] = m[off + i] ^ ks[i];
        }
        st.fill(0); x.fill(0); ks.fill(0);
        return out;
    }

    var SS_A = 17, TAG_REKEY = 2;
    S.crypto_secretstream_xchacha20poly1305_ABYTES = SS_A;
    S.crypto_secretstream_xchacha20poly1305_HEADERBYTES = 24;
    S.crypto_secretstream_xchacha20poly1305_KEYBYTES = 32;
    S.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE = 0;
    S.crypto_secretstream_xchacha20poly1305_TAG_PUSH = 1;
    S.crypto_secretstream_xchacha20poly1305_TAG_REKEY = 2;
    S.crypto_secretstream_xchacha20poly1305_TAG_FINAL = 3;

    /* The state: k (32 bytes) and nonce = counter (4, little-endian) ||
     * inonce (8). */
    S.crypto_secretstream_xchacha20poly1305_init_pull = function (header, key) {
        header = need(header, 24, 'header');
        key = need(key, 32, 'key');
        var nonce = new Uint8Array(12);
        nonce[0] = 1;
        nonce.set(header.subarray(16, 24), 4);
        return {k: hchacha20(key, header.subarray(0, 16)), nonce: nonce};
    };

    S.crypto_secretstream_xchacha20poly1305_init_push = function (key) {
        var header = nacl.randomBytes(24);
        return {state: S.crypto_secretstream_xchacha20poly1305_init_pull(header, key), header: header};
    };

    S.crypto_secretstream_xchacha20poly1305_rekey = function (st) {
        var buf = chachaXor(concat([st.k, st.nonce.subarray(4, 12)]), st.nonce, 0, st.k);
        st.k.set(buf.subarray(0, 32));
        st.nonce.set(buf.subarray(32, 40), 4);
        st.nonce.set([1, 0, 0, 0], 0);
        buf.fill(0);
    };

    function le64(n) {
        var b = new Uint8Array(8);
        for (var i = 0; i < 6; i++) { b[i] = n & 0xff; n = Math.floor(n / 256); }
        return b;
    }

    /* Poly1305 over ad, pad, the 64-byte tag block, c, then libsodium's
     * pad of (16 - 64 + mlen) & 15 zero bytes and the two lengths. */
    function streamMac(polyKey, ad, block, c) {
        var mlen = c.length;
        var input = concat([ad, new Uint8Array((16 - ad.length) & 15), block, c,
                            new Uint8Array((16 - 64 + mlen) & 15), le64(ad.length), le64(64 + mlen)]);
        var mac = new Uint8Array(16);
        nacl.lowlevel.crypto_onetimeauth(mac, 0, input, 0, input.length, polyKey);
        return mac;
    }

    function advance(st, mac, tag) {
        for (var i = 0; i < 8; i++) st.nonce[4 + i] ^= mac[i];
        for (i = 0; i < 4; i++) { st.nonce[i] = (st.nonce[i] + 1) & 0xff; if (st.nonce[i]) break; }
        if ((tag & TAG_REKEY) || isZero(st.nonce.subarray(0, 4)))
            S.crypto_secretstream_xchacha20poly1305_rekey(st);
    }

    S.crypto_secretstream_xchacha20poly1305_push = function (st, msg, ad, tag) {
        msg = bytes(msg, 'message');
        ad = ad ? bytes(ad, 'ad') : new Uint8Array(0);
        if (!(tag >= 0 && tag <= 255)) fail('invalid tag');
        var polyKey = chachaXor(new Uint8Array(64), st.nonce, 0, st.k).subarray(0, 32);
        var block = new Uint8Array(64);
        block[0] = tag;
        block = chachaXor(block, st.nonce, 1, st.k);
        var c = chachaXor(msg, st.nonce, 2, st.k);
        var mac = streamMac(polyKey, ad, block, c);
        polyKey.fill(0);
        var out = new Uint8Array(1 + c.length + 16);
        out[0] = block[0];
        out.set(c, 1);
        out.set(mac, 1 + c.length);
        advance(st, mac, tag);
        return out;
    };

    /* {message, tag}, or false when the chunk does not authenticate (the
     * state is then left as it was), as libsodium.js answers. */
    S.crypto_secretstream_xchacha20poly1305_pull = function (st, cipher, ad) {
        cipher = bytes(cipher, 'ciphertext');
        ad = ad ? bytes(ad, 'ad') : new Uint8Array(0);
        if (cipher.length < SS_A) fail('ciphertext is too short');
        var mlen = cipher.length - SS_A;
        var polyKey = chachaXor(new Uint8Array(64), st.nonce, 0, st.k).subarray(0, 32);
        var block = new Uint8Array(64);
        block[0] = cipher[0];
        block = chachaXor(block, st.nonce, 1, st.k);
        var tag = block[0];
        block[0] = cipher[0];
        var c = cipher.subarray(1, 1 + mlen);
        var mac = streamMac(polyKey, ad, block, c);
        polyKey.fill(0);
        if (nacl.lowlevel.crypto_verify_16(mac, 0, cipher, 1 + mlen) !== 0) return false;
        var m = chachaXor(c, st.nonce, 2, st.k);
        advance(st, mac, tag);
        return {message: m, tag: tag};
    };

    /* ---- Argon2id (crypto_pwhash) ------------------------------------- */

    S.crypto_pwhash_ALG_ARGON2ID13 = 2;
    S.crypto_pwhash_ALG_DEFAULT = 2;
    S.crypto_pwhash_SALTBYTES = 16;

    /* libsodium's crypto_pwhash with Argon2id v1.3, one lane, memlimit in
     * bytes (so memlimit / 1024 KiB), opslimit passes. */
    S.crypto_pwhash = function (outlen, pw, salt, ops, mem, alg) {
        if (alg !== 2) fail('unsupported algorithm');
        salt = need(salt, 16, 'salt');
        if (!(outlen >= 16) || !(ops >= 1) || !(mem >= 8192)) fail('invalid parameters');
        if (!argon2) fail('sodium.ready has not resolved');
        var kib = Math.floor(mem / 1024);
        try {
            return argon2.hash({password: bytes(pw, 'password'), salt: salt, parallelism: 1,
                                passes: ops, memorySize: kib, tagLength: outlen});
        } finally {
            /* the matrix (kib KiB) and the package's scratch blocks before it */
            argon2.wipe(kib * 1024 + 65536);
        }
    };

    S.ready = argon.load().then(function (a) { argon2 = a; });
    return S;
}
