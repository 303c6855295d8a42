// The state's sections as tables of links, shared by the state view and the party pages.

import { h, table } from './dom.js';
import { badge, itemHref, itemTitle } from './format.js';

export const SECTION_TITLES = { parties: 'Parties', stakes: 'Stakes and investments', rights: 'Rights',
  partnerships: 'Partnerships', agreements: 'Agreements', conditions: 'Conditions', negotiations: 'Negotiations',
  roles: 'Roles', legal_actions: 'Legal actions', metrics: 'Metrics' };

export function sectionTables(state, keyFields, ctx, skip = []) {
  const out = [];
  for (const [section, title] of Object.entries(SECTION_TITLES)) {
    const items = state[section] || [];
    if (!items.length || skip.includes(section)) continue;
    out.push(h('h2', { id: `section-${section}` }, `${title} (${items.length})`), table(['item', 'status', 'certainty', 'since', 'updated'],
      items.map((it) => [h('a', { href: itemHref(section, it, keyFields, ctx) }, itemTitle(section, it, keyFields)),
        badge(it.status), badge(it.certainty), it.since, it.updated])));
  }
  return out;
}
