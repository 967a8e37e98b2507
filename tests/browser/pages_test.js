/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * pages_test: the pages right for every browser and body (issue 13, items
 * 1, 3 and the page parts of 8), against the real server:
 *
 *  - the language from Accept-Language (regions, scripts, weights), with
 *    Vary, no cookie, the header never in the server's log; where nothing
 *    matches (empty, malformed, 8 KB long, only unknown languages) GET /
 *    is a language chooser, each name in its own script with lang and
 *    dir, big enough to tap; /report then stays the English form with the
 *    chooser on top;
 *  - /favicon.ico answers an icon; each page has its own translated title;
 *  - axe-core finds nothing on every page x 12 locales x JavaScript on
 *    and off, at 1280 and 360 px; at 360 px every tap target is at least
 *    44 x 44 px;
 *  - the keyboard: the quick exit is the first Tab stop; Escape leaves
 *    only outside a field (not in a text box, the date field, nor with a
 *    "please fill out this field" bubble open) and the page says so; the
 *    focus ring is at least 3:1 against what is behind it;
 *  - the quick exit at the bottom of the longest page at 320 px in ar, th
 *    and ru, with and without JavaScript;
 *  - country names carry lang; the draft notice is inside a landmark; the
 *    languages link is named by what it shows.
 */
'use strict';

const http = require('http');
const {
    path, fs, BASE, ARTIFACTS, TDIR, ORG, LOCALES, check, newContext, watch, canary, launch, finish
} = require('./lib');

const AXE = fs.readFileSync(path.join(__dirname, '../../web/node_modules/axe-core/axe.min.js'), 'utf8');
const INFO = fs.readdirSync(path.join(__dirname, '../../web/content/en'))
    .filter((f) => f.endsWith('.html')).map((f) => f.slice(0, -5)).sort();
const LEAVE_EN = 'https://www.wikipedia.org/';

/* A GET with exactly these headers (fetch would add Accept-Language: *). */
function get(url, headers) {
    return new Promise((resolve, reject) => {
        const req = http.get(BASE + url, { headers: headers || {} }, (res) => {
            const parts = [];
            res.on('data', (d) => parts.push(d));
            res.on('end', () => {
                const body = Buffer.concat(parts);
                resolve({ status: res.statusCode, headers: { get: (k) => {
                    const v = res.headers[k.toLowerCase()];
                    return Array.isArray(v) ? v.join(', ') : (v === undefined ? null : v);
                } }, body: body, text: body.toString('utf8') });
            });
            res.on('error', reject);
        });
        req.on('error', reject);
    });
}

const htmlLang = (t) => ((/<html lang="([^"]*)" dir="([^"]*)"/.exec(t) || []).slice(1, 3)).join(' ');
const varyLang = (r) => /(^|,\s*)Accept-Language(\s*,|$)/i.test(r.headers.get('vary') || '');

/* ---- language choice over HTTP ------------------------------------------ */

