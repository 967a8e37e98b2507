/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * browser_test.js: the reporting pages in a real headless Chromium against
 * a real umbra-server (started by tests/browser/run.sh), checked the way a
 * reporter and a caseworker would notice:
 *
 *  - JavaScript on (Thai): fill the form, send, get a receipt; no request
 *    body holds any text typed into the form; the caseworker tool pulls,
 *    imports and shows the report with via "web"; a photo's EXIF is gone.
 *  - JavaScript off (Arabic, right-to-left): the same through the plain
 *    form (via "web-nojs").
 *  - A caseworker's reply read through /check with the receipt, with and
 *    without JavaScript; with it, the receipt never leaves the browser.
 *  - Every locale: every page has no missing key, the right lang/dir;
 *    screenshots of the form in three locales.
 *  - The organisations' key numbers on the report page (stored ones
 *    without JavaScript; checked against the sealing bundle with it, and a
 *    bundle of another number refused); impossible or future dates refused
 *    in the browser; screenshots at 360 px.
 *  - No request to any host but the server; no cookie, no storage, no
 *    service worker; no Content-Security-Policy violation; usable at
 *    320 px; "leave quickly" and Escape replace the page.
 *
 * Environment: UMBRA_BASE, UMBRA_ARTIFACTS, and those of
 * tests/integration/server_env.sh (UMBRA_TEST_DIR, UMBRA_CASE).
 * Ends with "N passed, N failed".
 */
'use strict';

const {
    path, fs, crypto, execFileSync, TOP, BASE, ARTIFACTS, TDIR, CASE, ORG, HOME, PASS, TOKEN, LOCALES, check, caseTool,
    requests, newContext, watch, canary, jpegWithExif, fillReport, bodiesContain, caseworkerFind,
    reportOf, replyTo, readRepliesJS, readRepliesNoJS, launch, finish
} = require('./lib');


async function testJsOn(browser) {
    console.log('# JavaScript on, Thai');
    const ctx = await newContext(browser);
    const page = watch(await ctx.newPage());
    const before = requests.length;
    await page.goto(BASE + '/report?lang=th');
    await page.waitForSelector('#report[data-enhanced="yes"]', { timeout: 20000 });
    check(true, 'the form is enhanced once libsodium.js is ready');
    const c = await fillReport(page, 'JS');
    const exifSecret = canary('EXIF');
    const jpg = await jpegWithExif(browser, exifSecret);
    check(jpg.includes(Buffer.from(exifSecret)), 'the test photo carries an EXIF canary');
    await page.setInputFiles('#photo', { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpg });
    await page.click('#report button[type=submit]');
    await page.waitForSelector('#done:not([hidden])', { timeout: 60000 }).catch(() => {});
    const visible = await page.isVisible('#done');
    check(visible, 'JS: the receipt page is shown', await page.textContent('#report-status').catch(() => ''));
    const receipt = visible ? (await page.textContent('#receipt-out')).trim() : '';
    check(/^\d{4}( \d{4}){5}$/.test(receipt), 'JS: a receipt of 24 digits in groups of four', receipt);
    const mine = requests.slice(before);
    const posts = mine.filter((r) => r.method === 'POST');
    check(posts.some((r) => r.url.endsWith('/api/v1/orgs/' + ORG + '/reports')), 'JS: the envelope went to the API');
    check(!posts.some((r) => r.url.endsWith('/report')), 'JS: the plain form was not posted');
    const mbox = posts.filter((r) => r.url === BASE + '/api/v1/mailboxes');
    let mboxBody = null;
    try { mboxBody = mbox.length === 1 ? JSON.parse(mbox[0].body.toString()) : null; } catch (e) { mboxBody = null; }
    check(mboxBody !== null && /^[0-9a-f]{64}$/.test(mboxBody.id) && mboxBody.org === ORG &&
          Object.keys(mboxBody).length === 2,
          'JS: the mailbox is registered for the organisation reported to (its id and org, nothing else)',
          JSON.stringify(mboxBody));
    const hits = bodiesContain(mine, Object.values(c).concat([exifSecret, 'police-extortion', 'He hit me']));
    check(hits.length === 0, 'JS: no request body holds any text from the form', hits.join('; '));
    check((await ctx.cookies()).length === 0, 'JS: no cookie was set');
    const storage = await page.evaluate(async () => ({
        local: window.localStorage.length, session: window.sessionStorage.length,
        sw: navigator.serviceWorker ? (await navigator.serviceWorker.getRegistrations()).length : 0
    })).catch((e) => ({ error: String(e) }));
    check(storage.local === 0 && storage.session === 0 && storage.sw === 0,
          'JS: no local storage, session storage or service worker', JSON.stringify(storage));
    await ctx.close();

    const { shown, doc } = caseworkerReport('JS', c.narrative);
    if (shown !== null) {
        check(doc.via === 'web' || shown.raw.includes('"via": "web"') || shown.raw.includes('"via":"web"'),
              'JS: the caseworker sees via "web"', shown.raw.slice(0, 300));
        check(doc.lang === 'th' || shown.raw.includes('"th"'), 'JS: the report says lang th');
        check(shown.raw.includes('police-extortion') && shown.raw.includes(c.phone),
              'JS: categories and identifiers arrive as typed');
        check(!shown.raw.includes(exifSecret), 'JS: the photo arrives without its EXIF data');
        const atts = doc.attachments || [];
        check(atts.length === 1 && Buffer.from(atts[0].data || '', 'base64').subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])),
              'JS: the photo arrives as a re-encoded JPEG', JSON.stringify(atts.map((a) => a.type)));
        check(!Buffer.from((atts[0] || {}).data || '', 'base64').includes(Buffer.from(exifSecret)),
              'JS: no EXIF canary inside the re-encoded photo');
    }
    return { receipt: receipt, caseId: shown && shown.id };
}

