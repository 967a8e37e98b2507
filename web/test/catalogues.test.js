/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * The catalogues at catalogue level: every locale has every key English
 * has, no empty or HTML-bearing string, a sane locale.dir, a status entry;
 * every {{t key}} of the templates exists in English. The stats.* keys are
 * umbra-case's statistics outputs, built into it (docs/translating.md):
 * a locale has all of them or none (then `stats --lang` falls back to
 * English), and the twelve launch languages have them all. The desk.*
 * keys (`umbra-case desk`) follow the same rule.
 * The reply.* keys are umbra-case's reply templates, built into it the
 * same way (caseworker/gen-reply-strings.py): a locale has all of them or
 * none, and the twelve launch languages have them all.
 */
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');

const WEB = path.resolve(__dirname, '..');
const LOC = path.join(WEB, 'locales');
const load = (f) => JSON.parse(fs.readFileSync(path.join(LOC, f), 'utf8'));
const en = load('en.json');
const status = load('status.json');
const locales = fs.readdirSync(LOC).filter((f) => f.endsWith('.json') && f !== 'status.json')
    .map((f) => f.slice(0, -5));

test('the twelve launch languages are there', () => {
    for (const l of ['en', 'es', 'pt-BR', 'fr', 'ro', 'bg', 'ru', 'uk', 'zh-CN', 'th', 'vi', 'ar'])
        assert.ok(locales.includes(l), l);
});

const STATS_LANGS = ['en', 'es', 'pt-BR', 'fr', 'ro', 'bg', 'ru', 'uk', 'zh-CN', 'th', 'vi', 'ar'];
const isStats = (k) => k.startsWith('stats.');
const DESK_LANGS = ['en', 'es', 'pt-BR', 'fr', 'ro', 'bg', 'ru', 'uk', 'zh-CN', 'th', 'vi', 'ar'];
const isDesk = (k) => k.startsWith('desk.');

for (const l of locales) {
    test(l + ': every English key, translated, plain text', () => {
        const c = load(l + '.json');
        const withStats = STATS_LANGS.includes(l) || Object.keys(c).some(isStats);
        const withDesk = DESK_LANGS.includes(l) || Object.keys(c).some(isDesk);
        const missing = Object.keys(en).filter((k) => (withStats || !isStats(k)) &&
            (withDesk || !isDesk(k)) &&
            (typeof c[k] !== 'string' || !c[k].trim()));
        assert.deepEqual(missing, [], 'missing or empty keys');
        const extra = Object.keys(c).filter((k) => !(k in en));
        assert.deepEqual(extra, [], 'keys English does not have');
        for (const [k, v] of Object.entries(c)) assert.ok(!/[<>]/.test(v), k + ' holds markup');
        assert.ok(c['locale.dir'] === (l === 'ar' ? 'rtl' : 'ltr'), 'locale.dir');
        assert.match(c['leave.url'], /^https:\/\//, 'leave.url');
        assert.ok(status[l] && ['draft', 'reviewed'].includes(status[l].status), 'status.json entry');
        if (l !== 'en') assert.ok(c['consent.never_share'] !== en['consent.never_share'], 'consent translated');
    });
}

test('the twelve languages have the stats.* keys, and English has some', () => {
    assert.ok(Object.keys(en).filter(isStats).length > 0);
    for (const l of STATS_LANGS) assert.ok(locales.includes(l), l);
});

test('the desk languages have the desk.* keys, and English has some', () => {
    assert.ok(Object.keys(en).filter(isDesk).length > 0);
    for (const l of DESK_LANGS) assert.ok(locales.includes(l), l);
});

test('every {{t key}} of the templates exists in English', () => {
    const dir = path.join(WEB, 'templates');
    const missing = [];
    for (const f of fs.readdirSync(dir)) {
        const text = fs.readFileSync(path.join(dir, f), 'utf8');
        for (const m of text.matchAll(/\{\{t ([^}\s]+)\s*\}\}/g)) if (!(m[1] in en)) missing.push(f + ': ' + m[1]);
    }
    assert.deepEqual(missing, []);
});

const isReply = (k) => k.startsWith('reply.');

test('the reply templates: all or none in each locale, all in the twelve', () => {
    const names = Object.keys(en).filter(isReply);
    assert.ok(names.length >= 5, 'English has the five templates');
    for (const l of locales) {
        const c = load(l + '.json');
        const have = Object.keys(c).filter(isReply);
        assert.ok(have.length === 0 || have.length === names.length, l + ': all or none');
        if (['en', 'es', 'pt-BR', 'fr', 'ro', 'bg', 'ru', 'uk', 'zh-CN', 'th', 'vi', 'ar'].includes(l))
            assert.equal(have.length, names.length, l + ': has them all');
        for (const k of have) {
            assert.ok(Buffer.byteLength(c[k]) <= 16384, l + ': ' + k + ' fits a reply');
            if (l !== 'en') assert.notEqual(c[k], en[k], l + ': ' + k + ' translated');
        }
    }
});
