/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alerts.js (the browser's alert verifier) against tests/vectors/alert.json,
 * the file the C library writes and pyalert.py reads: every case's verdict
 * and rule word; a fresh alert signed here verifies, the same with one
 * byte changed or under the other organisation's bundle does not. On
 * libsodium.js and on sodium-lite (what the pages load).
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
const IMPLS = [
    ['libsodium.js', require(path.join(TOP, 'web/node_modules/libsodium-wrappers-sumo'))],
    ['sodium-lite', require(path.join(TOP, 'web/vendor/sodium-lite.js'))]
];
const UmbraCrypto = require(path.join(TOP, 'web/static/umbra-crypto.js'));
const UmbraAlerts = require(path.join(TOP, 'web/static/alerts.js'));
const V = JSON.parse(fs.readFileSync(path.join(TOP, 'tests/vectors/alert.json'), 'utf8'));
const CODE = {too_long: 'TOO_LONG', version: 'VERSION', format: 'FORMAT', signature: 'SIGNATURE'};

for (const [label, sodium] of IMPLS) describe(label, () => {
    let U, A, bundles;
    before(async () => {
        await sodium.ready;
        U = UmbraCrypto.create(sodium);
        A = UmbraAlerts.create(U, sodium);
        bundles = {demo: U.bundleVerify(V.demo), other: U.bundleVerify(V.other),
                   signers: U.bundleVerify(V.signers)};
    });

    test('every vector case: verdict and rule word', () => {
        assert.ok(V.cases.length >= 10);
        for (const c of V.cases) {
            const text = c.file + ' '.repeat(Math.max(0, (c.pad_to || 0) - Buffer.byteLength(c.file)));
            let got;
            try {
                const a = A.verify(text, bundles[c.bundle]);
                got = [null, 'ok', a.kind, a.id];
            } catch (e) {
                assert.ok(e.why, c.name + ': ' + e.message);
                got = [e.code, e.why, undefined, undefined];
            }
            assert.deepEqual(got, [c.error ? CODE[c.error] : null, c.why, c.kind, c.id], c.name);
        }
    });

    test('signed in node with the demo key: verifies; edited or elsewhere: refused', () => {
        /* signed with libsodium.js (sodium-lite only verifies) */
        const L = IMPLS[0][1];
        const seed = L.crypto_generichash(32, L.from_string('alert vector demo'), null);
        const kp = L.crypto_sign_seed_keypair(seed);
        const inner = JSON.parse(V.cases[0].file).alert.replace('Bangkok', 'Pattaya');
        const sig = L.crypto_sign_detached(L.from_string('umbra.alert/1\n' + inner), kp.privateKey);
        const file = JSON.stringify({format: 'umbra.alert/1', alert: inner,
                                     signer: U.b64(kp.publicKey), signature: U.b64(sig)});
        assert.equal(A.verify(file, bundles.demo).area.region, 'Pattaya');
        assert.throws(() => A.verify(file.replace('Pattaya', 'Pattayb'), bundles.demo),
                      (e) => e.code === 'SIGNATURE' && e.why === 'signature');
        assert.throws(() => A.verify(file, bundles.other),
                      (e) => e.why === 'signer_not_allowed');
        /* a signer entry of the bundle allowed alerts (spec-team A) */
        const other = Object.assign({}, bundles.other, {signers: [{signPk: kp.publicKey, may: ['alerts']}]});
        assert.throws(() => A.verify(file, other), (e) => e.why === 'other_org');
        const events = Object.assign({}, bundles.demo, {signPk: new Uint8Array(32),
                                                        signers: [{signPk: kp.publicKey, may: ['events']}]});
        assert.throws(() => A.verify(file, events), (e) => e.why === 'signer_not_allowed');
    });
});
