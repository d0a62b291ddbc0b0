// Page weight: the CSS and JavaScript a report page, and the search page
// showing results, load stay under 40 KB before compression, and no page
// fetches a web font, from elsewhere or at all.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, guard, ORIGINS, PAGE_TYPES } from './lib.mjs';

const BUDGET = 40 * 1000; // bytes of CSS + JS, uncompressed

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const origin of ORIGINS) {
  describe(`page weight, ${origin.name}`, () => {
    // The search page's index files are data, loaded a few at a time as
    // the reader searches: they are listed, not counted against the budget.
    const pages = [
      ['a report page', PAGE_TYPES.report, ''],
      ['the search page with results', PAGE_TYPES.search, '?q=china+sanctions'],
    ];
    for (const [what, rel, query] of pages) {
      test(`${what} loads under ${BUDGET / 1000} KB of CSS and JavaScript`, async (t) => {
        const page = await browser.newPage();
        const watch = await guard(page, origin);
        const bodies = [];
        page.on('response', (res) => {
          const type = res.request().resourceType();
          if (type === 'stylesheet' || type === 'script') bodies.push(res.body().then((b) => ({ url: res.url(), type, bytes: b.length })));
        });
        await page.goto(origin.url(rel) + query, { waitUntil: 'load' });
        if (query) await page.locator('[data-search-results][aria-busy="false"] li').first().waitFor();
        const all = await Promise.all(bodies);
        const data = all.filter((r) => r.url.includes('/search/data/'));
        const loaded = all.filter((r) => !data.includes(r));
        const inline = await page.evaluate(() => [...document.querySelectorAll('style, script:not([src])')].reduce((n, el) => n + new Blob([el.textContent]).size, 0));
        const total = loaded.reduce((n, r) => n + r.bytes, 0) + inline;
        for (const r of loaded) t.diagnostic(`${r.type} ${r.url.slice(origin.root.length)}: ${r.bytes} bytes`);
        if (data.length) t.diagnostic(`search index: ${data.length} files, ${data.reduce((n, r) => n + r.bytes, 0)} bytes`);
        t.diagnostic(`inline CSS and JS: ${inline} bytes; total ${total} bytes of a ${BUDGET} byte budget`);
        assert.ok(loaded.some((r) => r.type === 'stylesheet') && loaded.some((r) => r.type === 'script'), 'no stylesheet or script loaded');
        assert.ok(total < BUDGET, `CSS + JS is ${total} bytes, over the ${BUDGET} byte budget`);
        assert.equal(data.length > 0, Boolean(query), 'search index files loaded where no search ran, or none where one did');
        assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
        await page.close();
      });
    }

    test('no page type fetches a font, and no stylesheet declares one from elsewhere', async () => {
      const page = await browser.newPage();
      const watch = await guard(page, origin);
      for (const rel of Object.values(PAGE_TYPES)) {
        if (rel === '404.html' && origin.name === 'file://') continue; // root-relative by design; see pages.test.mjs
        await page.goto(origin.url(rel), { waitUntil: 'load' });
        await page.evaluate(() => document.fonts.ready);
        // @font-face rules, read from the CSS text itself (file:// forbids cssRules across files).
        const faces = await page.evaluate(() => [...document.fonts].map((f) => f.family));
        assert.deepEqual(faces, [], `${rel} declares web fonts: ${faces.join(', ')}`);
      }
      const fonts = watch.requests.filter((r) => r.type === 'font' || /\.(woff2?|ttf|otf|eot)(\?|$)/i.test(r.url));
      assert.deepEqual(fonts, [], 'fonts were fetched');
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });
  });
}