// The caseworker pulls, imports and finds the report with this narrative:
// { shown, doc } (its document), or both null; each step is a check whose
// name starts with label.
function caseworkerReport(label, narrative) {
    let shown = null;
    try {
        shown = caseworkerFind(narrative);
    } catch (e) {
        check(false, label + ': umbra-case pull/import/list/show run', e.stderr || e.message);
    }
    if (!check(shown !== null, label + ': the caseworker finds the report')) {
        return { shown: null, doc: null };
    }
    return { shown: shown, doc: reportOf(shown) };
}

async function testJsOff(browser) {
    console.log('# JavaScript off, Arabic');
    const ctx = await newContext(browser, { javaScriptEnabled: false });
    const page = watch(await ctx.newPage());
    await page.goto(BASE + '/report?lang=ar');
    check(await page.getAttribute('html', 'dir') === 'rtl', 'no-JS: ar has dir="rtl"');
    check(await page.getAttribute('html', 'lang') === 'ar', 'no-JS: ar has lang="ar"');
    const c = await fillReport(page, 'NOJS');
    await Promise.all([page.waitForNavigation({ timeout: 30000 }), page.click('#report button[type=submit]')]);
    const receipt = ((await page.textContent('.receipt').catch(() => '')) || '').trim();
    check(/^\d{4}( \d{4}){5}$/.test(receipt), 'no-JS: the receipt page shows a receipt', await page.textContent('main').catch(() => ''));
    check(await page.getAttribute('html', 'dir') === 'rtl', 'no-JS: the receipt page is right-to-left');
    check((await ctx.cookies()).length === 0, 'no-JS: no cookie was set');
    await ctx.close();
    const { shown, doc } = caseworkerReport('no-JS', c.narrative);
    if (shown !== null) {
        check(doc.via === 'web-nojs' || /"via": ?"web-nojs"/.test(shown.raw), 'no-JS: the caseworker sees via "web-nojs"', shown.raw.slice(0, 300));
        check(doc.lang === 'ar' || shown.raw.includes('"ar"'), 'no-JS: the report says lang ar');
        check(shown.raw.includes('police-extortion') && shown.raw.includes(c.phone),
              'no-JS: categories and identifiers arrive as typed');
    }
    return { receipt: receipt, caseId: shown && shown.id };
}

