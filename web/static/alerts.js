/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alerts.js: the browser's own reading of the alert file (protocol
 * section "Alerts"), and the /alerts page's check of every alert it shows.
 *
 *   var A = UmbraAlerts.create(U, sodium);   U = UmbraCrypto.create(sodium)
 *   A.verify(fileText, bundle)   the inner alert object, or throws an Error
 *                                with .code (TOO_LONG, VERSION, FORMAT,
 *                                SIGNATURE, as the C library) and .why (the
 *                                rule word umbra_alert_parse gives)
 *
 * bundle is U.bundleVerify's result: the organisation's own signing key
 * may always sign; a signer entry (bundle.signers, when the bundle lists
 * some) may if its "may" holds "alerts". The same rules as alert.c and
 * tests/vectors/pyalert.py, in the same order, checked against
 * tests/vectors/alert.json under node (web/test/alerts.test.js). One
 * difference: JSON.parse keeps the last of two members of the same name
 * where the C library refuses the file; the signature still covers the
 * text, so a duplicate cannot change what was signed, only what is shown,
 * and the page shows the server's rendering of the C library's reading.
 *
 * On the page (a browser with a document), it reads the bundles and the
 * signed files the page embeds as JSON (no inline script runs), verifies
 * each alert, and marks it: "signature checked in this browser", or hides
 * its text and flags it when it fails. Without JavaScript the page stands
 * as the server rendered it. No storage, no network.
 */