async function testChoice() {
    console.log('# language from Accept-Language');
    const cases = [
        ['es-MX,es;q=0.9,en;q=0.5', 'es ltr'], ['pt-PT', 'pt-BR ltr'], ['pt', 'pt-BR ltr'],
        ['zh-TW,zh;q=0.9', 'zh-CN ltr'], ['zh-Hans', 'zh-CN ltr'], ['ar-EG', 'ar rtl'],
        ['de-DE, th;q=0.8, en;q=0.5', 'th ltr'], ['RU', 'ru ltr'], ['uk-UA,ru;q=0.9', 'uk ltr']
    ];
    for (const [al, want] of cases) {
        const r = await get('/', { 'Accept-Language': al });
        check(r.status === 200 && htmlLang(r.text) === want && !r.text.includes('class="picks"'),
              'GET / with Accept-Language "' + al + '" is in ' + want, r.status + ' ' + htmlLang(r.text));
        check(varyLang(r), 'GET / chosen by Accept-Language says Vary: Accept-Language', r.headers.get('vary'));
    }
    const long = 'xx-YY;q=0.5, '.repeat(Math.ceil(8192 / 13)).slice(0, 8186) + ', es';
    const secret = canary('AL');
    const none = [['empty', ''], ['malformed', 'en;q=2, ;;;, -es, fr_FR, <b>'], ['8 KB long', long],
                  ['only unknown', 'de-DE, nl;q=0.9, ja;q=0.8'], ['absent', null],
                  ['a canary', secret + ', x-' + secret.slice(6, 14).toLowerCase()]];
    for (const [what, al] of none) {
        const r = await get('/', al === null ? {} : { 'Accept-Language': al });
        const picks = (r.text.match(/<ul class="picks">([\s\S]*?)<\/ul>/) || ['', ''])[1];
        const items = [...picks.matchAll(/<a href="\?lang=([^"]+)" lang="([^"]+)" hreflang="[^"]+" dir="(ltr|rtl)">([^<]+)<\/a>/g)];
        check(r.status === 200 && htmlLang(r.text) === 'en ltr', 'GET / with ' + what + ' Accept-Language: 200, in English',
              r.status + ' ' + htmlLang(r.text));
        check(items.length === 12 && items.every((m) => m[1] === m[2]) &&
              items.some((m) => m[2] === 'ar' && m[3] === 'rtl' && m[4] === 'العربية') &&
              items.some((m) => m[2] === 'th' && m[4] === 'ไทย'),
              'GET / with ' + what + ' Accept-Language is the chooser: 12 names in their own script with lang and dir',
              items.map((m) => m[2] + ':' + m[4]).join(' '));
        check(!r.text.includes('landing.how') && !/href="\/report\?/.test(r.text),
              'GET / with ' + what + ' Accept-Language shows only the chooser');
        check(varyLang(r), 'GET / with ' + what + ' Accept-Language says Vary: Accept-Language');
    }
    const rep = await get('/report', { 'Accept-Language': 'de-DE, ja' });
    check(rep.status === 200 && htmlLang(rep.text) === 'en ltr' && rep.text.includes('class="picks"') &&
          rep.text.includes('<form id="report"') && rep.text.indexOf('class="picks"') < rep.text.indexOf('<form id="report"'),
          '/report with no match: the English form, the chooser above it');
    const explicit = await get('/report?lang=th', { 'Accept-Language': 'es' });
    check(htmlLang(explicit.text) === 'th ltr' && !varyLang(explicit) && !explicit.text.includes('class="picks"'),
          '?lang=th wins over Accept-Language, without Vary', htmlLang(explicit.text) + ' ' + explicit.headers.get('vary'));
    const badLang = await get('/check?lang=xx', { 'Accept-Language': 'vi' });
    check(htmlLang(badLang.text) === 'vi ltr' && varyLang(badLang), 'an unknown ?lang= falls to Accept-Language');
    const info = await get('/info/' + INFO[0], { 'Accept-Language': 'bg' });
    check(htmlLang(info.text) === 'bg ltr', '/info/' + INFO[0] + ' follows Accept-Language');

    /* no cookie anywhere; the header is never logged */
    let cookies = 0;
    for (const u of ['/', '/report', '/check', '/info/' + INFO[0], '/favicon.ico', '/?lang=ar'])
        if ((await get(u, { 'Accept-Language': 'fr-CA' })).headers.get('set-cookie')) cookies++;
    check(cookies === 0, 'no page sets a cookie');
    const logs = TDIR ? fs.readdirSync(TDIR).filter((f) => f.endsWith('.log')) : [];
    const leaked = logs.filter((f) => fs.readFileSync(path.join(TDIR, f), 'utf8').includes(secret));
    check(leaked.length === 0, 'the Accept-Language canary is in no log of the test folder (' + logs.length + ' logs)', leaked.join(' '));

    /* the favicon */
    const ico = await get('/favicon.ico');
    check(ico.status === 200 && /^image\/(x-icon|vnd\.microsoft\.icon)/.test(ico.headers.get('content-type') || '') &&
          ico.body.length > 22 && ico.body.readUInt32LE(0) === 0x00010000,
          '/favicon.ico answers an icon', ico.status + ' ' + ico.headers.get('content-type') + ' ' + ico.body.length);

    /* titles: one per page, translated */
    const title = (t) => (/<title>([^<]*)<\/title>/.exec(t) || [])[1];
    const titles = {};
    for (const lang of ['en', 'th']) {
        for (const u of ['/', '/report', '/check', '/info/' + INFO[0]])
            titles[lang + u] = title((await get(u + '?lang=' + lang)).text);
    }
    const en = ['/', '/report', '/check', '/info/' + INFO[0]].map((u) => titles['en' + u]);
    check(new Set(en).size === en.length && en.every((t) => / — Umbra/.test(t)),
          'each English page has its own "Page — Umbra" title', en.join(' | '));
    check(/[\u0E00-\u0E7F]/.test(titles['th/report'].split(' — ')[0]), 'the Thai report page title is in Thai', titles['th/report']);
    check(title((await get('/', { 'Accept-Language': 'xx' })).text).startsWith('Choose your language'),
          'the chooser is titled "Choose your language"');
}

/* ---- axe-core and tap targets --------------------------------------------- */

/* The page's axe violations, as "rule: target" strings. */
async function axe(page) {
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
    return page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        const out = [];
        for (const v of r.violations) for (const n of v.nodes) out.push(v.id + ': ' + n.target.join(' '));
        return out;
    });
}

