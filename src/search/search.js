// annalist's search page. It reads the index `annalist build` writes in
// search/data/ (see src/search/mod.rs): every file there is a script that
// calls annalistSearch.load(name, data). Scripts load from file:// as well
// as over http, where fetch() would be refused from disk. Results are built
// as DOM nodes from text, never as HTML.
(() => {
  'use strict';
  const box = document.querySelector('[data-search]');
  if (!box) return;
  const form = box.querySelector('form');
  const field = form.elements;
  const status = box.querySelector('[data-search-status]');
  const list = box.querySelector('[data-search-results]');
  const more = box.querySelector('[data-search-more]');
  const data = box.dataset.root + 'search/data/';
  const PAGE = 10;
  const WORD = /[\p{Alphabetic}\p{N}]+/gu;

  // Loading the index: one <script> per file, resolved by its load() call.
  const files = new Map();
  const waiting = new Map();
  window.annalistSearch = {
    load(name, value) {
      const done = waiting.get(name);
      waiting.delete(name);
      if (done) done(value);
    },
  };
  function load(name, version) {
    if (!files.has(name)) {
      files.set(name, new Promise((resolve, reject) => {
        const fail = () => {
          files.delete(name);
          waiting.delete(name);
          reject(new Error(`cannot load ${data}${name}.js`));
        };
        waiting.set(name, resolve);
        const script = document.createElement('script');
        script.src = `${data}${name}.js?v=${version}`;
        script.onerror = fail;
        script.onload = () => { script.remove(); if (waiting.has(name)) fail(); };
        document.head.append(script);
      }));
    }
    return files.get(name);
  }
  let manifest = null;
  const index = () => manifest || (manifest = load('manifest', Date.now()).catch((e) => { manifest = null; throw e; }));

  // Words, as the index cut them (src/search/words.rs).
  const chars = (w) => [...w].length;
  const isWord = (w) => chars(w) <= 40 && (chars(w) > 1 || /^\p{N}$/u.test(w));
  const words = (text) => [...new Set((text.toLowerCase().match(WORD) || []).filter(isWord))];
  const matches = (word, term) => word === term || (chars(term) > 2 && word.startsWith(term));

  // The records holding `term` (or a word starting with it), with scores.
  async function lookup(m, term) {
    const shards = new Set(m.k.flatMap((key, i) => (term.startsWith(key) || (chars(term) > 2 && key.startsWith(term)) ? [m.f[i]] : [])));
    const found = new Map();
    for (const shard of await Promise.all([...shards].map((i) => load(`i/${i}`, m.v)))) {
      for (const word in shard) {
        if (!matches(word, term)) continue;
        const p = shard[word];
        const idf = Math.log(1 + m.n / (p.length / 2)) * (word === term ? 1 : 0.6);
        for (let j = 0, r = 0; j < p.length; j += 2) {
          r += p[j];
          const s = idf * p[j + 1] / (p[j + 1] + 3);
          if (s > (found.get(r) || 0)) found.set(r, s);
        }
      }
    }
    return found;
  }

  // Filters: records by tag and by publisher, decoded once.
  let filters = null;
  async function filterSets(m) {
    if (!filters) {
      const raw = await load('filters', m.v);
      filters = {};
      for (const kind of ['tag', 'publisher']) {
        filters[kind] = new Map(raw[kind].map(([value, deltas]) => {
          let r = 0;
          return [value, new Set(deltas.map((d) => (r += d)))];
        }));
      }
    }
    return filters;
  }

  async function search(q, want) {
    const m = await index();
    const terms = words(q);
    if (!terms.length) return { terms, hits: [], m };
    const found = await Promise.all(terms.map((t) => lookup(m, t)));
    found.sort((a, b) => a.size - b.size);
    let hits = [];
    for (const [r, s] of found[0]) {
      let score = s;
      if (found.every((f) => f === found[0] || (f.has(r) && (score += f.get(r))))) hits.push({ r, score });
    }
    const sets = await filterSets(m);
    const chosen = ['tag', 'publisher'].filter((k) => want[k] && sets[k].has(want[k]));
    countOptions(sets, hits, chosen, want);
    hits = hits.filter((h) => chosen.every((k) => sets[k].get(want[k]).has(h.r)));
    const date = (h) => (h.r < m.r ? h.r : Infinity);
    const order = {
      newest: (a, b) => date(a) - date(b) || a.r - b.r,
      oldest: (a, b) => date(b) - date(a) || a.r - b.r,
    }[want.sort] || ((a, b) => b.score - a.score || a.r - b.r);
    return { terms, hits: hits.sort(order), m };
  }

  // Each filter option shows how many results it would leave.
  function countOptions(sets, hits, chosen, want) {
    for (const kind of ['tag', 'publisher']) {
      const others = chosen.filter((k) => k !== kind);
      const base = hits.filter((h) => others.every((k) => sets[k].get(want[k]).has(h.r)));
      for (const option of field[kind].options) {
        if (!option.value) continue;
        const set = sets[kind].get(option.value);
        const n = set ? base.reduce((c, h) => c + set.has(h.r), 0) : 0;
        option.textContent = `${option.dataset.name} (${n})`;
      }
    }
  }

  // `text` with the words that match marked, cut to about `size` words
  // around the most of them (the first one a third of the way in).
  function excerpt(text, terms, size) {
    const spans = [...text.matchAll(WORD)].map((w) => ({
      at: w.index, end: w.index + w[0].length,
      hit: terms.some((t) => matches(w[0].toLowerCase(), t)),
    }));
    let best = 0;
    let hits = 0;
    for (let i = 0, count = 0; i < spans.length; i++) {
      count += spans[i].hit;
      if (i >= size) count -= spans[i - size].hit;
      if (count > hits) { hits = count; best = Math.max(0, i - size + 1); }
    }
    const first = spans.findIndex((s, i) => i >= best && s.hit);
    if (first >= 0) best = Math.max(0, Math.min(first - Math.floor(size / 3), spans.length - size));
    const shown = spans.slice(best, best + size);
    const from = best > 0 ? shown[0].at : 0;
    const to = best + size < spans.length ? shown[shown.length - 1].end : text.length;
    const out = document.createDocumentFragment();
    let at = from;
    if (from > 0) out.append('… ');
    for (const s of shown.filter((s) => s.hit)) {
      const mark = document.createElement('mark');
      mark.textContent = text.slice(s.at, s.end);
      out.append(text.slice(at, s.at), mark);
      at = s.end;
    }
    out.append(text.slice(at, to));
    if (to < text.length) out.append(' …');
    return { nodes: out, hits };
  }

  const KINDS = { h: 'Section', e: 'Event', s: 'Source' };
  const el = (tag, cls, ...kids) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    e.append(...kids);
    return e;
  };
  const link = (href, ...kids) => { const a = el('a', '', ...kids); a.href = href; return a; };
  const hrefOf = (doc, anchor) => box.dataset.root + doc.u + (anchor ? `#${encodeURIComponent(anchor)}` : '');

  // A result: title, date and tags, the best excerpt of the report's own
  // text, then the sections, events and sources that matched, linked.
  function result(doc, terms) {
    const parts = [['', '', '', doc.s], ...doc.x].map(([anchor, kind, title, text]) => {
      const ex = excerpt(text || title, terms, 30);
      const inTitle = words(title).filter((w) => terms.some((t) => matches(w, t))).length;
      return { anchor, kind, title, text, ex, score: ex.hits + 2 * inTitle };
    });
    const prose = parts.filter((p) => p.kind === '' || p.kind === 'h');
    const main = prose.reduce((a, b) => (b.ex.hits > a.ex.hits ? b : a), prose[0]);
    const meta = el('p', 'search-result-meta');
    if (doc.d) { const t = el('time', '', doc.d); t.dateTime = doc.i; meta.append(t); }
    if (doc.g.length) meta.append(el('span', 'search-result-tags', doc.g.join(', ')));
    const item = el('li', 'search-result',
      el('h2', 'search-result-title', link(hrefOf(doc, ''), doc.t)), meta,
      el('p', 'search-result-excerpt', main.ex.nodes));
    const matched = parts.filter((p) => p.anchor && p.score > 0).sort((a, b) => b.score - a.score).slice(0, 3);
    if (matched.length) {
      item.append(el('ul', 'search-result-parts', ...matched.map((p) => el('li', '',
        link(hrefOf(doc, p.anchor), el('span', 'search-part-kind', `${KINDS[p.kind]}: `), excerpt(p.title, terms, 1e9).nodes),
        ...(p === main || !p.text ? [] : [' ', el('span', 'search-part-excerpt', excerpt(p.text, terms, 20).nodes)])))));
    }
    return item;
  }

  // Showing results, PAGE at a time.
  let run = 0;
  let shown = { hits: [], terms: [], m: null, count: 0 };
  async function showMore(focus) {
    const { hits, terms, m } = shown;
    const page = hits.slice(shown.count, shown.count + PAGE);
    const docs = await Promise.all(page.map((h) => load(`d/${Math.floor(h.r / m.b)}`, m.v).then((d) => d[h.r % m.b])));
    const items = docs.map((doc) => result(doc, terms));
    list.append(...items);
    shown.count += page.length;
    more.hidden = shown.count >= hits.length;
    if (focus && items[0]) items[0].querySelector('a').focus();
  }

  function wanted() {
    return { q: field.q.value.trim(), tag: field.tag.value, publisher: field.publisher.value, sort: field.sort.value };
  }

  async function update() {
    const want = wanted();
    const mine = ++run;
    remember(want);
    if (!words(want.q).length) {
      list.replaceChildren();
      more.hidden = true;
      list.setAttribute('aria-busy', 'false');
      status.textContent = want.q ? 'Type a word of two letters or more.' : '';
      return;
    }
    status.textContent = 'Searching…';
    list.setAttribute('aria-busy', 'true');
    try {
      const found = await search(want.q, want);
      if (mine !== run) return;
      list.replaceChildren();
      shown = { ...found, count: 0 };
      await showMore(false);
      if (mine !== run) return;
      const n = found.hits.length;
      status.textContent = n
        ? `${n} result${n === 1 ? '' : 's'} for “${want.q}”${describe(want)}.`
        : `No results for “${want.q}”${describe(want)}.`;
    } catch (e) {
      if (mine !== run) return;
      failed(e);
    }
    if (mine === run) list.setAttribute('aria-busy', 'false');
  }

  function failed(e) {
    status.textContent = location.protocol === 'file:'
      ? 'Search could not load its index: this browser does not let a page opened from disk load the files it needs. Serve the site over http (for example with annalist serve) to search it.'
      : `Search could not load its index (${e.message}). Reload the page to try again.`;
  }

  function describe(want) {
    const named = ['tag', 'publisher'].filter((k) => want[k]).map((k) => `${k} ${field[k].selectedOptions[0].dataset.name}`);
    return named.length ? ` with ${named.join(' and ')}` : '';
  }

  // The query lives in the URL, so results can be shared and reloaded.
  function remember(want) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(want)) if (v && !(k === 'sort' && v === 'relevance')) params.set(k, v);
    const query = params.toString();
    try { history.replaceState(null, '', query ? `?${query}` : location.pathname); } catch { /* file:// may refuse */ }
  }

  const params = new URLSearchParams(location.search);
  for (const k of ['q', 'tag', 'publisher', 'sort']) {
    if (params.has(k) && (k === 'q' || [...field[k].options].some((o) => o.value === params.get(k)))) field[k].value = params.get(k);
  }
  let timer = 0;
  field.q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(update, 250); });
  form.addEventListener('change', (e) => { if (e.target !== field.q) update(); });
  form.addEventListener('submit', (e) => { e.preventDefault(); clearTimeout(timer); update(); });
  more.addEventListener('click', () => showMore(true).catch(failed));
  if (field.q.value) update();
})();
