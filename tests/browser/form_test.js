/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * form_test.js: the report form and /check, as people meet them (issue 13,
 * items 2, 5 and 8), against the server tests/browser/run.sh started:
 *
 *  - Text browsers (the real lynx and w3m): each page dumped says only
 *    what applies (no "Your report was sent" under an empty form or on a
 *    refusal, no "there is no receipt code" under a code); a report typed
 *    into the form in lynx (keystrokes from a command script: Thai text,
 *    two perpetrators, the date menus) and one posted by w3m arrive at the
 *    caseworker with exactly what was typed, and so does one typed into
 *    w3m (driven in tmux: keys, menus, $EDITOR for the text areas);
 *    skipping "Who did it?" records nothing.
 *  - Without JavaScript (Chromium): a report refused for each reason comes
 *    back filled, the field tied to its error (aria-invalid,
 *    aria-describedby, a focused alert linking to it), the photo asked
 *    for again; the optional parts fold (<details>) and open.
 *  - With JavaScript: /check keeps the code, the focus and says the true
 *    reason (network failure, server busy, wrong code); two perpetrators
 *    arrive in the case; the date menus in Arabic and Thai; the characters
 *    left under a capped field, counted as the server counts.
 *
 * Ends with "N passed, N failed".
 */
'use strict';

const {
    path, fs, crypto, execFileSync, TOP, BASE, ARTIFACTS, TDIR, ORG, check, requests,
    newContext, watch, canary, caseworkerFind, reportOf, launch, finish, fillReport
} = require('./lib');

const en = JSON.parse(fs.readFileSync(path.join(TOP, 'web/locales/en.json'), 'utf8'));
const THAI = '\u0e01';

function have(cmd) {
    try {
        execFileSync('sh', ['-c', 'command -v ' + cmd], { stdio: 'ignore' });
        return true;
    } catch (e) {
        return false;
    }
}

/* What a text browser shows of url (lynx or w3m), optionally posting
 * urlencoded data. */
function dump(browser, url, post) {
    try {
        return dump1(browser, url, post);
    } catch (e) {
        /* lynx exits non-zero on a 4xx page; what it showed is the point */
        if (e.stdout) return e.stdout.toString();
        throw e;
    }
}

function dump1(browser, url, post) {
    const opts = { encoding: 'utf8', timeout: 30000, env: Object.assign({}, process.env, { LANG: 'C.UTF-8' }) };
    if (browser === 'lynx') {
        const args = ['-dump', '-width=100', '-display_charset=utf-8', '-assume_charset=utf-8'];
        if (post !== undefined) return execFileSync('lynx', args.concat(['-post_data', url]), Object.assign({ input: post + '\n---\n' }, opts));
        return execFileSync('lynx', args.concat([url]), opts);
    }
    const args = ['-dump', '-cols', '100', '-O', 'UTF-8', '-I', 'UTF-8'];
    if (post !== undefined) {
        const f = path.join(TDIR, 'w3m-' + crypto.randomBytes(4).toString('hex') + '.post');
        fs.writeFileSync(f, post);
        return execFileSync('w3m', args.concat(['-post', f, url]), opts);
    }
    return execFileSync('w3m', args.concat([url]), opts);
}

function enc(fields) {
    return fields.map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
}

function testTextDumps() {
    console.log('# text browsers: what each page shows');
    const sent = en['receipt.title'], yourCode = en['receipt.your_code'], none = en['receipt.none'];
    for (const b of ['lynx', 'w3m']) {
        let out = dump(b, BASE + '/report?lang=en');
        check(out.includes(en['report.send']) && !out.includes(sent) && !out.includes(yourCode),
              b + ': the empty form does not say "' + sent + '" or "' + yourCode + '"');
        check(out.includes('[ ]') && !/\(\*\) *A client/.test(out),
              b + ': "Who did it?" is checkboxes, none chosen');
        out = dump(b, BASE + '/report?lang=en', enc([['org', ORG], ['lang', 'en'], ['narrative', '']]));
        check(out.includes(en['error.empty_report']) && !out.includes(sent) && out.includes(en['form.refilled']),
              b + ': a refused report says why, that nothing was sent, and not "' + sent + '"', out.slice(0, 300));
        out = dump(b, BASE + '/report', enc([['org', ORG], ['lang', 'en'], ['narrative', 'dump ' + b], ['reply', 'yes']]));
        check(/\d{4} \d{4} \d{4} \d{4} \d{4} \d{4}/.test(out) && out.includes(yourCode) && !out.includes(none),
              b + ': the receipt page shows the code and not "' + none + '"', out.slice(0, 300));
        out = dump(b, BASE + '/report', enc([['org', ORG], ['lang', 'en'], ['narrative', 'dump ' + b]]));
        check(out.includes(none) && !out.includes(yourCode),
              b + ': without a reply wanted, no "' + yourCode + '"', out.slice(0, 300));
        out = dump(b, BASE + '/check?lang=en', enc([['lang', 'en'], ['receipt', '1234 5678 9012 3456 7890 1234']]));
        check(out.includes('1234 5678 9012 3456 7890 1234') && !/not sent/i.test(out),
              b + ': a wrong code on /check stays in its field, and nothing says "not sent"');
    }
}