/* Every tap target under 44 x 44 CSS px: links, buttons, fields; a tick
 * box or radio counts by its label; links inside the running text of an
 * information page are exempt (WCAG 2.5.8, inline). */
function smallTargets() {
    const out = [];
    for (const el of document.querySelectorAll('a[href], button, select, textarea, input:not([type=hidden])')) {
        if (el.closest('[hidden]') || el.closest('.content')) continue;
        let t = el;
        if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) t = el.closest('label');
        const b = t.getBoundingClientRect();
        if (b.width === 0 && b.height === 0) continue;
        if (b.width < 44 || b.height < 44)
            out.push((el.id || el.className || el.tagName) + ' ' + Math.round(b.width * 10) / 10 + 'x' + Math.round(b.height * 10) / 10);
    }
    return out;
}

async function testAxe(browser) {
    console.log('# axe-core: every page x 12 locales x JS on/off, 1280 and 360 px');
    const t0 = Date.now();
    const pages = ['/', '/report', '/check', '/info/' + INFO[0]];
    let runs = 0, slowest = 0;
    const bad = [];
    const small = [];
    for (const js of [true, false]) {
        /* axe-core runs on timers, which a context without JavaScript never
         * fires: "JS off" is a page whose own scripts are all refused, the
         * DOM and layout a browser without JavaScript shows (the pages have
         * no <noscript>). */
        const ctx = await newContext(browser, { viewport: { width: 1280, height: 900 } });
        const page = watch(await ctx.newPage());
        if (!js) await page.route(/\/static\/.*\.js$/, (route) => route.abort('blockedbyclient'));
        const audit = async (what) => {
            for (const w of [1280, 360]) {
                await page.setViewportSize({ width: w, height: w === 360 ? 740 : 900 });
                const t1 = Date.now();
                const v = await axe(page);
                slowest = Math.max(slowest, Date.now() - t1);
                runs++;
                if (v.length) bad.push(what + ' @' + w + ': ' + v.join('; '));
                if (w === 360) {
                    const s = await page.evaluate(smallTargets);
                    if (s.length) small.push(what + ': ' + s.join(', '));
                }
            }
        };
        for (const lang of LOCALES) {
            for (const u of pages) {
                await page.goto(BASE + u + '?lang=' + lang);
                await audit((js ? 'JS ' : 'no-JS ') + lang + ' ' + u);
            }
            /* the check page with an error, and in three languages the
             * receipt page (no JS: the server's pages) */
            if (!js) {
                await page.goto(BASE + '/check?lang=' + lang);
                await page.fill('#receipt', '1234');
                await Promise.all([page.waitForNavigation(), page.click('#check button[type=submit]')]);
                await audit('no-JS ' + lang + ' /check with an error');
            }
            if (!js && ['en', 'th', 'ar'].includes(lang)) {
                await page.goto(BASE + '/report?lang=' + lang);
                const org = page.locator('input[name="org"][value="' + ORG + '"]');
                if (await org.count()) await org.check();
                await page.check('input[name="categories"][value="physical-violence"]');
                await page.fill('#narrative', 'axe ' + lang);
                const [resp] = await Promise.all([page.waitForNavigation(), page.click('#report button[type=submit]')]);
                check(resp && resp.status() === 201 && await page.locator('.receipt').count() > 0,
                      'no-JS ' + lang + ': the report is stored and the receipt page shown', resp && resp.status());
                await audit('no-JS ' + lang + ' receipt page');
            }
        }
        /* the chooser, and /report with it, where nothing matches */
        await page.setExtraHTTPHeaders({ 'Accept-Language': 'xx' });
        for (const u of ['/', '/report']) {
            await page.goto(BASE + u);
            if (!js) check(await page.locator('#leave-keys').isHidden(), 'no-JS chooser ' + u + ': no script ran (the Esc help stays hidden)');
            check(await page.locator('.picks a').count() === 12, (js ? 'JS' : 'no-JS') + ' ' + u + ' without a match shows the chooser');
            await audit((js ? 'JS ' : 'no-JS ') + 'chooser ' + u);
            if (u === '/' && !js)
                await page.screenshot({ path: path.join(ARTIFACTS, 'pages-chooser-360.png'), fullPage: true });
        }
        await ctx.close();
    }
    /* the audit can fail: the same run on a page given an unlabelled
     * field and an image without alt finds both */
    {
        const ctx = await newContext(browser, { viewport: { width: 1280, height: 900 } });
        const page = watch(await ctx.newPage());
        await page.goto(BASE + '/check?lang=en');
        await page.evaluate(() => {
            const i = document.createElement('input');
            i.type = 'text';
            document.querySelector('main').appendChild(i);
            document.querySelector('main').appendChild(document.createElement('img'));
        });
        const v = await axe(page);
        check(v.some((x) => x.startsWith('label:')) && v.some((x) => x.startsWith('image-alt:')),
              'axe-core, as run here, finds a planted unlabelled field and image without alt', v.join('; '));
        await ctx.close();
    }
    const secs = (Date.now() - t0) / 1000;
    console.log('# axe-core: ' + runs + ' runs in ' + secs.toFixed(1) + ' s (slowest run ' + slowest + ' ms)');
    check(runs >= 12 * 4 * 2 * 2, 'axe-core ran on every page x locale x JS x width (' + runs + ' runs)');
    check(bad.length === 0, 'axe-core finds no violation on any page, locale, JS on/off, 1280 or 360 px',
          bad.slice(0, 6).join(' || '));
    check(small.length === 0, 'every tap target is at least 44x44 px at 360 px on every page and locale',
          small.slice(0, 6).join(' || '));
}

