/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * info_test.js: the information pages (web/content) in a real headless
 * Chromium against the real umbra-server (tests/browser/run.sh), as a
 * reader would notice them:
 *
 *  - every page (rights, health, housing, legal) in each of the 12
 *    locales: reached from the landing page's links, in that language,
 *    the article's lang and dir as the browser computes them (Arabic right
 *    to left, the others left to right), the sentence's full stop at the
 *    end of the line it belongs to, no missing key, the draft notice
 *    shown inside <main> when web/content/status.json says draft, every
 *    local services place filled in, and no sideways scrolling at 360 px;
 *  - with JavaScript off too (Arabic);
 *  - screenshots of the Arabic and Thai pages at 360 px in
 *    tests/artifacts/info-*.png.
 *
 * Then a second umbra-server (same database, its own port and spool) on
 * a copy of the web folder without the Arabic health page and with a
 * local services file (server/content.h): the Arabic health page shows
 * the English text left to right with a note, its full stops where
 * English puts them, and the local service with Arabic labels.
 * Ends with "N passed, N failed".
 */
'use strict';

const { path, fs, TOP, BASE, ARTIFACTS, TDIR, LOCALES, check, newContext, watch, launch, finish } = require('./lib');
const { spawn } = require('child_process');
const net = require('net');

const PAGES = ['rights', 'health', 'housing', 'legal'];
const STATUS = JSON.parse(fs.readFileSync(path.join(TOP, 'web/content/status.json'), 'utf8'));
const catalogue = (l) => JSON.parse(fs.readFileSync(path.join(TOP, 'web/locales', l + '.json'), 'utf8'));

/* What the browser sees of an information page. */
async function look(page) {
    return page.evaluate(() => {
        const art = document.querySelector('main article.content');
        const main = document.querySelector('main');
        const draft = document.getElementById('info-draft');
        const h1 = art ? art.querySelector('h1') : null;
        /* the full stop that ends the first paragraph: on which side of
         * the character before it (right in ltr text, left in rtl) */
        let stopSide = null;
        const p = art ? art.querySelector('p') : null;
        const t = p ? p.lastChild : null;
        if (t && t.nodeType === 3 && t.length > 2 && /[.!?:\u3002\u061f]$/.test(t.data)) {
            const box = (i) => {
                const r = document.createRange();
                r.setStart(t, i);
                r.setEnd(t, i + 1);
                return r.getBoundingClientRect();
            };
            const stop = box(t.length - 1), prev = box(t.length - 2);
            stopSide = stop.left + stop.width / 2 > prev.left + prev.width / 2 ? 'right' : 'left';
        }
        return {
            htmlLang: document.documentElement.lang,
            htmlDir: document.documentElement.dir,
            lang: art ? art.lang : null,
            dir: art ? getComputedStyle(art).direction : null,
            title: h1 ? h1.textContent.trim() : '',
            draftVisible: !!draft && draft.offsetParent !== null,
            draftInMain: !!draft && !!main && main.contains(draft),
            note: !!document.querySelector('main p.note'),
            locals: art ? art.querySelectorAll('.local').length : 0,
            stopSide: stopSide,
            body: document.body.innerText,
            width: document.documentElement.scrollWidth
        };
    });
}

