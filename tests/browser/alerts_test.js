/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * alerts_test: the /alerts page in a real Chromium (issue 16), against the
 * real server:
 *
 *  - an alert signed with the organisation's key (build/server_tool, the
 *    C library) and pushed over the sync API is on the page in Thai and in
 *    Arabic, its text with its own lang and dir;
 *  - with JavaScript the browser verifies every alert's signature itself
 *    (web/static/alerts.js on sodium-lite) against the bundle the page
 *    embeds and says so in the page's language; without JavaScript the
 *    page shows the same alerts with the server's word;
 *  - an alert a hostile server or proxy tampered with (one byte of its
 *    signed text changed in the page as it travels) is flagged and its
 *    text hidden, while the genuine one next to it still verifies;
 *  - axe-core finds nothing, JavaScript on and off, at 1280 and 360 px,
 *    and every tap target is at least 44 x 44 px at 360 px; screenshots
 *    in tests/artifacts/alerts-*.png.
 */
'use strict';

const { execFileSync } = require('child_process');
const {
    path, fs, BASE, ARTIFACTS, TDIR, PASS, TOKEN, check, newContext, watch, launch, finish
} = require('./lib');

const AXE = fs.readFileSync(path.join(__dirname, '../../web/node_modules/axe-core/axe.min.js'), 'utf8');
const TOOL = path.join(path.dirname(process.env.UMBRA_SERVER || path.join(__dirname, '../../build/umbra-server')),
                       'server_tool');
const TH_OK = 'ตรวจลายเซ็นในเบราว์เซอร์นี้แล้ว';
const AR_OK = 'تم التحقق من التوقيع في هذا المتصفح.';
const EN_BAD = 'The signature is not valid. Do not trust this alert.';

function day(delta) {
    const d = new Date(Date.now() + delta * 86400000);
    return d.toISOString().slice(0, 10);
}

function hex(n) {
    return require('crypto').randomBytes(n).toString('hex');
}

/* An inner alert of alpha issued today, about last week. */
function inner(title, texts) {
    const now = new Date();
    const dow = (now.getUTCDay() + 6) % 7; /* Monday 0 */
    const monday = -dow - 7;
    return {
        org: 'alpha', id: hex(16), kind: 'alert', issued: day(0), expires: day(60), level: 'warning',
        area: { country: 'TH', region: 'Chiang Mai' },
        period: { from: day(monday), to: day(monday + 6) },
        identifiers: [{ kind: 'plate', value: '1กข **34' }],
        texts: texts || [{ lang: 'en', title: title, body: 'A body.' }]
    };
}

function signAndPush(a) {
    const file = execFileSync(TOOL, ['alert-sign', path.join(TDIR, 'alpha', 'keys.umbra'), PASS],
                              { input: JSON.stringify(a) });
    const token = fs.readFileSync(TOKEN, 'utf8').trim();
    return fetch(BASE + '/api/v1/sync/alerts', {
        method: 'POST', body: file,
        headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }
    }).then((r) => r.status);
}

async function axe(page) {
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
    return page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        const out = [];
        for (const v of r.violations) for (const n of v.nodes) out.push(v.id + ': ' + n.target.join(' '));
        return out;
    });
}

function smallTargets() {
    const out = [];
    for (const el of document.querySelectorAll('a[href], button, select, textarea, input:not([type=hidden])')) {
        if (el.closest('[hidden]')) continue;
        const b = el.getBoundingClientRect();
        if (b.width === 0 && b.height === 0) continue;
        if (b.width < 44 || b.height < 44)
            out.push((el.id || el.className || el.tagName) + ' ' + Math.round(b.width) + 'x' + Math.round(b.height));
    }
    return out;
}

async function verdicts(page) {
    await page.waitForSelector('html[data-alerts-checked]', { timeout: 20000 });
    return page.$$eval('article.alert', (as) => as.map((a) => ({
        id: a.getAttribute('data-id'),
        verified: a.getAttribute('data-verified'),
        verdict: (a.querySelector('.alert-verdict') || {}).textContent,
        textHidden: Array.prototype.every.call(a.querySelectorAll('.alert-text'), (t) => t.hidden)
    })));
}

