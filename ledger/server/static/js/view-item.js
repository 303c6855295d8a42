// One item of the state: each field with the event and source that set it, the events behind
// it, what was withdrawn, and its trail over time (SPEC §12). Provenance comes from explain's
// `fields` when the server's build has it; otherwise each field shows the last contributing
// event whose data names the field, labelled as such.

import { get, itemPath } from './api.js';
import { h, outLink, table } from './dom.js';
import { badge, eventLink, plain, value } from './format.js';
import { context, href } from './router.js';

function sourceCell(src) {
  if (!src) return h('span', { class: 'muted' }, 'no source');
  const label = src.title || src.publisher || src.url;
  return [src.url ? outLink(src.url, label) : label, src.publisher && src.title ? ` (${src.publisher})` : ''];
}

function setByCell(setBy, ctx) {
  if (!setBy) return h('span', { class: 'muted' }, '—');
  const list = Array.isArray(setBy) ? setBy : [setBy];
  return list.map((s, i) => h('div', { class: i ? 'more' : null }, eventLink(s.id, ctx), ' ',
    h('span', { class: 'muted' }, `${s.type} · ${s.effective_date}`), ' ', badge(s.certainty),
    s.money ? ` ${plain(s.money)}` : '', h('br'), sourceCell(s.source)));
}

function fieldRows(doc, ctx) {
  // explain's `fields`: each field's value and the event that set it (SPEC §12), or the rule
  return { rows: Object.entries(doc.fields || {}).map(([name, f]) => [h('strong', null, name),
    value(name, f.value, ctx), [setByCell(f.set_by, ctx), f.rule ? h('div', { class: 'muted' }, `by rule: ${f.rule}`) : '']]) };
}

function trailTable(trail, ctx) {
  const rows = trail.changes.map((c) => [c.effective_date,
    Object.entries(c.fields || {}).map(([f, ch]) => h('div', null, h('strong', null, f), ': ',
      h('span', { class: 'change-before' }, plain(ch.before) || '∅'), ' → ', h('span', { class: 'change-after' }, plain(ch.after) || '∅'))),
    c.event ? [eventLink(c.event.id, ctx), h('br'), h('span', { class: 'muted' }, c.event.type), ' ', badge(c.event.certainty),
      h('br'), sourceCell(c.event.source)] : h('span', { class: 'muted' }, 'calendar (until)'),
    c.withdrawn ? [`${c.withdrawn.action} by `, eventLink(c.withdrawn.by, ctx)] : '']);
  return table(['effective', 'what changed', 'event', 'withdrawn'], rows, (i) => (trail.changes[i].withdrawn ? 'withdrawn' : null));
}

export async function render(main, route, env, live) {
  const [section, ...keyParts] = route.args;
  const ctx = context(route.query);
  const params = { as_of: route.query.get('as_of'), known_at: route.query.get('known_at'),
    min_certainty: route.query.get('min_certainty') };
  const path = itemPath(section, keyParts);
  const [doc, trail] = await Promise.all([get(`/api/explain/${path}`, params),
    get(`/api/trail/${path}`, { known_at: params.known_at, min_certainty: params.min_certainty })]);
  if (!live()) return null;
  main.append(h('p', { class: 'summary' }, h('a', { href: href('graph', [], ctx) }, '← graph'), ` · ${section}`),
    h('h1', null, keyParts.join(' / ')));
  main.append(h('p', { class: 'summary' }, `as of ${doc.as_of}, known at position ${doc.known_at.position}`));
  if (!doc.item) {
    main.append(h('p', { class: 'notice' }, 'Not in the state on this date (not yet defined, or filtered by certainty). ' +
      'Move the date slider, or lower the certainty filter.'));
  } else {
    main.append(h('div', { class: 'card' }, badge(doc.item.status), ' ', badge(doc.item.certainty),
      ` since ${doc.item.since} · updated ${doc.item.updated}`));
    const { rows } = fieldRows(doc, ctx);
    main.append(h('h2', null, 'Fields'));
    main.append(table(['field', 'value', 'set by (event and source)'], rows));
  }
  main.append(h('h2', null, `Events behind it (${doc.events.length}, in fold order)`), table(
    ['effective', 'event', 'type', 'certainty', 'source'],
    doc.events.map((e) => [e.effective_date, eventLink(e.id, ctx), e.type, badge(e.certainty), sourceCell(e.source)])));
  if (doc.superseded && doc.superseded.length) {
    main.append(h('h2', null, 'Withdrawn (shown, not folded)'), table(['event', 'withdrawn by'],
      doc.superseded.map((s) => [[eventLink(s.event.id, ctx), h('br'), h('span', { class: 'muted' }, `${s.event.type} · ${s.event.effective_date}`),
        ' ', badge(s.event.certainty), h('br'), sourceCell(s.event.source)],
      (s.by || []).map((b) => h('div', null, `${b.action} by `, eventLink(b.id, ctx)))])));
  }
  main.append(h('h2', null, 'Trail over time'));
  main.append(trail.changes.length ? trailTable(trail, ctx) : h('p', { class: 'muted' }, 'No changes.'));
  return null;
}