async function testReplies(browser, js, nojs) {
    console.log('# replies through /check');
    const cases = [['JS report', js], ['no-JS report', nojs]];
    for (const [name, r] of cases) {
        if (!r.receipt || !r.caseId) {
            check(false, name + ': a receipt and a case to answer');
            continue;
        }
        const msg = 'Reply ' + canary('REPLY') + ' – we can help, call us.';
        try {
            await replyTo(r.caseId, msg);
            check(true, name + ': umbra-case reply and push');
        } catch (e) {
            check(false, name + ': umbra-case reply and push', e.stderr || e.message);
            continue;
        }
        const withJs = await readRepliesJS(browser, r.receipt, 'th');
        check(withJs.text.includes(msg), name + ': the reply is read with JavaScript', withJs.text);
        check(withJs.leaked.length === 0, name + ': the receipt never left the browser',
              withJs.leaked.map((x) => x.url).join(' '));
        check(withJs.inUrl.length === 0 && withJs.viaBody,
              name + ': the lookup id went in a POST body, in no URL', withJs.inUrl.map((x) => x.url).join(' '));
        const without = await readRepliesNoJS(browser, r.receipt, 'ar');
        check(without.includes(msg), name + ': the reply is read without JavaScript', without);
    }
    const wrong = await readRepliesNoJS(browser, '1234 5678 9012 3456 7890 1234', 'en');
    check(!wrong.includes('Reply CANARY'), 'a wrong receipt shows no reply');
}

async function testLocales(browser) {
    console.log('# every locale, every page');
    for (const lang of LOCALES) {
        const problems = [];
        const missing = await fetch(BASE + '/info/no-such-page?lang=' + encodeURIComponent(lang));
        if (missing.status !== 404) problems.push('/info/no-such-page status ' + missing.status);
        for (const p of ['/', '/report', '/check', '/info/rights', '/info/health']) {
            const res = await fetch(BASE + p + '?lang=' + encodeURIComponent(lang));
            const html = await res.text();
            if (res.status !== 200) problems.push(p + ' status ' + res.status);
            const m = html.match(/\[(missing|unknown):[^\]]*\]/);
            if (m) problems.push(p + ' ' + m[0]);
            const dir = lang === 'ar' ? 'rtl' : 'ltr';
            if (!html.includes('<html lang="' + lang + '" dir="' + dir + '">')) problems.push(p + ' lang/dir');
            if (!html.includes('id="leave"')) problems.push(p + ' no leave link');
            if (/<(script|style)>|\sstyle=|\son[a-z]+=/.test(html)) problems.push(p + ' inline script or style');
            const cc = res.headers.get('cache-control') || '';
            if (!/no-store/.test(cc)) problems.push(p + ' cache-control ' + cc);
            if (res.headers.get('set-cookie')) problems.push(p + ' sets a cookie');
        }
        check(problems.length === 0, lang + ': every page renders with no missing key, lang/dir right', problems.join('; '));
    }
    /* the no-JS POST result pages too */
    for (const lang of ['vi', 'ar']) {
        const res = await fetch(BASE + '/check', {
            method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: 'lang=' + lang + '&receipt=1234'
        });
        const html = await res.text();
        check(!/\[(missing|unknown):/.test(html) && html.includes('lang="' + lang + '"'),
              lang + ': the check page with an error renders', res.status);
    }
    const langs = [['en', 'form-en.png'], ['th', 'form-th.png'], ['ar', 'form-ar.png']];
    const ctx = await newContext(browser, { viewport: { width: 390, height: 844 } });
    for (const [lang, file] of langs) {
        const page = watch(await ctx.newPage());
        await page.goto(BASE + '/report?lang=' + lang);
        await page.waitForSelector('#report[data-enhanced="yes"]', { timeout: 20000 }).catch(() => {});
        const dir = await page.evaluate(() => document.documentElement.dir);
        check(dir === (lang === 'ar' ? 'rtl' : 'ltr'), lang + ': the browser sees dir ' + dir);
        const out = path.join(ARTIFACTS, file);
        await page.screenshot({ path: out, fullPage: true });
        await page.screenshot({ path: out.replace(/\.png$/, '-top.png') });
        check(fs.existsSync(out) && fs.statSync(out).size > 10000, 'screenshot saved: tests/artifacts/' + file);
        await page.close();
    }
    await ctx.close();
}

