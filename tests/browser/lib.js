/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lib.js: what every browser test file shares: the environment, check()
 * and its tally, a network-watching browser context that refuses every
 * host but the server, the caseworker tool, the report form filler, and
 * reading replies on /check with and without JavaScript. Each
 * tests/browser/*_test.js requires it; tests/browser/run.sh runs them all
 * against one server and adds up their "N passed, N failed" lines.
 */
'use strict';

const path = require('path');
const fs = require('fs');
const crypto = require('crypto');
const { execFileSync } = require('child_process');

const TOP = path.resolve(__dirname, '../..');
const { chromium } = require(path.join(TOP, 'web/node_modules/playwright-core'));

const BASE = process.env.UMBRA_BASE;
const ARTIFACTS = process.env.UMBRA_ARTIFACTS || path.join(TOP, 'tests/artifacts');
const TDIR = process.env.UMBRA_TEST_DIR;
const CASE = process.env.UMBRA_CASE || path.join(TOP, 'build/umbra-case');
const ORG = 'alpha';
const HOME = path.join(TDIR, ORG);
const PASS = path.join(TDIR, 'passphrase');
const TOKEN = path.join(TDIR, ORG + '.token');
const LOCALES = ['en', 'es', 'pt-BR', 'fr', 'ro', 'bg', 'ru', 'uk', 'zh-CN', 'th', 'vi', 'ar'];

const tally = { passed: 0, failed: 0 };
function check(cond, what, detail) {
    if (cond) {
        tally.passed++;
        console.log('ok   ' + what);
    } else {
        tally.failed++;
        console.log('FAIL ' + what + (detail !== undefined ? ': ' + String(detail).slice(0, 400) : ''));
    }
    return cond;
}

function caseTool(args, input) {
    return execFileSync(CASE, ['--home', HOME, '--passphrase-file', PASS].concat(args),
                        { input: input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 60000 });
}

/* Every request any page makes, by host; bodies kept for canary checks. */
const requests = [];
const cspErrors = [];
const pageErrors = [];

async function newContext(browser, opts) {
    const ctx = await browser.newContext(Object.assign({ viewport: { width: 390, height: 800 } }, opts || {}));
    ctx.on('request', (req) => {
        let body = null;
        try { body = req.postDataBuffer(); } catch (e) { body = null; }
        requests.push({ url: req.url(), method: req.method(), body: body });
    });
    /* Nothing may leave the machine: anything not for the server is refused
     * here (and counted by the network check). */
    await ctx.route('**/*', (route) => {
        const u = route.request().url();
        if (u.startsWith(BASE + '/')) return route.continue();
        return route.abort('blockedbyclient');
    });
    return ctx;
}

function watch(page) {
    page.on('console', (msg) => {
        const t = msg.text();
        if (/Content.Security.Policy|Refused to (execute|load|apply)/i.test(t)) cspErrors.push(t);
    });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    return page;
}

function canary(tag) {
    return 'CANARY' + tag + crypto.randomBytes(6).toString('hex');
}

/* A small JPEG with an EXIF segment holding a canary "GPS" string. */
async function jpegWithExif(browser, secret) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.setContent('<canvas id=c width=64 height=48></canvas>');
    const b64 = await page.evaluate(() => {
        const c = document.getElementById('c');
        const g = c.getContext('2d');
        g.fillStyle = '#c33'; g.fillRect(0, 0, 64, 48);
        g.fillStyle = '#33c'; g.fillRect(16, 12, 32, 24);
        return c.toDataURL('image/jpeg', 0.9).split(',')[1];
    });
    await ctx.close();
    const jpg = Buffer.from(b64, 'base64');
    const payload = Buffer.concat([Buffer.from('Exif\0\0'), Buffer.from('GPSLatitude=' + secret + ';Model=' + secret)]);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(payload.length + 2);
    return Buffer.concat([jpg.subarray(0, 2), Buffer.from([0xff, 0xe1]), len, payload, jpg.subarray(2)]);
}

/* Fills the report form; returns the canaries typed into it. */
async function fillReport(page, tag) {
    const c = {
        narrative: canary(tag + 'N'), place: canary(tag + 'P'), region: canary(tag + 'R'),
        description: canary(tag + 'D'), phone: canary(tag + 'T')
    };
    const orgRadio = page.locator('input[name="org"][value="' + ORG + '"]');
    if (await orgRadio.count()) await orgRadio.check();
    await page.check('input[name="categories"][value="physical-violence"]');
    await page.check('input[name="categories"][value="police-extortion"]');
    await page.fill('#narrative', 'He hit me. ' + c.narrative);
    /* the optional parts are folded in <details>: open them */
    await page.evaluate(() => document.querySelectorAll('#report details').forEach((d) => { d.open = true; }));
    if (await page.locator('#day').count()) {
        await page.selectOption('#day', '20');
        await page.selectOption('#month', '11');
        await page.selectOption('#year', '2026');
    } else {
        /* an older form (make bench-web's baseline): one date field */
        await page.fill('#date', '2026-11-20');
    }
    await page.selectOption('#country', 'TH');
    await page.fill('#region', c.region);
    await page.fill('#place', c.place);
    await page.check('input[name="perpetrator.type"][value="police"]');
    await page.fill('#pdesc', c.description);
    await page.locator('input[name="perpetrator.identifiers.value"]').first().fill(c.phone);
    await page.check('input[name="needs"][value="legal"]');
    await page.check('input[name="consent.statistics"]');
    return c;
}

