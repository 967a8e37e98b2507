/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench_web.js: the report form on a simulated cheap phone (issue 13, item
 * 7), driven by tests/bench/bench_web.sh. Debian's Chromium, each round in
 * a fresh browser context (nothing cached, as on a shared phone), with the
 * Chrome DevTools Protocol's
 *   Emulation.setCPUThrottlingRate {rate: 6}          (CPU 6x slower)
 *   Network.emulateNetworkConditions                   (400 kbit/s down
 *     and up, 400 ms latency added to every request)
 * Time: from just before navigating to /report to the receipt on screen,
 * less the time the robot takes to fill the form: "ready" (navigation to
 * the form usable: the load event, and with JavaScript the form enhanced,
 * i.e. sodium-lite ready) plus "send" (pressing Send to the 24-digit
 * receipt on screen). The form is filled in between by tests/browser/lib.js
 * fillReport, as the browser tests do; under a 6x slower CPU that takes
 * Playwright several seconds whatever the page, so it is left out of the
 * time and shown apart (wall = all of it). With JavaScript the report is
 * sealed in the page and the receipt made there (reply box ticked, the
 * default: Argon2id in the browser); without, the server does both.
 * Bytes: Network.loadingFinished encodedDataLength (what went over the
 * wire, headers and gzip included), for the first visit (everything the
 * page loads before Send: HTML, CSS, scripts, the organisation's key
 * bundle) and for the whole round.
 *
 * JS and no-JS rounds alternate, per target, in one run: BENCH_WEB_ROUNDS
 * (default 5, at most 20) of each. Targets: UMBRA_BENCH_TARGETS, a list of
 * label=URL separated by spaces (the current tree, and with
 * BENCH_WEB_BASELINE another revision's pages on a second server).
 * Prints medians, the JS/no-JS ratio and the KB per target; exits 1 if a
 * round failed (a missing receipt), never on a missed target (figures,
 * not a test: the budget test is tests/browser/light_test.js).
 */
'use strict';

const { launch, fillReport } = require('../browser/lib');

const CPU_RATE = 6;
const KBIT = 400;
const LATENCY_MS = 400;
const ROUNDS = Math.max(1, Math.min(20, parseInt(process.env.BENCH_WEB_ROUNDS || '5', 10) || 5));
const ROUND_TIMEOUT = 180000;
const TARGETS = (process.env.UMBRA_BENCH_TARGETS || '').split(/\s+/).filter(Boolean).map((t) => {
    const i = t.indexOf('=');
    return { label: t.slice(0, i), base: t.slice(i + 1) };
});

async function round(browser, base, js) {
    const ctx = await browser.newContext({ javaScriptEnabled: js, viewport: { width: 360, height: 740 } });
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: LATENCY_MS,
        downloadThroughput: KBIT * 1000 / 8, uploadThroughput: KBIT * 1000 / 8
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_RATE });
    const urls = {};
    let bytes = 0;
    let firstVisit = null;
    const foreign = [];
    cdp.on('Network.requestWillBeSent', (e) => {
        urls[e.requestId] = e.request.url;
        if (!e.request.url.startsWith(base + '/') && !/^(data|blob):/.test(e.request.url))
            foreign.push(e.request.url);
    });
    cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
    const t0 = Date.now();
    let ok = false, why = '', tReady = 0, tClick = 0;
    try {
        await page.goto(base + '/report?lang=en', { timeout: ROUND_TIMEOUT });
        if (js) await page.waitForSelector('#report[data-enhanced="yes"]', { timeout: ROUND_TIMEOUT });
        tReady = Date.now();
        await fillReport(page, js ? 'BJS' : 'BNOJS');
        firstVisit = bytes;
        tClick = Date.now();
        if (js) {
            await page.click('#report button[type=submit]');
            await page.waitForSelector('#done:not([hidden])', { timeout: ROUND_TIMEOUT });
            ok = /^\d{4}( \d{4}){5}$/.test((await page.textContent('#receipt-out')).trim());
        } else {
            await Promise.all([page.waitForNavigation({ timeout: ROUND_TIMEOUT }),
                               page.click('#report button[type=submit]')]);
            ok = /^\d{4}( \d{4}){5}$/.test(((await page.textContent('.receipt')) || '').trim());
        }
        if (!ok) why = 'no receipt on screen';
    } catch (e) {
        why = String(e.message || e).split('\n')[0];
    }
    const tEnd = Date.now();
    const wall = tEnd - t0;
    const ready = tReady - t0, send = tEnd - tClick;
    const ms = ready + send;
    /* the last responses' loadingFinished may trail the receipt a little */
    await new Promise((r) => setTimeout(r, 300));
    await ctx.close();
    return { ok, why, ms, ready, send, wall, firstVisit, bytes, foreign };
}

