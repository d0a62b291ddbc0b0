// The timeline, from file:// and from the sub-path host: it filters by tag
// and by year, keeps the filter in the URL so a filtered timeline can be
// shared, and shows every event when JavaScript is off.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, guard, ORIGINS, PAGE_TYPES, squash } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * Every event as the page renders it, read from what a reader sees (its
 * date and its tag links), not from the data attributes the script uses.
 */
function events(page) {
  return page.$$eval('.tl-event', (items) => items.map((li) => ({
    title: li.querySelector('.tl-title').textContent.trim(),
    year: li.querySelector('.tl-date time').getAttribute('datetime').slice(0, 4),
    tags: [...li.querySelectorAll('.tag-list a')].map((a) => a.textContent.trim()),
    shown: li.checkVisibility() && li.getBoundingClientRect().height > 0,
  })));
}

/** The options of a filter select: slug, and name without its count. */
function options(page, select) {
  return page.$$eval(`${select} option`, (os) => os
    .filter((o) => o.value)
    .map((o) => ({ value: o.value, name: o.textContent.replace(/\s*\(\d+\)$/, '').trim() })));
}

function shownTitles(list) {
  return list.filter((e) => e.shown).map((e) => e.title);
}

for (const origin of ORIGINS) {
  describe(`timeline, ${origin.name}`, () => {
    test('filters by tag and by year, and says how many events are shown', async () => {
      const page = await browser.newPage();
      const watch = await guard(page, origin);
      await page.goto(origin.url(PAGE_TYPES.timeline));
      await page.locator('form[data-tl-filter]').waitFor({ state: 'visible' });
      const all = await events(page);
      assert.ok(all.length >= 10, `only ${all.length} events`);
      assert.equal(shownTitles(all).length, all.length, 'not every event is shown before filtering');
      assert.match(squash(await page.locator('#tl-status').innerText()), new RegExp(`^${all.length} events shown`));

      const tags = await options(page, '#tl-tag');
      const years = await options(page, '#tl-year');
      assert.ok(tags.length >= 5 && years.length >= 2);
      let combined = 0;
      for (const tag of tags) {
        await page.selectOption('#tl-tag', tag.value);
        await page.selectOption('#tl-year', '');
        const want = all.filter((e) => e.tags.includes(tag.name)).map((e) => e.title);
        assert.ok(want.length > 0, `no event carries the tag ${tag.name}`);
        assert.deepEqual(shownTitles(await events(page)), want, `tag ${tag.name}`);
        assert.match(await page.locator('#tl-status').innerText(), new RegExp(`^${want.length} events? shown`));
        assert.equal(new URL(page.url()).searchParams.get('tag'), tag.value, 'the tag is not in the URL');
        for (const year of years) {
          await page.selectOption('#tl-year', year.value);
          const both = all.filter((e) => e.tags.includes(tag.name) && e.year === year.value).map((e) => e.title);
          assert.deepEqual(shownTitles(await events(page)), both, `tag ${tag.name}, year ${year.value}`);
          const q = new URL(page.url()).searchParams;
          assert.equal(q.get('tag'), tag.value);
          assert.equal(q.get('year'), year.value);
          // A year with no event left has its heading hidden; "nothing matches" says so.
          const headings = await page.$$eval('.tl-year', (s) => s.filter((x) => x.checkVisibility()).map((x) => x.dataset.year));
          assert.deepEqual(headings, both.length ? [year.value] : []);
          assert.equal(await page.locator('.tl-empty').isVisible(), both.length === 0);
          combined++;
        }
      }
      assert.ok(combined >= 10);
      for (const year of years) {
        await page.selectOption('#tl-tag', '');
        await page.selectOption('#tl-year', year.value);
        const want = all.filter((e) => e.year === year.value).map((e) => e.title);
        assert.deepEqual(shownTitles(await events(page)), want, `year ${year.value}`);
        assert.equal(new URL(page.url()).searchParams.get('tag'), null);
      }
      // "Show all" puts everything back and clears the query.
      await page.getByRole('button', { name: 'Show all', exact: true }).click();
      assert.equal(shownTitles(await events(page)).length, all.length);
      assert.equal(new URL(page.url()).search, '');
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });

    test('a filtered timeline URL can be shared: opened anew, it shows the same events', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const watch = await guard(page, origin);
      await page.goto(origin.url(PAGE_TYPES.timeline));
      await page.selectOption('#tl-tag', 'china');
      await page.selectOption('#tl-year', '2022');
      const shared = page.url();
      const want = shownTitles(await events(page));
      assert.ok(want.length > 0 && want.length < (await events(page)).length);
      await page.close();

      const other = await context.newPage();
      const watch2 = await guard(other, origin);
      await other.goto(shared);
      assert.equal(await other.inputValue('#tl-tag'), 'china');
      assert.equal(await other.inputValue('#tl-year'), '2022');
      assert.deepEqual(shownTitles(await events(other)), want);
      // Reloading keeps it too.
      await other.reload();
      assert.deepEqual(shownTitles(await events(other)), want);
      assert.deepEqual([...watch.problems, ...watch2.problems], []);
      await context.close();
    });

    test("a tag page's timeline link opens the timeline filtered by that tag", async () => {
      const page = await browser.newPage();
      const watch = await guard(page, origin);
      await page.goto(origin.url('tags/space/index.html'));
      await page.getByRole('link', { name: /See these events on the timeline/ }).click();
      await page.waitForLoadState('load');
      assert.equal(new URL(page.url()).searchParams.get('tag'), 'space');
      assert.equal(await page.inputValue('#tl-tag'), 'space');
      const list = await events(page);
      const want = list.filter((e) => e.tags.includes('Space')).map((e) => e.title);
      assert.ok(want.length > 0);
      assert.deepEqual(shownTitles(list), want);
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });

    test('an unknown tag in the URL shows no event and offers to show all', async () => {
      const page = await browser.newPage();
      const watch = await guard(page, origin);
      await page.goto(origin.url(PAGE_TYPES.timeline) + '?tag=no-such-tag');
      assert.equal(shownTitles(await events(page)).length, 0);
      await page.locator('.tl-empty').waitFor({ state: 'visible' });
      await page.getByRole('button', { name: 'Show all events' }).click();
      const all = await events(page);
      assert.equal(shownTitles(all).length, all.length);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'tl-tag', 'focus is not on the tag filter after "Show all events"');
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });

    test('with JavaScript off every event is shown, whatever the URL says, and no dead filter form', async () => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      const watch = await guard(page, origin);
      await page.goto(origin.url(PAGE_TYPES.timeline) + '?tag=space&year=2021');
      const list = await events(page);
      assert.ok(list.length >= 10);
      assert.equal(shownTitles(list).length, list.length, 'some events are hidden without JavaScript');
      assert.equal(await page.locator('form.tl-filter').isVisible(), false, 'the filter form shows but cannot work without JavaScript');
      assert.equal(await page.locator('.tl-empty').isVisible(), false);
      // Every event still links to its report and its sources.
      const bare = await page.$$eval('.tl-event', (items) => items.filter((li) => !li.querySelector('.tl-report a[href]')).length);
      assert.equal(bare, 0);
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await context.close();
    });
  });
}