/* The organisation's key number on the report page: the stored one without
 * JavaScript; with it, checked against the bundle the browser seals to, and
 * a bundle of another number (a hostile answer) is refused before sealing.
 * Also the date check in the browser. Screenshots at 360 px. */
async function testFingerprint(browser) {
    console.log('# key number on the report page, date check');
    const en = JSON.parse(fs.readFileSync(path.join(TOP, 'web/locales/en.json'), 'utf8'));
    const expected = {};
    for (const org of ['alpha', 'beta'])
        expected[org] = execFileSync(CASE, ['fingerprint', path.join(TDIR, org, 'public.json')],
                                     { encoding: 'utf8', timeout: 60000 }).trim();
    /* without JavaScript: the stored numbers */
    let ctx = await newContext(browser, { javaScriptEnabled: false, viewport: { width: 360, height: 800 } });
    let page = watch(await ctx.newPage());
    await page.goto(BASE + '/report?lang=en');
    for (const org of ['alpha', 'beta']) {
        const fp = ((await page.textContent('code.fp[data-org="' + org + '"]').catch(() => '')) || '').trim();
        check(fp === expected[org], 'no-JS: the report page shows ' + org + "'s key number", fp + ' vs ' + expected[org]);
    }
    check((await page.textContent('#report')).includes(en['report.fingerprint_card']),
          'no-JS: the page says to compare the number with the printed card');
    await ctx.close();

    /* with JavaScript: checked against the verified bundle; 360 px */
    for (const lang of ['en', 'th', 'ar']) {
        ctx = await newContext(browser, { viewport: { width: 360, height: 800 } });
        page = watch(await ctx.newPage());
        await page.goto(BASE + '/report?lang=' + lang);
        await page.waitForSelector('#fp-status:not([hidden])', { timeout: 20000 }).catch(() => {});
        const st = ((await page.textContent('#fp-status').catch(() => '')) || '').trim();
        const cat = JSON.parse(fs.readFileSync(path.join(TOP, 'web/locales', lang + '.json'), 'utf8'));
        check(st === cat['report.fingerprint_checked'] && (await page.locator('.fp-bad').count()) === 0,
              lang + ': JS: the browser confirms the key numbers shown', st);
        const w = await page.evaluate(() => document.documentElement.scrollWidth);
        check(w <= 360, lang + ': the report page with key numbers fits 360 px', w);
        const out = path.join(ARTIFACTS, 'report-fp-360-' + lang + '.png');
        await page.locator('#report fieldset').first().screenshot({ path: out });
        await page.screenshot({ path: out.replace(/\.png$/, '-top.png') });
        check(fs.existsSync(out), 'screenshot saved: tests/artifacts/' + path.basename(out));
        await ctx.close();
    }

    /* a hostile answer: another organisation's validly signed bundle, named
     * alpha, with its own (self-consistent) fingerprint */
    const other = path.join(TDIR, 'alpha-impostor');
    if (!fs.existsSync(path.join(other, 'public.json')))
        execFileSync(CASE, ['--home', other, '--passphrase-file', PASS, 'init', '--org', ORG,
                            '--kdf-memory', '8192', '--kdf-passes', '1', '--kdf-lanes', '1'],
                     { stdio: 'pipe', timeout: 60000 });
    const otherBundle = JSON.parse(fs.readFileSync(path.join(other, 'public.json'), 'utf8'));
    const otherFp = execFileSync(CASE, ['fingerprint', path.join(other, 'public.json')],
                                 { encoding: 'utf8', timeout: 60000 }).trim();
    check(otherFp !== expected[ORG], 'the impostor bundle has another key number');
    ctx = await newContext(browser);
    page = watch(await ctx.newPage());
    await page.route(BASE + '/api/v1/orgs/' + ORG, (route) => route.fulfill({
        status: 200, contentType: 'application/json',
        body: JSON.stringify({ slug: ORG, name: 'Org alpha', fingerprint: otherFp, bundle: otherBundle })
    }));
    let before = requests.length;
    await page.goto(BASE + '/report?lang=en');
    await page.waitForSelector('#report[data-enhanced="yes"]', { timeout: 20000 });
    await page.waitForSelector('#fp-status:not([hidden])', { timeout: 20000 }).catch(() => {});
    check(((await page.textContent('#fp-status').catch(() => '')) || '').trim() === en['report.fingerprint_mismatch'],
          'JS: a bundle of another key number is flagged on load');
    await fillReport(page, 'FP');
    await page.click('#report button[type=submit]');
    await page.waitForFunction(() => document.getElementById('report-status').textContent.length > 0 &&
                               !document.querySelector('#report button[type=submit]').hasAttribute('aria-disabled'),
                               null, { timeout: 30000 }).catch(() => {});
    let said = ((await page.textContent('#report-status').catch(() => '')) || '').trim();
    check(said === en['report.fingerprint_mismatch'], 'JS: the browser refuses to seal to another key number', said);
    let posts = requests.slice(before).filter((r) => r.method === 'POST');
    check(posts.length === 0, 'JS: nothing was posted (no envelope, no mailbox)', posts.map((r) => r.url).join(' '));
    check(!(await page.isVisible('#done')), 'JS: no receipt is shown');
    await ctx.close();

    /* dates from the day, month and year menus: future (a year the menu
     * does not offer, added by hand), not in the calendar, or the day
     * after tomorrow (when it is still this year) */
    const later = new Date(Date.now() + 2 * 864e5).toISOString().slice(0, 10);
    const cases = [['future', '2099-01-01', true], ['31 February', '2026-02-31', false]];
    if (later.slice(0, 4) === String(new Date().getUTCFullYear())) cases.push(['day after tomorrow', later, false]);
    for (const [name, value, addYear] of cases) {
        ctx = await newContext(browser);
        page = watch(await ctx.newPage());
        await page.goto(BASE + '/report?lang=en');
        await page.waitForSelector('#report[data-enhanced="yes"]', { timeout: 20000 });
        await fillReport(page, 'DATE');
        const [y, m, d] = value.split('-');
        if (addYear) await page.evaluate((yy) => { document.getElementById('year').add(new Option(yy, yy)); }, y);
        await page.selectOption('#year', y);
        await page.selectOption('#month', String(+m));
        await page.selectOption('#day', String(+d));
        before = requests.length;
        await page.click('#report button[type=submit]');
        await page.waitForTimeout(500);
        said = ((await page.textContent('#report-status').catch(() => '')) || '').trim();
        posts = requests.slice(before).filter((r) => r.method === 'POST');
        check(said === en['error.bad_date'] && posts.length === 0,
              'JS: a ' + name + ' date is refused before anything is sent', said + ' / ' + posts.length + ' posts');
        await ctx.close();
    }
}

