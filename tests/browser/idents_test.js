/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * idents_test.js: the perpetrator's identifiers on the report form (issue
 * 16, item 3), in a real Chromium, in Thai and in Arabic, with and
 * without JavaScript:
 *
 *  - the kind menu of every identifier row offers the four kinds (phone,
 *    plate, handle, place) labelled from the page's catalogue, and the
 *    hints say they are optional and what helps, in the page's language;
 *  - one phone number typed three ways (081-234-5678 with JavaScript in
 *    Thai, +66 81 234 5678 with JavaScript in Arabic, Thai digits without
 *    JavaScript in Thai) and a place, sent in three reports, each gets a
 *    receipt; an Arabic report without JavaScript with a plate too;
 *  - the caseworker pulls and imports them: `umbra-case links --json`
 *    has the number once, +66812345678, with the three cases, and `show`
 *    says it is also in the two others; the server never saw the number
 *    (not in any request body in clear, the JavaScript path seals it);
 *  - the caseworker's desk (`umbra-case desk`, in Thai, then in Arabic)
 *    shows the same on its Links screen and on the case's page.
 * Screenshots: tests/artifacts/idents-*.png.
 */
'use strict';

const {
    path, fs, BASE, ARTIFACTS, TOP, check, newContext, watch, canary, launch, finish,
    caseTool, caseworkerFind, requests, bodiesContain
} = require('./lib');

const { spawn } = require('child_process');
const { CASE, HOME, PASS } = require('./lib');

const KINDS = ['phone', 'plate', 'handle', 'place'];
const THAI_DIGITS = '\u0e50\u0e58\u0e51 \u0e52\u0e53\u0e54 \u0e55\u0e56\u0e57\u0e58';
const PHONE = '+66812345678';

function catalogue(lang) {
    return JSON.parse(fs.readFileSync(path.join(TOP, 'web/locales', lang + '.json'), 'utf8'));
}

async function checkForm(page, lang, how) {
    const cat = catalogue(lang);
    await page.evaluate(() => document.querySelectorAll('#report details').forEach((d) => { d.open = true; }))
        .catch(() => {});
    const menus = await page.$$eval('select[name="perpetrator.identifiers.kind"]', (els) =>
        els.map((s) => Array.from(s.options).map((o) => [o.value, o.textContent.trim()])));
    check(menus.length >= 3, lang + ' ' + how + ': identifier rows on the form (' + menus.length + ')');
    check(menus.every((m) => JSON.stringify(m.map((o) => o[0])) === JSON.stringify(KINDS)),
          lang + ' ' + how + ': every kind menu offers phone, plate, handle, place', JSON.stringify(menus[0]));
    check(menus.length > 0 && menus[0].every((o) => o[1] === cat['idkind.' + o[0]]),
          lang + ' ' + how + ': the kinds are labelled in the page\'s language', JSON.stringify(menus[0]));
    const hints = await page.$$eval('#ids-kinds li', (els) => els.map((e) => e.textContent.trim()));
    check(JSON.stringify(hints) === JSON.stringify(KINDS.map((k) => cat['ident.hint.' + k])),
          lang + ' ' + how + ': a hint for each kind, in the page\'s language', JSON.stringify(hints));
    const opt = await page.textContent('#ids-hint');
    check(opt.includes(cat['ident.optional']), lang + ' ' + how + ': the hint says they are optional', opt);
    const described = await page.getAttribute('input[name="perpetrator.identifiers.value"]', 'aria-describedby');
    check(/ids-hint/.test(described || '') && /ids-kinds/.test(described || ''),
          lang + ' ' + how + ': the value fields are described by the hints', described);
}

/* Fills the parts of the form every report needs and the identifiers;
 * submits; returns the receipt shown (or ''). */