/* ---- the keyboard, the focus ring, the quick exit ------------------------- */

function luminance(rgb) {
    const c = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
function contrast(a, b) {
    const x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

async function testKeyboard(browser) {
    console.log('# keyboard: first Tab stop, Escape, focus ring');
    for (const js of [true, false]) {
        const ctx = await newContext(browser, { viewport: { width: 360, height: 740 }, javaScriptEnabled: js });
        const page = watch(await ctx.newPage());
        for (const lang of ['en', 'ar', 'th']) {
            for (const u of ['/', '/report', '/check']) {
                await page.goto(BASE + u + '?lang=' + lang);
                await page.keyboard.press('Tab');
                const id = await page.evaluate(() => document.activeElement && document.activeElement.id);
                check(id === 'leave', (js ? 'JS ' : 'no-JS ') + lang + ' ' + u + ': the quick exit is the first Tab stop', id);
            }
        }
        /* the languages link is named by what it shows */
        await page.goto(BASE + '/report?lang=es');
        const shown = (await page.locator('header .lang').innerText()).replace(/[^\p{L}\s]/gu, '').trim();
        check(shown === 'Idiomas' && await page.getByRole('link', { name: shown, exact: true }).count() === 1,
              'the languages link is named by what it shows', shown);
        /* the help says what Escape does, where it works */
        check(await page.locator('#leave-keys').isVisible() === js,
              (js ? 'JS' : 'no-JS') + ': the help about the Esc key is ' + (js ? 'shown' : 'hidden (Esc does nothing there)'));
        /* countries in their own language */
        const noLang = await page.evaluate(() => [...document.querySelectorAll('#country option')]
            .filter((o) => o.value && o.value !== 'ZZ' && !o.lang).map((o) => o.value));
        check(noLang.length === 0, 'every country name carries lang', noLang.join(' '));
        /* the draft notice is inside a landmark */
        const draftIn = await page.evaluate(() => {
            const d = document.querySelector('.draft');
            return d ? !!d.closest('main, header, footer, nav, aside, [role]') : null;
        });
        check(draftIn === true, 'the draft notice is inside a landmark', draftIn);
        /* the focus ring: 3:1 at least against the background behind it */
        const rings = await page.evaluate(() => {
            const bg = (el) => {
                for (let e = el.parentElement; e; e = e.parentElement) {
                    const c = getComputedStyle(e).backgroundColor;
                    const m = c.match(/[\d.]+/g);
                    if (m && (m.length < 4 || Number(m[3]) > 0)) return m.slice(0, 3).map(Number);
                }
                return [255, 255, 255];
            };
            const out = [];
            /* the optional parts fold away: open them to reach the date menus */
            document.querySelectorAll('details').forEach((d) => { d.open = true; });
            for (const sel of ['#leave', '.home', 'header .lang', '#narrative', '#date select', 'input[name=categories]',
                               '#report button[type=submit]', '#langs a']) {
                const el = document.querySelector(sel);
                el.focus();
                const s = getComputedStyle(el);
                out.push({ sel: sel, style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                           color: s.outlineColor.match(/[\d.]+/g).slice(0, 3).map(Number), bg: bg(el) });
            }
            return out;
        });
        for (const r of rings) {
            const c = contrast(r.color, r.bg);
            check(r.style !== 'none' && r.width >= 2 && c >= 3, (js ? 'JS' : 'no-JS') + ': the focus ring of ' + r.sel +
                  ' is visible and ' + c.toFixed(2) + ':1 against its background', JSON.stringify(r));
        }
        await ctx.close();
    }

    /* Escape: never inside a field, or with a bubble open; elsewhere it leaves */
    const ctx = await newContext(browser, { viewport: { width: 360, height: 740 } });
    const page = watch(await ctx.newPage());
    await page.route(LEAVE_EN + '**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>elsewhere</p>' }));
    await page.goto(BASE + '/report?lang=en');
    const typed = 'He took my phone at the station.';
    await page.fill('#narrative', typed);
    for (const sel of ['#narrative', '#date', '#region', '#country', 'input[name=categories]']) {
        await page.focus(sel);
        await page.keyboard.press('Escape');
        await page.waitForTimeout(150);
        check(page.url().startsWith(BASE + '/report') && (await page.inputValue('#narrative')) === typed,
              'Escape in ' + sel + ' does not leave, the typed report stays');
    }
    await page.goto(BASE + '/check?lang=en');
    await page.click('#check button[type=submit]'); /* empty: "please fill out this field" */
    const bubble = await page.evaluate(() => document.activeElement.id + ' ' + !document.getElementById('receipt').validity.valid);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(150);
    check(bubble === 'receipt true' && page.url().startsWith(BASE + '/check'),
          'Escape to dismiss the "please fill out this field" bubble does not leave', bubble + ' ' + page.url());
    await page.locator('h1').click();
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    const went = page.waitForRequest((r) => r.url().startsWith(LEAVE_EN), { timeout: 10000 }).then(() => true, () => false);
    await page.keyboard.press('Escape');
    check(await went, 'Escape outside any field still leaves for the neutral site');
    await ctx.close();
}

