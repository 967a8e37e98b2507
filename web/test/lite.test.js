/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * sodium-lite (web/vendor/sodium-lite.js, what the pages load) against
 * libsodium.js (the reference) on random inputs: every function the pages
 * and umbra-crypto.js call, and those the conversation proofs need
 * (crypto_box_beforenm, keyed crypto_generichash, crypto_hash_sha512),
 * must give the same bytes and refuse the same inputs.
 *
 *   node --test web/test/      (after make web-vendor)
 */
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');

const TOP = path.resolve(__dirname, '../..');
const R = require(path.join(TOP, 'web/node_modules/libsodium-wrappers-sumo'));
const L = require(path.join(TOP, 'web/vendor/sodium-lite.js'));

const hex = (b) => Buffer.from(b).toString('hex');
const rnd = (n) => R.randombytes_buf(n);
const same = (a, b, what) => assert.equal(hex(a), hex(b), what);
const LENS = [0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 1000, 65536, 70001];

test.before(async () => {
    await R.ready;
    await L.ready;
});

test('BLAKE2b: crypto_generichash, unkeyed and keyed, every length', () => {
    for (const len of LENS) {
        const m = rnd(len);
        for (const out of [1, 16, 24, 32, 33, 64]) {
            same(L.crypto_generichash(out, m, null), R.crypto_generichash(out, m, null), 'out ' + out + ', m ' + len);
            const k = rnd(1 + (len % 64));
            same(L.crypto_generichash(out, m, k), R.crypto_generichash(out, m, k), 'keyed, key ' + k.length);
        }
    }
    same(L.crypto_generichash(32, 'umbra', new Uint8Array(0)), R.crypto_generichash(32, 'umbra', null), 'empty key');
    assert.throws(() => L.crypto_generichash(65, 'x', null));
    assert.throws(() => L.crypto_generichash(0, 'x', null));
    assert.throws(() => L.crypto_generichash(32, 'x', rnd(65)));
});

test('SHA-512', () => {
    for (const len of LENS) {
        const m = rnd(len);
        same(L.crypto_hash_sha512(m), R.crypto_hash_sha512(m), 'len ' + len);
        same(L.crypto_hash(m), R.crypto_hash(m), 'crypto_hash, len ' + len);
    }
});

test('X25519 keys, crypto_box_easy, beforenm, seal and seal_open', () => {
    for (let i = 0; i < 20; i++) {
        const seed = rnd(32);
        const a = L.crypto_box_seed_keypair(seed), b = R.crypto_box_seed_keypair(seed);
        same(a.publicKey, b.publicKey, 'seed keypair pk');
        same(a.privateKey, b.privateKey, 'seed keypair sk');
        const peer = R.crypto_box_keypair();
        same(L.crypto_box_beforenm(peer.publicKey, a.privateKey),
             R.crypto_box_beforenm(peer.publicKey, b.privateKey), 'beforenm');
        const m = rnd(LENS[i % LENS.length]), n = rnd(24);
        const c = L.crypto_box_easy(m, n, peer.publicKey, a.privateKey);
        same(c, R.crypto_box_easy(m, n, peer.publicKey, b.privateKey), 'crypto_box_easy');
        same(L.crypto_box_open_easy(c, n, a.publicKey, peer.privateKey), m, 'open_easy');
        const sealed = R.crypto_box_seal(m, a.publicKey);
        same(L.crypto_box_seal_open(sealed, a.publicKey, a.privateKey), m, 'seal_open of libsodium.js');
        const mine = L.crypto_box_seal(m, peer.publicKey);
        same(R.crypto_box_seal_open(mine, peer.publicKey, peer.privateKey), m, 'libsodium.js opens seal');
        const bad = sealed.slice();
        bad[bad.length - 1] ^= 1;
        assert.throws(() => L.crypto_box_seal_open(bad, a.publicKey, a.privateKey));
        assert.throws(() => L.crypto_box_seal_open(sealed, peer.publicKey, peer.privateKey));
        assert.throws(() => L.crypto_box_seal_open(sealed.slice(0, 47), a.publicKey, a.privateKey));
    }
    /* a public key of small order (here 0 and 1) gives an all-zero shared
     * point: both refuse it */
    const kp = R.crypto_box_keypair();
    for (const lo of [new Uint8Array(32), Uint8Array.from([1].concat(new Array(31).fill(0)))]) {
        assert.throws(() => R.crypto_box_beforenm(lo, kp.privateKey));
        assert.throws(() => L.crypto_box_beforenm(lo, kp.privateKey));
        assert.throws(() => L.crypto_box_easy(rnd(5), rnd(24), lo, kp.privateKey));
    }
});

