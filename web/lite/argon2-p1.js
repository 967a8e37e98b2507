/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * argon2-p1.js: Argon2id v1.3 with one lane, the only kind libsodium's
 * crypto_pwhash (and so Umbra, protocol 5.3) computes, driven over the
 * argon2id package's WebAssembly block functions (G, G2, xor, getLZ) with
 * plain offsets into its memory. The package's own driver (lib/argon2id.js,
 * any number of lanes) makes a typed-array view and a generator step per
 * block; on a phone with a slow CPU that doubled the time of a receipt's
 * derivation. The first blocks and the tag use the package's H0 and H'
 * (getH0, H_), so only the block loop is written here (RFC 9106 3.2-3.4).
 * web/test/lite.test.js checks it against libsodium.js at several sizes.
 *
 * ex: the instance's exports; memory: its WebAssembly.Memory;
 * p: {password, salt, passes, memorySize (KiB), tagLength}.
 */
function argon2p1(ex, memory, p, getH0, H_) {
    'use strict';
    var KB = 1024, SL = 4;
    /* scratch: G's work block, the address block, its input, a zero
     * block, getLZ's answer, the new block of later passes; then B[] */
    var GZ = 0, PR = 1024, PT = 2048, Z0 = 3072, LZ = 4096, NB = 5120, BASE = 6144;
    var q = 4 * Math.floor(p.memorySize / 4);
    var seg = q / SL;
    var need = BASE + q * KB;
    if (memory.buffer.byteLength < need)
        memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    var m8 = new Uint8Array(memory.buffer);
    var lz = new Uint32Array(memory.buffer, LZ, 2);
    m8.fill(0, 0, BASE);

    function le64(off, v) {
        m8[off] = v & 0xff; m8[off + 1] = (v >>> 8) & 0xff;
        m8[off + 2] = (v >>> 16) & 0xff; m8[off + 3] = (v >>> 24) & 0xff;
        m8[off + 4] = m8[off + 5] = m8[off + 6] = m8[off + 7] = 0;
    }

    var H0 = getH0({type: 2, version: 0x13, tagLength: p.tagLength, password: p.password,
                    salt: p.salt, lanes: 1, memorySize: p.memorySize, passes: p.passes});
    var seed = new Uint8Array(H0.length + 8);
    seed.set(H0);
    seed[H0.length] = 0;                        /* LE32(0): block 0 */
    H_(KB, seed, m8.subarray(BASE, BASE + KB));
    seed[H0.length] = 1;                        /* LE32(1): block 1 */
    H_(KB, seed, m8.subarray(BASE + KB, BASE + 2 * KB));
    seed.fill(0);
    H0.fill(0);

    for (var pass = 0; pass < p.passes; pass++) {
        for (var sl = 0; sl < SL; sl++) {
            var indep = pass === 0 && sl <= 1;  /* Argon2id: data-independent half pass */
            var start = pass === 0 && sl === 0 ? 2 : 0;
            var ctr = 0;
            if (indep) {
                m8.fill(0, PT, PT + KB);
                le64(PT, pass); le64(PT + 8, 0); le64(PT + 16, sl);
                le64(PT + 24, q); le64(PT + 32, p.passes); le64(PT + 40, 2);
            }
            for (var idx = start; idx < seg; idx++) {
                var j = sl * seg + idx;
                var prev = BASE + (j > 0 ? j - 1 : q - 1) * KB;
                var jj = prev;
                if (indep) {
                    var want = Math.floor(idx / 128) + 1;
                    if (want !== ctr) {
                        ctr = want;
                        le64(PT + 48, ctr);
                        ex.G2(Z0, PT, PR, GZ);
                    }
                    jj = PR + (idx % 128) * 8;
                }
                ex.getLZ(LZ, jj, 0, 1, pass, sl, idx, SL, seg);
                var ref = BASE + lz[1] * KB, cur = BASE + j * KB;
                if (pass === 0) {
                    ex.G(prev, ref, cur, GZ);
                } else {
                    ex.G(prev, ref, NB, GZ);
                    ex.xor(cur, cur, NB);
                }
            }
        }
    }
    var last = m8.slice(BASE + (q - 1) * KB, BASE + q * KB);
    var tag = H_(p.tagLength, last, new Uint8Array(p.tagLength));
    last.fill(0);
    return tag;
}
