/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_alerts_test.js: the desk's Alerts screen in a real Chromium. A
 * scratch home with a case that consents to an alert and one that does
 * not (tests/desk/desk_alerts.py prepare): the caseworker unlocks the
 * desk, opens Alerts, is refused for the case without consent, drafts
 * from the other in English, Thai and Arabic, writes the Thai and Arabic
 * texts, saves, signs, and `umbra-case alert verify` calls the signed
 * file valid; then withdraws it. Nothing requested from another host, no
 * CSP violation, no script error, no script on the page. Screenshots in
 * tests/artifacts/desk-alert-*.png. Ends with "N passed, N failed".
 */
'use strict';

const path = require('path');
const fs = require('fs');
const os = require('os');
const { spawn, execFileSync } = require('child_process');

const TOP = path.resolve(__dirname, '../..');
const { chromium } = require(path.join(TOP, 'web/node_modules/playwright-core'));
const BUILD = process.env.UMBRA_BUILD || 'build';
const ARTIFACTS = process.env.UMBRA_ARTIFACTS || path.join(TOP, 'tests/artifacts');

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

let desk = null;
let scratch = null;
const requests = [];
const cspErrors = [];
const pageErrors = [];

function startDesk(home) {
    const proc = spawn(path.join(TOP, BUILD, 'umbra-case'), ['--home', home, 'desk', '--no-browser'],
                       { env: Object.assign({}, process.env, { LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8' }),
                         stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
        let out = '';
        proc.stdout.on('data', (b) => {
            out += b.toString();
            const nl = out.indexOf('\n');
            if (nl >= 0) {
                const url = out.slice(0, nl);
                resolve({ proc, url, base: url.replace(/\/open\?s=.*$/, '') });
            }
        });
        proc.on('exit', (code) => reject(new Error('desk exited ' + code)));
    });
}

async function shot(page, name) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'desk-alert-' + name + '.png'), fullPage: true });
}

function cli(facts, args) {
    return execFileSync(facts.case, ['--home', facts.home, '--passphrase-file', facts.pwfile].concat(args),
                        { encoding: 'utf8' });
}

async function main() {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'umbra-desk-alerts.'));
    const facts = JSON.parse(execFileSync('/usr/bin/python3', [path.join(__dirname, 'desk_alerts.py'), 'prepare', scratch],
                                          { encoding: 'utf8', env: Object.assign({}, process.env, { UMBRA_BUILD: BUILD }) }));
    const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium', headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync',
               '--disable-dev-shm-usage']
    });
    try {
        desk = await startDesk(facts.home);
        const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
        ctx.on('request', (req) => requests.push(req.url()));
        await ctx.route('**/*', (route) => {
            const u = route.request().url();
            return u.startsWith(desk.base + '/') ? route.continue() : route.abort('blockedbyclient');
        });
        const page = await ctx.newPage();
        page.on('console', (msg) => {
            if (/Content.Security.Policy|Refused to (execute|load|apply)/i.test(msg.text())) cspErrors.push(msg.text());
        });
        page.on('pageerror', (err) => pageErrors.push(String(err)));

        await page.goto(desk.url);
        await page.fill('#passphrase', facts.passphrase);
        await page.click('form[action="/unlock"] button');
        await page.click('nav a[href="/alerts"]');
        check(await page.locator('#alerts').count() === 1 && await page.locator('#cases').count() === 1,
              'the Alerts screen: the list and the new-alert form');

        await page.fill('#cases', '2');
        await page.click('#draft');
        check(/case 2: the reporter did not agree/.test(await page.locator('.flash').innerText()),
              'a case without consent is refused, by number');

        await page.fill('#cases', '1');
        await page.check('input[name="lang"][value="th"]');
        await page.check('input[name="lang"][value="ar"]');
        await page.click('#draft');
        check(await page.locator('input[name="title.th"]').count() === 1 &&
              await page.locator('textarea[name="body.ar"]').count() === 1,
              'a draft with a Thai and an Arabic text to write');
        await page.fill('input[name="title.th"]', 'ระวังชายขับรถสีเทา');
        await page.fill('textarea[name="body.th"]', 'เขาปล้นพนักงานสองคนในสัปดาห์นี้');
        await page.fill('input[name="title.ar"]', 'احذروا رجلًا يقود سيارة رمادية');
        await page.fill('textarea[name="body.ar"]', 'سرق عاملتين هذا الأسبوع');
        await page.selectOption('#level', 'danger');
        await page.click('#save');
        check(await page.locator('.flash').innerText() === 'Saved.', 'the fields are saved');
        await shot(page, 'draft');
        await page.click('#sign');
        check(/Signed/.test(await page.locator('.flash').innerText()) &&
              await page.locator('#withdraw').count() === 1 && await page.locator('#save').count() === 0,
              'signed: read-only, with a withdraw button');
        await shot(page, 'signed');

        const file = path.join(scratch, 'alert.json');
        fs.writeFileSync(file, cli(facts, ['alert', 'show', '1', '--file']));
        let verified = '';
        try {
            verified = execFileSync(facts.case, ['--home', facts.home, 'alert', 'verify', file, '--bundle', facts.public],
                                    { encoding: 'utf8' });
        } catch (e) { verified = String(e.stdout || e); }
        check(/valid alert/.test(verified) && /0 invalid/.test(verified), 'what the desk signed verifies', verified);

        await page.click('#withdraw');
        check(/Withdrawn/.test(await page.locator('.flash').innerText()), 'withdrawn from the desk');
        await page.click('nav a[href="/alerts"]');
        const rows = await page.locator('#alerts tbody tr').allInnerTexts();
        check(rows.length === 2 && /withdrawn/.test(rows[0]) && /Withdrawal/.test(rows[1]),
              'the list shows the alert withdrawn and the withdrawal', rows.join(' | '));
        await shot(page, 'list');
        check(await page.locator('script').count() === 0, 'no script on the page');
        check(requests.every((u) => u.startsWith(desk.base + '/')), 'nothing requested from another host');
        check(cspErrors.length === 0 && pageErrors.length === 0, 'no CSP violation, no script error',
              cspErrors.concat(pageErrors).join('; '));
    } finally {
        await browser.close();
        if (desk) desk.proc.kill('SIGINT');
    }
}

main().catch((e) => { check(false, 'the test ran to the end', e.stack); }).finally(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    console.log(tally.passed + ' passed, ' + tally.failed + ' failed');
    process.exitCode = tally.failed ? 1 : 0;
});