test('Ed25519 detached signatures verify as in libsodium', () => {
    for (let i = 0; i < 20; i++) {
        const kp = R.crypto_sign_keypair();
        const m = rnd(LENS[i % LENS.length]);
        const sig = R.crypto_sign_detached(m, kp.privateKey);
        assert.equal(L.crypto_sign_verify_detached(sig, m, kp.publicKey), true);
        const bad = sig.slice();
        bad[i % 64] ^= 1 << (i % 8);
        assert.equal(L.crypto_sign_verify_detached(bad, m, kp.publicKey),
                     R.crypto_sign_verify_detached(bad, m, kp.publicKey));
        assert.equal(L.crypto_sign_verify_detached(bad, m, kp.publicKey), false);
        if (m.length) {
            const m2 = m.slice();
            m2[0] ^= 1;
            assert.equal(L.crypto_sign_verify_detached(sig, m2, kp.publicKey), false);
        }
        /* S + L: the same signature made malleable; libsodium refuses it */
        const mal = sig.slice();
        let carry = 0;
        const Lb = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2,
                    0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];
        for (let j = 0; j < 32; j++) {
            const v = mal[32 + j] + Lb[j] + carry;
            mal[32 + j] = v & 0xff;
            carry = v >> 8;
        }
        if (!carry) {
            assert.equal(R.crypto_sign_verify_detached(mal, m, kp.publicKey), false);
            assert.equal(L.crypto_sign_verify_detached(mal, m, kp.publicKey), false, 'S + L refused');
        }
    }
});

test('secretstream: push and pull, byte for byte, rekey on the final tag', () => {
    const TAGS = [0, 0, 1, 0, 2, 0, 0, 3];
    for (let round = 0; round < 6; round++) {
        const key = rnd(32), header = rnd(24);
        const a = L.crypto_secretstream_xchacha20poly1305_init_pull(header, key);
        const b = R.crypto_secretstream_xchacha20poly1305_init_pull(header, key);
        const pa = L.crypto_secretstream_xchacha20poly1305_init_pull(header, key);
        const pr = R.crypto_secretstream_xchacha20poly1305_init_pull(header, key);
        const chunks = [];
        TAGS.forEach((tag, i) => {
            const m = rnd(LENS[(i + round) % LENS.length]);
            const ad = i % 3 === 0 ? rnd(i * 7 + round) : null;
            const c = L.crypto_secretstream_xchacha20poly1305_push(a, m, ad, tag);
            same(c, R.crypto_secretstream_xchacha20poly1305_push(b, m, ad, tag), 'push ' + i);
            chunks.push([c, ad, m, tag]);
        });
        for (const [c, ad, m, tag] of chunks) {
            const x = R.crypto_secretstream_xchacha20poly1305_pull(pr, c, ad);
            const y = L.crypto_secretstream_xchacha20poly1305_pull(pa, c, ad);
            assert.equal(x.tag, tag);
            assert.equal(y.tag, tag);
            same(y.message, m, 'pull');
        }
    }
    const key = rnd(32), header = rnd(24);
    const p = L.crypto_secretstream_xchacha20poly1305_init_pull(header, key);
    const c = L.crypto_secretstream_xchacha20poly1305_push(
        L.crypto_secretstream_xchacha20poly1305_init_pull(header, key), rnd(100), rnd(8), 0);
    for (const at of [0, 1, 50, c.length - 1]) {
        const bad = c.slice();
        bad[at] ^= 0x80;
        assert.equal(L.crypto_secretstream_xchacha20poly1305_pull(p, bad, null), false, 'byte ' + at);
    }
    assert.equal(L.crypto_secretstream_xchacha20poly1305_pull(p, c, null), false, 'ad missing');
    assert.throws(() => L.crypto_secretstream_xchacha20poly1305_pull(p, c.slice(0, 16), null));
});

