// Search over parties, items and events (every word must appear, any case).

import { get } from './api.js';
import { h } from './dom.js';
import { badge, eventLink, splitKey } from './format.js';
import { context, href } from './router.js';

export async function render(main, route, env, live) {
  const q = route.query.get('q') || '';
  const ctx = context(route.query);
  main.append(h('h1', null, `Search: ${q}`));
  if (!q.trim()) {
    main.append(h('p', { class: 'muted' }, 'Type a word in the search box: a party, a deal, a source.'));
    return null;
  }
  const found = await get('/api/search', { q });
  if (!live()) return null;
  const block = (title, list, row, id) => {
    main.append(h('h2', null, `${title} (${list.length})`));
    main.append(list.length ? h('ul', { class: 'results', id }, list.map((x) => h('li', null, row(x))))
      : h('p', { class: 'muted' }, 'None.'));
  };
  block('Parties', found.parties, (p) => [h('a', { href: href('party', [p.key], ctx) }, p.label), ` (${p.key})`], 'results-parties');
  block('Items', found.items, (it) => [badge(it.section.replace('_', ' '), 'kind'), ' ',
    h('a', { href: href('item', [it.section, ...splitKey(it.section, it.key, env.meta.key_fields)], ctx) }, it.key),
    ` — ${it.label}`, ' ', badge(it.status), ' ', badge(it.certainty)], 'results-items');
  block('Events', found.events, (e) => [eventLink(e.id, ctx), ` — ${e.type}, ${e.effective_date}`,
    e.title ? `: ${e.title}` : '', ' ', badge(e.certainty)], 'results-events');
  if (found.more) main.append(h('p', { class: 'muted' }, `…and ${found.more} more events; add a word to narrow the search.`));
  return null;
}
