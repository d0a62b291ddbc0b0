// Accessibility in the browser: axe-core on every page type in light and
// dark (no serious or critical violation, colour contrast AA included),
// contrast of the focus ring and form borders, and a keyboard-only walk
// through a report and the timeline.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launch, guard, FILE, HTTP, PAGE_TYPES, waitShown } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Runs axe-core on the page; returns [blocking, other] violations, each a readable line. */
async function axe(page, options = {}) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async (opts) => {
    // preload: false, or axe fetches the stylesheets itself, which file:// refuses.
    const r = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'], preload: false, elementRef: true, ...opts });
    const line = (v) => `${v.impact} ${v.id}: ${v.help} -> ${v.nodes.slice(0, 6).map((n) => `${n.target.join(' ')}${n.any[0]?.message ? ` (${n.any[0].message})` : ''}`).join('; ')}`;
    // Where axe cannot decide a contrast (a pseudo-element beside the text, say),
    // measure it here: the text colour against the first opaque background behind it.
    const parse = (c) => {
      const m = c.match(/rgba?\(([\d.]+)[, ]+([\d.]+)[, ]+([\d.]+)(?:[, /]+([\d.]+))?/);
      return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
    };
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const unsure = [];
    for (const v of r.incomplete.filter((x) => x.id === 'color-contrast')) {
      for (const n of v.nodes) {
        const why = n.any[0]?.message ?? '';
        if (/only non-text characters/.test(why)) continue; // an arrow glyph with a text alternative
        const el = n.element;
        let bg = null;
        for (let e = el; e && !bg; e = e.parentElement) {
          const c = parse(getComputedStyle(e).backgroundColor);
          if (c && c[3] > 0.99) bg = c;
        }
        bg ??= [255, 255, 255, 1];
        const s = getComputedStyle(el);
        const fg = parse(s.color);
        const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        const size = parseFloat(s.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) unsure.push(`${n.target.join(' ')}: ${ratio.toFixed(2)}:1 (${why})`);
      }
    }
    return {
      violations: r.violations.map((v) => ({ impact: v.impact, text: line(v) })),
      contrastUnsure: unsure,
    };
  }, options);
  const blocking = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.text);
  const other = result.violations.filter((v) => !(v.impact === 'serious' || v.impact === 'critical')).map((v) => v.text);
  return { blocking, other, contrastUnsure: result.contrastUnsure };
}

