// Every page of the example site, from file:// and from the sub-path host:
// no console error or warning, no uncaught exception, no failed request,
// no request outside the site, and every internal link leads to a file of
// the build.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launch, guard, ORIGINS, HTTP, htmlPages, fileOf, insideSite } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const origin of ORIGINS) {
  describe(`every page, ${origin.name}`, () => {
    // 404.html links root-relative (`/style.css`) when the site has no
    // base_url, so that a host can show it at any depth; a browser never
    // shows it from disk, so from file:// it is left out. On the host it is
    // checked twice: here, and at a missing address below.
    const pages = htmlPages(origin.dir).filter((rel) => origin === HTTP || rel !== '404.html');

    test('the build has every page type', () => {
      assert.ok(pages.length >= 20, `only ${pages.length} pages in ${origin.dir}`);
      for (const page of ['index.html', 'timeline/index.html', 'tags/index.html', 'sources/index.html']) {
        assert.ok(pages.includes(page), `${page} is missing from the build`);
      }
    });

    test(`${pages.length} pages load with no console error and no request outside the site`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const watch = await guard(page, origin);
      const broken = [];
      for (const rel of pages) {
        const url = origin.url(rel);
        const res = await page.goto(url, { waitUntil: 'load' });
        if (origin === HTTP) assert.equal(res.status(), 200, `${url} answered ${res.status()}`);
        const facts = await page.evaluate(() => ({
          title: document.title,
          h1: document.querySelectorAll('h1').length,
          main: document.querySelectorAll('main#main').length,
          css: getComputedStyle(document.querySelector('.skip-link')).position === 'absolute',
          links: [...document.querySelectorAll('a[href], link[href]')].map((a) => a.href),
        }));
        assert.ok(facts.title.trim(), `${url} has no <title>`);
        assert.equal(facts.h1, 1, `${url} has ${facts.h1} <h1>`);
        assert.equal(facts.main, 1, `${url} has no <main id="main">`);
        assert.ok(facts.css, `${url}: its stylesheet did not load`);
        for (const link of facts.links) {
          if (!insideSite(origin, link)) {
            if (/^(file|http:\/\/127\.0\.0\.1)/.test(link)) broken.push(`${rel}: ${link} leaves the site`);
            continue;
          }
          const file = fileOf(origin, link);
          if (!file || !fs.existsSync(file)) broken.push(`${rel}: ${link} has no file in the build`);
        }
      }
      await context.close();
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      assert.deepEqual([...new Set(broken)], [], broken.join('\n'));
    });
  });
}

describe('the 404 page on the host', () => {
  test('a missing address shows the styled 404 page, whose links work from any depth', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const watch = await guard(page, HTTP, { allowStatus: [404] });
    const res = await page.goto(HTTP.root + 'reports/no-such-report/deeper/', { waitUntil: 'load' });
    assert.equal(res.status(), 404);
    assert.match(await page.locator('h1').innerText(), /Page not found/);
    const styled = await page.evaluate(() => getComputedStyle(document.querySelector('.skip-link')).position);
    assert.equal(styled, 'absolute', 'the stylesheet did not load on the 404 page');
    const links = await page.$$eval('main a', (as) => as.map((a) => a.href));
    assert.ok(links.length >= 4);
    for (const link of links) {
      assert.ok(link.startsWith(HTTP.root), `${link} is not under ${HTTP.root}`);
      assert.ok(fs.existsSync(fileOf(HTTP, link)), `${link} has no file in the build`);
    }
    // The browser's own note about the 404 status of the page itself is expected; nothing else.
    const problems = watch.problems.filter((p) => !/status of 404/.test(p) && !/HTTP 404 for .*no-such-report/.test(p));
    assert.deepEqual(problems, [], problems.join('\n'));
    await context.close();
  });
});