(function (root, factory) {
    'use strict';
    if (typeof module === 'object' && module.exports) {
        module.exports = factory();
    } else {
        root.UmbraAlerts = factory();
    }
})(typeof self !== 'undefined' ? self : this, function () {
    'use strict';

    var FORMAT = 'umbra.alert/1';
    var LANGS = ['en', 'es', 'pt-BR', 'fr', 'ro', 'bg', 'ru', 'uk', 'zh-CN',
                 'th', 'vi', 'ar'];
    var LEVELS = ['info', 'warning', 'danger'];
    var ID_KINDS = ['phone', 'plate', 'handle', 'place'];
    var ALERT_KEYS = ['org', 'id', 'kind', 'issued', 'expires', 'level',
                      'area', 'period', 'identifiers', 'texts'];
    var WITHDRAWAL_KEYS = ['org', 'id', 'kind', 'issued', 'withdraws'];

    function refuse(why, code) {
        var e = new Error('alert refused: ' + why);
        e.code = code || 'FORMAT';
        e.why = why;
        throw e;
    }

    function isObj(o) { return !!o && typeof o === 'object' && !Array.isArray(o); }
    function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
    function only(o, keys) {
        return Object.keys(o).every(function (k) { return keys.indexOf(k) >= 0; });
    }

    /* days since 1970-01-01 of a real date YYYY-MM-DD from 1970, else null */
    function day(s) {
        var m = typeof s === 'string' && /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s);
        if (!m || +m[1] < 1970) return null;
        var t = Date.UTC(+m[1], +m[2] - 1, +m[3]), d = new Date(t);
        if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 ||
            d.getUTCDate() !== +m[3]) return null;
        return t / 86400000;
    }

    /* 1..cap UTF-16 units (JS string length), no control character */
    function textOk(s, cap, newline) {
        if (typeof s !== 'string' || s.length < 1 || s.length > cap) return false;
        for (var i = 0; i < s.length; i++) {
            var c = s.charCodeAt(i);
            if ((c < 0x20 || c === 0x7f) && !(newline && c === 10)) return false;
        }
        return true;
    }

    function isId(s) { return typeof s === 'string' && /^[0-9a-f]{32}$/.test(s); }

    /* bracket depth outside strings, as umbra_json_depth_ok */
    function depthOk(s, limit) {
        var depth = 0, inStr = false, esc = false;
        for (var i = 0; i < s.length; i++) {
            var c = s.charAt(i);
            if (inStr) {
                if (esc) esc = false;
                else if (c === '\\') esc = true;
                else if (c === '"') inStr = false;
            } else if (c === '"') {
                inStr = true;
            } else if (c === '[' || c === '{') {
                if (++depth > limit) return false;
            } else if (c === ']' || c === '}') {
                depth--;
            }
        }
        return true;
    }

    function checkInner(a) {
        if (!isObj(a)) refuse('alert');
        if (typeof a.org !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(a.org)) refuse('org');
        if (!isId(a.id)) refuse('id');
        if (typeof a.kind !== 'string') refuse('kind');
        var issued = day(a.issued);
        if (issued === null) refuse('issued');
        if (a.kind === 'withdrawal') {
            if (!only(a, WITHDRAWAL_KEYS)) refuse('unknown_member');
            if (!isId(a.withdraws) || a.withdraws === a.id) refuse('withdraws');
            return;
        }
        if (a.kind !== 'alert') refuse('kind');
        if (!only(a, ALERT_KEYS)) refuse('unknown_member');
        var expires = day(a.expires);
        if (expires === null) refuse('expires');
        if (!(issued < expires && expires <= issued + 365)) refuse('expires.range');
        if (LEVELS.indexOf(a.level) < 0) refuse('level');
        var area = a.area;
        if (!isObj(area) || !only(area, ['country', 'region'])) refuse('area');
        if (typeof area.country !== 'string' || !/^[A-Z]{2}$/.test(area.country)) refuse('area.country');
        if (has(area, 'region') && !textOk(area.region, 100)) refuse('area.region');
        var p = a.period;
        if (!isObj(p) || !only(p, ['from', 'to'])) refuse('period');
        var f = day(p.from), t = day(p.to);
        if (f === null || (f + 3) % 7 !== 0) refuse('period.from');
        if (t === null || (t + 3) % 7 !== 6 || t < f) refuse('period.to');
        if (t - f + 1 > 182) refuse('period.length');
        if (f > issued) refuse('period.after_issued');
        if (has(a, 'identifiers')) {
            if (!Array.isArray(a.identifiers) || a.identifiers.length > 10) refuse('identifiers');
            a.identifiers.forEach(function (e) {
                if (!isObj(e) || !only(e, ['kind', 'value'])) refuse('identifiers');
                if (ID_KINDS.indexOf(e.kind) < 0) refuse('identifiers.kind');
                if (!textOk(e.value, 100)) refuse('identifiers.value');
            });
        }
        if (!Array.isArray(a.texts) || a.texts.length < 1 || a.texts.length > 12) refuse('texts');
        var seen = {};
        a.texts.forEach(function (e) {
            if (!isObj(e) || !only(e, ['lang', 'title', 'body'])) refuse('texts');
            if (LANGS.indexOf(e.lang) < 0) refuse('texts.lang');
            if (seen[e.lang]) refuse('texts.lang_twice');
            seen[e.lang] = true;
            if (!textOk(e.title, 200)) refuse('texts.title');
            if (!textOk(e.body, 4000, true)) refuse('texts.body');
        });
    }

    function create(U, S) {
        function equal(x, y) {
            if (x.length !== y.length) return false;
            for (var i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
            return true;
        }

        function allowed(bundle, pk) {
            if (U.bundleSigner && Array.isArray(bundle.signers) &&
                bundle.signers.every(function (s) { return s.signPk && Array.isArray(s.may); }))
                return !!U.bundleSigner(bundle, pk, ['alerts']);
            if (equal(pk, bundle.signPk)) return true;
            return (bundle.signers || []).some(function (s) {
                var spk = s.signPk || (typeof s.signing_key === 'string' ? U.unb64(s.signing_key) : null);
                var may = s.may;
                var ok = Array.isArray(may) ? may.indexOf('alerts') >= 0
                    : typeof may === 'number' ? (may & 2) !== 0 : false;
                return ok && spk && equal(spk, pk);
            });
        }

        function verify(text, bundle) {
            var o, a, signer, sig;
            if (S.from_string(text).length > 65536) refuse('too_big', 'TOO_LONG');
            try {
                if (!depthOk(text, 4)) throw new Error('deep');
                o = JSON.parse(text);
            } catch (e) {
                refuse('not_alert_file', 'VERSION');
            }
            if (!isObj(o) || o.format !== FORMAT) refuse('not_alert_file', 'VERSION');
            if (!only(o, ['format', 'alert', 'signer', 'signature'])) refuse('unknown_member');
            try {
                signer = U.unb64(o.signer);
            } catch (e) { signer = null; }
            if (!signer || signer.length !== 32 || U.b64(signer) !== o.signer) refuse('signer');
            if (typeof o.alert !== 'string') refuse('alert');
            if (!depthOk(o.alert, 8)) refuse('alert.depth');
            try {
                a = JSON.parse(o.alert);
            } catch (e) {
                refuse('alert.json');
            }
            checkInner(a);
            try {
                sig = U.unb64(o.signature);
            } catch (e) { sig = null; }
            if (!sig || sig.length !== 64 || U.b64(sig) !== o.signature) refuse('signature.format');
            if (!S.crypto_sign_verify_detached(sig, S.from_string(FORMAT + '\n' + o.alert), signer))
                refuse('signature', 'SIGNATURE');
            if (!allowed(bundle, signer)) refuse('signer_not_allowed', 'SIGNATURE');
            if (a.org !== bundle.org) refuse('other_org', 'SIGNATURE');
            return a;
        }

        return {verify: verify};
    }

    /* ---- the /alerts page ---------------------------------------------- */

    function readJson(el) {
        try { return JSON.parse(el.textContent); } catch (e) { return null; }
    }

    function pageCheck(doc, sodium, UmbraCrypto) {
        var U = UmbraCrypto.create(sodium), A = create(U, sodium);
        var bundles = {}, data = doc.getElementById('alert-bundles');
        var said = readJson(doc.getElementById('alert-words')) || {};
        var raw = data ? readJson(data) : null;
        Object.keys(raw || {}).forEach(function (org) {
            try { bundles[org] = U.bundleVerify(raw[org]); } catch (e) { /* none */ }
        });
        var items = doc.querySelectorAll('article.alert[data-org]');
        Array.prototype.forEach.call(items, function (art) {
            var fileEl = art.querySelector('script.alert-file');
            var verdict = art.querySelector('.alert-verdict');
            var ok = false;
            try {
                var b = bundles[art.getAttribute('data-org')];
                var a = b && fileEl ? A.verify(fileEl.textContent, b) : null;
                ok = !!a && a.id === art.getAttribute('data-id');
            } catch (e) { ok = false; }
            art.setAttribute('data-verified', ok ? 'yes' : 'no');
            if (verdict) {
                verdict.textContent = ok ? said.ok : said.bad;
                verdict.className = 'alert-verdict ' + (ok ? 'verdict-ok' : 'verdict-bad');
            }
            if (!ok) {
                Array.prototype.forEach.call(art.querySelectorAll('.alert-text'), function (t) {
                    t.hidden = true;
                });
            }
        });
        doc.documentElement.setAttribute('data-alerts-checked', String(items.length));
    }

    if (typeof document !== 'undefined' && typeof window !== 'undefined') {
        var run = function () {
            var s = window.sodium;
            if (!s || !window.UmbraCrypto) return;
            /* Ed25519 needs no WebAssembly: check even if Argon2's did
             * not load (a browser with WebAssembly turned off) */
            Promise.resolve(s.ready).catch(function () {}).then(function () {
                pageCheck(document, s, window.UmbraCrypto);
            });
        };
        if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run);
        else run();
    }

    return {create: create, FORMAT: FORMAT, LANGS: LANGS};
});