async function testEveryPage(browser, js) {
    console.log('# every information page in every locale (JavaScript ' + (js ? 'on' : 'off') + ')');
    const ctx = await newContext(browser, { javaScriptEnabled: js, viewport: { width: 360, height: 740 } });
    const page = watch(await ctx.newPage());
    for (const lang of js ? LOCALES : ['ar', 'th']) {
        const rtl = lang === 'ar';
        const cat = catalogue(lang);
        await page.goto(BASE + '/?lang=' + lang);
        const links = await page.$$eval('a[href^="/info/"]', (as) => as.map((a) => ({
            href: a.getAttribute('href'), lang: a.lang, text: a.textContent.trim()
        })));
        const names = links.map((a) => a.href.replace(/^\/info\/([a-z-]+).*$/, '$1')).sort();
        check(JSON.stringify(names) === JSON.stringify(PAGES.slice().sort()) && links.every((a) => a.lang === lang),
              lang + ': the landing page links to the four pages, in ' + lang, JSON.stringify(links));
        for (const name of PAGES) {
            const res = await page.goto(BASE + '/info/' + name + '?lang=' + lang);
            const v = await look(page);
            const id = lang + '/' + name;
            const title = (links.find((a) => a.href.startsWith('/info/' + name + '?')) || {}).text;
            check(res.status() === 200 && v.title && v.title === title,
                  id + ': 200, its title as the landing page links it', res.status() + ' ' + v.title + ' / ' + title);
            check(v.htmlLang === lang && v.htmlDir === (rtl ? 'rtl' : 'ltr') && v.lang === lang &&
                  v.dir === (rtl ? 'rtl' : 'ltr') && !v.note,
                  id + ': the text is in ' + lang + ', laid out ' + (rtl ? 'right to left' : 'left to right'),
                  JSON.stringify({ html: v.htmlLang + ' ' + v.htmlDir, article: v.lang + ' ' + v.dir, note: v.note }));
            if (v.stopSide)
                check(v.stopSide === (rtl ? 'left' : 'right'), id + ': the full stop of the first paragraph ' +
                      'sits to the ' + (rtl ? 'left' : 'right') + ' of its last word', v.stopSide);
            const draft = lang !== 'en' && !(STATUS[id] && STATUS[id].status === 'reviewed');
            check(draft ? v.draftVisible && v.draftInMain && v.body.includes(cat['info.draft'])
                        : !v.draftVisible,
                  id + (draft ? ': a draft, the notice shown inside <main>' : ': signed off, no draft notice'));
            check(v.locals >= 1 && v.body.includes(cat['info.local_none']),
                  id + ': its local services places say, in ' + lang + ', that none are filled in yet');
            check(!/\[(missing|unknown):/.test(v.body) && !v.body.includes('<!--'),
                  id + ': no missing key, no mark left');
            check(v.width <= 360, id + ': no sideways scrolling at 360 px', v.width);
            if (js && (lang === 'ar' || lang === 'th') && (name === 'rights' || name === 'health')) {
                const out = path.join(ARTIFACTS, 'info-' + lang + '-' + name + '-360.png');
                await page.screenshot({ path: out, fullPage: true });
                check(fs.existsSync(out) && fs.statSync(out).size > 10000,
                      'screenshot saved: tests/artifacts/' + path.basename(out));
            }
        }
    }
    await ctx.close();
}

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const port = srv.address().port;
            srv.close(() => resolve(port));
        });
    });
}

/* A copy of web/ made of links, without content/ar/health.html, and a
 * local services file. */
function scratchWeb() {
    const dir = path.join(TDIR, 'info-web-' + process.pid);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'content'), { recursive: true });
    for (const sub of ['templates', 'locales', 'static', 'vendor'])
        if (fs.existsSync(path.join(TOP, 'web', sub))) fs.symlinkSync(path.join(TOP, 'web', sub), path.join(dir, sub));
    fs.symlinkSync(path.join(TOP, 'web/content/status.json'), path.join(dir, 'content/status.json'));
    for (const l of LOCALES) {
        fs.mkdirSync(path.join(dir, 'content', l));
        for (const p of PAGES)
            if (!(l === 'ar' && p === 'health'))
                fs.symlinkSync(path.join(TOP, 'web/content', l, p + '.html'), path.join(dir, 'content', l, p + '.html'));
    }
    const local = path.join(dir, 'local.json');
    fs.writeFileSync(local, JSON.stringify({
        schema: 'umbra.local/1', lang: 'en',
        slots: { health: [{ name: 'Night clinic', what: { en: 'Free tests, no papers needed', ar: 'فحوص مجانية بدون أوراق' },
                            phone: '+1 555 0100', hours: 'Mon-Fri 18-23' }] }
    }));
    return { dir: dir, local: local };
}

