// A party: who it is as of the date, every item that involves it, and the events that name it.

import { get } from './api.js';
import { h, kv, table } from './dom.js';
import { badge, eventLink, itemHref, itemTitle, plain, value } from './format.js';
import { context, href } from './router.js';

const SECTION_TITLES = { stakes: 'Stakes and investments', rights: 'Rights', partnerships: 'Partnerships',
  agreements: 'Agreements', conditions: 'Conditions', negotiations: 'Negotiations', roles: 'Roles',
  legal_actions: 'Legal actions', metrics: 'Metrics' };

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
  let shown = 0;
  for (const [section, title] of Object.entries(SECTION_TITLES)) {
    const items = state[section] || [];
    if (!items.length) continue;
    shown += items.length;
    main.append(h('h2', null, `${title} (${items.length})`), table(['item', 'status', 'certainty', 'since', 'updated'],
      items.map((it) => [h('a', { href: itemHref(section, it, env.meta.key_fields, ctx) },
        itemTitle(section, it, env.meta.key_fields)), badge(it.status), badge(it.certainty), it.since, it.updated])));
  }
  if (!shown) main.append(h('p', { class: 'muted' }, 'No items involve this party on this date.'));
  main.append(h('h2', null, `Events naming ${id} (${hist.events.length}${hist.events.length === 500 ? '+' : ''})`),
    table(['position', 'effective', 'type', 'event', 'certainty', 'withdrawn'], hist.events.map((e) => [
      String(e.position), e.effective_date, e.type, eventLink(e.id, ctx), badge(e.certainty),
      e.corrected_by ? ['corrected by ', eventLink(e.corrected_by, ctx)] : e.retracted_by ? ['retracted by ',
        eventLink(e.retracted_by, ctx)] : '']),
    (i) => (hist.events[i].corrected_by || hist.events[i].retracted_by ? 'withdrawn' : null)));
  return null;
}
