// Citation previews and backlinks on every report, from file:// and from the
// sub-path host: a preview opens on hover and on keyboard focus, closes on
// Escape and on blur, and says what the reference says; each backlink in the
// References returns to its citation.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, guard, ORIGINS, FILE, PAGE_TYPES, htmlPages, waitShown, squash } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const reports = htmlPages(FILE.dir).filter((rel) => rel.startsWith('reports/'));

/** Every citation of the page with its preview and the reference it points at. */
function citations(page) {
  return page.$$eval('a.cite', (links) => links.map((a) => {
    const tip = document.getElementById(a.getAttribute('aria-describedby'));
    const ref = document.querySelector(a.getAttribute('href'));
    const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : '');
    return {
      id: a.id,
      href: a.getAttribute('href'),
      number: text(a),
      tip: tip ? { id: tip.id, role: tip.getAttribute('role'), text: text(tip) } : null,
      ref: ref ? {
        id: ref.id,
        number: ref.getAttribute('value'),
        title: text(ref.querySelector('.ref-title')),
        author: text(ref.querySelector('.ref-meta > span:not(.ref-publisher):not(:has(time))')),
        publisher: text(ref.querySelector('.ref-publisher')),
        date: text(ref.querySelector('.ref-meta time')),
        backlinks: [...ref.querySelectorAll('.backlinks a')].map((b) => b.getAttribute('href')),
      } : null,
    };
  }));
}