async function send(page, lang, js, ids, tag) {
    const orgRadio = page.locator('input[name="org"][value="alpha"]');
    if (await orgRadio.count()) await orgRadio.check();
    await page.check('input[name="categories"][value="robbery"]');
    await page.fill('#narrative', 'He took my money. ' + tag);
    if (js) await page.evaluate(() => document.querySelectorAll('#report details').forEach((d) => { d.open = true; }));
    await page.selectOption('#country', 'TH');
    const kinds = page.locator('select[name="perpetrator.identifiers.kind"]');
    const vals = page.locator('input[name="perpetrator.identifiers.value"]');
    for (let i = 0; i < ids.length; i++) {
        await kinds.nth(i).selectOption(ids[i][0]);
        await vals.nth(i).fill(ids[i][1]);
    }
    await page.check('input[name="consent.statistics"]');
    await page.screenshot({ path: path.join(ARTIFACTS, 'idents-' + lang + (js ? '-js' : '-nojs') + '.png'),
                            fullPage: true });
    if (js) {
        await page.click('#report button[type=submit]');
        await page.waitForSelector('#done:not([hidden])', { timeout: 60000 }).catch(() => {});
        return ((await page.textContent('#receipt-out').catch(() => '')) || '').trim();
    }
    await Promise.all([page.waitForNavigation({ timeout: 60000 }), page.click('#report button[type=submit]')]);
    const text = await page.textContent('body');
    const m = text.match(/\d{4}( \d{4}){5}/);
    return m ? m[0] : '';
}

async function withJs(browser, lang, ids, tag) {
    const ctx = await newContext(browser);
    const page = watch(await ctx.newPage());
    await page.goto(BASE + '/report?lang=' + lang);
    await page.waitForSelector('#report[data-enhanced="yes"]', { timeout: 30000 });
    await checkForm(page, lang, 'with JavaScript');
    const receipt = await send(page, lang, true, ids, tag);
    check(/^\d{4}( \d{4}){5}$/.test(receipt), lang + ' with JavaScript: a report with identifiers gets a receipt',
          receipt);
    await ctx.close();
}

async function withoutJs(browser, lang, ids, tag) {
    const ctx = await newContext(browser, { javaScriptEnabled: false });
    const page = watch(await ctx.newPage());
    const res = await page.goto(BASE + '/report?lang=' + lang);
    check(res && res.status() === 200, lang + ' without JavaScript: the form answers 200');
    await checkForm(page, lang, 'without JavaScript');
    const receipt = await send(page, lang, false, ids, tag);
    check(/^\d{4}( \d{4}){5}$/.test(receipt), lang + ' without JavaScript: a report with identifiers gets a receipt',
          receipt);
    await ctx.close();
}

/* `umbra-case desk` on the organisation's home in lang's locale; resolves
 * to {proc, url, base} once it printed its address. */
