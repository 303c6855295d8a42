// A party: who it is as of the date, every item that involves it, and the events that name it.

import { get } from './api.js';
import { h, kv, table } from './dom.js';
import { badge, eventLink, plain, value } from './format.js';
import { sectionTables } from './sections.js';
import { context, href } from './router.js';

export async function render(main, route, env, live) {
  const id = route.args[0];
  const ctx = context(route.query);
  const [state, hist] = await Promise.all([
    get('/api/state', { as_of: route.query.get('as_of'), known_at: route.query.get('known_at'),
      min_certainty: route.query.get('min_certainty'), party: id }),
    get('/api/history', { party: id, limit: 500 }),
  ]);
  if (!live()) return null;
  const me = state.parties.find((p) => p.party === id);
  main.append(h('h1', null, me ? me.name : id), h('p', { class: 'summary' }, `party ${id} · as of ${state.as_of}, known at position ${state.known_at.position}`));
  if (me) {
    main.append(h('div', { class: 'card' }, kv([
      ['kind', plain(me.kind)], ['jurisdiction', me.jurisdiction], ['aliases', (me.aliases || []).join(', ')],
      ['controlled by', me.controlled_by ? value('controlled_by', me.controlled_by, ctx) : null],
      ['summary', me.summary], ['since', me.since], ['certainty', badge(me.certainty)],
      ['provenance', h('a', { href: href('item', ['parties', id], ctx) }, 'which events say so')],
    ])));
  } else {
    main.append(h('p', { class: 'notice' }, `The ledger does not hold ${id} as a party on this date (try a later date).`));
  }
  const tables = sectionTables(state, env.meta.key_fields, ctx, ['parties']);
  main.append(...(tables.length ? tables : [h('p', { class: 'muted' }, 'No items involve this party on this date.')]));
  main.append(h('h2', null, `Events naming ${id} (${hist.events.length}${hist.events.length === 500 ? '+' : ''})`),
    table(['position', 'effective', 'type', 'event', 'certainty', 'withdrawn'], hist.events.map((e) => [
      String(e.position), e.effective_date, e.type, eventLink(e.id, ctx), badge(e.certainty),
      e.corrected_by ? ['corrected by ', eventLink(e.corrected_by, ctx)] : e.retracted_by ? ['retracted by ',
        eventLink(e.retracted_by, ctx)] : '']),
    (i) => (hist.events[i].corrected_by || hist.events[i].retracted_by ? 'withdrawn' : null)));
  return null;
}
