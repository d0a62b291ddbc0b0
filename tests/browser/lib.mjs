// Shared helpers of the browser suites: where the built sites are, how to
// start Debian's Chromium, and a guard that records every console error,
// failed request and request outside the site while a page is open.
//
// The suites are run by tests/browser.rs (`cargo test --test browser`),
// which builds the example site twice, serves one build on loopback, and
// passes the locations in these environment variables:
//
//   ANNALIST_CHROMIUM   the browser binary (/usr/bin/chromium)
//   ANNALIST_FILE_SITE  a build without base_url, opened from file://
//   ANNALIST_HTTP_SITE  the base_url of a second build, served under /sub/
//   ANNALIST_HTTP_DIR   the folder of that second build
//   ANNALIST_ARTIFACTS  where screenshots and PDFs are written

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these suites through \`cargo test --test browser\``);
  }
  return value;
}

export const CHROMIUM = required('ANNALIST_CHROMIUM');
export const ARTIFACTS = required('ANNALIST_ARTIFACTS');

/** Chromium as this machine needs it: no sandbox (root), no GPU, and no
 * background connections (the network is closed and each refused attempt
 * is noise). Playwright adds --headless and a fresh --user-data-dir. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** One page of each type, as a path in the output folder. */
export const PAGE_TYPES = {
  home: 'index.html',
  report: 'reports/china-cnc-machine-tools/index.html',
  standalone: 'methodology/index.html',
  tags: 'tags/index.html',
  tag: 'tags/china/index.html',
  timeline: 'timeline/index.html',
  sources: 'sources/index.html',
  search: 'search/index.html',
  notfound: '404.html',
};

/** The two ways the site is read: from disk, and from a host under a sub-path. */
function fileOrigin() {
  const dir = required('ANNALIST_FILE_SITE');
  const root = pathToFileURL(dir).href.replace(/\/?$/, '/');
  return {
    name: 'file://',
    dir,
    root,
    url: (rel) => root + rel.split('/').map(encodeURIComponent).join('/'),
  };
}

function httpOrigin() {
  const root = required('ANNALIST_HTTP_SITE');
  return {
    name: 'http sub-path',
    dir: required('ANNALIST_HTTP_DIR'),
    root,
    // As a static host serves it: `reports/x/index.html` is `reports/x/`.
    url: (rel) => root + rel.replace(/(^|\/)index\.html$/, '$1').split('/').map(encodeURIComponent).join('/'),
  };
}

export const FILE = fileOrigin();
export const HTTP = httpOrigin();
export const ORIGINS = [FILE, HTTP];

/** Every HTML file of a build, as paths relative to its folder. */
export function htmlPages(dir) {
  const out = [];
  (function walk(rel) {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.html')) out.push(child);
    }
  })('');
  return out.sort();
}

/** The file of the build that a URL inside the site names, or null. */
export function fileOf(origin, url) {
  const u = new URL(url);
  u.hash = '';
  u.search = '';
  const href = u.href;
  if (!href.startsWith(origin.root)) return null;
  let rel = decodeURIComponent(href.slice(origin.root.length));
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  return path.join(origin.dir, rel);
}

/** Is this request part of the site? data: URLs are inline, so they are too. */
export function insideSite(origin, url) {
  return url.startsWith(origin.root) || url.startsWith('data:') || url === 'about:blank';
}

/**
 * Watches a page: console errors and warnings, uncaught exceptions, failed
 * requests, HTTP errors and any request outside the site. Requests outside
 * the site are aborted, so nothing leaves this machine. `problems` lists
 * what went wrong, `responses` every response with its size.
 */
export async function guard(page, origin, { allowStatus = [] } = {}) {
  const state = { problems: [], requests: [], responses: [] };
  await page.route(
    (url) => !insideSite(origin, url.href),
    (route) => route.abort('blockedbyclient'),
  );
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      state.problems.push(`console ${msg.type()} on ${page.url()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => state.problems.push(`uncaught exception on ${page.url()}: ${err.message}`));
  page.on('request', (req) => {
    state.requests.push({ url: req.url(), type: req.resourceType() });
    if (!insideSite(origin, req.url())) {
      state.problems.push(`request outside the site from ${page.url()}: ${req.resourceType()} ${req.url()}`);
    }
  });
  page.on('requestfailed', (req) => {
    if (insideSite(origin, req.url())) {
      state.problems.push(`request failed: ${req.url()}: ${req.failure()?.errorText}`);
    }
  });
  page.on('response', (res) => {
    state.responses.push(res);
    if (res.status() >= 400 && !allowStatus.includes(res.status())) {
      state.problems.push(`HTTP ${res.status()} for ${res.url()}`);
    }
  });
  return state;
}

/** Waits until an element's computed style says it is shown (or hidden). */
export async function waitShown(locator, shown = true, timeout = 5000) {
  try {
    await locator.page().waitForFunction(
      ([el, want]) => {
        const s = getComputedStyle(el);
        const visible = s.visibility === 'visible' && s.display !== 'none' && Number(s.opacity) > 0.99;
        const gone = s.visibility === 'hidden' || s.display === 'none' || Number(s.opacity) === 0;
        return want ? visible : gone;
      },
      [await locator.elementHandle({ timeout }), shown],
      { timeout },
    );
  } catch (err) {
    const state = await locator.evaluate((el) => {
      const s = getComputedStyle(el);
      return `display ${s.display}, visibility ${s.visibility}, opacity ${s.opacity}, class "${el.className}"`;
    }).catch(() => 'gone');
    throw new Error(`${locator} did not ${shown ? 'show' : 'hide'} within ${timeout} ms (${state})\n${new Error().stack}`);
  }
}

/** The visible text of an element, whitespace collapsed. */
export function squash(text) {
  return String(text ?? '').replace(/\s+/g, ' ').trim();
}

export function artifact(...parts) {
  const file = path.join(ARTIFACTS, ...parts);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

// Chromium now and then answers a screenshot of a long page with "Unable
// to capture screenshot" (a compositor hiccup, not the page): that one
// error is tried once more; any other, or a second failure, fails the test.
export async function screenshot(page, options) {
  try {
    return await page.screenshot(options);
  } catch (e) {
    if (!String(e?.message).includes('Unable to capture screenshot')) throw e;
    await page.waitForTimeout(250);
    return await page.screenshot(options);
  }
}