/* What a network observer learns from a no-JS POST's size (threat model
 * 2): the body is not padded, so its length follows the typed text byte
 * for byte. Two no-JS reports differing only in 1000 ASCII characters of
 * narrative have bodies 1000 bytes apart. */
async function testNoJsSize(browser) {
    console.log('# no-JS POST size');
    const sizes = [];
    for (const n of [100, 1100]) {
        const ctx = await newContext(browser, { javaScriptEnabled: false });
        const page = watch(await ctx.newPage());
        await page.goto(BASE + '/report?lang=en');
        await page.check('input[name="org"][value="' + ORG + '"]');
        await page.uncheck('input[name="reply"]');
        await page.fill('#narrative', 'x'.repeat(n));
        const before = requests.length;
        await Promise.all([page.waitForNavigation({ timeout: 30000 }), page.click('#report button[type=submit]')]);
        const post = requests.slice(before).find((r) => r.method === 'POST' && r.url.startsWith(BASE + '/report'));
        sizes.push(post && post.body ? post.body.length : -1);
        await ctx.close();
    }
    console.log('# no-JS POST bodies: ' + sizes[0] + ' and ' + sizes[1] + ' bytes for narratives of 100 and 1100 characters');
    check(sizes[0] > 100 && sizes[1] - sizes[0] === 1000,
          'no-JS: the POST body is not padded (its size follows the text typed)', sizes.join(' '));
}