/* lynx: the keystrokes of a person filling the form (-cmd_script): down
 * to each field in the order of the page, typing as a keyboard would
 * (bytes as 0xNN). The field numbers are those of `lynx -number_fields`
 * on the two-organisation page. */
function lynxScript(tag) {
    const steps = [];
    const down = (n) => { for (let i = 0; i < n; i++) steps.push('key Down Arrow'); };
    const typ = (t) => {
        for (const b of Buffer.from(t, 'utf8')) {
            steps.push(b === 0x20 || b > 0x7e || '<>"&'.includes(String.fromCharCode(b))
                ? 'key 0x' + b.toString(16).padStart(2, '0') : 'key ' + String.fromCharCode(b));
        }
    };
    const enter = () => steps.push('key ^J');
    down(7); enter();                                   /* 8: Robbery */
    down(11); typ('He took <my> "money" & ran ' + THAI + THAI + ' ' + tag); /* 19: the story */
    down(6); enter(); down(7); enter();                 /* 25: day 7 */
    down(1); enter(); down(3); enter();                 /* 26: March */
    down(1); enter(); down(2); enter();                 /* 27: last year */
    down(2); typ('Bangkok');                            /* 29: region */
    down(1); typ('by the river');                       /* 30: place */
    down(1); enter(); down(1); enter();                 /* 31, 32: a client, police */
    down(7); typ('tall, red cap');                      /* 39: description */
    down(4); typ('+66 555');                            /* 43: a phone number */
    down(17); enter();                                  /* 60: Send */
    steps.push('key q', 'key y');
    return steps.join('\n') + '\n';
}

