/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * report-vocab.js, the browser's copy of the report vocabulary: the same
 * lists, order and caps as client-crypto/report-vocab.json (the C tables'
 * source), and app.js takes its schema, consents and identifier cap from it.
 */
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');

const TOP = path.resolve(__dirname, '..', '..');
const V = require(path.join(TOP, 'web/static/report-vocab.js'));
const src = JSON.parse(fs.readFileSync(path.join(TOP, 'client-crypto/report-vocab.json'), 'utf8'));

test('every list of the vocabulary, in its order', () => {
    assert.equal(V.schema, 'umbra.report/1');
    for (const l of src.lists)
        assert.deepEqual(V.lists[l.name], l.codes.map((c) => c[0]), l.name);
    assert.deepEqual(Object.keys(V.lists).sort(), src.lists.map((l) => l.name).sort());
    assert.equal(V.max_identifiers, 5);
    assert.equal(V.max.narrative, 20000);
});

test('app.js lists no code of its own', () => {
    const app = fs.readFileSync(path.join(TOP, 'web/static/app.js'), 'utf8');
    for (const l of src.lists)
        for (const c of l.codes)
            if (c[0].includes('-') || c[0].includes('_'))
                assert.ok(!app.includes("'" + c[0] + "'") && !app.includes(c[0] + ':'), c[0]);
    assert.ok(!app.includes("'umbra.report/1'"), 'schema');
});
