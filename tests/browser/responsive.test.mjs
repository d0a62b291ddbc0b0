// Responsive layout: every page type at 375 px and 1280 px wide, in light and
// dark, screenshotted into the artifacts folder for a person to look at, and
// checked for what a reviewer would reject at a glance: sideways scrolling,
// content running off the screen, text too small to read, cramped tap
// targets on the phone, and a measure too long to read on the desktop.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, guard, FILE, HTTP, PAGE_TYPES, artifact, screenshot } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const WIDTHS = [375, 1280];
const SCHEMES = ['light', 'dark'];

for (const width of WIDTHS) {
  describe(`${width} px`, () => {
    for (const [type, rel] of Object.entries(PAGE_TYPES)) {
      test(`${type} page`, async () => {
        const origin = type === 'notfound' ? HTTP : FILE;
        for (const scheme of SCHEMES) {
          const context = await browser.newContext({
            viewport: { width, height: width < 600 ? 812 : 900 },
            deviceScaleFactor: 1,
            isMobile: width < 600,
            hasTouch: width < 600,
            colorScheme: scheme,
          });
          const page = await context.newPage();
          const watch = await guard(page, origin);
          await page.goto(origin.url(rel));
          await page.evaluate(() => document.fonts.ready);
          await screenshot(page, { path: artifact('screens', `${type}-${width}-${scheme}.png`), fullPage: true });
          if (type === 'report') {
            // The citation preview, open, as a reader sees it.
            const link = page.locator('.report-body a.cite').nth(1);
            await link.evaluate((a) => a.scrollIntoView({ block: 'center' }));
            if (width < 600) await link.focus();
            else await link.hover();
            const tip = page.locator(`#${await link.getAttribute('aria-describedby')}`);
            await tip.waitFor({ state: 'visible' });
            await page.waitForTimeout(200);
            await screenshot(page, { path: artifact('screens', `${type}-${width}-${scheme}-preview.png`) });
            await page.keyboard.press('Escape');
            await page.evaluate(() => window.scrollTo(0, 0));
          }
          const facts = await page.evaluate(() => {
            const vw = document.documentElement.clientWidth;
            const inScroller = (el) => {
              for (let e = el.parentElement; e; e = e.parentElement) {
                const o = getComputedStyle(e).overflowX;
                if (o === 'auto' || o === 'scroll') return true;
              }
              return false;
            };
            const overflow = [];
            const tiny = [];
            for (const el of document.querySelectorAll('body *')) {
              if (!el.checkVisibility() || el.closest('.visually-hidden, .cite-tip, .skip-link')) continue;
              const r = el.getBoundingClientRect();
              if (r.width === 0) continue;
              if ((r.right > vw + 0.5 || r.left < -0.5) && !inScroller(el)) {
                overflow.push(`${el.tagName.toLowerCase()}.${el.className} [${r.left.toFixed(0)}, ${r.right.toFixed(0)}]`);
              }
              const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
              const size = parseFloat(getComputedStyle(el).fontSize);
              if (own && size < 12 && !el.closest('sup')) tiny.push(`${el.tagName.toLowerCase()}.${el.className}: ${size}px`);
            }
            // Tap targets: links and controls outside running text, at least 24 px high.
            const cramped = [];
            for (const el of document.querySelectorAll('nav a, .tag-list a, .pagination a, select, button, .backlinks a, .site-title')) {
              if (!el.checkVisibility()) continue;
              const r = el.getBoundingClientRect();
              if (r.height < 24 || r.width < 24) cramped.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 20)}" ${r.width.toFixed(0)}x${r.height.toFixed(0)}`);
            }
            // Measure: characters per line of the body text.
            const p = document.querySelector('main .prose p, main .summary, main .lede');
            let measure = null;
            if (p) {
              const s = getComputedStyle(p);
              const ctx = document.createElement('canvas').getContext('2d');
              ctx.font = `${s.fontSize} ${s.fontFamily}`;
              const avg = ctx.measureText('abcdefghijklmnopqrstuvwxyz ').width / 27;
              measure = p.getBoundingClientRect().width / avg;
            }
            return {
              scrollWidth: document.documentElement.scrollWidth,
              vw,
              overflow,
              tiny,
              cramped,
              measure,
              bodySize: parseFloat(getComputedStyle(document.body).fontSize),
            };
          });
          const where = `${type} at ${width} px, ${scheme}`;
          assert.ok(facts.scrollWidth <= facts.vw, `${where}: the page scrolls sideways (${facts.scrollWidth} > ${facts.vw})`);
          assert.deepEqual(facts.overflow, [], `${where}: content runs off the screen`);
          assert.deepEqual(facts.tiny, [], `${where}: text smaller than 12 px`);
          assert.ok(facts.bodySize >= 16, `${where}: body text is ${facts.bodySize}px`);
          if (width < 600) assert.deepEqual(facts.cramped, [], `${where}: tap targets under 24 px`);
          if (facts.measure) assert.ok(facts.measure <= 90, `${where}: lines of about ${facts.measure.toFixed(0)} characters`);
          assert.deepEqual(watch.problems, [], watch.problems.join('\n'));
          await context.close();
        }
      });
    }
  });
}
