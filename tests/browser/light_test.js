/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * light_test.js: the JavaScript path's weight (issue 13, item 7), a budget
 * and not a timing test:
 *
 *  - a first visit to /report with JavaScript (fresh context, cache off)
 *    transfers at most 150 KB until the form is enhanced and the network
 *    is quiet: bytes as Chromium counts them on the wire (CDP
 *    Network.loadingFinished encodedDataLength, headers and gzip
 *    included);
 *  - the crypto library is sent gzipped to a browser that accepts it;
 *  - on every page, every script is same-origin (no CDN) and carries
 *    Subresource Integrity (sha384), and the page's sodium is sodium-lite
 *    (the libsodium.js sumo build is no longer sent);
 *  - the enhanced form still seals: a report sent with JavaScript gets a
 *    receipt (the rest of the JS path is checked by browser_test.js).
 */
'use strict';

const { BASE, check, newContext, watch, fillReport, launch, finish } = require('./lib');

const BUDGET = 150 * 1000;

async function firstVisit(browser) {
    console.log('# first visit to /report with JavaScript');
    const ctx = await newContext(browser);
    const page = watch(await ctx.newPage());
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const got = {};
    let bytes = 0;
    cdp.on('Network.requestWillBeSent', (e) => { got[e.requestId] = { url: e.request.url }; });
    cdp.on('Network.responseReceived', (e) => {
        if (got[e.requestId]) got[e.requestId].enc = (e.response.headers['Content-Encoding'] ||
                                                      e.response.headers['content-encoding'] || '');
    });
    cdp.on('Network.loadingFinished', (e) => {
        bytes += e.encodedDataLength;
        if (got[e.requestId]) got[e.requestId].bytes = e.encodedDataLength;
    });
    await page.goto(BASE + '/report?lang=en');
    const enhanced = await page.waitForSelector('#report[data-enhanced="yes"]', { timeout: 30000 })
        .then(() => true, () => false);
    check(enhanced, 'the form is enhanced (sodium-lite ready)');
    await page.waitForLoadState('networkidle').catch(() => {});
    const list = Object.values(got).filter((r) => r.bytes !== undefined && !/^data:/.test(r.url))
        .map((r) => r.url.replace(BASE, '') + ' ' + r.bytes + (r.enc ? ' ' + r.enc : '')).join(', ');
    console.log('#   ' + (bytes / 1000).toFixed(1) + ' KB: ' + list);
    check(bytes > 10000 && bytes <= BUDGET, 'first visit with JavaScript transfers at most 150 KB (' +
          (bytes / 1000).toFixed(1) + ' KB)', list);
    const lib = Object.values(got).find((r) => /\/static\/vendor\/sodium-lite\.js$/.test(r.url));
    check(lib && lib.enc === 'gzip', 'sodium-lite.js is sent gzipped', lib && JSON.stringify(lib));
    check(!Object.values(got).some((r) => /libsodium/.test(r.url)), 'libsodium.js is no longer sent');
    const kind = await page.evaluate(() => typeof window.sodium === 'object' &&
        typeof window.sodium.crypto_pwhash === 'function' && typeof window.nacl === 'undefined');
    check(kind, 'window.sodium has crypto_pwhash; the bundle leaks no other global');

    await fillReport(page, 'LIGHT');
    await page.click('#report button[type=submit]');
    await page.waitForSelector('#done:not([hidden])', { timeout: 60000 }).catch(() => {});
    const receipt = ((await page.textContent('#receipt-out').catch(() => '')) || '').trim();
    check(/^\d{4}( \d{4}){5}$/.test(receipt), 'a report sealed with sodium-lite gets a receipt', receipt);
    await ctx.close();
}

async function scriptsHaveSri(browser) {
    console.log('# every script: same origin, with Subresource Integrity');
    const ctx = await newContext(browser);
    const page = watch(await ctx.newPage());
    let n = 0;
    for (const p of ['/', '/report', '/check', '/report?lang=ar', '/check?lang=th']) {
        const res = await page.goto(BASE + p);
        if (!check(res && res.status() === 200, p + ' answers 200')) continue;
        const scripts = await page.$$eval('script', (els) => els.map((e) => ({
            src: e.getAttribute('src'), integrity: e.getAttribute('integrity'), inline: !e.src && !!e.textContent.trim()
        })));
        for (const s of scripts) {
            n++;
            check(!s.inline, p + ': no inline script', JSON.stringify(s));
            if (!s.src) continue;
            check(s.src.startsWith('/static/'), p + ': ' + s.src + ' is served by the server itself');
            check(/^sha(384|512)-[A-Za-z0-9+/]+=*$/.test(s.integrity || ''), p + ': ' + s.src + ' has SRI', s.integrity);
        }
        const links = await page.$$eval('link[rel=stylesheet]', (els) => els.map((e) => e.getAttribute('integrity')));
        check(links.every((i) => /^sha(384|512)-/.test(i || '')), p + ': stylesheets have SRI');
    }
    check(n >= 5, 'scripts were found to check (' + n + ')');
    await ctx.close();
}

(async () => {
    const browser = await launch();
    try {
        await firstVisit(browser);
        await scriptsHaveSri(browser);
    } catch (e) {
        check(false, 'light_test ran to the end', e.stack || e);
    }
    await browser.close();
    finish(null);
})();