for (const scheme of ['light', 'dark']) {
  describe(`axe-core, ${scheme}`, () => {
    for (const [type, rel] of Object.entries(PAGE_TYPES)) {
      // 404.html is root-relative without base_url; read it from the host.
      const origin = type === 'notfound' ? HTTP : FILE;
      test(`${type} page: no serious or critical violation`, async (t) => {
        const page = await browser.newPage({ colorScheme: scheme });
        const watch = await guard(page, origin);
        await page.goto(origin.url(rel));
        const { blocking, other, contrastUnsure } = await axe(page);
        for (const line of other) t.diagnostic(`minor: ${line}`);
        assert.deepEqual(blocking, [], `${rel} in ${scheme}:\n${blocking.join('\n')}`);
        assert.deepEqual(contrastUnsure, [], `contrast below AA where axe could not decide:\n${contrastUnsure.join('\n')}`);
        assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
        await page.close();
      });
    }

    test('report with a citation preview open, and a 375 px report with its sheet open', async () => {
      for (const viewport of [{ width: 1280, height: 900 }, { width: 375, height: 740 }]) {
        const page = await browser.newPage({ colorScheme: scheme, viewport });
        await page.goto(FILE.url(PAGE_TYPES.report));
        const link = page.locator('.report-body a.cite').first();
        await link.focus();
        const tip = page.locator(`#${await link.getAttribute('aria-describedby')}`);
        await waitShown(tip, true);
        const { blocking } = await axe(page, { runOnly: ['color-contrast'] });
        assert.deepEqual(blocking, [], `${viewport.width} px:\n${blocking.join('\n')}`);
        await page.close();
      }
    });

    test('search page with results shown, from file:// and from the host: no violation at all', async () => {
      for (const origin of [FILE, HTTP]) {
        const page = await browser.newPage({ colorScheme: scheme });
        const watch = await guard(page, origin);
        await page.goto(`${origin.url(PAGE_TYPES.search)}?q=china+sanctions`);
        await page.locator('.search-result-parts mark').first().waitFor();
        await page.locator('[data-search-results][aria-busy="false"]').waitFor({ state: 'attached' });
        const { blocking, other, contrastUnsure } = await axe(page);
        const all = [...blocking, ...other];
        assert.deepEqual(all, [], `${origin.name}: axe-core found\n${all.join('\n')}`);
        assert.deepEqual(contrastUnsure, [], contrastUnsure.join('\n'));
        assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
        await page.close();
      }
    });

    test('timeline with a filter on, and with nothing matching', async () => {
      const page = await browser.newPage({ colorScheme: scheme });
      await page.goto(FILE.url(PAGE_TYPES.timeline) + '?tag=space');
      let { blocking } = await axe(page);
      assert.deepEqual(blocking, [], blocking.join('\n'));
      await page.goto(FILE.url(PAGE_TYPES.timeline) + '?tag=space&year=2022');
      await page.locator('.tl-empty').waitFor({ state: 'visible' });
      ({ blocking } = await axe(page));
      assert.deepEqual(blocking, [], blocking.join('\n'));
      await page.close();
    });

    test('focus ring and form borders contrast at least 3:1 with the page (WCAG 1.4.11)', async () => {
      const page = await browser.newPage({ colorScheme: scheme });
      await page.goto(FILE.url(PAGE_TYPES.timeline));
      const found = await page.evaluate(() => {
        const parse = (c) => {
          const m = c.match(/rgba?\(([\d.]+)[, ]+([\d.]+)[, ]+([\d.]+)(?:[, /]+([\d.]+))?/);
          return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
        };
        const lum = ([r, g, b]) => {
          const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
        const bgOf = (el) => {
          for (let e = el; e; e = e.parentElement) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c && c[3] > 0.99) return c;
          }
          return [255, 255, 255, 1];
        };
        const out = [];
        const select = document.querySelector('#tl-tag');
        select.focus();
        const s = getComputedStyle(select);
        out.push({ what: 'focus outline of a select', ratio: ratio(parse(s.outlineColor), bgOf(select.parentElement)), width: parseFloat(s.outlineWidth), style: s.outlineStyle });
        out.push({ what: 'border of a select', ratio: ratio(parse(s.borderTopColor), bgOf(select.parentElement)), width: 1, style: 'solid' });
        const link = document.querySelector('.tl-report a');
        link.focus();
        const l = getComputedStyle(link);
        out.push({ what: 'focus outline of a link', ratio: ratio(parse(l.outlineColor), bgOf(link)), width: parseFloat(l.outlineWidth), style: l.outlineStyle });
        const dot = getComputedStyle(document.querySelector('.tl-event'), '::before');
        out.push({ what: 'timeline dot', ratio: ratio(parse(dot.borderTopColor), bgOf(document.body)), width: 2, style: 'solid' });
        return out;
      });
      for (const f of found) {
        assert.notEqual(f.style, 'none', `${f.what}: none`);
        assert.ok(f.width >= 2 || f.what.startsWith('border'), `${f.what}: only ${f.width}px`);
        assert.ok(f.ratio >= 3, `${f.what} in ${scheme}: contrast ${f.ratio.toFixed(2)}:1`);
      }
      await page.close();
    });
  });
}

/** What the keyboard reaches, one Tab at a time, with how it shows focus. */
async function tabWalk(page, max = 250) {
  const steps = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const step = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return {
        key: el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ')[0] : ''}[${(el.getAttribute('href') || el.textContent || '').trim().slice(0, 40)}]`,
        id: el.id,
        href: el.getAttribute('href'),
        cls: String(el.className || ''),
        visible: r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true, opacityProperty: true }),
        onScreen: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
        ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
        tipShown: el.matches('a.cite') ? getComputedStyle(document.getElementById(el.getAttribute('aria-describedby'))).visibility === 'visible' : null,
      };
    });
    if (!step) break;
    if (steps.length && step.key === steps[0].key) break; // wrapped around
    steps.push(step);
  }
  return steps;
}