async function testSmallScreenAndLeave(browser) {
    console.log('# 320 px, weight, leave quickly');
    const ctx = await newContext(browser, { viewport: { width: 320, height: 640 } });
    for (const lang of ['en', 'ru', 'ar']) {
        const page = watch(await ctx.newPage());
        await page.goto(BASE + '/report?lang=' + lang);
        const w = await page.evaluate(() => document.documentElement.scrollWidth);
        check(w <= 320, lang + ': the form fits 320 px without sideways scrolling', w);
        await page.close();
    }
    const html = await (await fetch(BASE + '/report?lang=en')).text();
    const css = await (await fetch(BASE + '/static/style.css')).text();
    const weight = Buffer.byteLength(html) + Buffer.byteLength(css);
    console.log('# no-JS form weight (HTML + CSS, uncompressed): ' + weight + ' bytes');
    check(weight <= 30 * 1024, 'the no-JS form weighs at most 30 KB', weight);
    /* What a phone downloads for the heaviest locale (Thai: three bytes a
     * letter): the page as sent and the CSS as sent gzipped. */
    const sent = async (u) => {
        const res = await fetch(BASE + u, { headers: { 'Accept-Encoding': 'gzip' } });
        await res.arrayBuffer();
        return Number(res.headers.get('content-length'));
    };
    const wire = (await sent('/report?lang=th')) + (await sent('/static/style.css'));
    console.log('# no-JS form, Thai, as sent (HTML + gzipped CSS): ' + wire + ' bytes');
    check(wire > 0 && wire <= 30 * 1024, 'the Thai no-JS form downloads at most 30 KB', wire);

    /* leave quickly: the click and Escape replace the page with the neutral site */
    const leaveUrl = await (async () => {
        const p = await ctx.newPage();
        await p.goto(BASE + '/report?lang=en');
        const href = await p.getAttribute('#leave', 'href');
        await p.close();
        return href;
    })();
    for (const how of ['click', 'Escape']) {
        const page = watch(await ctx.newPage());
        await page.goto(BASE + '/?lang=en');
        await page.goto(BASE + '/report?lang=en');
        const lenBefore = await page.evaluate(() => history.length);
        const wait = page.waitForRequest((r) => r.url().startsWith(leaveUrl), { timeout: 10000 });
        if (how === 'click') await page.click('#leave');
        else await page.keyboard.press('Escape');
        const req = await wait.then(() => true, () => false);
        check(req, 'leave quickly (' + how + ') goes to the neutral site');
        const lenAfter = await page.evaluate(() => history.length).catch(() => lenBefore);
        check(lenAfter === lenBefore, 'leave quickly (' + how + ') leaves no new history entry', lenBefore + ' -> ' + lenAfter);
        await page.close();
    }
    await ctx.close();
    return leaveUrl;
}

/* The quick exit is always in reach (issue 13 item 3): on the report form
 * at 360 px, in en, th and ar, with and without JavaScript, scrolled to the
 * middle and to the bottom, the "leave quickly" link is inside the viewport,
 * at least 44x44 CSS px, and what is at its centre is the link itself; it
 * does not cover the Send button. With JavaScript, using it replaces the
 * history entry: history.length does not grow and Back does not land on
 * Umbra. */