function testTextSend() {
    console.log('# text browsers: a report typed in lynx, one typed in w3m, one posted by w3m');
    const numbered = execFileSync('lynx', ['-dump', '-number_fields', '-width=200', BASE + '/report?lang=en&org=' + ORG],
                                  { encoding: 'utf8', timeout: 30000 });
    check(/\[8\]\[ \] \S+ Robbery/.test(numbered) && /\[19\]_+/.test(numbered) &&
          /\[31\]\[ \] A client \[32\]\[ \] Police/.test(numbered) && /\[60\]BUTTON\) Send report/.test(numbered),
          'lynx: the fields are where the script expects them');
    const tag = canary('LYNX');
    const script = path.join(TDIR, 'lynx-' + tag + '.cmd');
    fs.writeFileSync(script, lynxScript(tag));
    execFileSync('script', ['-qc', 'lynx -display_charset=utf-8 -cmd_script=' + script + " '" + BASE +
                            '/report?lang=en&org=' + ORG + "'", '/dev/null'],
                 { timeout: 60000, stdio: 'ignore', env: Object.assign({}, process.env, { TERM: 'vt100', LANG: 'C.UTF-8' }) });
    let shown = null;
    try { shown = caseworkerFind(tag); } catch (e) { shown = null; }
    if (check(shown !== null, 'lynx: the report typed in lynx arrives')) {
        const d = reportOf(shown);
        const year = String(new Date().getUTCFullYear() - 1);
        check(d.narrative === 'He took <my> "money" & ran ' + THAI + THAI + ' ' + tag,
              'lynx: the story arrives exactly as typed (Thai, <, ", &)', d.narrative);
        check(JSON.stringify(d.categories) === '["robbery"]' && d.incident && d.incident.date === year + '-03-07' &&
              d.incident.region === 'Bangkok' && d.incident.place === 'by the river',
              'lynx: category, date from the menus, region and place as chosen', JSON.stringify(d.incident));
        check(d.perpetrator && JSON.stringify(d.perpetrator.types) === '["client","police"]' &&
              d.perpetrator.type === 'client' && d.perpetrator.description === 'tall, red cap' &&
              JSON.stringify(d.perpetrator.identifiers) === '[{"kind":"phone","value":"+66 555"}]',
              'lynx: two perpetrators, the description and the phone as typed', JSON.stringify(d.perpetrator));
        check(d.via === 'web-nojs' && d.lang === 'en', 'lynx: via web-nojs, lang en');
    }
    /* w3m, driven in tmux: Tab from field to field, Enter on a box ticks
     * it, on a menu opens it (Down to choose), on a text field prompts for
     * the text; a textarea opens $EDITOR, here a script that writes the
     * next queued text. */
    /* Each step is checked on the screen (the line under w3m's cursor):
     * a key a terminal program lost on a busy machine shows there, before
     * anything is sent. Such a try is the harness's failure and is typed
     * again, with a new canary, at most three times in all. A try typed
     * as expected whose report does not arrive as typed is a failure of
     * ours and is not typed again: retrying hid one (libmicrohttpd's
     * post processor cut within a value's first bytes, server/body.c). */
    const typeInW3m = () => {
        const w3tag = canary('W3MK');
        const queue = path.join(TDIR, 'w3m-queue-' + w3tag);
        const editor = path.join(TDIR, 'w3m-editor-' + w3tag + '.sh');
        fs.writeFileSync(queue, 'She said <stop> "now" & ran ' + THAI + ' ' + w3tag + '\ntall, red cap\n');
        fs.writeFileSync(editor, '#!/bin/sh\nhead -n 1 "' + queue + '" | tr -d "\\n" > "$1"\nsed -i 1d "' + queue + '"\n',
                         { mode: 0o700 });
        const sess = 'umbra-w3m-' + w3tag;
        const tmux = (args) => execFileSync('tmux', args, { timeout: 10000 });
        const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
        const key = (k, literal) => { tmux(['send-keys', '-t', sess].concat(literal ? ['-l', k] : [k])); pause(400); };
        const tabs = (n) => { for (let i = 0; i < n; i++) key('Tab'); };
        /* Enter on a textarea runs $EDITOR in the terminal: keys sent while
         * it runs would go to it, so wait until it has taken its text */
        const edit = () => {
            const before = fs.readFileSync(queue, 'utf8').length;
            key('Enter');
            const end = Date.now() + 15000;
            while (Date.now() < end && fs.readFileSync(queue, 'utf8').length === before) pause(100);
            pause(700);
        };
        const downs = (n) => { for (let i = 0; i < n; i++) key('Down'); };
        const astray = [];
        const shows = (re, step) => {
            const y = parseInt(tmux(['display', '-p', '-t', sess, '#{cursor_y}']).toString(), 10);
            const line = tmux(['capture-pane', '-t', sess, '-p']).toString().split('\n')[y] || '';
            if (!re.test(line)) astray.push(step + ': ' + line.trim().slice(0, 120));
        };
        const year = String(new Date().getUTCFullYear() - 1);
        tmux(['new-session', '-d', '-s', sess, '-x', '160', '-y', '60',
              'env LANG=C.UTF-8 EDITOR=' + editor + " w3m -o confirm_qq=0 '" + BASE + '/report?lang=en&org=' + ORG + "'"]);
        pause(2000);
        try {
            /* w3m starts on the first link (1): the same numbering as lynx */
            tabs(7); key('Enter');                               /* 8: Robbery */
            shows(/\*\s*\]\S*\s*Robbery/, 'Robbery');
            tabs(11); edit();                                    /* 19: the story, by $EDITOR */
            shows(/\[She said/, 'the story');
            tabs(1); key('Enter'); downs(7); key('Enter');       /* 20: day 7 */
            shows(/Day \[7 /, 'day 7');
            tabs(1); key('Enter'); downs(3); key('Enter');       /* 21: March */
            shows(/Month \[March /, 'March');
            tabs(1); key('Enter'); downs(2); key('Enter');       /* 22: last year */
            shows(new RegExp('Year \\[' + year + ' '), year);
            tabs(2); key('Enter'); key('Bangkok', true); key('Enter');        /* 24: region */
            shows(/\[Bangkok /, 'region');
            tabs(1); key('Enter'); key('by the river ' + THAI, true); key('Enter'); /* 25: place */
            shows(/\[by the river /, 'place');
            tabs(1); key('Enter'); tabs(1); key('Enter');        /* 26, 27: a client, police */
            shows(/\[\*\] A client \[\*\] Police/, 'a client, police');
            tabs(7); edit();                                     /* 34: description, by $EDITOR */
            shows(/\[tall, red cap/, 'description');
            tabs(2); key('Enter'); key('+66 555', true); key('Enter');        /* 36: a phone number */
            shows(/\]\[\+66 555/, 'phone');
            tabs(17);                                            /* 53: Send */
            shows(/Send report/, 'Send');
            key('Enter'); pause(3000);
            return { tag: w3tag, astray: astray, screen: tmux(['capture-pane', '-t', sess, '-p']).toString() };
        } finally {
            try { tmux(['kill-session', '-t', sess]); } catch (e) { /* gone */ }
        }
    };
    const receiptShown = (screen) => screen.includes(en['receipt.title']) &&
        /\d{4} \d{4} \d{4} \d{4} \d{4} \d{4}/.test(screen);
    if (check(have('tmux'), 'tmux is installed (scripts/deps.sh)')) {
        const year = String(new Date().getUTCFullYear() - 1);
        /* one try: typed, then looked up by the caseworker and compared */
        const tryW3m = () => {
            const t = typeInW3m();
            const r = { screen: t.screen, tag: t.tag, astray: t.astray, got: null, d: null };
            r.receipt = receiptShown(t.screen);
            if (r.receipt) {
                try { r.got = caseworkerFind(t.tag); } catch (e) { r.got = null; }
            }
            if (r.got) r.d = reportOf(r.got);
            const d = r.d;
            r.texts = !!d && d.narrative === 'She said <stop> "now" & ran ' + THAI + ' ' + t.tag &&
                d.incident.place === 'by the river ' + THAI && d.incident.region === 'Bangkok' &&
                d.incident.date === year + '-03-07' && JSON.stringify(d.categories) === '["robbery"]';
            r.perps = !!d && !!d.perpetrator && JSON.stringify(d.perpetrator.types) === '["client","police"]' &&
                d.perpetrator.description === 'tall, red cap' &&
                JSON.stringify(d.perpetrator.identifiers) === '[{"kind":"phone","value":"+66 555"}]';
            return r;
        };
        let r = tryW3m();
        for (let tries = 1; tries < 3 && r.astray.length > 0; tries++) {
            console.log('# w3m: try ' + tries + ' was not typed as the script means (a key lost?), typing again: ' +
                        r.astray[0]);
            r = tryW3m();
        }
        check(r.astray.length === 0, 'w3m: the screen shows every field as typed, before it is sent', r.astray.join(' | '));
        check(r.receipt, 'w3m: the report typed in w3m gets its receipt page', r.screen.slice(0, 300));
        if (check(r.got !== null, 'w3m: the report typed in w3m arrives')) {
            check(r.texts, 'w3m: the story, place, region, date and category arrive exactly as typed',
                  JSON.stringify(r.d).slice(0, 300));
            check(r.perps, 'w3m: two perpetrators, the description and the phone as typed',
                  JSON.stringify(r.d.perpetrator));
        }
    }
    /* w3m: the form's fields posted as w3m sends them; skipping "Who did
     * it?" records nothing; a date typed with Thai digits */
    const wtag = canary('W3M');
    const out = dump('w3m', BASE + '/report', enc([['org', ORG], ['lang', 'th'], ['categories', 'robbery'],
        ['narrative', THAI.repeat(3) + ' ' + wtag], ['incident.date', '\u0e52\u0e50\u0e52\u0e55-\u0e53-\u0e57'],
        ['incident.place', THAI.repeat(200)], ['consent.share_with_authorities', 'no']]));
    check(out.includes(JSON.parse(fs.readFileSync(path.join(TOP, 'web/locales/th.json'), 'utf8'))['receipt.title']),
          'w3m: the Thai report is accepted (200 Thai letters in Place)', out.slice(0, 300));
    shown = null;
    try { shown = caseworkerFind(wtag); } catch (e) { shown = null; }
    if (check(shown !== null, 'w3m: the report arrives')) {
        const d = reportOf(shown);
        check(d.narrative === THAI.repeat(3) + ' ' + wtag && d.incident.place === THAI.repeat(200),
              'w3m: the Thai text arrives exactly');
        check(d.incident.date === '2025-03-07', 'w3m: a date in Thai digits arrives as 2025-03-07', d.incident.date);
        check(d.perpetrator === undefined, 'w3m: "Who did it?" skipped records no perpetrator', JSON.stringify(d.perpetrator));
    }
}

/* Without JavaScript, a refused report comes back filled, its field named. */
async function testNoJsRefill(browser) {
    console.log('# no-JS: refused for each reason, the form comes back filled');
    const reasons = [
        ['empty', async (p) => { await p.fill('#narrative', ''); await p.uncheck('input[name="categories"][value="robbery"]'); }, 'narrative', 'error.empty_report'],
        ['31 February', async (p) => { await p.selectOption('#day', '31'); await p.selectOption('#month', '2'); }, 'day', 'error.bad_date'],
        ['a year missing', async (p) => { await p.selectOption('#year', ''); }, 'year', 'error.bad_date'],
        ['Place too long', async (p) => {
            await p.evaluate(() => document.getElementById('place').removeAttribute('maxlength'));
            await p.fill('#place', '\u0e01'.repeat(201));
        }, 'place', 'error.field_too_long'],
        ['not a photo', async (p) => {
            await p.setInputFiles('#photo', { name: 'x.png', mimeType: 'image/png', buffer: Buffer.from('MZ not a picture') });
        }, 'photo', 'error.bad_attachment'],
    ];
    for (const [name, spoil, field, key] of reasons) {
        const ctx = await newContext(browser, { javaScriptEnabled: false });
        const page = watch(await ctx.newPage());
        await page.goto(BASE + '/report?lang=en&org=' + ORG);
        const tag = canary('RF');
        const story = 'He said <b>"stop"</b> & left ' + tag;
        await page.check('input[name="categories"][value="robbery"]');
        await page.fill('#narrative', story);
        await page.locator('details summary').nth(0).click();
        await page.locator('details summary').nth(1).click();
        await page.selectOption('#day', '7');
        await page.selectOption('#month', '3');
        await page.selectOption('#year', String(new Date().getUTCFullYear() - 1));
        await page.fill('#place', 'market ' + tag);
        await page.check('input[name="perpetrator.type"][value="police"]');
        await page.check('input[name="perpetrator.type"][value="landlord"]');
        await page.fill('#pdesc', 'tall ' + tag);
        await page.locator('details summary').nth(4).click();
        await page.check('input[name="consent.statistics"]');
        await page.uncheck('input[name="reply"]');
        await page.locator('details summary').nth(3).click();
        await spoil(page);
        await Promise.all([page.waitForNavigation({ timeout: 30000 }), page.click('#report button[type=submit]')]);
        const got = await page.evaluate(() => ({
            story: document.getElementById('narrative').value,
            place: document.getElementById('place').value,
            pdesc: document.getElementById('pdesc').value,
            day: document.getElementById('day').value, month: document.getElementById('month').value,
            cats: Array.from(document.querySelectorAll('input[name="categories"]:checked')).map((e) => e.value),
            perps: Array.from(document.querySelectorAll('input[name="perpetrator.type"]:checked')).map((e) => e.value),
            stats: document.querySelector('input[name="consent.statistics"]').checked,
            reply: document.querySelector('input[name="reply"]').checked,
            alert: (document.getElementById('form-error') || {}).textContent || '',
            focused: document.activeElement && document.activeElement.id
        })).catch(() => null);
        if (got === null) {
            /* without JavaScript page.evaluate may not run: read the DOM by locators */
        }
        const g = got || {
            story: await page.inputValue('#narrative'), place: await page.inputValue('#place'),
            pdesc: await page.inputValue('#pdesc'), day: await page.inputValue('#day'), month: await page.inputValue('#month'),
            cats: [], perps: [], stats: await page.isChecked('input[name="consent.statistics"]'),
            reply: await page.isChecked('input[name="reply"]'), alert: await page.textContent('#form-error'), focused: null
        };
        const kept = (name === 'empty' ? g.story === '' : g.story === story) && g.pdesc === 'tall ' + tag &&
              (name === 'Place too long' ? g.place === '\u0e01'.repeat(201) : g.place === 'market ' + tag) &&
              g.stats === true && g.reply === false &&
              (await page.isChecked('input[name="perpetrator.type"][value="police"]')) &&
              (await page.isChecked('input[name="perpetrator.type"][value="landlord"]')) &&
              (name === 'empty' || (await page.isChecked('input[name="categories"][value="robbery"]')));
        check(kept, 'no-JS ' + name + ': everything typed and ticked comes back', JSON.stringify(g).slice(0, 300));
        check(g.alert.includes(en[key]), 'no-JS ' + name + ': the alert says "' + en[key] + '"', g.alert);
        const target = await page.locator('#' + field);
        const tagName = await target.evaluate((e) => e.tagName).catch(() => '');
        const inv = tagName === 'FIELDSET'
            ? await page.locator('#' + field + ' [aria-invalid="true"]').count()
            : (await target.getAttribute('aria-invalid')) === 'true' ? 1 : 0;
        const described = (await target.getAttribute('aria-describedby')) || '';
        check(inv > 0 && /-error\b/.test(described) && (await page.locator('#form-error a[href="#' + field + '"]').count()) === 1,
              'no-JS ' + name + ': the field is tied to its error (aria-invalid, aria-describedby, a link from the alert)',
              inv + ' / ' + described);
        if (name === 'not a photo')
            check((await page.textContent('#form-error')).includes(en['form.photo_again']),
                  'no-JS: the photo is asked for again');
        const focused = await page.evaluate(() => document.activeElement && document.activeElement.id).catch(() => null);
        check(focused === null || focused === 'form-error', 'no-JS ' + name + ': the alert has the focus', focused);
        if (name === 'Place too long')
            check((await page.textContent('#place-error')).includes(en['form.limit'] + ' 200'),
                  'no-JS: the too-long field says its limit in characters');
        await page.screenshot({ path: path.join(ARTIFACTS, 'form-refill-' + field + '.png'), fullPage: true }).catch(() => {});
        await ctx.close();
    }
}

async function testFolds(browser) {
    console.log('# the optional parts fold away');
    const ctx = await newContext(browser, { javaScriptEnabled: false, viewport: { width: 390, height: 800 } });
    const page = watch(await ctx.newPage());
    await page.goto(BASE + '/report?lang=en&org=' + ORG);
    const n = await page.locator('#report details').count();
    const open = await page.locator('#report details[open]').count();
    check(n >= 4 && open === 0, 'a new form folds ' + n + ' optional parts');
    check(!(await page.isVisible('#place')) && !(await page.isVisible('#pdesc')) && (await page.isVisible('#narrative')),
          'folded: the story is shown, place and description are not');
    const sendY = await page.locator('#report button[type=submit]').boundingBox();
    const narrY = await page.locator('#narrative').boundingBox();
    check(sendY && narrY && sendY.y - narrY.y < 1200, 'Send follows the story closely (' + (sendY && narrY ? Math.round(sendY.y - narrY.y) : '?') + ' px)');
    await page.locator('details summary', { hasText: en['report.when_where'] }).click();
    check(await page.isVisible('#place'), 'without JavaScript a fold opens');
    await page.screenshot({ path: path.join(ARTIFACTS, 'form-folded-en.png'), fullPage: true }).catch(() => {});
    await ctx.close();
}

/* With JavaScript, the characters left under a capped field, counted as
 * maxlength and the server count them (Thai: one each, an emoji two). */
async function testCounter(browser) {
    console.log('# JS: characters left');
    const ctx = await newContext(browser);
    const page = watch(await ctx.newPage());
    await page.goto(BASE + '/report?lang=en&org=' + ORG);
    await page.waitForSelector('#report[data-enhanced="yes"]', { timeout: 20000 });
    await page.locator('details summary').nth(0).click();
    check(!(await page.isVisible('#place-left')), 'JS: no count while far from the cap');
    await page.fill('#place', THAI.repeat(170));
    check(((await page.textContent('#place-left')) || '').trim() === en['form.left'].replace('{n}', '30') &&
          (await page.isVisible('#place-left')), 'JS: 170 Thai letters in Place: 30 left');
    await page.fill('#place', THAI.repeat(190) + '\u{1F600}');
    check(((await page.textContent('#place-left')) || '').trim() === en['form.left'].replace('{n}', '8'),
          'JS: an emoji counts two, as the server counts it');
    await ctx.close();
}

/* The organisation at its quota of mailboxes (507 org_full to the
 * mailbox's registration): the page says so in the reporter's language
 * and sends no envelope. */
async function testJsOrgFull(browser) {
    console.log('# JS: the organisation at its mailbox quota');
    const fr = JSON.parse(fs.readFileSync(path.join(TOP, 'web/locales/fr.json'), 'utf8'));
    const ctx = await newContext(browser);
    const page = watch(await ctx.newPage());
    await page.route(BASE + '/api/v1/mailboxes', (route) => route.fulfill({
        status: 507, contentType: 'application/json',
        body: JSON.stringify({ error: 'org_full', message: 'full' })
    }));
    await page.goto(BASE + '/report?lang=fr&org=' + ORG);
    await page.waitForSelector('#report[data-enhanced="yes"]', { timeout: 20000 });
    await fillReport(page, 'FULL');
    await page.check('input[name="reply"][value="yes"]');
    const before = requests.length;
    await page.click('#report button[type=submit]');
    await page.waitForFunction(() => document.getElementById('report-status').textContent.length > 0 &&
                               !document.querySelector('#report button[type=submit]').hasAttribute('aria-disabled'),
                               null, { timeout: 60000 }).catch(() => {});
    const said = ((await page.textContent('#report-status').catch(() => '')) || '').trim();
    check(said === fr['error.org_full'], 'JS, French: a 507 org_full for the mailbox says the organisation cannot take more, in French', said);
    const posts = requests.slice(before).filter((r) => r.method === 'POST');
    check(posts.length === 1 && posts[0].url === BASE + '/api/v1/mailboxes',
          'JS: only the mailbox was tried; no envelope was sent', posts.map((r) => r.url).join(' '));
    check(!(await page.isVisible('#done')), 'JS: no receipt is shown');
    await ctx.close();
}

async function testCheckErrors(browser) {
    console.log('# /check keeps the code and says what happened');
    /* a real receipt, from a no-JS report */
    const out = dump('w3m', BASE + '/report', enc([['org', ORG], ['lang', 'en'], ['narrative', 'check test'], ['reply', 'yes']]));
    const m = /(\d{4} \d{4} \d{4} \d{4} \d{4} \d{4})/.exec(out);
    if (!check(m !== null, 'a receipt for the /check tests')) return;
    const receipt = m[1];
    const bad = receipt.slice(0, -1) + String((+receipt.slice(-1) + 1) % 10);
    const cases = [
        ['network failure', receipt, (route) => route.abort('internetdisconnected'), 'form.check_network'],
        ['server busy', receipt, (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"busy"}' }), 'form.check_busy'],
        ['wrong code', bad, null, 'error.bad_receipt'],
    ];
    for (const [name, code, handler, key] of cases) {
        const ctx = await newContext(browser);
        const page = watch(await ctx.newPage());
        if (handler) await page.route(BASE + '/api/v1/mailboxes/replies', handler);
        await page.goto(BASE + '/check?lang=en');
        await page.waitForSelector('#check[data-enhanced="yes"]', { timeout: 20000 });
        await page.fill('#receipt', code);
        await page.focus('#check button[type=submit]');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.getElementById('check-status').className === 'error', null, { timeout: 30000 }).catch(() => {});
        const said = (await page.textContent('#check-status')).trim();
        check(said === en[key], 'JS /check, ' + name + ': says "' + en[key] + '"', said);
        check(!/not sent/i.test(said), 'JS /check, ' + name + ': never "not sent"');
        check((await page.inputValue('#receipt')) === code, 'JS /check, ' + name + ': the code stays in its field');
        const st = await page.evaluate(() => ({ id: document.activeElement && document.activeElement.id,
            inv: document.getElementById('receipt').getAttribute('aria-invalid'),
            by: document.getElementById('receipt').getAttribute('aria-describedby'),
            disabled: document.querySelector('#check button').disabled }));
        check(st.id === 'receipt' && st.inv === 'true' && st.by === 'check-status' && !st.disabled,
              'JS /check, ' + name + ': the focus is on the code, tied to the message', JSON.stringify(st));
        await ctx.close();
    }
    /* without JavaScript: a wrong code comes back in its field */
    const ctx = await newContext(browser, { javaScriptEnabled: false });
    const page = watch(await ctx.newPage());
    await page.goto(BASE + '/check?lang=th');
    await page.fill('#receipt', bad);
    await Promise.all([page.waitForNavigation(), page.click('#check button[type=submit]')]);
    check((await page.inputValue('#receipt')) === bad && (await page.getAttribute('#receipt', 'aria-invalid')) === 'true' &&
          (await page.getAttribute('html', 'lang')) === 'th',
          'no-JS /check: a wrong code stays in its field, in Thai, tied to its error');
    await ctx.close();
}

async function testJsPerpetratorsAndDates(browser) {
    console.log('# JS: two perpetrators arrive; date menus in ar and th');
    for (const [lang, js] of [['ar', true], ['th', true], ['ar', false]]) {
        const ctx = await newContext(browser, { javaScriptEnabled: js });
        const page = watch(await ctx.newPage());
        await page.goto(BASE + '/report?lang=' + lang + '&org=' + ORG);
        if (js) await page.waitForSelector('#report[data-enhanced="yes"]', { timeout: 20000 });
        const tag = canary('PD' + lang + (js ? 'J' : 'N'));
        await page.fill('#narrative', 'two ' + tag);
        await page.locator('details summary').nth(0).click();
        await page.locator('details summary').nth(1).click();
        await page.selectOption('#day', '9');
        await page.selectOption('#month', '1');
        await page.selectOption('#year', String(new Date().getUTCFullYear() - 1));
        await page.check('input[name="perpetrator.type"][value="manager"]');
        await page.check('input[name="perpetrator.type"][value="partner"]');
        const monthText = await page.locator('#month option:checked').textContent();
        const want = JSON.parse(fs.readFileSync(path.join(TOP, 'web/locales/' + lang + '.json'), 'utf8'))['form.month.1'];
        check(monthText.trim() === want, lang + ': January is named in the page\'s language (' + monthText.trim() + ')');
        if (js) {
            await page.click('#report button[type=submit]');
            await page.waitForSelector('#done:not([hidden])', { timeout: 60000 }).catch(() => {});
        } else {
            await Promise.all([page.waitForNavigation({ timeout: 30000 }), page.click('#report button[type=submit]')]);
        }
        await ctx.close();
        let shown = null;
        try { shown = caseworkerFind(tag); } catch (e) { shown = null; }
        if (check(shown !== null, lang + (js ? ' JS' : ' no-JS') + ': the report arrives')) {
            const d = reportOf(shown);
            const y = String(new Date().getUTCFullYear() - 1);
            check(d.perpetrator && JSON.stringify(d.perpetrator.types) === '["manager","partner"]' &&
                  d.perpetrator.type === 'manager',
                  lang + (js ? ' JS' : ' no-JS') + ': both perpetrators arrive (types), type the first', JSON.stringify(d.perpetrator));
            check(d.incident && d.incident.date === y + '-01-09', lang + (js ? ' JS' : ' no-JS') + ': the date from the menus', JSON.stringify(d.incident));
            check(/Perpetrators +manager, partner/.test(execFileSync(path.join(TOP, 'build/umbra-case'),
                ['--home', path.join(TDIR, ORG), '--passphrase-file', path.join(TDIR, 'passphrase'), 'show', shown.id],
                { encoding: 'utf8' })), lang + ': umbra-case show lists both perpetrators');
        }
    }
}

async function main() {
    const browser = await launch();
    try {
        if (check(have('lynx') && have('w3m') && have('script'), 'lynx, w3m and script are installed (scripts/deps.sh)')) {
            testTextDumps();
            testTextSend();
        }
        await testNoJsRefill(browser);
        await testFolds(browser);
        await testCounter(browser);
        await testCheckErrors(browser);
        await testJsOrgFull(browser);
        await testJsPerpetratorsAndDates(browser);
    } catch (e) {
        check(false, 'form tests ran to the end', e.stack || e);
    } finally {
        await browser.close();
    }
    finish(null);
}

main();
