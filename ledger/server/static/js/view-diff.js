// What changed between two dates (one belief), or between two beliefs about one date.

import { get } from './api.js';
import { h, table } from './dom.js';
import { badge, eventLink, itemHref, itemTitle, plain } from './format.js';
import { href } from './router.js';

function form(route, env) {
  const q = route.query;
  const beliefs = q.get('mode') === 'beliefs';
  const recs = [...env.meta.recordings].reverse();
  const known = (name, chosen) => {
    const sel = h('select', { name });
    sel.append(h('option', { value: '' }, `now (${env.meta.head.position})`));
    for (const r of recs) sel.append(h('option', { value: String(r.position) }, `position ${r.position} · ${r.recorded_at.slice(0, 10)}`));
    if (chosen && ![...sel.options].some((o) => o.value === chosen)) sel.append(h('option', { value: chosen }, chosen));
    sel.value = chosen || '';
    return sel;
  };
  const [ka, kb] = q.getAll('known_at');
  const f = h('form', { class: 'diff-form card', id: 'diff-form' },
    h('fieldset', null, h('legend', null, 'Compare'),
      h('label', null, h('span', null, h('input', { type: 'radio', name: 'mode', value: 'dates', checked: !beliefs }), ' two dates')),
      h('label', null, h('span', null, h('input', { type: 'radio', name: 'mode', value: 'beliefs', checked: beliefs }), ' two beliefs about one date'))),
    h('label', { class: 'dates' }, 'from', h('input', { type: 'date', name: 'from', value: q.get('from') || '2023-01-01' })),
    h('label', { class: 'dates' }, 'to', h('input', { type: 'date', name: 'to', value: q.get('to') || env.meta.last_date })),
    h('label', { class: 'beliefs' }, 'as of', h('input', { type: 'date', name: 'as_of', value: q.get('as_of') || env.meta.last_date })),
    h('label', { class: 'beliefs' }, 'known at (before)', known('a', beliefs ? ka : '')),
    h('label', { class: 'beliefs' }, 'known at (after)', known('b', beliefs ? kb : '')),
    h('label', null, 'party (optional)', h('input', { type: 'text', name: 'party', value: q.get('party') || '', size: 14 })),
    h('button', { type: 'submit', class: 'primary' }, 'Compare'));
  const toggle = () => {
    const b = f.elements.mode.value === 'beliefs';
    for (const el of f.querySelectorAll('.dates')) el.hidden = b;
    for (const el of f.querySelectorAll('.beliefs')) el.hidden = !b;
  };
  f.addEventListener('change', toggle);
  toggle();
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const e = f.elements;
    const party = e.party.value.trim() || null;
    const query = e.mode.value === 'beliefs'
      ? { mode: 'beliefs', as_of: e.as_of.value, known_at: [e.a.value || String(env.meta.head.position), e.b.value || String(env.meta.head.position)], party }
      : { from: e.from.value, to: e.to.value, party, known_at: route.query.get('known_at') && !beliefs ? route.query.get('known_at') : null };
    env.navigate(href('diff', [], query));
  });
  return f;
}

function changedRows(section, list, kf, ctx) {
  return list.map((c) => [h('a', { href: itemHref(section, c.key, kf, ctx) }, kf[section].map((f) => c.key[f]).join(' / ')),
    Object.entries(c.changes).map(([f, ch]) => h('div', null, h('strong', null, f), ': ',
      h('span', { class: 'change-before' }, plain(ch.before) || '∅'), ' → ', h('span', { class: 'change-after' }, plain(ch.after) || '∅'))),
    (c.events || []).map((id) => h('div', null, eventLink(id, ctx)))]);
}

export async function render(main, route, env, live) {
  main.append(h('h1', null, 'What changed'), form(route, env));
  const q = route.query;
  const beliefs = q.get('mode') === 'beliefs';
  if (!(beliefs ? q.get('as_of') && q.getAll('known_at').length === 2 : q.get('from') && q.get('to'))) {
    main.append(h('p', { class: 'muted' }, 'Choose two dates, or one date and two moments of knowledge, then Compare.'));
    return null;
  }
  const params = beliefs ? { as_of: q.get('as_of'), known_at: q.getAll('known_at'), party: q.get('party') }
    : { from: q.get('from'), to: q.get('to'), known_at: q.get('known_at'), party: q.get('party') };
  const doc = await get('/api/diff', params);
  if (!live()) return null;
  const kf = env.meta.key_fields;
  const ctxAfter = { as_of: doc.to.as_of, known_at: String(doc.to.known_at.position) };
  const ctxBefore = { as_of: doc.from.as_of, known_at: String(doc.from.known_at.position) };
  main.append(h('p', { class: 'summary', id: 'diff-summary' }, `From ${doc.from.as_of} (known at ${doc.from.known_at.position}) ` +
    `to ${doc.to.as_of} (known at ${doc.to.known_at.position})${doc.party ? `, for ${doc.party}` : ''}.`));
  let total = 0;
  for (const [section, ch] of Object.entries(doc.changes)) {
    const n = ch.added.length + ch.removed.length + ch.changed.length;
    if (!n) continue;
    total += n;
    const block = h('section', { class: 'diff-section', 'data-section': section }, h('h2', null, `${section.replace('_', ' ')} (${n})`));
    if (ch.added.length) {
      block.append(h('h3', null, 'Added'), table(['item', 'status', 'certainty'], ch.added.map((it) => [
        h('a', { href: itemHref(section, it, kf, ctxAfter) }, itemTitle(section, it, kf)), badge(it.status), badge(it.certainty)])));
    }
    if (ch.removed.length) {
      block.append(h('h3', null, 'Removed'), table(['item', 'status', 'certainty'], ch.removed.map((it) => [
        h('a', { href: itemHref(section, it, kf, ctxBefore) }, itemTitle(section, it, kf)), badge(it.status), badge(it.certainty)])));
    }
    if (ch.changed.length) block.append(h('h3', null, 'Changed'), table(['item', 'fields', 'events'], changedRows(section, ch.changed, kf, ctxAfter)));
    main.append(block);
  }
  if (!total) main.append(h('p', { class: 'notice' }, 'Nothing changed between these two.'));
  return null;
}
