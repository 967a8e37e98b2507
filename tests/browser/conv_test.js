/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * conv_test.js: the conversation between a reporter and the organisation
 * (issue 13, item 4) in a real Chromium against a real umbra-server:
 *
 *  - a report with JavaScript, a caseworker's reply, then the reporter
 *    writes back from /check with JavaScript (with a photo carrying an
 *    EXIF canary) and without; the caseworker pulls and imports: one
 *    case, `show --json` "messages" in order (report, reply, follow-up,
 *    follow-up); the follow-up's requests hold none of the typed text or
 *    receipt digits, go to the report route, and register no mailbox;
 *  - a forged follow-up (the case's mailbox id, a proof from another key)
 *    does not join the case: a new case marked unverified;
 *  - after `umbra-case delete`, a follow-up makes a new case;
 *  - on the write-back form, a mistyped receipt and a receipt whose
 *    mailbox the server does not hold (never registered, or gone) get a
 *    clear error, and nothing is sent, with and without JavaScript.
 * Screenshots in tests/artifacts/conv-*.png. Ends with "N passed, N failed".
 */
'use strict';

const {
    path, fs, TOP, BASE, ARTIFACTS, TDIR, ORG, check, caseTool, requests, newContext, watch, canary,
    jpegWithExif, fillReport, bodiesContain, waitMoved, caseworkerFind, replyTo, launch, finish
} = require('./lib');

const sodium = require(path.join(TOP, 'web/node_modules/libsodium-wrappers-sumo'));
const UmbraCrypto = require(path.join(TOP, 'web/static/umbra-crypto.js'));

/* Pull and import what is waiting; the import's output. */
function pullImport() {
    waitMoved();
    const out = path.join(TDIR, 'conv-bundle-' + Date.now());
    caseTool(['pull', '--server', BASE, '--token-file', path.join(TDIR, ORG + '.token'), '--out', out]);
    return caseTool(['import', out]);
}

function listCases() {
    return caseTool(['list', '--json']).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

function showCase(id) {
    return JSON.parse(caseTool(['show', String(id), '--json']));
}

/* The cases whose conversation holds needle. */
function casesWith(needle) {
    return listCases().map((c) => showCase(c.id)).filter((s) => JSON.stringify(s.messages || []).includes(needle));
}

async function shot(page, name) {
    const out = path.join(ARTIFACTS, name);
    await page.screenshot({ path: out, fullPage: true });
    check(fs.existsSync(out) && fs.statSync(out).size > 5000, 'screenshot saved: tests/artifacts/' + name);
}

/* A report with JavaScript, wanting replies: its receipt and case. */
async function reportWithJs(browser) {
    const ctx = await newContext(browser);
    const page = watch(await ctx.newPage());
    await page.goto(BASE + '/report?lang=en');
    await page.waitForSelector('#report[data-enhanced="yes"]', { timeout: 20000 });
    const c = await fillReport(page, 'CONV');
    const reply = page.locator('input[name="reply"]');
    if (await reply.count()) await reply.check();
    await page.click('#report button[type=submit]');
    await page.waitForSelector('#done:not([hidden])', { timeout: 60000 }).catch(() => {});
    const receipt = ((await page.textContent('#receipt-out').catch(() => '')) || '').trim();
    check(/^\d{4}( \d{4}){5}$/.test(receipt), 'a report with JavaScript gives a receipt', receipt);
    await ctx.close();
    let shown = null;
    try {
        shown = caseworkerFind(c.narrative);
    } catch (e) {
        check(false, 'umbra-case pull and import run', e.stderr || e.message);
    }
    check(shown !== null, 'the caseworker finds the report');
    return { receipt: receipt, caseId: shown && shown.id, narrative: c.narrative };
}

/* Writes back from /check with JavaScript, after reading the replies with
 * the receipt; returns what the page said and the requests it made. */
async function writeBackJs(browser, receipt, text, opts) {
    const o = opts || {};
    const ctx = await newContext(browser);
    const page = watch(await ctx.newPage());
    await page.goto(BASE + '/check?lang=en');
    await page.waitForSelector('#writeback[data-enhanced="yes"]', { timeout: 20000 });
    const before = requests.length;
    if (o.check !== false) {
        await page.fill('#receipt', receipt);
        await page.click('#check button[type=submit]');
        await page.waitForSelector('#replies-out .reply, #replies-out p', { timeout: 30000 });
    } else {
        await page.fill('#wb-receipt', receipt);
    }
    const known = await page.isVisible('#wb-receipt-known');
    await page.check('#writeback input[name="org"][value="' + ORG + '"]');
    await page.fill('#wb-text', text);
    if (o.photo) await page.setInputFiles('#wb-photo', { name: 'p.jpg', mimeType: 'image/jpeg', buffer: o.photo });
    await page.click('#writeback button[type=submit]');
    await page.waitForFunction(() => {
        const s = document.getElementById('writeback-status');
        return s && (s.className === 'ok' || s.className === 'error');
    }, null, { timeout: 60000 }).catch(() => {});
    const status = await page.textContent('#writeback-status');
    const ok = (await page.getAttribute('#writeback-status', 'class')) === 'ok';
    if (o.shot) await shot(page, o.shot);
    await ctx.close();
    return { ok: ok, status: status, known: known, reqs: requests.slice(before) };
}

/* Writes back without JavaScript: the page's status, text and whether it
 * says the message was sent. */
async function writeBackNoJs(browser, receipt, text, shotName) {
    const ctx = await newContext(browser, { javaScriptEnabled: false });
    const page = watch(await ctx.newPage());
    await page.goto(BASE + '/check?lang=en');
    await page.fill('#wb-receipt', receipt);
    await page.check('#writeback input[name="org"][value="' + ORG + '"]');
    await page.fill('#wb-text', text);
    const [resp] = await Promise.all([page.waitForNavigation({ timeout: 30000 }),
                                      page.click('#writeback button[type=submit]')]);
    const main = await page.textContent('main').catch(() => '');
    const sent = await page.isVisible('#conv-sent').catch(() => false);
    if (shotName) await shot(page, shotName);
    await ctx.close();
    return { status: resp ? resp.status() : 0, url: resp ? resp.url() : '', text: main, sent: sent };
}

/* A follow-up sealed here with the receipt's mailbox but a proof made
 * with another key: what a server that knows mailbox ids could forge. */
async function forge(U, receipt, text) {
    const mb = U.mailboxDerive(U.normalise(receipt));
    const o = await (await fetch(BASE + '/api/v1/orgs/' + ORG)).json();
    const b = U.bundleVerify(o.bundle);
    const pks = b.keys.map((k) => k.pk);
    const other = sodium.crypto_box_keypair();
    const doc = {
        schema: 'umbra.report/1', lang: 'en', via: 'web', narrative: text,
        mailbox: U.b64(mb.pk), mailbox_id: U.hex(mb.mailboxId),
        follow_up: { proof: U.b64(U.followupProof(pks[0], other.privateKey, mb.mailboxId, text)) }
    };
    const res = await fetch(BASE + '/api/v1/orgs/' + ORG + '/reports', {
        method: 'POST', body: U.seal(pks, JSON.stringify(doc)),
        headers: { 'Content-Type': 'application/octet-stream' }
    });
    return res.status;
}

async function main() {
    await sodium.ready;
    const U = UmbraCrypto.create(sodium);
    const browser = await launch();
    try {
        console.log('# a report, a reply, two messages back');
        const r = await reportWithJs(browser);
        if (!r.caseId) throw new Error('no case to talk about');
        const reply = 'Reply ' + canary('CONVREPLY') + ': are you safe?';
        await replyTo(r.caseId, reply);
        const fu1 = 'Back with JS ' + canary('FU1');
        const exif = canary('EXIF');
        const photo = await jpegWithExif(browser, exif);
        const js = await writeBackJs(browser, r.receipt, fu1, { photo: photo, shot: 'conv-writeback-js.png' });
        check(js.known, 'JS: after reading the replies, the write-back form does not ask for the receipt again');
        check(js.ok, 'JS: the page says the message was sent', js.status);
        const posts = js.reqs.filter((q) => q.method === 'POST');
        check(posts.some((q) => q.url === BASE + '/api/v1/orgs/' + ORG + '/reports'),
              'JS: the follow-up goes on the report route', posts.map((q) => q.url).join(' '));
        check(!posts.some((q) => q.url === BASE + '/api/v1/mailboxes'),
              'JS: the mailbox is not registered again');
        check(!posts.some((q) => q.url === BASE + '/report'), 'JS: the plain form was not posted');
        const digits = r.receipt.replace(/\D/g, '');
        const hits = bodiesContain(js.reqs, [fu1, 'Back with JS', exif, digits, r.receipt]);
        check(hits.length === 0, 'JS: no request body holds the typed text, the photo\'s EXIF or the receipt',
              hits.join('; '));
        check(!js.reqs.some((q) => q.url.includes(digits)), 'JS: the receipt is in no URL');

        const fu2 = 'Back without JS ' + canary('FU2');
        const nojs = await writeBackNoJs(browser, r.receipt, fu2, 'conv-writeback-nojs.png');
        check(nojs.status === 201 && nojs.sent && /\/report(\?lang=[a-zA-Z-]+)?$/.test(nojs.url),
              'no-JS: the form posts to /report and the page says the message was sent',
              nojs.status + ' ' + nojs.url + ' ' + nojs.text.slice(0, 200));

        const imported = pullImport();
        check(/2 follow-ups from reporters joined/.test(imported), 'import joins both follow-ups to their case', imported);
        const s = showCase(r.caseId);
        const msgs = s.messages || [];
        const order = msgs.map((m) => m.from + ':' + (m.text.includes(r.narrative) ? 'report'
            : m.text === reply ? 'reply' : m.text === fu1 ? 'fu1' : m.text === fu2 ? 'fu2' : '?'));
        check(JSON.stringify(order) === JSON.stringify(['reporter:report', 'org:reply', 'reporter:fu1', 'reporter:fu2']),
              'show --json messages: report, reply, follow-up (JS), follow-up (no JS)', JSON.stringify(order));
        check(msgs.every((m) => /^\d{4}-\d{2}-\d{2}$/.test(m.day) && Object.keys(m).sort().join() === 'day,from,text'),
              'each message is {from, day (a day, no time), text}', JSON.stringify(msgs).slice(0, 300));
        check(casesWith(fu1).length === 1 && casesWith(fu2).length === 1,
              'one case holds the conversation (no new case for a follow-up)');
        check(!caseTool(['show', String(r.caseId), '--json']).includes(exif), 'the photo arrives without its EXIF canary');
        const text = caseTool(['show', String(r.caseId)]);
        check(text.indexOf('Conversation') < text.indexOf(reply) && text.indexOf(reply) < text.indexOf(fu1) &&
              text.indexOf(fu1) < text.indexOf(fu2), 'umbra-case show prints the conversation in order');

        console.log('# a forged follow-up');
        const forged = 'FORGED ' + canary('FORGE');
        check(await forge(U, r.receipt, forged) === 201, 'the forged follow-up is accepted by the server like any report');
        const imp2 = pullImport();
        check(!JSON.stringify(showCase(r.caseId).messages).includes(forged), 'a forged follow-up does not join the case');
        const fc = casesWith(forged);
        check(fc.length === 1 && fc[0].origin === 'unverified' && String(fc[0].origin_case) === String(r.caseId) &&
              fc[0].can_reply === false,
              'it is a new case marked unverified, naming the case, with no reply possible', imp2 + JSON.stringify(fc));

        console.log('# bad write-backs: nothing sent');
        const before = listCases().length;
        const mistyped = r.receipt.slice(0, -1) + String((+r.receipt.slice(-1) + 1) % 10);
        const bad = await writeBackJs(browser, mistyped, 'x ' + canary('BAD'), { check: false });
        check(!bad.ok && /not right/.test(bad.status), 'JS: a mistyped receipt gets a clear error', bad.status);
        check(!bad.reqs.some((q) => q.method === 'POST'), 'JS: nothing is sent with a mistyped receipt');
        const unknownReceipt = U.receiptNew();
        const unk = await writeBackJs(browser, unknownReceipt, 'y ' + canary('UNK'),
                                      { check: false, shot: 'conv-writeback-unknown.png' });
        check(!unk.ok && /not known/.test(unk.status),
              'JS: a receipt whose mailbox the server does not hold gets a clear error', unk.status);
        check(!unk.reqs.some((q) => q.method === 'POST' && q.url.endsWith('/reports')),
              'JS: nothing is sent for an unknown mailbox');
        const nb = await writeBackNoJs(browser, mistyped, 'z ' + canary('BADNOJS'));
        check(nb.status === 400 && /not right/.test(nb.text) && !nb.sent,
              'no-JS: a mistyped receipt gets a 400 page with a clear error', nb.status + ' ' + nb.text.slice(0, 200));
        const nu = await writeBackNoJs(browser, unknownReceipt, 'w ' + canary('UNKNOJS'), 'conv-writeback-nojs-unknown.png');
        check(nu.status === 400 && /not known/.test(nu.text) && !nu.sent,
              'no-JS: an unknown receipt gets a 400 page with a clear error', nu.status + ' ' + nu.text.slice(0, 200));
        pullImport();
        check(listCases().length === before, 'no bad write-back became a case');

        console.log('# after the case is deleted');
        caseTool(['delete', String(r.caseId), '--yes']);
        const fu3 = 'After deletion ' + canary('FU3');
        const js3 = await writeBackJs(browser, r.receipt, fu3);
        check(js3.ok, 'JS: writing back still works when the case was deleted', js3.status);
        pullImport();
        const nc = casesWith(fu3);
        check(nc.length === 1 && nc[0].origin === 'follow-up' && nc[0].can_reply === true &&
              String(nc[0].id) !== String(r.caseId),
              'a follow-up after its case was deleted makes a new case that can be answered', JSON.stringify(nc).slice(0, 300));
        check(nc.length === 1 && /not in this store/.test(caseTool(['show', String(nc[0].id)])),
              'show says the case it follows is not in the store');
    } catch (e) {
        check(false, 'the conversation tests ran to the end', e.stack || e.stderr || e);
    } finally {
        await browser.close();
    }
    finish(null);
}

main();
