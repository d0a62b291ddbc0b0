// Page weight: the CSS and JavaScript a report page loads stay under 40 KB
// before compression, and no page fetches a web font, from elsewhere or at all.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, guard, ORIGINS, PAGE_TYPES } from './lib.mjs';

const BUDGET = 40 * 1000; // bytes of CSS + JS, uncompressed

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const origin of ORIGINS) {
  describe(`page weight, ${origin.name}`, () => {
    test(`a report page loads under ${BUDGET / 1000} KB of CSS and JavaScript`, async (t) => {
      const page = await browser.newPage();
      const watch = await guard(page, origin);
      const bodies = [];
      page.on('response', (res) => {
        const type = res.request().resourceType();
        if (type === 'stylesheet' || type === 'script') bodies.push(res.body().then((b) => ({ url: res.url(), type, bytes: b.length })));
      });
      await page.goto(origin.url(PAGE_TYPES.report), { waitUntil: 'load' });
      const loaded = await Promise.all(bodies);
      const inline = await page.evaluate(() => [...document.querySelectorAll('style, script:not([src])')].reduce((n, el) => n + new Blob([el.textContent]).size, 0));
      const total = loaded.reduce((n, r) => n + r.bytes, 0) + inline;
      for (const r of loaded) t.diagnostic(`${r.type} ${r.url.slice(origin.root.length)}: ${r.bytes} bytes`);
      t.diagnostic(`inline CSS and JS: ${inline} bytes; total ${total} bytes of a ${BUDGET} byte budget`);
      assert.ok(loaded.some((r) => r.type === 'stylesheet') && loaded.some((r) => r.type === 'script'), 'no stylesheet or script loaded');
      assert.ok(total < BUDGET, `CSS + JS is ${total} bytes, over the ${BUDGET} byte budget`);
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });

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
