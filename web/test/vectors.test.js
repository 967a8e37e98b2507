/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * umbra-crypto.js against the known-answer vectors of tests/vectors/, the
 * same files the C library regenerates byte for byte: key ids, padding,
 * envelopes (sealed with the vectors' fixed randomness), receipts and
 * mailboxes, normalisation, fingerprints, bundle signatures; plus round
 * trips and the refusals a tampered envelope must get. Everything runs
 * twice: on libsodium.js (the reference) and on sodium-lite (the library
 * the pages load, web/vendor/sodium-lite.js, built by make web-vendor).
 *
 *   node --test web/test/
 */
'use strict';

const test = require('node:test');
const { describe, before } = test;
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');

const TOP = path.resolve(__dirname, '../..');
const VEC = path.join(TOP, 'tests/vectors');
const IMPLS = [
    ['libsodium.js', require(path.join(TOP, 'web/node_modules/libsodium-wrappers-sumo'))],
    ['sodium-lite', require(path.join(TOP, 'web/vendor/sodium-lite.js'))]
];
const UmbraCrypto = require(path.join(TOP, 'web/static/umbra-crypto.js'));

const hex = (b) => Buffer.from(b).toString('hex');
const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const load = (name) => JSON.parse(fs.readFileSync(path.join(VEC, name), 'utf8'));

for (const [label, sodium] of IMPLS) describe(label, () => {
    let U;
    before(async () => {
        await sodium.ready;
        U = UmbraCrypto.create(sodium);
    });

    test('key ids (protocol 1)', () => {
        const v = load('keyid.json');
        assert.ok(v.cases.length > 0);
        for (const c of v.cases) assert.equal(hex(U.keyId(unhex(c.pk))), c.key_id);
    });

    test('padded sizes and envelope lengths (protocol 2.1, 2.2)', () => {
        const v = load('padding.json');
        for (const c of v.padded) {
            assert.equal(U.padSize(c.u), c.padded, 'padSize(' + c.u + ')');
            assert.equal(U.padIsValid(c.u), c.u_is_valid_padded, 'padIsValid(' + c.u + ')');
        }
        for (const c of v.envelope_len)
            assert.equal(U.envelopeSize(c.n, c.content_len), c.envelope_len,
                         'envelopeSize(' + c.n + ', ' + c.content_len + ')');
        /* 16 KiB of content stays in the 16 KiB bucket (one chunk). */
        assert.equal(U.envelopeSize(1, 16384), 8 + 88 + 24 + 14 + 16384 + 17);
        assert.equal(U.maxContent(1), 16 * 1024 * 1024);
        assert.equal(U.maxContent(16), 16 * 1024 * 1024);
    });

    for (const name of fs.readdirSync(VEC).filter((f) => /^envelope-.*\.json$/.test(f)).sort()) {
        test('envelope ' + name + ' is reproduced byte for byte and opens', () => {
            const v = load(name);
            const pks = v.recipients.map((r) => unhex(r.pk));
            const rng = UmbraCrypto.streamRng(unhex(v.random));
            const S = UmbraCrypto.create(sodium, rng);
            const env = S.seal(pks, unhex(v.content));
            assert.equal(rng.used(), unhex(v.random).length, 'all the randomness is drawn, in order');
            assert.equal(env.length, v.envelope_len);
            assert.equal(hex(env), v.envelope, 'byte-identical to the C library');
            const info = U.check(env);
            assert.equal(info.n, v.recipients.length);
            for (let i = 0; i < v.recipients.length; i++) {
                const r = v.recipients[i];
                assert.equal(hex(info.keyIds[i]), r.key_id);
                const content = U.open(unhex(v.envelope), [unhex(r.sk)], [unhex(r.pk)]);
                assert.equal(hex(content), v.content, 'recipient ' + i + ' opens it');
            }
        });
    }

    test('receipts from fixed randomness and their mailboxes (protocol 5)', () => {
        const v = load('receipt.json');
        assert.ok(v.cases.length > 0);
        for (const c of v.cases) {
            const S = UmbraCrypto.create(sodium, UmbraCrypto.streamRng(unhex(c.random)));
            const r = S.receiptNew();
            assert.equal(r, c.receipt);
            assert.equal(U.normalise(r), c.digits);
            assert.equal(U.damm(c.digits), 0);
            const mb = U.mailboxDerive(c.digits);
            assert.equal(hex(mb.pk), c.mailbox.mailbox_pk);
            assert.equal(hex(mb.sk), c.mailbox.mailbox_sk);
            assert.equal(hex(mb.lookupId), c.mailbox.lookup_id);
            assert.equal(hex(mb.mailboxId), c.mailbox.mailbox_id);
            assert.equal(hex(U.mailboxId(mb.lookupId)), c.mailbox.mailbox_id);
        }
    });

    test('normalising what a person types (protocol 5.2)', () => {
        const v = load('normalise.json');
        const codes = { format: 'FORMAT', checksum: 'CHECKSUM', too_long: 'TOO_LONG' };
        for (const c of v.cases) {
            const bytes = unhex(c.input_hex);
            if (c.digits) {
                assert.equal(U.normalise(bytes), c.digits, c.input_hex);
                /* and the same from a JavaScript string, as the page has it */
                assert.equal(U.normalise(Buffer.from(bytes).toString('utf8')), c.digits, c.input_hex);
            } else {
                assert.throws(() => U.normalise(bytes), (e) => e.code === codes[c.error],
                              c.input_hex + ' -> ' + c.error);
            }
        }
    });

    test('fingerprints (protocol 3.1)', () => {
        const v = load('fingerprint.json');
        for (const c of v.cases) assert.equal(U.fingerprint(unhex(c.signing_pk)), c.fingerprint);
    });

    test('bundle signature and fingerprint (protocol 3)', () => {
        const v = load('bundle.json');
        const b = U.bundleVerify(v.bundle);
        assert.equal(b.org, v.keys.slug);
        assert.equal(b.fingerprint, v.fingerprint);
        assert.deepEqual(b.keys.map((k) => hex(k.pk)), v.keys.x25519.map((k) => k.pk));
        /* any change to a signed field is refused */
        const j = JSON.parse(v.bundle);
        j.keys[0].created = '2026-01-16';
        assert.throws(() => U.bundleVerify(j), (e) => e.code === 'SIGNATURE');
        const k = JSON.parse(v.bundle);
        k.keys.pop();
        assert.throws(() => U.bundleVerify(k), (e) => e.code === 'SIGNATURE');
        const o = JSON.parse(v.bundle);
        o.org = 'other';
        assert.throws(() => U.bundleVerify(o), (e) => e.code === 'SIGNATURE');
    });

    test('bundle serial (protocol 3): signed, absent = 0, only 1 .. 2^53 - 1', () => {
        assert.equal(U.bundleVerify(load('bundle.json').bundle).serial, 0);
        const v = load('bundle-serial.json');
        const b = U.bundleVerify(v.bundle);
        assert.equal(b.serial, v.serial);
        assert.equal(b.fingerprint, v.fingerprint);
        assert.deepEqual(b.keys.map((k) => hex(k.pk)),
                         v.keys.x25519.slice(0, 2).map((k) => k.pk));
        assert.equal(U.bundleVerify(v.older.bundle).serial, v.older.serial);
        for (const c of v.invalid) {
            assert.throws(() => U.bundleVerify(c.bundle),
                          (e) => e.code === c.error.toUpperCase(), c.what);
        }
    });

    test('bundle signers (protocol 3): signed lines, who may sign what, refusals', () => {
        const v = load('bundle-signers.json');
        const b = U.bundleVerify(v.bundle);
        assert.equal(b.serial, v.serial);
        assert.deepEqual(b.signers.map((g) => g.name), ['Org desk', 'Ana Mar\u00eda', 'Ben']);
        assert.deepEqual(b.signers.map((g) => g.may.join(',')), ['events', 'events,alerts', 'alerts']);
        assert.equal(b.signers[2].key, null);
        assert.equal(U.bundleVerify(load('bundle.json').bundle).signers.length, 0);
        for (const q of v.queries) {
            const g = U.bundleSigner(b, U.unb64(q.signing_key), q.may);
            assert.equal(g ? g.name : null, q.signer, q.signing_key + ' ' + q.may);
        }
        for (const c of v.invalid) {
            assert.throws(() => U.bundleVerify(c.bundle),
                          (e) => e.code === c.error.toUpperCase(), c.what);
        }
    });

    test('bundle refusals in the order of protocol 3', () => {
        const v = load('bundle.json');
        const code = (fn) => { try { fn(); return 'OK'; } catch (e) { return e.code; } };
        assert.equal(code(() => U.bundleVerify(v.bundle + ' '.repeat(65536 - v.bundle.length))), 'OK');
        assert.equal(code(() => U.bundleVerify(v.bundle + ' '.repeat(65537 - v.bundle.length))), 'TOO_LONG');
        assert.equal(code(() => U.bundleVerify('['.repeat(65537))), 'TOO_LONG');
        assert.equal(code(() => U.bundleVerify('{"format": ')), 'FORMAT');
        assert.equal(code(() => U.bundleVerify('[]')), 'FORMAT');
        assert.equal(code(() => U.bundleVerify(v.bundle.replace('"umbra.keys/1"', '1'))), 'FORMAT');
        const other = v.bundle.replace('umbra.keys/1', 'umbra.keys/2');
        assert.equal(code(() => U.bundleVerify(other)), 'VERSION');
        assert.equal(code(() => U.bundleVerify(other.replace('"org": "demo"', '"org": "DEMO"'))), 'VERSION');
        const j = JSON.parse(v.bundle);
        j.created = '2026-02-30';
        assert.equal(code(() => U.bundleVerify(j)), 'FORMAT');
        j.created = '1969-12-31';
        assert.equal(code(() => U.bundleVerify(j)), 'FORMAT');
        const k = JSON.parse(v.bundle);
        k.keys[0].id = k.keys[0].id.toUpperCase();
        assert.equal(code(() => U.bundleVerify(k)), 'FORMAT');
    });

    test('round trips at every bucket, several recipients', () => {
        const kps = [0, 1, 2].map(() => sodium.crypto_box_keypair());
        const pks = kps.map((k) => k.publicKey);
        /* content bucket boundaries: the inner header (6 + 8n) comes on top */
        for (const len of [0, 1, 4096, 4097, 16384, 16385, 65536, 70000, 200000]) {
            const content = sodium.randombytes_buf(len);
            const env = U.seal(pks, content);
            assert.equal(env.length, U.envelopeSize(3, len));
            for (const kp of kps)
                assert.deepEqual(U.open(env, [kp.privateKey], [kp.publicKey]), content);
        }
    });

    test('a tampered or foreign envelope is refused', () => {
        const kp = sodium.crypto_box_keypair();
        const other = sodium.crypto_box_keypair();
        const env = U.seal([kp.publicKey], 'hello');
        assert.throws(() => U.open(env, [other.privateKey], [other.publicKey]), (e) => e.code === 'NO_KEY');
        for (const at of [20, 8 + 88 + 3, 8 + 88 + 24 + 10, env.length - 1]) {
            const bad = env.slice();
            bad[at] ^= 1;
            assert.throws(() => U.open(bad, [kp.privateKey], [kp.publicKey]), (e) => e.code === 'DECRYPT', 'byte ' + at);
        }
        const hdr = env.slice();
        hdr[6] = 1;
        assert.throws(() => U.check(hdr), (e) => e.code === 'FORMAT');
        assert.throws(() => U.check(env.slice(0, env.length - 1)), (e) => e.code === 'SIZE');
        const ver = env.slice();
        ver[4] = 2;
        assert.throws(() => U.check(ver), (e) => e.code === 'VERSION');
        // Same order as the C library (protocol 2.4): an unknown version is
        // reported before the fields a later version may lay out differently.
        const ver2 = env.slice();
        ver2[4] = 2;
        ver2[5] = 0;
        ver2[6] = 9;
        assert.throws(() => U.check(ver2), (e) => e.code === 'VERSION');
    });

    test('receipts: 24 digits, valid check digit, typing errors caught', () => {
        for (let i = 0; i < 50; i++) {
            const r = U.receiptNew();
            assert.match(r, /^\d{4}( \d{4}){5}$/);
            const d = U.normalise(r);
            assert.equal(U.damm(d), 0);
            const typo = d.slice(0, 5) + String((Number(d[5]) + 1) % 10) + d.slice(6);
            assert.throws(() => U.normalise(typo), (e) => e.code === 'CHECKSUM');
        }
    });

    test('follow-up proofs: both sides, known answers (protocol 6.1)', () => {
        const v = load('followup.json');
        assert.equal(v.cases.length, 3);
        for (const c of v.cases) {
            const mid = unhex(c.mailbox_id);
            assert.equal(hex(U.followupProof(unhex(c.org_pk), unhex(c.mailbox_sk), mid, c.narrative)),
                         c.proof);
            assert.equal(hex(U.followupProof(unhex(c.mailbox_pk), unhex(c.org_sk), mid, c.narrative)),
                         c.proof);
            assert.equal(U.b64(unhex(c.proof)), c.proof_b64);
            assert.notEqual(hex(U.followupProof(unhex(c.mailbox_pk), unhex(c.org_sk), mid,
                                                c.narrative + ' ')), c.proof);
        }
        /* crypto_hash (the standard build's name) is the same SHA-512 */
        const t = sodium.from_string(v.cases[1].narrative);
        assert.equal(hex(sodium.crypto_hash(t)), v.cases[1].narrative_sha512);
        assert.equal(hex(sodium.crypto_hash_sha512(t)), v.cases[1].narrative_sha512);
    });
});
