// Print: a report under print media, then printed to PDF by the browser and
// read back with pdftotext and pdftoppm (poppler-utils). The References and
// every source's URL must be readable on paper, without navigation chrome.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { launch, guard, FILE, HTTP, PAGE_TYPES, artifact, squash } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The references of the page: number, title and URLs (source and archive). */
function references(page) {
  return page.$$eval('.reference-list > li', (lis) => lis.map((li) => ({
    id: li.id,
    title: li.querySelector('.ref-title').textContent.trim(),
    urls: [...li.querySelectorAll('a[href^="http"]')].map((a) => a.getAttribute('href')),
  })));
}

const compact = (text) => text.replace(/\s+/g, '');

describe('print', () => {
  test('under print media a report keeps its text and references, and drops the chrome', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(FILE.url(PAGE_TYPES.report));
    await page.emulateMedia({ media: 'print' });
    const shown = (sel) => page.$$eval(sel, (els) => els.some((el) => el.checkVisibility()));
    for (const chrome of ['.skip-link', '.site-nav', '.site-footer', '.backlinks', '.cite-tip', '.report-events .more']) {
      assert.equal(await shown(chrome), false, `${chrome} is printed`);
    }
    // The site's name stays, as a masthead: the paper says where it came from.
    for (const kept of ['.site-title', 'h1', '.report-body', '.references', '.reference-list > li', 'a.cite', '.byline']) {
      assert.equal(await shown(kept), true, `${kept} is not printed`);
    }
    // Each linked reference prints its URL after the title, in black.
    const printed = await page.$$eval('.reference-list a[href^="http"]', (as) => as.map((a) => ({
      href: a.getAttribute('href'),
      after: getComputedStyle(a, '::after').content,
      color: getComputedStyle(a).color,
    })));
    assert.ok(printed.length >= 5);
    for (const p of printed) {
      assert.ok(p.after.includes(p.href), `${p.href} is not printed after its link (::after is ${p.after})`);
      assert.equal(p.color, 'rgb(0, 0, 0)', `${p.href} prints in ${p.color}`);
    }
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(255, 255, 255)');
    await page.close();
  });

  for (const scheme of ['light', 'dark']) {
    test(`a report printed to PDF (${scheme} mode screen) has its references and every URL, and no navigation`, async () => {
      const context = await browser.newContext({ colorScheme: scheme });
      const page = await context.newPage();
      const watch = await guard(page, HTTP);
      await page.goto(HTTP.url(PAGE_TYPES.report));
      const refs = await references(page);
      const title = squash(await page.locator('h1').innerText());
      const pdf = artifact('print', `report-${scheme}.pdf`);
      await page.pdf({ path: pdf, format: 'A4', printBackground: true });
      await context.close();
      assert.deepEqual(watch.problems, [], watch.problems.join('\n'));

      const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
      const flat = compact(text);
      assert.ok(flat.includes(compact(title)), 'the title is not in the PDF');
      assert.match(text, /REFERENCES|References/);
      for (const ref of refs) {
        assert.ok(flat.includes(compact(ref.title)), `reference "${ref.title}" is not in the PDF`);
        for (const url of ref.urls) {
          assert.ok(flat.includes(compact(url)), `${url} (reference ${ref.id}) is not readable in the PDF`);
        }
      }
      for (const chrome of ['Skip to main content', 'Atom feed', 'All sources', 'See the full timeline']) {
        assert.ok(!text.includes(chrome), `"${chrome}" is printed`);
      }
      assert.ok(!/Timeline\s+Tags\s+Sources/.test(text), 'the site navigation is printed');
      // No ink-heavy page: the printed report is black on white even from a dark screen.
      const pages = Number(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }).match(/Pages:\s+(\d+)/)[1]);
      assert.ok(pages >= 1 && pages <= 8, `${pages} pages`);
      const prefix = artifact('print', `report-${scheme}`);
      execFileSync('pdftoppm', ['-png', '-r', '60', pdf, prefix]);
      const pngs = fs.readdirSync(artifact('print')).filter((f) => f.startsWith(`report-${scheme}-`) && f.endsWith('.png'));
      assert.equal(pngs.length, pages, 'pdftoppm did not render every page');
      const gray = execFileSync('pdftoppm', ['-gray', '-r', '20', '-f', '1', '-l', '1', pdf], { maxBuffer: 1 << 24 });
      // PGM: header then one byte per pixel; the page must be mostly white.
      const pixels = gray.subarray(gray.length - Math.floor(gray.length * 0.9));
      const dark = pixels.filter((v) => v < 128).length / pixels.length;
      assert.ok(dark < 0.2, `page 1 is ${(dark * 100).toFixed(0)}% dark: the print is not black on white`);
    });
  }
});