function startDesk(locale) {
    const proc = spawn(CASE, ['--home', HOME, 'desk', '--no-browser'], {
        env: Object.assign({}, process.env, { LC_ALL: '', LC_MESSAGES: '', LANG: locale }),
        stdio: ['ignore', 'pipe', 'pipe']
    });
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

/* The desk in Chromium: unlocked, its Links screen and case first's page
 * checked and photographed. Only the desk's own address is let through. */
async function desk(browser, locale, tag, first, others) {
    const d = await startDesk(locale);
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    await ctx.route('**/*', (route) => (route.request().url().startsWith(d.base + '/')
        ? route.continue() : route.abort('blockedbyclient')));
    try {
        const page = await ctx.newPage();
        await page.goto(d.url);
        await page.fill('#passphrase', fs.readFileSync(PASS, 'utf8').replace(/\n$/, ''));
        await Promise.all([page.waitForNavigation(), page.click('form[action="/unlock"] button')]);
        await page.goto(d.base + '/links');
        const row = await page.$$eval('#links tbody tr', (trs) => trs.map((tr) => tr.innerText));
        const mine = row.find((r) => r.includes(PHONE));
        check(mine && others.concat([first]).every((i) => mine.includes(String(i))),
              tag + ' desk: the Links screen lists the number with its three cases', JSON.stringify(row));
        await page.screenshot({ path: path.join(ARTIFACTS, 'idents-desk-links-' + tag + '.png'), fullPage: true });
        await page.goto(d.base + '/case?id=' + first);
        const sec = (await page.locator('#links').innerText().catch(() => '')) || '';
        check(sec.includes(PHONE) && others.every((i) => sec.includes(String(i))) &&
              await page.locator('#links a[href="/case?id=' + others[0] + '"]').count() > 0,
              tag + ' desk: the case page says which other cases have the number, with links', sec);
        await page.screenshot({ path: path.join(ARTIFACTS, 'idents-desk-case-' + tag + '.png'), fullPage: true });
        return await page.getAttribute('html', 'lang');
    } finally {
        await ctx.close();
        d.proc.kill('SIGTERM');
        await new Promise((r) => (d.proc.exitCode !== null ? r() : d.proc.on('exit', r)));
    }
}

(async () => {
    const browser = await launch();
    const tags = [canary('IDTH'), canary('IDAR'), canary('IDNJ'), canary('IDNA')];
    try {
        const before = requests.length;
        await withJs(browser, 'th', [['phone', '081-234-5678'], ['place', 'Hotel  Sunrise']], tags[0]);
        await withJs(browser, 'ar', [['phone', '+66 81 234 5678']], tags[1]);
        await withoutJs(browser, 'th', [['phone', THAI_DIGITS], ['place', 'hotel sunrise']], tags[2]);
        await withoutJs(browser, 'ar', [['plate', 'AB-1234'], ['handle', '@bigjohn']], tags[3]);
        const jsReqs = requests.slice(before).filter((r) => r.url.includes('/api/'));
        check(bodiesContain(jsReqs, ['081-234-5678', '+66 81 234 5678', 'Hotel  Sunrise']).length === 0,
              'with JavaScript the identifiers leave the browser sealed, never in clear');

        const found = tags.map((t) => caseworkerFind(t));
        check(found.every((f) => f !== null), 'the caseworker finds the four reports',
              JSON.stringify(found.map((f) => f && f.id)));
        if (found.every((f) => f !== null)) {
            const ids = found.map((f) => Number(f.id));
            const links = JSON.parse(caseTool(['links', '--json'])).links;
            const ph = links.find((l) => l.kind === 'phone' && l.value === PHONE);
            const want = ids.slice(0, 3).sort((a, b) => a - b);
            check(ph && want.every((i) => ph.cases.includes(i)),
                  'links: the number typed three ways in three reports (JS Thai, JS Arabic, no-JS Thai ' +
                  'digits) is one link, ' + PHONE, JSON.stringify(ph) + ' want ' + JSON.stringify(want));
            const pl = links.find((l) => l.kind === 'place' && l.value === 'hotel sunrise');
            check(pl && pl.cases.includes(ids[0]) && pl.cases.includes(ids[2]),
                  'links: the place typed with other case and spaces is one link', JSON.stringify(pl));
            const shown = caseTool(['show', String(ids[0])]);
            check(/this phone number is also in cases \d+ and \d+/.test(shown),
                  'show says the number is also in the two other cases',
                  shown.slice(shown.indexOf('Links')).slice(0, 300));
            const doc = found[3].json.report;
            const got = (doc.perpetrator && doc.perpetrator.identifiers) || [];
            check(JSON.stringify(got) === JSON.stringify([{ kind: 'plate', value: 'AB-1234' },
                                                          { kind: 'handle', value: '@bigjohn' }]),
                  'Arabic without JavaScript: the report carries the identifiers as typed', JSON.stringify(got));
            const lth = await desk(browser, 'th_TH.UTF-8', 'th', ids[0], [ids[1], ids[2]]);
            check(lth === 'th', 'the desk was in Thai', lth);
            const lar = await desk(browser, 'ar_EG.UTF-8', 'ar', ids[1], [ids[0], ids[2]]);
            check(lar === 'ar', 'the desk was in Arabic', lar);
        }
    } catch (e) {
        check(false, 'idents_test ran to the end', e.stack || e);
    }
    await browser.close();
    finish(null);
})();
