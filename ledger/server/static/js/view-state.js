// The whole state as of the chosen date, section by section: what the graph draws, and the rest
// (agreements, conditions, negotiations, roles, legal actions, metrics).

import { get } from './api.js';
import { h } from './dom.js';
import { sectionTables } from './sections.js';
import { context } from './router.js';

export async function render(main, route, env, live) {
  const ctx = context(route.query);
  const state = await get('/api/state', { as_of: route.query.get('as_of'), known_at: route.query.get('known_at'),
    min_certainty: route.query.get('min_certainty'), active: route.query.get('active') });
  if (!live()) return null;
  const count = Object.values(state).filter(Array.isArray).reduce((n, list) => n + list.length, 0);
  main.append(h('h1', null, `The state as of ${state.as_of}`), h('p', { class: 'summary' },
    `${count} items, as known at position ${state.known_at.position}` +
    `${state.min_certainty !== 'rumored' ? `, ${state.min_certainty} or surer` : ''}. The date, known-at and certainty controls above apply.`),
  ...sectionTables(state, env.meta.key_fields, ctx));
  return null;
}