for (const origin of ORIGINS) {
  describe(`citations, ${origin.name}`, () => {
    test(`every preview on ${reports.length} reports matches its reference, and every citation has a backlink`, async () => {
      const page = await browser.newPage();
      const watch = await guard(page, origin);
      let count = 0;
      for (const rel of reports) {
        await page.goto(origin.url(rel));
        const cites = await citations(page);
        assert.ok(cites.length > 0, `${rel} has no citation`);
        for (const c of cites) {
          const where = `${rel} #${c.id}`;
          assert.ok(c.tip, `${where}: aria-describedby names no element`);
          assert.equal(c.tip.role, 'tooltip', `${where}: the preview has no role=tooltip`);
          assert.ok(c.ref, `${where}: ${c.href} names no reference`);
          assert.equal(c.number, c.ref.number, `${where}: citation number ${c.number} but reference number ${c.ref.number}`);
          // "Title. Publisher, date." in the order the reference gives them.
          assert.ok(c.tip.text.startsWith(c.ref.title), `${where}: preview "${c.tip.text}" does not start with the title "${c.ref.title}"`);
          let at = c.ref.title.length;
          for (const part of [c.ref.publisher, c.ref.date].filter(Boolean)) {
            const found = c.tip.text.indexOf(part, at);
            assert.ok(found >= at, `${where}: preview "${c.tip.text}" lacks "${part}" of the reference`);
            at = found + part.length;
          }
          assert.ok(c.ref.backlinks.includes(`#${c.id}`), `${where}: reference ${c.ref.id} has no backlink to #${c.id}`);
          count++;
        }
        // And no backlink points nowhere.
        const dangling = await page.$$eval('.backlinks a', (as) => as
          .filter((a) => !document.getElementById(a.getAttribute('href').slice(1)))
          .map((a) => a.getAttribute('href')));
        assert.deepEqual(dangling, [], `${rel}: backlinks to missing citations`);
      }
      assert.ok(count >= 20, `only ${count} citations checked`);
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });

    test('a preview opens on hover and closes when the pointer leaves, or on Escape', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const watch = await guard(page, origin);
      await page.goto(origin.url(PAGE_TYPES.report));
      const links = page.locator('.report-body a.cite');
      const n = await links.count();
      for (let i = 0; i < n; i++) {
        const link = links.nth(i);
        const tip = page.locator(`#${await link.getAttribute('aria-describedby')}`);
        await waitShown(tip, false);
        await link.hover();
        await waitShown(tip, true);
        // Inside the viewport, below the number (or above it), never over it.
        const [lb, tb] = [await link.boundingBox(), await tip.boundingBox()];
        assert.ok(tb.y >= lb.y + lb.height - 1 || tb.y + tb.height <= lb.y + 1, `tip of citation ${i + 1} covers its number`);
        assert.ok(tb.x >= 0 && tb.x + tb.width <= 1280 && tb.y >= 0 && tb.y + tb.height <= 900,
          `tip of citation ${i + 1} runs off screen: ${JSON.stringify(tb)}`);
        await page.mouse.move(5, 5);
        await waitShown(tip, false);
      }
      // A citation on the last line of the screen opens its preview above the number.
      const low = links.nth(2);
      await low.evaluate((a) => a.scrollIntoView({ block: 'end' }));
      await page.evaluate(() => window.scrollBy(0, 4));
      await low.hover();
      const lowTip = page.locator(`#${await low.getAttribute('aria-describedby')}`);
      await waitShown(lowTip, true);
      const [lb2, tb2] = [await low.boundingBox(), await lowTip.boundingBox()];
      assert.ok(tb2.y + tb2.height <= lb2.y + 1 && tb2.y >= 0, `the preview of a citation at the bottom of the screen is not above it: ${JSON.stringify(tb2)}`);
      await page.mouse.move(5, 5);
      await waitShown(lowTip, false);
      // Escape closes a preview the pointer is still on.
      const first = links.first();
      const tip = page.locator(`#${await first.getAttribute('aria-describedby')}`);
      await first.hover();
      await waitShown(tip, true);
      await page.keyboard.press('Escape');
      await waitShown(tip, false);
      // It comes back on the next hover.
      await page.mouse.move(5, 5);
      await first.hover();
      await waitShown(tip, true);
      // The pointer can move from the number onto the preview without closing it.
      const tb = await tip.boundingBox();
      await page.mouse.move(tb.x + 10, tb.y + 5, { steps: 5 });
      await page.mouse.move(tb.x + tb.width / 2, tb.y + tb.height / 2, { steps: 5 });
      await waitShown(tip, true);
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });

    test('a preview opens on keyboard focus and closes on Escape and on blur', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const watch = await guard(page, origin);
      await page.goto(origin.url(PAGE_TYPES.report));
      const ids = await page.$$eval('.report-body a.cite', (as) => as.map((a) => a.id));
      // Tab from the top of the page to the first citation, then from one to the next.
      let previousTip = null;
      for (const id of ids) {
        for (let i = 0; i < 40; i++) {
          await page.keyboard.press('Tab');
          if (await page.evaluate((want) => document.activeElement?.id === want, id)) break;
        }
        assert.equal(await page.evaluate(() => document.activeElement?.id), id, `Tab did not reach #${id}`);
        const tip = page.locator(`#${id}-tip`);
        await waitShown(tip, true);
        if (previousTip) await waitShown(previousTip, false); // blur closed the one before
        previousTip = tip;
      }
      // Escape closes the focused citation's preview; focus stays on the citation.
      const last = ids[ids.length - 1];
      await page.keyboard.press('Escape');
      await waitShown(page.locator(`#${last}-tip`), false);
      assert.equal(await page.evaluate(() => document.activeElement?.id), last);
      // Focusing it again shows it again; blurring it hides it.
      await page.focus(`#${ids[0]}`);
      await page.focus(`#${last}`);
      await waitShown(page.locator(`#${last}-tip`), true);
      await page.evaluate(() => document.activeElement.blur());
      await waitShown(page.locator(`#${last}-tip`), false);
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });

    test('citations lead to their references and backlinks return to each citation', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const watch = await guard(page, origin);
      await page.goto(origin.url(PAGE_TYPES.report));
      const cites = await citations(page);
      for (const c of cites) {
        await page.click(`#${c.id}`);
        await page.waitForFunction((h) => location.hash === h, c.href);
        assert.ok(await inView(page, c.href), `${c.href} is not on screen after clicking citation ${c.id}`);
        assert.equal(await page.$eval(c.href, (li) => li.matches(':target')), true);
      }
      const backlinks = await page.$$eval('.backlinks a', (as) => as.map((a) => ({
        href: a.getAttribute('href'),
        label: a.getAttribute('aria-label'),
        ref: a.closest('li').id,
      })));
      assert.equal(new Set(backlinks.map((b) => b.href)).size, cites.length, 'backlinks and citations differ in number');
      for (const b of backlinks) {
        assert.match(b.label ?? '', /^Back to citation/, `backlink ${b.href} has no accessible name`);
        // Keyboard: focus the backlink, press Enter.
        await page.focus(`#${b.ref} .backlinks a[href="${b.href}"]`);
        await page.keyboard.press('Enter');
        await page.waitForFunction((h) => location.hash === h, b.href);
        assert.ok(await inView(page, b.href), `citation ${b.href} is not on screen after its backlink`);
        const back = await page.$eval(b.href, (a) => a.getAttribute('href'));
        assert.equal(back, `#${b.ref}`, `${b.href} does not cite ${b.ref}`);
      }
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });

    test('on a 375 px screen the preview is a sheet inside the viewport', async () => {
      const page = await browser.newPage({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });
      await page.goto(origin.url(PAGE_TYPES.report));
      const link = page.locator('.report-body a.cite').nth(2);
      await link.scrollIntoViewIfNeeded();
      await link.focus();
      const tip = page.locator(`#${await link.getAttribute('aria-describedby')}`);
      await waitShown(tip, true);
      const box = await tip.boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= 375 && box.y >= 0 && box.y + box.height <= 740,
        `the preview is outside the 375x740 viewport: ${JSON.stringify(box)}`);
      assert.ok(squash(await tip.innerText()).length > 10);
      await page.keyboard.press('Escape');
      await waitShown(tip, false);
      await page.close();
    });
  });
}

function inView(page, selector) {
  return page.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    return r.top >= -1 && r.bottom <= innerHeight + 1 && r.height > 0;
  });
}
