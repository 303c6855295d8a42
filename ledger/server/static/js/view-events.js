// The history: events in recording order, filtered by stream, type, party and effective dates.

import { get } from './api.js';
import { h, table } from './dom.js';
import { badge, eventLink } from './format.js';
import { context, href } from './router.js';

const FILTERS = ['stream', 'party', 'type', 'from', 'to'];

export async function render(main, route, env, live) {
  const q = route.query;
  const ctx = context(q);
  const params = { limit: q.get('limit') || '200', since: q.get('since') };
  for (const f of FILTERS) if (q.get(f)) params[f] = q.get(f);
  const doc = await get('/api/history', params);
  if (!live()) return null;
  const f = h('form', { class: 'diff-form card' }, FILTERS.map((name) => h('label', null, name,
    h('input', { type: 'text', name, value: q.get(name) || '', size: 12 }))), h('button', { type: 'submit', class: 'primary' }, 'Filter'));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const query = { ...ctx };
    for (const name of FILTERS) if (f.elements[name].value.trim()) query[name] = f.elements[name].value.trim();
    env.navigate(href('events', [], query));
  });
  main.append(h('h1', null, 'Events in recording order'), f,
    h('p', { class: 'summary' }, `${doc.events.length} events shown${doc.events.length >= Number(params.limit) ? ` (first ${params.limit})` : ''}.`),
    table(['position', 'recorded', 'effective', 'type', 'event', 'stream', 'certainty', 'withdrawn'], doc.events.map((e) => [
      String(e.position), e.recorded_at.slice(0, 19).replace('T', ' '), e.effective_date, e.type, eventLink(e.id, ctx),
      e.stream, badge(e.certainty), e.corrected_by ? ['corrected by ', eventLink(e.corrected_by, ctx)]
        : e.retracted_by ? ['retracted by ', eventLink(e.retracted_by, ctx)] : ''])));
  return null;
}