function median(a) {
    const s = a.slice().sort((x, y) => x - y);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const kb = (b) => (b / 1000).toFixed(1);
const sec = (ms) => (ms / 1000).toFixed(2);

(async () => {
    if (!TARGETS.length) {
        console.log('bench-web: no target (UMBRA_BENCH_TARGETS)');
        process.exit(1);
    }
    const browser = await launch();
    const res = {};
    let failed = 0;
    for (const t of TARGETS) res[t.label] = { js: [], nojs: [] };
    console.log('bench-web: Chromium, CPU ' + CPU_RATE + 'x slower (CDP), ' + KBIT + ' kbit/s down and up, ' +
                LATENCY_MS + ' ms latency, no cache; ' + ROUNDS + ' rounds of each path per target, alternating');
    for (let i = 0; i < ROUNDS; i++) {
        for (const t of TARGETS) {
            for (const js of (i % 2 ? [false, true] : [true, false])) {
                const r = await round(browser, t.base, js);
                const path = js ? 'JS' : 'no-JS';
                if (!r.ok) failed++;
                if (r.foreign.length) {
                    failed++;
                    console.log('  FAIL ' + t.label + ' ' + path + ': requests to other hosts: ' + r.foreign.join(' '));
                }
                console.log('  round ' + (i + 1) + ' ' + t.label + ' ' + path + ': ' + sec(r.ms) + ' s (ready ' +
                            sec(r.ready) + ' + send ' + sec(r.send) + '; wall ' + sec(r.wall) + '), first visit ' +
                            (r.firstVisit === null ? '-' : kb(r.firstVisit)) + ' KB, total ' + kb(r.bytes) + ' KB' +
                            (r.ok ? '' : ' FAILED: ' + r.why));
                if (r.ok) res[t.label][js ? 'js' : 'nojs'].push(r);
            }
        }
    }
    await browser.close();
    console.log('');
    console.log('medians; time = ready + send (s); wall includes filling the form');
    console.log('target      path   rounds  time s  min-max s      ready s  send s  wall s  first visit KB  total KB');
    for (const t of TARGETS) {
        const line = (path, rs) => {
            if (!rs.length) return console.log(t.label.padEnd(12) + path.padEnd(7) + '0');
            const ms = rs.map((r) => r.ms);
            const med = (k) => sec(median(rs.map((r) => r[k])));
            console.log(t.label.padEnd(12) + path.padEnd(7) + String(rs.length).padEnd(8) +
                        sec(median(ms)).padEnd(8) + (sec(Math.min(...ms)) + '-' + sec(Math.max(...ms))).padEnd(15) +
                        med('ready').padEnd(9) + med('send').padEnd(8) + med('wall').padEnd(8) +
                        kb(median(rs.map((r) => r.firstVisit))).padEnd(16) + kb(median(rs.map((r) => r.bytes))));
        };
        line('JS', res[t.label].js);
        line('no-JS', res[t.label].nojs);
    }
    console.log('');
    for (const t of TARGETS) {
        const { js, nojs } = res[t.label];
        if (!js.length || !nojs.length) continue;
        const ratio = median(js.map((r) => r.ms)) / median(nojs.map((r) => r.ms));
        const fv = median(js.map((r) => r.firstVisit));
        console.log(t.label + ': JS/no-JS time ' + ratio.toFixed(2) + ' (target <= 1.5), JS first visit ' +
                    kb(fv) + ' KB (target <= 150)');
    }
    if (failed) console.log('bench-web: ' + failed + ' round(s) failed');
    process.exit(failed ? 1 : 0);
})().catch((e) => {
    console.log('bench-web: ' + (e.stack || e));
    process.exit(1);
});