describe('keyboard only', () => {
  for (const scheme of ['light', 'dark']) {
    test(`a report (${scheme}): skip link first, every citation and backlink reachable, focus always visible`, async () => {
      const page = await browser.newPage({ colorScheme: scheme, viewport: { width: 1280, height: 800 } });
      const watch = await guard(page, FILE);
      await page.goto(FILE.url(PAGE_TYPES.report));
      await page.keyboard.press('Tab');
      const skip = await page.evaluate(() => {
        const el = document.activeElement;
        const r = el.getBoundingClientRect();
        return { cls: el.className, top: r.top, bottom: r.bottom, height: r.height };
      });
      assert.equal(skip.cls, 'skip-link', 'the first Tab does not reach the skip link');
      assert.ok(skip.top >= 0 && skip.height > 10, `the skip link is not visible when focused: ${JSON.stringify(skip)}`);
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'main', 'the skip link does not move focus to <main>');

      const steps = await tabWalk(page);
      const cites = await page.$$eval('a.cite', (as) => as.map((a) => `#${a.id}`));
      const backs = await page.$$eval('.backlinks a', (as) => as.length);
      const reached = steps.map((s) => s.key);
      assert.deepEqual(reached.filter((k) => k.startsWith('#cite-')), cites, 'citations are not reached in reading order');
      assert.equal(steps.filter((s) => s.href?.startsWith('#cite-')).length, backs, 'not every backlink is reachable');
      assert.ok(steps.some((s) => s.cls.includes('feed-link')), 'the walk never reaches the footer');
      const first = steps.findIndex((s) => s.key.startsWith('#cite-'));
      assert.ok(steps.slice(0, first).every((s) => !s.href?.startsWith('#ref-')), 'a reference is reached before the first citation');
      const hidden = steps.filter((s) => !s.visible).map((s) => s.key);
      assert.deepEqual(hidden, [], 'focus lands on invisible elements');
      const offscreen = steps.filter((s) => !s.onScreen).map((s) => s.key);
      assert.deepEqual(offscreen, [], 'focused elements are not scrolled into view');
      const ringless = steps.filter((s) => !s.ring).map((s) => s.key);
      assert.deepEqual(ringless, [], 'focused elements without a visible focus ring');
      const silent = steps.filter((s) => s.tipShown === false).map((s) => s.key);
      assert.deepEqual(silent, [], 'focused citations whose preview did not open');

      // Enter on a citation goes to its reference; Enter on its backlink comes back.
      await page.focus(cites[0]);
      await page.keyboard.press('Enter');
      const ref = await page.evaluate(() => location.hash);
      assert.match(ref, /^#ref-/);
      await page.focus(`${ref} .backlinks a`);
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => location.hash), cites[0]);
      // Shift+Tab goes back.
      await page.focus(cites[1]);
      await page.keyboard.press('Shift+Tab');
      assert.notEqual(await page.evaluate(() => document.activeElement.id), cites[1].slice(1));
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
      await page.close();
    });
  }

  test('the timeline: filter by tag and year, then show all, with the keyboard alone', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const watch = await guard(page, FILE);
    await page.goto(FILE.url(PAGE_TYPES.timeline));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // skip link
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tl-tag', 'the tag filter is not the first stop in <main>');
    const total = await page.locator('.tl-event').count();
    await page.keyboard.press('ArrowDown');
    const tag = await page.inputValue('#tl-tag');
    assert.ok(tag, 'ArrowDown did not choose a tag');
    const status = await page.locator('#tl-status').innerText();
    assert.match(status, /shown \(tag “.+”\)/, `the live status does not name the tag: ${status}`);
    assert.equal(await page.getAttribute('#tl-status', 'role'), 'status');
    assert.equal(new URL(page.url()).searchParams.get('tag'), tag);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tl-year');
    await page.keyboard.press('ArrowDown');
    const year = await page.inputValue('#tl-year');
    assert.ok(year, 'ArrowDown did not choose a year');
    assert.equal(new URL(page.url()).searchParams.get('year'), year);
    await page.keyboard.press('Tab');
    assert.match(await page.evaluate(() => document.activeElement.textContent), /Show all/);
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.tl-event:visible').count(), total);
    assert.equal(new URL(page.url()).search, '');
    // Onward into the events: the first report link, with a visible ring.
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => {
      const el = document.activeElement;
      return { inEvent: !!el.closest('.tl-event'), outline: getComputedStyle(el).outlineStyle };
    });
    assert.ok(next.inEvent, 'Tab after "Show all" does not go into the events');
    assert.notEqual(next.outline, 'none');
    assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
    await page.close();
  });
});
