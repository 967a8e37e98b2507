/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * The information pages at file level (web/content, docs/translating.md
 * "Information pages"): every page in every locale, the same places for
 * local services as English, plain HTML (no script, style, handler, image
 * or form), a sign-off entry for each page in web/content/status.json
 * (a reviewed one names its reviewer and a day), and short sentences in
 * the English source. The rendered pages: build/info-test and
 * tests/browser/info_test.js.
 */
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');

const WEB = path.resolve(__dirname, '..');
const CONTENT = path.join(WEB, 'content');
const PAGES = ['rights', 'health', 'housing', 'legal'];
const locales = fs.readdirSync(path.join(WEB, 'locales'))
    .filter((f) => f.endsWith('.json') && f !== 'status.json').map((f) => f.slice(0, -5));
const status = JSON.parse(fs.readFileSync(path.join(CONTENT, 'status.json'), 'utf8'));
const read = (l, p) => fs.readFileSync(path.join(CONTENT, l, p + '.html'), 'utf8');
const marks = (html) => [...html.matchAll(/<!--\s*local:\s*([a-z0-9-]+)\s*-->/g)].map((m) => m[1]);
/* the text of a page, without tags and marks */
const text = (html) => html.replace(/<!--[\s\S]*?-->/g, ' ').replace(/<[^>]+>/g, '\n');

test('twelve locales, each with the four pages', () => {
    assert.equal(locales.length, 12);
    for (const l of locales) for (const p of PAGES)
        assert.ok(fs.existsSync(path.join(CONTENT, l, p + '.html')), l + '/' + p);
});

for (const l of locales) {
    test(l + ': plain HTML, a title, the places English has', () => {
        for (const p of PAGES) {
            const h = read(l, p);
            assert.match(h, /^<h1>[^<]+<\/h1>\n/, p + ' starts with its title');
            assert.equal((h.match(/<h1>/g) || []).length, 1, p + ': one <h1>');
            assert.doesNotMatch(h, /<(script|style|img|iframe|form|object|embed)\b|\son[a-z]+\s*=|style\s*=/i,
                                p + ': no script, style, handler, image or form');
            assert.deepEqual(marks(h), marks(read('en', p)), p + ': the same local services places as English');
            assert.ok(marks(h).length >= 1, p + ': a place for local services');
            /* every comment is a mark: a translator's note would be served */
            assert.equal((h.match(/<!--/g) || []).length, marks(h).length, p + ': no other comment');
            if (l !== 'en') assert.notEqual(text(h).trim(), text(read('en', p)).trim(), p + ' is translated');
        }
    });
}

test('every page has a sign-off entry; a reviewed one names who and when', () => {
    for (const l of locales) for (const p of PAGES) {
        const e = status[l + '/' + p];
        assert.ok(e && ['draft', 'reviewed'].includes(e.status), l + '/' + p + ' has a status');
        if (l !== 'en' && e.status === 'reviewed') {
            assert.ok(typeof e.reviewer === 'string' && e.reviewer.trim(), l + '/' + p + ': reviewer');
            assert.match(String(e.date), /^\d{4}-\d{2}-\d{2}$/, l + '/' + p + ': date of the review');
        }
    }
    for (const k of Object.keys(status)) {
        const [l, p] = k.split('/');
        assert.ok(locales.includes(l) && fs.existsSync(path.join(CONTENT, l, p + '.html')), k + ' is a page');
    }
});

test('the English source: sentences of at most 20 words', () => {
    const long = [];
    for (const p of PAGES)
        for (const s of text(read('en', p)).split(/(?<=[.?!:])\s+|\n+/))
            if (s.trim().split(/\s+/).length > 20) long.push(p + ': ' + s.trim());
    assert.deepEqual(long, []);
});