async function testFallback(browser) {
    console.log('# a page missing in Arabic, local services filled in (a second server)');
    const web = scratchWeb();
    const port = await freePort();
    const spool = path.join(web.dir, 'spool');
    fs.mkdirSync(spool, { mode: 0o700 });
    const log = fs.openSync(path.join(web.dir, 'server.log'), 'w');
    const child = spawn(process.env.UMBRA_SERVER || path.join(TOP, 'build/umbra-server'),
                        ['--config', process.env.UMBRA_CONF, '--port', String(port), '--web_dir', web.dir,
                         '--spool_dir', spool, '--local_services', web.local],
                        { stdio: ['ignore', log, log], env: Object.assign({}, process.env, { UMBRA_PAGE_STRICT: '1' }) });
    const base = 'http://127.0.0.1:' + port;
    try {
        let up = false;
        for (let i = 0; i < 100 && !up && child.exitCode === null; i++) {
            up = await fetch(base + '/info/rights?lang=ar').then((r) => r.ok, () => false);
            if (!up) await new Promise((r) => setTimeout(r, 100));
        }
        check(up, 'the second server serves the scratch web folder',
              fs.readFileSync(path.join(web.dir, 'server.log'), 'utf8').slice(-400));
        if (!up) return;
        const ctx = await browser.newContext({ viewport: { width: 360, height: 740 } });
        await ctx.route('**/*', (route) => route.request().url().startsWith(base + '/') ? route.continue()
                                                                                         : route.abort('blockedbyclient'));
        const page = watch(await ctx.newPage());
        const ar = catalogue('ar');
        await page.goto(base + '/info/health?lang=ar');
        const v = await look(page);
        check(v.htmlLang === 'ar' && v.htmlDir === 'rtl', 'fallback: the page around stays Arabic, right to left');
        check(v.lang === 'en' && v.dir === 'ltr', 'fallback: the English text is laid out left to right',
              v.lang + ' ' + v.dir);
        check(v.stopSide === 'right', 'fallback: its full stops sit to the right of the words, as in English',
              v.stopSide);
        check(v.note && v.body.includes(ar['info.fallback']) && v.body.includes('English'),
              'fallback: a note in Arabic says the page is shown in English');
        check(!v.draftVisible, 'fallback: the English source carries no draft notice');
        check(v.body.includes('Night clinic') && v.body.includes('+1 555 0100') &&
              v.body.includes(catalogue('en')['info.local_phone']),
              'local services: the service is shown, its labels in English like the text around them',
              v.body.slice(0, 300));
        const bdi = await page.$$eval('article .services bdi', (bs) => bs.map((b) => b.lang + ':' + b.textContent));
        check(bdi.includes('en:Free tests, no papers needed'), 'local services: the English text of the field, marked en',
              JSON.stringify(bdi));
        const out = path.join(ARTIFACTS, 'info-ar-fallback-360.png');
        await page.screenshot({ path: out, fullPage: true });
        check(fs.existsSync(out), 'screenshot saved: tests/artifacts/' + path.basename(out));
        await page.goto(base + '/info/rights?lang=ar');
        const r = await look(page);
        check(r.lang === 'ar' && r.dir === 'rtl' && !r.note, 'the Arabic rights page is still Arabic, right to left');
        const link = await page.$eval('nav.info-nav a[href^="/info/health"]', (a) => a.lang + ' ' + getComputedStyle(a).direction)
            .catch(() => '');
        check(link === 'en ltr', 'the link to the English health page is marked en, left to right', link);
        await ctx.close();
    } finally {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
        fs.closeSync(log);
    }
}

async function main() {
    const browser = await launch();
    try {
        await testEveryPage(browser, true);
        await testEveryPage(browser, false);
        await testFallback(browser);
        const res = await fetch(BASE + '/info/no-such-page?lang=ar');
        check(res.status === 404, 'an unknown information page is a 404', res.status);
    } catch (e) {
        check(false, 'the information page tests ran to the end', e.stack || e);
    } finally {
        await browser.close();
    }
    finish(null);
}

main();