/* The quick exit at the bottom of the longest page, at 320 px. */
async function testQuickExit320(browser) {
    console.log('# quick exit at the bottom of the longest page, 320 px');
    for (const js of [true, false]) {
        const ctx = await newContext(browser, { viewport: { width: 320, height: 568 }, javaScriptEnabled: js });
        const page = watch(await ctx.newPage());
        for (const lang of ['ar', 'th', 'ru']) {
            let longest = null, height = 0;
            for (const u of ['/', '/report', '/check'].concat(INFO.map((n) => '/info/' + n))) {
                await page.goto(BASE + u + '?lang=' + lang);
                const h = await page.evaluate(() => document.documentElement.scrollHeight);
                if (h > height) { height = h; longest = u; }
            }
            await page.goto(BASE + longest + '?lang=' + lang);
            await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
            await page.waitForTimeout(100);
            const r = await page.evaluate(() => {
                const a = document.getElementById('leave');
                const b = a.getBoundingClientRect();
                const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
                return { top: b.top, left: b.left, bottom: b.bottom, right: b.right, w: b.width, h: b.height,
                         vw: document.documentElement.clientWidth, vh: window.innerHeight, y: window.scrollY,
                         hit: !!hit && (hit === a || a.contains(hit)) };
            });
            const tag = (js ? 'JS ' : 'no-JS ') + lang + ' ' + longest + ' (' + height + ' px)';
            check(r.y > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= r.vh && r.right <= r.vw && r.hit,
                  tag + ': at the bottom, the quick exit is in view and on top', JSON.stringify(r));
            check(r.w >= 44 && r.h >= 44, tag + ': the quick exit is at least 44x44 px', r.w + 'x' + r.h);
            const wide = await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
            check(wide, tag + ': nothing scrolls sideways at 320 px');
            await page.screenshot({ path: path.join(ARTIFACTS, 'pages-quick-exit-320-' + (js ? 'js' : 'nojs') + '-' + lang + '.png') });
        }
        await ctx.close();
    }
}

async function main() {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const browser = await launch();
    try {
        await testChoice();
        await testKeyboard(browser);
        await testQuickExit320(browser);
        await testAxe(browser);
    } catch (e) {
        check(false, 'the pages tests ran to the end', e.stack || e);
    } finally {
        await browser.close();
    }
    finish(LEAVE_EN);
}

main();