test('Argon2id: crypto_pwhash with one lane, as libsodium computes it', () => {
    const alg = R.crypto_pwhash_ALG_ARGON2ID13;
    assert.equal(L.crypto_pwhash_ALG_ARGON2ID13, alg);
    for (const [ops, mem, out, pwlen] of [[1, 8192, 16, 8], [2, 65536, 32, 24], [3, 1 << 20, 64, 40],
                                          [2, 19922944, 64, 24], [1, 100000, 64, 9]]) {
        const pw = rnd(pwlen), salt = rnd(16);
        same(L.crypto_pwhash(out, pw, salt, ops, mem, alg), R.crypto_pwhash(out, pw, salt, ops, mem, alg),
             'ops ' + ops + ', mem ' + mem + ', out ' + out);
    }
    assert.throws(() => L.crypto_pwhash(64, rnd(24), rnd(15), 2, 65536, alg));
    assert.throws(() => L.crypto_pwhash(64, rnd(24), rnd(16), 2, 65536, 1));
    assert.throws(() => L.crypto_pwhash(64, rnd(24), rnd(16), 0, 65536, alg));
});

test('helpers: base64 (strict), hex, strings, randomness', () => {
    const V = R.base64_variants;
    for (const len of [0, 1, 2, 3, 4, 5, 31, 32, 33]) {
        const b = rnd(len);
        for (const v of [V.ORIGINAL, V.ORIGINAL_NO_PADDING, V.URLSAFE, V.URLSAFE_NO_PADDING]) {
            const s = R.to_base64(b, v);
            assert.equal(L.to_base64(b, v), s, 'to_base64 ' + len + ' ' + v);
            same(L.from_base64(s, v), b, 'from_base64 ' + len + ' ' + v);
        }
        assert.equal(L.to_hex(b), R.to_hex(b));
        same(L.from_hex(R.to_hex(b)), b);
    }
    const code = (f) => { try { f(); return 'ok'; } catch (e) { return 'refused'; } };
    for (const s of ['QQ==', 'QR==', 'QUI=', 'QUJ=', 'QUJD', 'Q===', 'QQ=', 'QQ', 'Q', 'QU I=', '-_8=', '+/8=', 'QQ==QQ==']) {
        assert.equal(code(() => L.from_base64(s, V.ORIGINAL)), code(() => R.from_base64(s, V.ORIGINAL)), s);
    }
    assert.equal(L.to_string(L.from_string('umbra ✓ ข')), 'umbra ✓ ข');
    same(L.from_string('é'), R.from_string('é'));
    const z = rnd(10);
    L.memzero(z);
    assert.equal(hex(z), '00'.repeat(10));
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 5000; i++) counts[L.randombytes_uniform(10)]++;
    assert.ok(counts.every((c) => c > 380 && c < 620), counts.join(' '));
    assert.equal(L.randombytes_buf(33).length, 33);
    assert.notEqual(hex(L.randombytes_buf(16)), hex(L.randombytes_buf(16)));
});

test('without WebAssembly, ready rejects (the page then keeps its plain form)', () => {
    const { execFileSync } = require('child_process');
    const lib = path.join(TOP, 'web/vendor/sodium-lite.js');
    const run = (flags) => execFileSync(process.execPath, flags.concat(['-e',
        'require(' + JSON.stringify(lib) + ').ready.then(() => console.log("ready"), () => console.log("refused"))']),
        { encoding: 'utf8' }).trim();
    assert.equal(run([]), 'ready');
    assert.equal(run(['--no-expose-wasm']), 'refused');
});