function bodiesContain(reqs, needles) {
    const hits = [];
    for (const r of reqs) {
        if (!r.body) continue;
        for (const n of needles) if (r.body.includes(Buffer.from(n))) hits.push(r.method + ' ' + r.url + ' has ' + n);
    }
    return hits;
}

/* Reports reach the database (and so pull) when the server moves its
 * spool, every intake_window seconds: wait until both spool files hold
 * no record (tests/lib/spool.py reads them in full). */
function waitMoved(timeoutMs = 30000) {
    const dir = process.env.UMBRA_SPOOL;
    if (!dir) return;
    /* The files are preallocated and wiped with zeros (server/spool.h):
     * a spool holds records when its first bytes are a record's magic. */
    const holds = (f) => {
        let fd;
        try {
            fd = fs.openSync(path.join(dir, f), 'r');
            const b = Buffer.alloc(4);
            return fs.readSync(fd, b, 0, 4, 0) === 4 && b.toString('latin1') === 'USP1';
        } catch (e) {
            return false;
        } finally {
            if (fd !== undefined) fs.closeSync(fd);
        }
    };
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
        if (!holds('spool-a') && !holds('spool-b')) return;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    throw new Error('the spool was not moved in ' + timeoutMs + ' ms');
}

/* The caseworker: pull, import, then find the case holding a canary. */
function caseworkerFind(needle) {
    waitMoved();
    const out = path.join(TDIR, 'bundle-' + crypto.randomBytes(4).toString('hex'));
    caseTool(['pull', '--server', BASE, '--token-file', TOKEN, '--out', out]);
    caseTool(['import', out]);
    /* list --json prints one JSON object per line */
    const cases = caseTool(['list', '--json']).split('\n').filter((l) => l.trim())
        .map((l) => JSON.parse(l));
    for (const c of cases) {
        const id = String(c.id);
        const shown = caseTool(['show', id, '--json']);
        if (shown.includes(needle)) return { id: id, json: JSON.parse(shown), raw: shown };
    }
    return null;
}

function reportOf(shown) {
    const j = shown.json;
    return j.report || j.document || j;
}

async function replyTo(caseId, message) {
    const f = path.join(TDIR, 'reply-' + caseId + '.txt');
    fs.writeFileSync(f, message);
    caseTool(['reply', caseId, '--message-file', f]);
    caseTool(['push', '--server', BASE, '--token-file', TOKEN]);
}

async function readRepliesJS(browser, receipt, lang) {
    const ctx = await newContext(browser);
    const page = watch(await ctx.newPage());
    const before = requests.length;
    await page.goto(BASE + '/check?lang=' + lang);
    await page.waitForSelector('#check[data-enhanced="yes"]', { timeout: 20000 });
    await page.fill('#receipt', receipt);
    await page.click('#check button[type=submit]');
    await page.waitForSelector('#replies-out .reply, #replies-out p', { timeout: 30000 });
    const text = await page.textContent('#replies-out');
    const mine = requests.slice(before);
    const digits = receipt.replace(/\D/g, '');
    const leaked = mine.filter((r) => r.url.includes(digits) || (r.body && r.body.includes(Buffer.from(digits))));
    /* the lookup id travels in a POST body, never in a URL */
    const inUrl = mine.filter((r) => /\/api\/v1\/mailboxes\/[0-9a-f]{64}/.test(r.url));
    const viaBody = mine.some((r) => r.method === 'POST' && r.url === BASE + '/api/v1/mailboxes/replies' &&
                              r.body && /^\{"id":"[0-9a-f]{64}"\}$/.test(r.body.toString()));
    await ctx.close();
    return { text: text, leaked: leaked, inUrl: inUrl, viaBody: viaBody };
}

async function readRepliesNoJS(browser, receipt, lang) {
    const ctx = await newContext(browser, { javaScriptEnabled: false });
    const page = watch(await ctx.newPage());
    await page.goto(BASE + '/check?lang=' + lang);
    await page.fill('#receipt', receipt);
    await Promise.all([page.waitForNavigation(), page.click('#check button[type=submit]')]);
    const text = await page.textContent('#replies-out');
    await ctx.close();
    return text;
}

/* Launches Debian's Chromium headless with nothing that phones home. */
async function launch() {
    return chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update',
               '--disable-sync', '--disable-dev-shm-usage']
    });
}

/* The closing checks every file ends with: nothing left the machine, no
 * CSP violation, no script error; prints the tally and exits. allowPrefix
 * is a URL the quick exit may open (or null). */
function finish(allowPrefix) {
    const foreign = requests.filter((r) => !r.url.startsWith(BASE + '/') && !/^(data|blob):/.test(r.url) &&
                                           !(allowPrefix && r.url.startsWith(allowPrefix)));
    check(foreign.length === 0, 'the network log shows no request to any host but the server (' +
          requests.length + ' requests)', foreign.map((r) => r.url).join(' '));
    check(cspErrors.length === 0, 'no Content-Security-Policy violation', cspErrors.join(' | '));
    check(pageErrors.length === 0, 'no script error on any page', pageErrors.join(' | '));
    console.log(tally.passed + ' passed, ' + tally.failed + ' failed');
    process.exit(tally.failed ? 1 : 0);
}

module.exports = {
    path, fs, crypto, execFileSync, TOP, chromium, BASE, ARTIFACTS, TDIR, CASE, ORG, HOME, PASS, TOKEN,
    LOCALES, tally, check, caseTool, requests, cspErrors, pageErrors, newContext, watch, canary,
    jpegWithExif, fillReport, bodiesContain, waitMoved, caseworkerFind, reportOf, replyTo,
    readRepliesJS, readRepliesNoJS, launch, finish
};