async function main() {
    const browser = await launch();
    const genuine = inner('', [
        { lang: 'th', title: 'ระวังคนขับรถปลอมเป็นลูกค้า', body: 'เขาขโมยเงินของเพื่อนสองคน\nอย่าขึ้นรถคันนี้' },
        { lang: 'ar', title: 'احذرن سائقًا يتظاهر بأنه زبون', body: 'سرق عاملتين.\nلا تركبن هذه السيارة.' },
        { lang: 'en', title: 'Driver posing as a client', body: 'He robbed two workers.' }]);
    const victim = inner('Second alert, to be tampered with');
    check(await signAndPush(genuine) === 201, 'a Thai/Arabic/English alert signed by the C library is pushed');
    check(await signAndPush(victim) === 201, 'a second alert is pushed');

    /* Thai and Arabic, JavaScript on: the browser verifies */
    for (const [lang, ok, dir, title] of [['th', TH_OK, 'ltr', 'ระวังคนขับรถปลอมเป็นลูกค้า'],
                                          ['ar', AR_OK, 'rtl', 'احذرن سائقًا يتظاهر بأنه زبون']]) {
        const ctx = await newContext(browser, { viewport: { width: 360, height: 740 } });
        const page = watch(await ctx.newPage());
        await page.goto(BASE + '/alerts?lang=' + lang);
        const v = await verdicts(page);
        const mine = v.filter((x) => x.id === genuine.id || x.id === victim.id);
        check(mine.length === 2 && mine.every((x) => x.verified === 'yes' && x.verdict === ok),
              lang + ': both alerts say "' + ok + '" (checked in this browser)', JSON.stringify(mine));
        const t = await page.$eval('#alert-' + genuine.id + ' .alert-text',
                                   (e) => [e.getAttribute('lang'), e.getAttribute('dir'), e.querySelector('h2').textContent]);
        check(t[0] === lang && t[1] === dir && t[2] === title,
              lang + ': the alert text in ' + lang + ' with lang and dir ' + dir, t.join(' '));
        check(await page.$eval('html', (h) => h.getAttribute('dir')) === dir, lang + ': the page is ' + dir);
        check(await page.$('#leave') !== null, lang + ': the quick exit is there');
        await page.screenshot({ path: path.join(ARTIFACTS, 'alerts-' + lang + '-360.png'), fullPage: true });
        await ctx.close();
    }

    /* A tampered alert on the way: flagged, its text hidden; the other
     * still verified. The server itself never serves a bad one (the
     * integration test edits the database), so the page is altered in
     * transit, as a hostile proxy or a compromised server would. */
    {
        const ctx = await newContext(browser);
        const page = watch(await ctx.newPage());
        await page.route(/\/alerts\?lang=en$/, async (route) => {
            const res = await route.fetch();
            let body = await res.text();
            const i = body.indexOf('Second alert, to be tampered with');
            const j = body.indexOf('Second alert, to be tampered with', i + 1);
            /* the signed copy in the JSON block is the second occurrence */
            body = body.slice(0, j) + 'Second alert, to be tampered witH' + body.slice(j + 33);
            await route.fulfill({ response: res, body: body });
        });
        await page.goto(BASE + '/alerts?lang=en');
        const v = await verdicts(page);
        const bad = v.find((x) => x.id === victim.id), good = v.find((x) => x.id === genuine.id);
        check(bad && bad.verified === 'no' && bad.verdict === EN_BAD && bad.textHidden,
              'a tampered alert is flagged "' + EN_BAD + '" and its text hidden', JSON.stringify(bad));
        check(good && good.verified === 'yes', 'the genuine one beside it still verifies', JSON.stringify(good));
        await page.screenshot({ path: path.join(ARTIFACTS, 'alerts-tampered.png'), fullPage: true });
        await ctx.close();
    }

    /* Without JavaScript: the same alerts, the server's word */
    {
        const ctx = await newContext(browser, { javaScriptEnabled: false });
        const page = watch(await ctx.newPage());
        await page.goto(BASE + '/alerts?lang=th');
        const ids = await page.$$eval('article.alert', (as) => as.map((a) => a.getAttribute('data-id')));
        const word = await page.$eval('#alert-' + genuine.id + ' .alert-verdict', (e) => e.textContent);
        check(ids.includes(genuine.id) && ids.includes(victim.id) && word === 'เซิร์ฟเวอร์ตรวจลายเซ็นแล้ว',
              'no JavaScript: the alerts are shown with the server\'s check', word);
        await ctx.close();
    }

    /* axe-core and tap targets */
    const bad = [], small = [];
    for (const js of [true, false]) {
        const ctx = await newContext(browser, { viewport: { width: 1280, height: 900 } });
        const page = watch(await ctx.newPage());
        if (!js) await page.route(/\/static\/.*\.js$/, (route) => route.abort('blockedbyclient'));
        for (const lang of ['en', 'th', 'ar']) {
            await page.goto(BASE + '/alerts?lang=' + lang);
            if (js) await page.waitForSelector('html[data-alerts-checked]', { timeout: 20000 });
            for (const w of [1280, 360]) {
                await page.setViewportSize({ width: w, height: w === 360 ? 740 : 900 });
                const v = await axe(page);
                if (v.length) bad.push((js ? 'JS ' : 'no-JS ') + lang + ' @' + w + ': ' + v.join('; '));
                if (w === 360) {
                    const s = await page.evaluate(smallTargets);
                    if (s.length) small.push(lang + ': ' + s.join(', '));
                }
            }
        }
        await ctx.close();
    }
    check(bad.length === 0, 'axe-core finds nothing on /alerts (en, th, ar; JS on and off; 1280 and 360 px)',
          bad.join(' | '));
    check(small.length === 0, 'every tap target on /alerts is at least 44 x 44 px at 360 px', small.join(' | '));
    await browser.close();
    finish(null);
}

main().catch((e) => {
    console.log('FAIL alerts_test crashed: ' + (e && e.stack || e));
    console.log('0 passed, 1 failed');
    process.exit(1);
});
