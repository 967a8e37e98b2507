/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * desk_test.js: `umbra-case desk` in a real Chromium. A scratch home with
 * three imported reports (tests/desk/desk_lib.py prepare): a caseworker
 * opens the desk's address, unlocks it, works a case from the inbox
 * (triage, a note, a reply), looks at a hostile report (it must stay
 * inert), the quarantine, another language, and leaves the desk idle
 * until it locks. Nothing may be requested from another host, no CSP
 * violation, no script error. Screenshots in tests/artifacts/desk-*.png.
 * Ends with "N passed, N failed".
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

/* Every desk started, stopped at the end whatever happened. */
const started = [];
let scratch = null;

/* A desk on home; resolves to {proc, url, base} once its first line is out. */
function startDesk(home, env) {
    const proc = spawn(path.join(TOP, BUILD, 'umbra-case'), ['--home', home, 'desk', '--no-browser'],
                       { env: Object.assign({}, process.env, { LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8' }, env || {}),
                         stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(proc);
    proc.errText = '';
    proc.stderr.on('data', (b) => { proc.errText = (proc.errText + b.toString()).slice(-4000); });
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

function exited(proc) {
    return new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(proc.exitCode);
        const t = setTimeout(() => { proc.kill('SIGKILL'); resolve('killed'); }, 10000);
        proc.on('exit', (code) => { clearTimeout(t); resolve(code); });
    });
}

const requests = [];
const cspErrors = [];
const pageErrors = [];
const dialogs = [];

async function context(browser, base) {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    ctx.on('request', (req) => requests.push(req.url()));
    await ctx.route('**/*', (route) => {
        const u = route.request().url();
        return u.startsWith(base + '/') ? route.continue() : route.abort('blockedbyclient');
    });
    return ctx;
}

function watch(page) {
    page.on('console', (msg) => {
        const t = msg.text();
        if (/Content.Security.Policy|Refused to (execute|load|apply)/i.test(t)) cspErrors.push(t);
    });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    return page;
}

async function shot(page, name) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'desk-' + name + '.png'), fullPage: true });
}

