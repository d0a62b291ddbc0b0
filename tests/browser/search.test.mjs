// Search, from file:// and from the sub-path host: the header's search box
// leads to the search page, the expected report comes first, a tag filter
// narrows the results, matched sources and events link to their entries,
// the keyboard reaches everything, the status is announced, and nothing is
// fetched from outside the site.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launch, guard, ORIGINS, PAGE_TYPES, fileOf, squash } from './lib.mjs';

const CNC = "Precision for the front: China's CNC machine tools in Russian factories";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The results as a reader sees them: title, link, date and tags. */
function results(page) {
  return page.$$eval('.search-result', (items) => items.map((li) => ({
    title: li.querySelector('.search-result-title').textContent.trim(),
    href: li.querySelector('.search-result-title a').href,
    date: li.querySelector('time')?.getAttribute('datetime') ?? '',
    tags: li.querySelector('.search-result-tags')?.textContent ?? '',
    marks: [...li.querySelectorAll('.search-result-excerpt mark')].map((m) => m.textContent.toLowerCase()),
    parts: [...li.querySelectorAll('.search-result-parts a')].map((a) => ({ text: a.textContent.trim(), href: a.href })),
  })));
}

/** Waits until a search has finished; returns what the status line says. */
async function settled(page) {
  await page.locator('[data-search-results][aria-busy="false"]').waitFor({ state: 'attached' });
  return squash(await page.locator('#search-status').innerText());
}

for (const origin of ORIGINS) {
  describe(`search, ${origin.name}`, () => {
    test('the header search box finds the expected report first, and a tag filter narrows the results', async () => {
      const page = await browser.newPage();
      const watch = await guard(page, origin);
      await page.goto(origin.url(PAGE_TYPES.report));
      await page.getByRole('search').getByLabel('Search reports, sources and events').fill('CNC machine tools');
      await page.keyboard.press('Enter');
      await page.waitForURL(/search\/(index\.html)?\?q=CNC/);
      const status = await settled(page);
      const all = await results(page);
      assert.ok(all.length >= 2, `only ${all.length} results`);
      assert.equal(all[0].title, CNC, 'the CNC report is not the first result');
      assert.match(status, new RegExp(`^${all.length} results for “CNC machine tools”`));
      assert.ok(all[0].marks.some((m) => /^(cnc|machine|tools)$/.test(m)), 'the excerpt highlights no query word');
      assert.ok(fs.existsSync(fileOf(origin, all[0].href)), `${all[0].href} is not a page of the site`);

      // A tag some of the results have, and not all.
      const tags = await page.$$eval('#search-tag option', (os) => os.filter((o) => o.value).map((o) => ({ value: o.value, name: o.dataset.name })));
      const tag = tags.find((t) => {
        const n = all.filter((r) => r.tags.split(', ').includes(t.name)).length;
        return n > 0 && n < all.length;
      });
      assert.ok(tag, 'no tag narrows these results');
      await page.selectOption('#search-tag', tag.value);
      const status2 = await settled(page);
      assert.equal(new URL(page.url()).searchParams.get('tag'), tag.value, 'the tag is not in the URL');
      const narrowed = await results(page);
      const want = all.filter((r) => r.tags.split(', ').includes(tag.name)).map((r) => r.title);
      assert.deepEqual(narrowed.map((r) => r.title), want, `tag ${tag.name}`);
      assert.ok(narrowed.length < all.length);
      assert.match(status2, new RegExp(`^${narrowed.length} results? for “CNC machine tools” with tag ${tag.name}`));
      const option = await page.locator(`#search-tag option[value="${tag.value}"]`).textContent();
      assert.equal(option, `${tag.name} (${narrowed.length})`, 'the option does not count the results it leaves');

      await page.selectOption('#search-tag', '');
      await page.selectOption('#search-sort', 'oldest');
      await settled(page);
      const oldest = (await results(page)).map((r) => r.date).filter(Boolean);
      assert.deepEqual(oldest, [...oldest].sort(), 'oldest first is not in date order');
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });

    test('matched sources and events link to their entry in the report', async () => {
      const page = await browser.newPage();
      const watch = await guard(page, origin);
      await page.goto(`${origin.url('search/index.html')}?q=${encodeURIComponent('main supplier of advanced machine tools')}`);
      await settled(page);
      const [first] = await results(page);
      const source = first.parts.find((p) => p.text.startsWith('Source:'));
      assert.ok(source, `no source among ${JSON.stringify(first.parts)}`);
      assert.match(source.href, /#ref-ft-2023-cnc$/);
      await page.locator(`.search-result-parts a[href$="#ref-ft-2023-cnc"]`).first().click();
      await page.waitForURL(/#ref-ft-2023-cnc$/);
      assert.equal(await page.evaluate(() => document.querySelector(':target')?.id), 'ref-ft-2023-cnc');

      await page.goto(`${origin.url('search/index.html')}?q=${encodeURIComponent('Baseline imports')}`);
      await settled(page);
      const event = (await results(page)).flatMap((r) => r.parts).find((p) => p.text.startsWith('Event:'));
      assert.ok(event, 'no event among the results');
      await page.goto(event.href);
      const target = await page.evaluate(() => document.querySelector(':target')?.className);
      assert.match(target ?? '', /\bevent\b/, `${event.href} is not an event`);
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });

    test('says what to do when the browser will not load the index', async () => {
      const page = await browser.newPage();
      // As a browser that locks down pages opened from disk would.
      await page.route((url) => url.pathname.includes('/search/data/'), (route) => route.abort('accessdenied'));
      await page.goto(`${origin.url('search/index.html')}?q=china`);
      const status = await settled(page);
      const advice = origin.name === 'file://' ? /Serve the site over http \(for example with annalist serve\)/ : /Reload the page to try again/;
      assert.match(status, /^Search could not load its index/);
      assert.match(status, advice);
      await page.close();
    });

    test('works from the keyboard, and a query with no match says so', async () => {
      const page = await browser.newPage();
      const watch = await guard(page, origin);
      await page.goto(origin.url('search/index.html'));
      await page.locator('#search-q').focus();
      await page.keyboard.type('sanctions');
      await page.keyboard.press('Enter');
      await settled(page);
      assert.equal(await page.getAttribute('#search-status', 'role'), 'status');
      const stops = [];
      for (let i = 0; i < 5; i++) {
        await page.keyboard.press('Tab');
        stops.push(await page.evaluate(() => {
          const el = document.activeElement;
          return el.id || `${el.tagName}${el.closest('.search-result') ? ' in a result' : ''}`;
        }));
      }
      assert.deepEqual(stops, ['BUTTON', 'search-tag', 'search-publisher', 'search-sort', 'A in a result']);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => !url.href.includes('/search/'));

      await page.goto(`${origin.url('search/index.html')}?q=zzzqqq`);
      assert.equal(await settled(page), 'No results for “zzzqqq”.');
      assert.equal(await page.locator('.search-result').count(), 0);
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });
  });
}
