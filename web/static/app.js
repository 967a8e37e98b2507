/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * app.js: progressive enhancement of the report and check pages.
 *
 * Without JavaScript both forms post to the server (via: web-nojs). With
 * it, the report is built and sealed here, in the browser, to every key of
 * the organisation's signed bundle, and only the envelope leaves the
 * device (via: web); the receipt and the mailbox are made here too. On the
 * check page the receipt never leaves the device: the mailbox is derived
 * here, the sealed replies fetched (the lookup id in a POST body, never in
 * a URL) and opened here; a message written back below the replies is a
 * report document with a follow-up proof (protocol 6.1), sealed here and
 * sent on the report route, without registering the mailbox again. The
 * report page shows each organisation's key
 * number as the server stored it; here it is checked against the number
 * computed from the verified bundle, and nothing is sealed to a bundle
 * whose number differs from the one shown.
 *
 * No cookie, no storage, no third-party request: only same-origin fetches
 * with credentials omitted.
 */
(function () {
    'use strict';

    var FETCH = {credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer'};
    var PHOTO_MAX_SIDE = 1600;
    var PHOTO_MAX_BYTES = 12 * 1024 * 1024;

    function $(id) { return document.getElementById(id); }

    function say(el, text, isError) {
        if (!el) return;
        el.textContent = text || '';
        el.className = isError ? 'error' : '';
    }

    function ready(fn) {
        if (!window.sodium || !window.UmbraCrypto) return; /* the plain form stays */
        window.sodium.ready.then(function () {
            fn(window.UmbraCrypto.create(window.sodium));
        });
    }

    function postJSON(url, obj) {
        return fetch(url, Object.assign({
            method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify(obj)
        }, FETCH));
    }

    /* ---- the report --------------------------------------------------- */

    function values(form, name) {
        var out = [];
        var els = form.elements[name];
        if (!els) return out;
        if (els.length === undefined || els.tagName === 'SELECT') els = [els];
        for (var i = 0; i < els.length; i++) {
            var e = els[i];
            if ((e.type === 'checkbox' || e.type === 'radio') && !e.checked) continue;
            var v = (e.value || '').trim();
            if (v) out.push(v);
        }
        return out;
    }

    function one(form, name) { return values(form, name)[0] || ''; }

    /* The report document, codes only, empty fields left out. V is the
     * report vocabulary (report-vocab.js, generated from
     * client-crypto/report-vocab.json like the server's tables). */
    function pad2(n) { return (n < 10 ? '0' : '') + n; }

    /* The date from the day, month and year menus (the server's rule,
     * server/formdate.h): '' when none is chosen, YYYY-MM or YYYY-MM-DD,
     * or {field: id} when a part is missing. */
    function menuDate(form) {
        var d = one(form, 'incident.day'), m = one(form, 'incident.month'),
            y = one(form, 'incident.year');
        if (!d && !m && !y) return one(form, 'incident.date');
        if (!/^\d{4}$/.test(y)) return {field: 'year'};
        if (!/^\d{1,2}$/.test(m)) return {field: 'month'};
        return y + '-' + pad2(+m) + (d ? '-' + pad2(+d) : '');
    }

    function buildReport(form, V) {
        var doc = {schema: V.schema, lang: one(form, 'lang') || 'en', via: 'web'};
        var incident = {};
        var date = menuDate(form);
        if (typeof date === 'string' && date) incident.date = date;
        [['country', 'incident.country'],
         ['region', 'incident.region'], ['place', 'incident.place']].forEach(function (f) {
            var v = one(form, f[1]);
            if (v) incident[f[0]] = v;
        });
        if (Object.keys(incident).length) doc.incident = incident;
        var cats = values(form, 'categories');
        if (cats.length) doc.categories = cats;
        var p = {};
        /* several may be chosen: types lists them, type keeps the first
         * for older readers; none chosen records nothing */
        var ptypes = values(form, 'perpetrator.type').filter(function (t, i, a) {
            return a.indexOf(t) === i;
        });
        if (ptypes.length) { p.type = ptypes[0]; p.types = ptypes; }
        var pdesc = one(form, 'perpetrator.description');
        if (pdesc) p.description = pdesc;
        var kinds = form.elements['perpetrator.identifiers.kind'];
        var vals = form.elements['perpetrator.identifiers.value'];
        var ids = [];
        if (kinds && vals) {
            if (kinds.length === undefined || kinds.tagName === 'SELECT') { kinds = [kinds]; vals = [vals]; }
            for (var i = 0; i < vals.length && ids.length < V.max_identifiers; i++) {
                var v = (vals[i].value || '').trim();
                if (v) ids.push({kind: kinds[i].value, value: v});
            }
        }
        if (ids.length) p.identifiers = ids;
        if (Object.keys(p).length) doc.perpetrator = p;
        var narrative = one(form, 'narrative');
        if (narrative) doc.narrative = narrative;
        var needs = values(form, 'needs');
        if (needs.length) doc.needs = needs;
        doc.consent = {};
        V.lists.consents.forEach(function (c) {
            doc.consent[c] = one(form, 'consent.' + c) === 'yes';
        });
        return doc;
    }

    /* Re-encodes a photo through a canvas: the new JPEG carries no EXIF,
     * no location, no camera data. Resolves to {name, type, data(base64)}. */
    function reencodePhoto(file, U) {
        if (!file) return Promise.resolve(null);
        if (file.size > PHOTO_MAX_BYTES || !/^image\//.test(file.type))
            return Promise.reject(new Error('photo'));
        return createImageBitmap(file).then(function (bmp) {
            var scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bmp.width, bmp.height));
            var c = document.createElement('canvas');
            c.width = Math.max(1, Math.round(bmp.width * scale));
            c.height = Math.max(1, Math.round(bmp.height * scale));
            c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
            if (bmp.close) bmp.close();
            return new Promise(function (resolve, reject) {
                c.toBlob(function (blob) {
                    if (!blob) { reject(new Error('photo')); return; }
                    blob.arrayBuffer().then(function (buf) {
                        resolve({name: 'photo.jpg', type: 'image/jpeg', data: U.b64(new Uint8Array(buf))});
                    }, reject);
                }, 'image/jpeg', 0.85);
            });
        });
    }

    /* A real calendar date YYYY-MM-DD (leap years counted) or a month
     * YYYY-MM, not after tomorrow (UTC): the server's rule (api.md). */
    function validDate(s) {
        var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(s);
        if (!m) return false;
        var y = +m[1], mo = +m[2];
        if (mo < 1 || mo > 12) return false;
        if (m[3] !== undefined) {
            var leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
            var mdays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            var d = +m[3];
            if (d < 1 || d > mdays[mo - 1]) return false;
        }
        var limit = new Date(Date.now() + 864e5).toISOString().slice(0, s.length);
        return s <= limit;
    }

    /* What went wrong, for the message: the network (fetch itself failed),
     * the server busy (429, 503, 507), or anything else. */
    function networkError() { throw new Error('network'); }
    function statusError(status) {
        return new Error(status === 507 ? 'full'
                         : status === 429 || status === 503 ? 'busy' : 'status ' + status);
    }

    function fetchBundle(U, slug) {
        return fetch('/api/v1/orgs/' + encodeURIComponent(slug), FETCH).catch(networkError).then(function (res) {
            if (!res.ok) throw statusError(res.status);
            return res.json();
        }).then(function (o) {
            var b = U.bundleVerify(o.bundle);
            if (b.org !== slug || (o.fingerprint && o.fingerprint !== b.fingerprint))
                throw new Error('bundle does not match');
            return b;
        });
    }

    /* Each organisation's verified bundle, fetched once when the page
     * checks the key numbers and used again by Send (one round trip less
     * on a slow network), for at most ten minutes. */
    var bundles = {};
    function bundleFor(U, slug) {
        var b = bundles[slug];
        if (!b || Date.now() - b.at > 600000) {
            b = bundles[slug] = {at: Date.now(), p: fetchBundle(U, slug)};
            b.p.catch(function () { if (bundles[slug] === b) delete bundles[slug]; });
        }
        return b.p;
    }

    /* The receipt view, built here from the texts the page carries in
     * data attributes: a text browser, which ignores `hidden`, shows
     * nothing of it under the form. */
    function buildDone(done) {
        var t = done.dataset;
        function el(tag, text, attrs) {
            var e = document.createElement(tag);
            if (text) e.textContent = text;
            Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
            return e;
        }
        done.textContent = '';
        done.appendChild(el('h1', t.title));
        var box = el('div', '', {id: 'receipt-box', 'class': 'receipt-box'});
        box.appendChild(el('p', t.code));
        box.appendChild(el('p', '', {id: 'receipt-out', 'class': 'receipt', dir: 'ltr', lang: 'zxx'}));
        var ul = el('ul');
        [t.keep1, t.keep2, t.keep3, t.keep4].forEach(function (k) { ul.appendChild(el('li', k)); });
        box.appendChild(ul);
        var pc = el('p');
        pc.appendChild(el('a', t.check, {'class': 'button', href: '/check?lang=' + encodeURIComponent(t.lang)}));
        box.appendChild(pc);
        done.appendChild(box);
        done.appendChild(el('p', t.none, {id: 'no-receipt'}));
        done.appendChild(el('p', t.thanks));
        var ph = el('p');
        ph.appendChild(el('a', t.home, {href: '/?lang=' + encodeURIComponent(t.lang)}));
        done.appendChild(ph);
    }

    function showReceipt(receipt) {
        var done = $('done');
        buildDone(done);
        $('report-page').hidden = true;
        if (receipt) {
            $('receipt-out').textContent = receipt;
            $('receipt-box').hidden = false;
            $('no-receipt').hidden = true;
        } else {
            $('receipt-box').hidden = true;
            $('no-receipt').hidden = false;
        }
        done.hidden = false;
        var h = done.querySelector('h1');
        if (h) { h.tabIndex = -1; h.focus(); }
        window.scrollTo(0, 0);
    }

    /* The organisations' key numbers as the server rendered them into the
     * page (what a reporter compares with a printed card), by slug. */
    function shownFingerprints(form) {
        var shown = {};
        var els = form.querySelectorAll('code.fp[data-org]');
        for (var i = 0; i < els.length; i++)
            shown[els[i].dataset.org] = {el: els[i], fp: els[i].textContent.trim()};
        return shown;
    }

    /* Checks each shown key number against the one computed here from the
     * organisation's verified bundle; says so under the numbers. */
    function checkFingerprints(form, U, shown) {
        var fpStatus = $('fp-status');
        var slugs = Object.keys(shown);
        if (!slugs.length || !fpStatus) return;
        Promise.all(slugs.map(function (slug) {
            return bundleFor(U, slug).then(function (b) {
                return b.fingerprint === shown[slug].fp;
            }, function () { return false; });
        })).then(function (oks) {
            var bad = false;
            oks.forEach(function (ok, i) {
                if (!ok) { bad = true; shown[slugs[i]].el.classList.add('fp-bad'); }
            });
            fpStatus.textContent = bad ? form.dataset.fpbad : form.dataset.fpok;
            fpStatus.className = bad ? 'error' : 'small';
            fpStatus.hidden = false;
        });
    }

    /* Ties the error said in status to the element with id (the field to
     * fix), opens its folded part and moves the focus there. */
    var marked = [];
    function unmark() {
        marked.forEach(function (e) {
            e.removeAttribute('aria-invalid');
            var d = (e.getAttribute('aria-describedby') || '').split(' ').filter(function (x) {
                return x && x !== 'report-status';
            }).join(' ');
            if (d) e.setAttribute('aria-describedby', d); else e.removeAttribute('aria-describedby');
        });
        marked = [];
    }
    function markField(id) {
        var e = $(id);
        if (!e) return;
        var fields = e.tagName === 'FIELDSET' ? e.querySelectorAll('input,select') : [e];
        for (var i = 0; i < fields.length; i++) {
            var f = fields[i];
            f.setAttribute('aria-invalid', 'true');
            var d = f.getAttribute('aria-describedby');
            f.setAttribute('aria-describedby', (d ? d + ' ' : '') + 'report-status');
            marked.push(f);
        }
        var det = e.closest('details');
        if (det) det.open = true;
        (fields[0] || e).focus();
    }

    /* The text fields over their cap, counted as maxlength counts (UTF-16
     * units, the server's unit too): the first one's id, or null. */
    function tooLong(form) {
        var els = form.querySelectorAll('input[maxlength],textarea[maxlength]');
        for (var i = 0; i < els.length; i++) {
            var max = +els[i].getAttribute('maxlength');
            if (max && els[i].value.length > max) return els[i].id || null;
        }
        return null;
    }

    /* Under each text field with a cap, how many characters are left
     * (counted as maxlength and the server count: UTF-16 units), shown
     * once a fifth of the cap is left. */
    function counters(form) {
        var els = form.querySelectorAll('input[maxlength],textarea[maxlength]');
        Array.prototype.forEach.call(els, function (e) {
            var max = +e.getAttribute('maxlength');
            if (!max || !e.id) return;
            var p = document.createElement('p');
            p.className = 'hint left';
            p.id = e.id + '-left';
            p.hidden = true;
            e.insertAdjacentElement('afterend', p);
            function update() {
                var left = max - e.value.length;
                p.hidden = left > max / 5;
                p.textContent = form.dataset.left.replace('{n}', String(Math.max(left, 0)));
            }
            e.addEventListener('input', update);
            update();
        });
    }

    function enhanceReport(form, U, V) {
        var status = $('report-status');
        counters(form);
        var button = form.querySelector('button[type=submit]');
        var shown = shownFingerprints(form);
        var sending = false;
        checkFingerprints(form, U, shown);
        form.addEventListener('submit', function (ev) {
            ev.preventDefault();
            if (sending) return;
            unmark();
            var doc = buildReport(form, V);
            var slug = one(form, 'org');
            var date = menuDate(form);
            var long = tooLong(form);
            if (!doc.categories && !doc.narrative) {
                say(status, form.dataset.empty, true);
                markField('narrative');
                return;
            }
            if (typeof date !== 'string' || (date && !validDate(date))) {
                say(status, form.dataset.baddate, true);
                markField(typeof date !== 'string' ? date.field : 'day');
                return;
            }
            if (long) {
                say(status, form.dataset.toolong, true);
                markField(long);
                return;
            }
            var wantsReply = one(form, 'reply') === 'yes';
            var photo = form.elements.attachment && form.elements.attachment.files[0];
            var receipt = null;
            /* not disabled: the focus stays on the button */
            sending = true;
            button.setAttribute('aria-disabled', 'true');
            say(status, form.dataset.sending, false);
            bundleFor(U, slug).then(function (bundle) {
                /* seal only to the keys of the number the page shows */
                if (!shown[slug] || shown[slug].fp !== bundle.fingerprint) {
                    if (shown[slug]) shown[slug].el.classList.add('fp-bad');
                    throw new Error('fingerprint');
                }
                return reencodePhoto(photo, U).then(function (att) {
                    if (att) doc.attachments = [att];
                    var chain = Promise.resolve();
                    if (wantsReply) {
                        receipt = U.receiptNew();
                        var mb = U.mailboxDerive(U.normalise(receipt));
                        doc.mailbox = U.b64(mb.pk);
                        doc.mailbox_id = U.hex(mb.mailboxId);
                        window.sodium.memzero(mb.sk);
                        /* counted against the organisation's mailbox quota */
                        chain = postJSON('/api/v1/mailboxes', {id: doc.mailbox_id, org: slug}).then(function (res) {
                            if (res.status !== 201 && res.status !== 200) throw statusError(res.status);
                        }, networkError);
                    }
                    return chain.then(function () {
                        var env = U.seal(bundle.keys.map(function (k) { return k.pk; }),
                                         JSON.stringify(doc));
                        doc = null;
                        return fetch('/api/v1/orgs/' + encodeURIComponent(slug) + '/reports',
                                     Object.assign({method: 'POST', body: env,
                                                    headers: {'Content-Type': 'application/octet-stream'}}, FETCH))
                            .catch(networkError);
                    });
                }, function () {
                    throw new Error('photo');
                });
            }).then(function (res) {
                if (res.status !== 201) throw statusError(res.status);
                form.reset();
                say(status, '', false);
                showReceipt(receipt);
            }).catch(function (e) {
                var m = e && e.message;
                say(status, m === 'photo' ? form.dataset.photo
                    : m === 'fingerprint' ? form.dataset.fpbad
                    : m === 'network' ? form.dataset.network
                    : m === 'busy' ? form.dataset.busy
                    : m === 'full' ? form.dataset.full || form.dataset.busy : form.dataset.failed, true);
                if (m === 'photo') markField('photo');
            }).then(function () {
                sending = false;
                button.removeAttribute('aria-disabled');
            });
        });
        form.dataset.enhanced = 'yes';
    }

    /* ---- reading replies ---------------------------------------------- */

    /* The mailbox of the last receipt checked whose mailbox the server
     * knows, kept in memory (never stored) so the reporter can write back
     * without typing the receipt again; wiped when the page goes. */
    var session = {mb: null};

    function forget() {
        if (session.mb) window.sodium.memzero(session.mb.sk);
        session.mb = null;
    }

    function enhanceCheck(form, U, onKnown) {
        var status = $('check-status');
        var out = $('replies-out');
        var button = form.querySelector('button[type=submit]');
        var input = form.elements.receipt;
        var busy = false;
        /* an error: said in status, tied to the code's field, the code
         * left as typed and the focus on it */
        function fail(text) {
            say(status, text, true);
            input.setAttribute('aria-invalid', 'true');
            input.setAttribute('aria-describedby', 'check-status');
            input.focus();
        }
        form.addEventListener('submit', function (ev) {
            ev.preventDefault();
            if (busy) return;
            var digits;
            input.removeAttribute('aria-invalid');
            try {
                digits = U.normalise(input.value);
            } catch (e) {
                fail(form.dataset.bad);
                return;
            }
            /* not disabled: a disabled button drops the focus */
            busy = true;
            button.setAttribute('aria-disabled', 'true');
            say(status, form.dataset.busy, false);
            /* let the status paint before the key derivation blocks */
            setTimeout(function () {
                var mb = U.mailboxDerive(digits);
                /* the lookup id goes in the body, never in a URL a proxy logs */
                postJSON('/api/v1/mailboxes/replies', {id: U.hex(mb.lookupId)}).catch(networkError).then(function (res) {
                    if (!res.ok) throw statusError(res.status);
                    return res.json();
                }).then(function (j) {
                    out.textContent = '';
                    var shown = 0;
                    (j.replies || []).forEach(function (r) {
                        var doc;
                        try {
                            var text = window.sodium.to_string(U.open(U.unb64(r.envelope), [mb.sk], [mb.pk]));
                            doc = JSON.parse(text);
                        } catch (e) {
                            return; /* not for us or damaged: skip */
                        }
                        if (!doc || typeof doc.message !== 'string') return;
                        var art = document.createElement('article');
                        art.className = 'reply';
                        var meta = document.createElement('p');
                        meta.className = 'small';
                        meta.textContent = form.dataset.from + ' ' + (doc.date || r.day || '');
                        var msg = document.createElement('p');
                        msg.className = 'msg';
                        msg.textContent = doc.message;
                        if (doc.lang) msg.lang = doc.lang;
                        art.appendChild(meta);
                        art.appendChild(msg);
                        out.appendChild(art);
                        shown++;
                    });
                    if (!shown) {
                        var p = document.createElement('p');
                        p.textContent = form.dataset.none;
                        out.appendChild(p);
                    }
                    say(status, '', false);
                    forget();
                    if (j.known)
                        session.mb = {pk: mb.pk, sk: mb.sk.slice(), mailboxId: mb.mailboxId};
                    input.value = ''; /* read: the code leaves the page */
                    if (onKnown) onKnown(!!j.known);
                }).catch(function (e) {
                    var m = e && e.message;
                    fail(m === 'network' ? form.dataset.network
                         : m === 'busy' ? form.dataset.server : form.dataset.failed);
                }).then(function () {
                    window.sodium.memzero(mb.sk);
                    busy = false;
                    button.removeAttribute('aria-disabled');
                });
            }, 30);
        });
        form.dataset.enhanced = 'yes';
    }

    /* ---- writing back (protocol 6.1) ---------------------------------- */

    /* The mailbox to write back from: the one of the receipt checked above,
     * else the one of the receipt typed in this form, if the server knows
     * it (a wrong or too old receipt: nothing is sent). */
    function writebackMailbox(form, U) {
        if (session.mb) return Promise.resolve(session.mb);
        var digits;
        try {
            digits = U.normalise(form.elements.receipt.value);
        } catch (e) {
            return Promise.reject(new Error('receipt'));
        }
        return new Promise(function (resolve) { setTimeout(resolve, 30); }).then(function () {
            var mb = U.mailboxDerive(digits);
            return postJSON('/api/v1/mailboxes/replies', {id: U.hex(mb.lookupId)}).then(function (res) {
                if (!res.ok) throw new Error('replies ' + res.status);
                return res.json();
            }).then(function (j) {
                if (!j.known) {
                    window.sodium.memzero(mb.sk);
                    throw new Error('unknown');
                }
                forget();
                session.mb = mb;
                return mb;
            });
        });
    }

    function enhanceWriteback(form, U, V) {
        var status = $('writeback-status');
        var button = form.querySelector('button[type=submit]');
        form.addEventListener('submit', function (ev) {
            ev.preventDefault();
            var text = form.elements.narrative.value;
            if (!text.trim()) {
                say(status, form.dataset.empty, true);
                return;
            }
            var slug = one(form, 'org');
            var photo = form.elements.attachment && form.elements.attachment.files[0];
            button.disabled = true;
            say(status, form.dataset.sending, false);
            writebackMailbox(form, U).then(function (mb) {
                return fetchBundle(U, slug).then(function (bundle) {
                    return reencodePhoto(photo, U).then(function (att) {
                        var pks = bundle.keys.map(function (k) { return k.pk; });
                        var doc = {schema: V.schema, lang: one(form, 'lang') || 'en',
                                   via: 'web', narrative: text,
                                   mailbox: U.b64(mb.pk), mailbox_id: U.hex(mb.mailboxId),
                                   follow_up: {proof: U.b64(U.followupProof(pks[0], mb.sk,
                                                                            mb.mailboxId, text))}};
                        if (att) doc.attachments = [att];
                        var env = U.seal(pks, JSON.stringify(doc));
                        doc = null;
                        /* the route and requests of a report without replies */
                        return fetch('/api/v1/orgs/' + encodeURIComponent(slug) + '/reports',
                                     Object.assign({method: 'POST', body: env,
                                                    headers: {'Content-Type': 'application/octet-stream'}}, FETCH));
                    }, function () {
                        throw new Error('photo');
                    });
                });
            }).then(function (res) {
                if (res.status !== 201) throw new Error('report ' + res.status);
                form.elements.narrative.value = '';
                if (form.elements.attachment) form.elements.attachment.value = '';
                form.elements.receipt.value = '';
                say(status, form.dataset.sent, false);
                status.className = 'ok';
            }).catch(function (e) {
                var m = e && e.message;
                say(status, m === 'receipt' ? form.dataset.bad : m === 'unknown' ? form.dataset.unknown
                    : m === 'photo' ? form.dataset.photo : form.dataset.failed, true);
            }).then(function () {
                button.disabled = false;
            });
        });
        form.dataset.enhanced = 'yes';
    }

    /* Once a checked receipt's mailbox is known, the write-back form uses
     * it and does not ask for the receipt again; after a check whose
     * mailbox is not known, it asks again. */
    function receiptKnown(known) {
        var row = $('wb-receipt-row'), note = $('wb-receipt-known'), input = $('wb-receipt');
        if (row) row.hidden = known;
        if (input) { input.required = !known; input.value = ''; }
        if (note) note.hidden = !known;
    }

    ready(function (U) {
        var report = $('report');
        var check = $('check');
        var writeback = $('writeback');
        if (report && window.UmbraVocab) enhanceReport(report, U, window.UmbraVocab);
        if (check) enhanceCheck(check, U, writeback ? receiptKnown : null);
        if (writeback && window.UmbraVocab) enhanceWriteback(writeback, U, window.UmbraVocab);
        window.addEventListener('pagehide', forget);
    });
})();