async function testQuickExitInReach(browser) {
    console.log('# quick exit in reach at 360 px');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    for (const js of [true, false]) {
        const ctx = await newContext(browser, { viewport: { width: 360, height: 640 }, javaScriptEnabled: js });
        for (const lang of ['en', 'th', 'ar']) {
            const page = watch(await ctx.newPage());
            await page.goto(BASE + '/report?lang=' + lang);
            for (const where of ['middle', 'bottom']) {
                await page.evaluate((w) => {
                    const max = document.documentElement.scrollHeight - window.innerHeight;
                    window.scrollTo(0, w === 'bottom' ? max : Math.floor(max / 2));
                }, where);
                await page.waitForTimeout(100);
                const r = await page.evaluate(() => {
                    const a = document.getElementById('leave');
                    const b = a.getBoundingClientRect();
                    const x = b.left + b.width / 2, y = b.top + b.height / 2;
                    const hit = document.elementFromPoint(x, y);
                    return { top: b.top, left: b.left, bottom: b.bottom, right: b.right, w: b.width, h: b.height,
                             vw: window.innerWidth, vh: window.innerHeight, scrollY: window.scrollY,
                             hit: !!hit && (hit === a || a.contains(hit)) };
                });
                const tag = (js ? 'JS' : 'no-JS') + ' ' + lang + ' ' + where;
                check(r.scrollY > 0, tag + ': the form is long enough to scroll', r.scrollY);
                check(r.top >= 0 && r.left >= 0 && r.bottom <= r.vh && r.right <= r.vw,
                      tag + ': the quick exit is inside the viewport', JSON.stringify(r));
                check(r.w >= 44 && r.h >= 44, tag + ': the quick exit is at least 44x44 px', r.w + 'x' + r.h);
                check(r.hit, tag + ': the point at the quick exit\'s centre is the link', JSON.stringify(r));
                await page.screenshot({ path: path.join(ARTIFACTS,
                    'quick-exit-' + (js ? 'js' : 'nojs') + '-' + lang + '-' + where + '.png') });
            }
            /* the Send button, scrolled into view, is not under the bar */
            const send = await page.evaluate(() => {
                const b = document.querySelector('#report button[type=submit]');
                b.scrollIntoView({ block: 'end' });
                const r = b.getBoundingClientRect();
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                return !!hit && (hit === b || b.contains(hit));
            });
            check(send, (js ? 'JS' : 'no-JS') + ' ' + lang + ': the quick exit does not cover the Send button');
            await page.close();
        }
        await ctx.close();
    }
    /* with JavaScript: the entry is replaced, Back does not land on Umbra */
    const ctx = await newContext(browser, { viewport: { width: 360, height: 640 } });
    const page = watch(await ctx.newPage());
    await page.goto('about:blank');
    await page.goto(BASE + '/report?lang=en');
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const leaveUrl = await page.getAttribute('#leave', 'href');
    const lenBefore = await page.evaluate(() => history.length);
    const wait = page.waitForRequest((r) => r.url().startsWith(leaveUrl), { timeout: 10000 });
    await page.route(leaveUrl + '**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>elsewhere</p>' }));
    await page.click('#leave');
    const went = await wait.then(() => true, () => false);
    await page.waitForLoadState().catch(() => {});
    check(went, 'JS, scrolled to the bottom: the quick exit goes to the neutral site');
    const lenAfter = await page.evaluate(() => history.length).catch(() => -1);
    check(lenAfter === lenBefore, 'JS: using the quick exit does not grow history.length', lenBefore + ' -> ' + lenAfter);
    await page.goBack({ timeout: 10000 }).catch(() => null);
    const back = page.url();
    check(!back.startsWith(BASE), 'JS: Back after the quick exit does not land on Umbra', back);
    await ctx.close();
    return leaveUrl;
}

async function main() {
    const browser = await launch();
    let leaveUrl = null;
    try {
        const js = await testJsOn(browser);
        const nojs = await testJsOff(browser);
        await testReplies(browser, js, nojs);
        await testLocales(browser);
        await testFingerprint(browser);
        await testNoJsSize(browser);
        leaveUrl = await testSmallScreenAndLeave(browser);
        await testQuickExitInReach(browser);
    } catch (e) {
        check(false, 'the browser tests ran to the end', e.stack || e);
    } finally {
        await browser.close();
    }
    finish(leaveUrl);
}

main();
