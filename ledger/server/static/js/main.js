// The explorer's shell: the controls (date slider, known-at, certainty), the search box, and the
// router that hands the URL to a view. Views are modules with render(main, route, env) and,
// where a context change can be applied in place (the graph), update(route).

import { get } from './api.js';
import { clear, h } from './dom.js';
import { context, href, parse } from './router.js';
import * as graphView from './view-graph.js';
import * as partyView from './view-party.js';
import * as itemView from './view-item.js';
import * as eventView from './view-event.js';
import * as searchView from './view-search.js';
import * as diffView from './view-diff.js';
import * as eventsView from './view-events.js';
import * as stateView from './view-state.js';

const VIEWS = { graph: graphView, party: partyView, item: itemView, event: eventView, search: searchView,
  diff: diffView, events: eventsView, state: stateView };
const DAY = 86400000;
const env = { meta: null, navigate, today: new Date().toISOString().slice(0, 10) };
let current = { name: null, instance: null };
let renderCount = 0;

function dayIndex(iso) { return Math.round((Date.parse(iso + 'T00:00:00Z') - Date.parse(env.meta.first_date + 'T00:00:00Z')) / DAY); }
function dayAt(index) { return new Date(Date.parse(env.meta.first_date + 'T00:00:00Z') + index * DAY).toISOString().slice(0, 10); }

export function navigate(hash, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, '', hash);
    route();
  } else if (location.hash === hash) {
    route();
  } else {
    location.hash = hash;
  }
}

function withContext(change) {
  const raw = location.hash.replace(/^#/, '') || '/graph';
  const cut = raw.indexOf('?');
  const path = cut < 0 ? raw : raw.slice(0, cut);
  const qs = new URLSearchParams(cut < 0 ? '' : raw.slice(cut + 1));
  for (const [k, v] of Object.entries(change)) {
    qs.delete(k);
    if (v && !(k === 'min_certainty' && v === 'rumored')) qs.set(k, v);
  }
  const text = qs.toString();
  return '#' + path + (text ? '?' + text : '');
}

function setupControls() {
  const meta = env.meta;
  const range = document.getElementById('as-of-range');
  const date = document.getElementById('as-of-date');
  const label = document.getElementById('as-of-label');
  range.min = '0';
  range.max = String(dayIndex(meta.last_date));
  date.min = meta.first_date;
  date.max = meta.last_date;
  let timer = null;
  range.addEventListener('input', () => {
    const day = dayAt(Number(range.value));
    label.textContent = day;
    date.value = day;
    clearTimeout(timer);
    timer = setTimeout(() => navigate(withContext({ as_of: day }), { replace: true }), 120);
  });
  range.addEventListener('change', () => { clearTimeout(timer); navigate(withContext({ as_of: dayAt(Number(range.value)) })); });
  date.addEventListener('change', () => { if (date.value) navigate(withContext({ as_of: date.value })); });
  const known = document.getElementById('known-at');
  known.append(h('option', { value: '' }, `now (position ${meta.head.position})`));
  for (const rec of [...meta.recordings].reverse()) {
    known.append(h('option', { value: String(rec.position) },
      `position ${rec.position} · ${rec.recorded_at.replace('T', ' ').slice(0, 19)} UTC (+${rec.count})`));
  }
  known.addEventListener('change', () => navigate(withContext({ known_at: known.value })));
  const cert = document.getElementById('certainty');
  cert.addEventListener('change', () => navigate(withContext({ min_certainty: cert.value })));
  document.getElementById('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = document.getElementById('search-input').value.trim();
    if (q) navigate(href('search', [], { q, ...context(parse(location.hash).query) }));
  });
  document.getElementById('head-info').textContent =
    `${meta.head.position} events · last recorded ${meta.head.recorded_at || 'never'}`;
}

function syncControls(r) {
  const asOf = r.query.get('as_of') || env.meta.last_date;
  const range = document.getElementById('as-of-range');
  if (document.activeElement !== range) range.value = String(Math.max(0, Math.min(dayIndex(asOf), Number(range.max))));
  document.getElementById('as-of-label').textContent = asOf;
  document.getElementById('as-of-date').value = asOf;
  const known = document.getElementById('known-at');
  const k = r.query.get('known_at') || '';
  if (k && ![...known.options].some((o) => o.value === k)) known.append(h('option', { value: k }, `known at ${k}`));
  known.value = k;
  document.getElementById('certainty').value = r.query.get('min_certainty') || 'rumored';
  if (r.view === 'search') document.getElementById('search-input').value = r.query.get('q') || '';
  for (const a of document.querySelectorAll('.tabs a')) {
    a.classList.toggle('active', a.dataset.view === r.view);
    if (a.dataset.view === 'graph' || a.dataset.view === 'state') a.href = href(a.dataset.view, [], context(r.query));
  }
  document.body.dataset.view = r.view; // the diff and events views hide the date controls they do not use
}

async function route() {
  const r = parse(location.hash);
  syncControls(r);
  const view = VIEWS[r.view];
  const main = document.getElementById('view');
  const ticket = ++renderCount;
  main.dataset.state = 'loading';
  const done = () => { if (ticket === renderCount) main.dataset.state = 'ready'; };
  if (!view) {
    clear(main).append(h('div', { class: 'error' }, 'No such page. '), h('a', { href: '#/graph' }, 'Back to the graph'));
    current = { name: null, instance: null };
    done();
    return;
  }
  const live = () => ticket === renderCount;
  try {
    if (current.name === r.view && current.instance && current.instance.update) {
      await current.instance.update(r, live);
    } else {
      clear(main);
      current = { name: null, instance: null };
      const instance = await view.render(main, r, env, live);
      if (live()) current = { name: r.view, instance: instance || null };
    }
  } catch (err) {
    if (live()) {
      clear(main).append(h('div', { class: 'error' }, err.message || String(err)),
        (err.problems || []).map((p) => h('p', null, `${p.field ? p.field + ': ' : ''}${p.message}`)));
      current = { name: null, instance: null };
    }
  }
  done();
}

async function boot() {
  try {
    env.meta = await get('/api/meta');
  } catch (err) {
    clear(document.getElementById('view')).append(h('div', { class: 'error' }, `Cannot read the ledger: ${err.message}`));
    return;
  }
  if (!env.meta.first_date) env.meta.first_date = env.meta.last_date;
  setupControls();
  window.addEventListener('hashchange', route);
  await route();
  document.body.dataset.ready = '1';
}

boot();