async function main() {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'umbra-desk-test.'));
    scratch = tmp;
    const facts = JSON.parse(execFileSync('/usr/bin/python3', [path.join(__dirname, 'desk_lib.py'), 'prepare', tmp],
                                          { encoding: 'utf8', env: Object.assign({}, process.env, { UMBRA_BUILD: BUILD }) }));
    const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium', headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync',
               '--disable-dev-shm-usage']
    });
    let desk = await startDesk(facts.home);
    check(/^http:\/\/127\.0\.0\.1:\d+\/open\?s=[0-9a-f]{64}$/.test(desk.url), 'the desk prints its address with a secret', desk.url);
    let ctx = await context(browser, desk.base);
    let page = watch(await ctx.newPage());

    /* the way in */
    await page.goto(desk.url);
    check(page.url() === desk.base + '/', 'the secret is dropped from the address bar', page.url());
    check(await page.locator('#passphrase').count() === 1, 'the desk asks for the passphrase');
    await shot(page, 'unlock');
    await page.fill('#passphrase', 'not the passphrase');
    await page.click('form[action="/unlock"] button');
    check(/did not open/.test(await page.locator('.flash').innerText()), 'a wrong passphrase is said so');
    await page.fill('#passphrase', facts.passphrase);
    await page.click('form[action="/unlock"] button');
    check(await page.locator('#cases').count() === 1, 'the right passphrase opens the inbox');
    check(await page.locator('#count-new').innerText() === '2', 'the inbox counts two new cases');
    check(await page.locator('#cases tbody tr').count() === 2, 'the inbox lists both cases');
    await shot(page, 'inbox');

    /* a second browser with the address but no session */
    const other = await browser.newContext();
    const op = await other.newPage();
    const resp = await op.goto(desk.base + '/case?id=1');
    check(resp.status() === 403 && !(await op.content()).includes(facts.canary),
          'another browser without the session gets 403 and nothing of the case');
    const again = await op.goto(desk.url);
    check(again.status() === 403, 'the secret, used once, opens nothing more');
    await other.close();

    /* search and filter */
    await page.fill('#q', 'manager kept');
    await page.click('form[role="search"] button');
    check(await page.locator('#cases tbody tr').count() === 1, 'a search finds the one case');
    await page.click('#cases tbody tr a');
    check(await page.locator('#narrative').innerText().then((t) => t.includes(facts.canary)),
          'the case shows the narrative in the reporter\'s words');

    /* triage */
    await page.selectOption('#status', 'in-progress');
    await page.selectOption('#priority', 'urgent');
    await page.fill('#label', 'unpaid-wages');
    await page.fill('#assign', 'Noi');
    await page.fill('#note', 'Called her back; legal clinic on Friday.');
    await page.click('#save');
    check(await page.locator('.flash').innerText() === 'Saved.', 'triage is saved');
    check(await page.locator('#status-now').getAttribute('data-code') === 'in-progress' &&
          await page.locator('#status-now').innerText() === 'In progress' &&
          await page.locator('#priority-now').getAttribute('data-code') === 'urgent' &&
          await page.locator('#assignee-now').innerText() === 'Noi', 'the case shows its new status, priority and assignee');
    const hist = await page.locator('#history').innerText();
    check(/legal clinic on Friday/.test(hist) && /unpaid-wages/.test(hist), 'the history keeps the note and the label', hist);

    /* reply */
    await page.fill('#message', 'We can go with you to the clinic on Friday.');
    await page.click('#queue');
    check(/queued/.test(await page.locator('.flash').innerText()), 'the reply is sealed and queued');
    await shot(page, 'case');
    const shown = JSON.parse(execFileSync(facts.case, ['--home', facts.home, '--passphrase-file', facts.pwfile,
                                                       'show', '1', '--json'], { encoding: 'utf8' }));
    check(shown.status === 'in-progress' && shown.priority === 'urgent' && shown.assignee === 'Noi' &&
          shown.history.some((h) => /reply/i.test(h.what)), 'umbra-case show sees the desk\'s changes and the queued reply',
          JSON.stringify(shown.history));

    /* back to the inbox: the filter by status */
    await page.goto(desk.base + '/?status=in-progress');
    check(await page.locator('#cases tbody tr').count() === 1, 'the status filter shows the case in progress');

    /* the hostile report */
    await page.goto(desk.base + '/case?id=' + facts.hostile);
    await page.waitForTimeout(300);
    check(await page.title() !== 'pwned' && dialogs.length === 0, 'the hostile report runs no script', dialogs.join());
    check(await page.locator('body').isVisible() && await page.locator('#narrative').isVisible(),
          'its style does not hide the page');
    check(await page.locator('a[href^="javascript"]').count() === 0, 'its javascript: link is not a link');
    check((await page.locator('#narrative').innerText()).includes('<script>'), 'its markup is shown as text');
    const imgs = page.locator('img.att');
    check(await imgs.count() === 1 && await imgs.first().evaluate((i) => i.complete && i.naturalWidth === 1),
          'the real PNG is shown, from the desk itself');
    check(await page.locator('.notimage').count() === 1, 'the attachment claiming to be an image is offered as "not an image"');
    const dir = await page.locator('#narrative').evaluate((e) => [e.getAttribute('dir'), getComputedStyle(e).unicodeBidi]);
    check(dir[0] === 'auto' && dir[1] === 'isolate', 'the narrative is bidi-isolated', dir);
    await shot(page, 'hostile');

    /* the quarantine */
    await page.click('nav a[href="/quarantine"]');
    check(/longer than 1 MiB/.test(await page.locator('#quarantine').innerText()),
          'the 10 MB narrative waits in the quarantine with its reason');
    await shot(page, 'quarantine');

    /* the air-gapped laptop's import, and a pull with no server */
    await page.click('nav a[href="/sync"]');
    await page.fill('#in', facts.usb);
    await page.click('#import');
    check(await page.locator('#result').getAttribute('data-exit') === '0' &&
          /1/.test(await page.locator('#output').innerText()), 'the desk imports a bundle from the USB stick',
          await page.locator('#output').innerText());
    await shot(page, 'sync');
    await page.goto(desk.base + '/');
    check(await page.locator('#count-new').innerText() === '2' &&
          await page.locator('#cases tbody tr').count() === 3, 'the imported report is in the inbox');

    /* the conversation: the follow-up came with the import */
    check(await page.locator('#unread-1').innerText() === '1 new', 'the inbox marks case 1\'s unread follow-up');
    await page.check('#unread');
    await page.click('form[role="search"] button');
    check(await page.locator('#cases tbody tr').count() === 1, 'the filter "with unread messages" shows case 1 alone');
    await page.click('#cases tbody tr a');
    const msgs = await page.locator('#conversation > li').allInnerTexts();
    check(msgs.length === 3 && /reporter/i.test(msgs[0]) && msgs[1].includes(facts.follow_up) && /new/.test(msgs[1]) &&
          /clinic on Friday/.test(msgs[2]) && /queued/.test(msgs[2]),
          'case 1: the report, the new follow-up, then the queued reply', JSON.stringify(msgs));
    /* a template, in Thai, edited, sent */
    const th = JSON.parse(fs.readFileSync(path.join(TOP, 'web/locales/th.json'), 'utf8'));
    check(await page.locator('#tlang').inputValue() === 'en', 'the template language starts as the case\'s (en)');
    await page.selectOption('#tpl', 'safe_now');
    await page.selectOption('#tlang', 'th');
    await page.click('#use-template');
    check(await page.locator('#message').inputValue() === th['reply.safe_now'] &&
          await page.locator('#template-lang').getAttribute('data-lang') === 'th',
          'choosing "safe now" in Thai fills the message with the Thai text');
    await page.fill('#message', th['reply.safe_now'] + '\nNoi');
    await shot(page, 'template');
    await page.click('#queue');
    check(/queued/.test(await page.locator('.flash').innerText()), 'the edited template is sealed and queued');
    const conv = await page.locator('#conversation > li').allInnerTexts();
    check(conv.length === 4 && !/new/.test(conv[1]) && conv[3].includes(th['reply.safe_now']),
          'opened, the follow-up is read; the Thai reply joins the conversation', JSON.stringify(conv));
    await page.locator('#messages').scrollIntoViewIfNeeded();
    await shot(page, 'conversation');
    const kept = JSON.parse(execFileSync(facts.case, ['--home', facts.home, '--passphrase-file', facts.pwfile,
                                                      'show', '1', '--json'], { encoding: 'utf8' })).messages;
    check(kept[kept.length - 1].text === th['reply.safe_now'] + '\nNoi',
          'show --json keeps the reply as edited (a line break, no CR)', JSON.stringify(kept[kept.length - 1]));
    await page.goto(desk.base + '/');
    check(await page.locator('#unread-1').count() === 0, 'back in the inbox, case 1 has no unread mark');
    await page.goto(desk.base + '/sync');
    await page.fill('#server', 'http://127.0.0.1:9');
    await page.fill('#token', facts.pwfile);
    await page.click('#pull');
    check(await page.locator('#result').getAttribute('data-exit') === '1' &&
          /umbra-case:/.test(await page.locator('#output').innerText()),
          'a pull that cannot reach its server says why, and the desk goes on',
          await page.locator('#output').innerText());

    /* statistics */
    await page.click('nav a[href="/stats"]');
    check(await page.locator('#chart').evaluate((i) => i.complete && i.naturalWidth > 0),
          'the statistics page draws the chart stats draws');
    await shot(page, 'stats');

    /* another language */
    const langs = await page.locator('#lang option').evaluateAll((o) => o.map((x) => x.value));
    if (langs.includes('fr')) {
        await page.selectOption('#lang', 'fr');
        await page.click('form[action="/lang"] button');
        check(await page.getAttribute('html', 'lang') === 'fr' &&
              await page.locator('h1').innerText() !== 'Inbox', 'the desk speaks French when asked');
        await page.selectOption('#lang', 'ar');
        await page.click('form[action="/lang"] button');
        check(await page.getAttribute('html', 'dir') === 'rtl', 'in Arabic the desk is right to left');
        await shot(page, 'arabic');
        await page.selectOption('#lang', 'th');
        await page.click('form[action="/lang"] button');
        await page.goto(desk.base + '/case?id=1');
        check(await page.getAttribute('html', 'lang') === 'th' &&
              await page.locator('#status-now').innerText() === 'กำลังดำเนินการ', 'in Thai a case speaks Thai');
        await shot(page, 'thai');
        check(langs.length === 12, 'the desk offers the twelve languages', langs.join());
        await page.selectOption('#lang', 'ro');
        await page.click('form[action="/lang"] button');
        await page.goto(desk.base + '/stats');
        check(await page.locator('#chart').count() === 1, 'in a language stats has no labels for, the chart is drawn in English');
        await page.selectOption('#lang', 'en');
        await page.click('form[action="/lang"] button');
    } else {
        check(false, 'the desk offers French', langs.join());
    }

    /* lock by hand, then stop from the page */
    await page.click('#lock');
    check(await page.locator('#passphrase').count() === 1, 'the lock button locks the desk');
    await page.goto(desk.base + '/case?id=1');
    check(!(await page.content()).includes(facts.canary), 'a locked desk shows no case');
    await page.click('#quit');
    const code = await exited(desk.proc);
    check(code === 0, 'the stop button stops the desk: ' + code + ' ' + desk.proc.errText);
    await ctx.close();

    /* the idle lock (a test-only short time) */
    desk = await startDesk(facts.home, { UMBRA_DESK_IDLE_SECONDS: '3' });
    ctx = await context(browser, desk.base);
    page = watch(await ctx.newPage());
    await page.goto(desk.url);
    await page.fill('#passphrase', facts.passphrase);
    await page.click('form[action="/unlock"] button');
    await page.goto(desk.base + '/case?id=1');
    check((await page.content()).includes(facts.canary), 'unlocked again, the case opens');
    await page.waitForTimeout(4500);
    await page.reload();
    check(await page.locator('#passphrase').count() === 1 && !(await page.content()).includes(facts.canary),
          'left open past the idle time, the desk locks and hides the case');
    check(/15 minutes/.test(await page.locator('.flash').innerText().catch(() => '')),
          'it says why it locked');
    await shot(page, 'locked');
    desk.proc.kill('SIGINT');
    check(await exited(desk.proc) === 0, 'Ctrl-C stops the desk');
    await ctx.close();
    await browser.close();

    const foreign = requests.filter((u) => !u.startsWith('http://127.0.0.1:') && !/^(data|blob):/.test(u));
    check(foreign.length === 0, 'no request left for another host', foreign.join(' '));
    check(cspErrors.length === 0, 'no CSP violation', cspErrors.join(' | '));
    check(pageErrors.length === 0, 'no script error', pageErrors.join(' | '));
}

main().catch((e) => { console.log(e && e.stack); tally.failed++; }).finally(() => {
    for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGINT');
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    console.log(tally.passed + ' passed, ' + tally.failed + ' failed');
    process.exit(tally.failed ? 1 : 0);
});
