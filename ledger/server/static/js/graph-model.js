// The state as a network: parties are nodes; stakes, investments, rights, partnerships (and, on
// request, roles and legal actions) are edges that remember the item they come from.

import { money, stake } from './format.js';

export const KINDS = ['stake', 'investment', 'right', 'partnership', 'role', 'legal'];
export const DEFAULT_KINDS = ['stake', 'investment', 'right', 'partnership'];
export const KIND_LABELS = { stake: 'stakes', investment: 'investments', right: 'rights', partnership: 'partnerships',
  role: 'roles (people)', legal: 'legal actions' };

function edge(kind, section, keyParts, source, target, item, label, suffix = '') {
  return { group: 'edges', data: { id: `${kind}:${keyParts.join('/')}${suffix}`, kind, section, key: keyParts,
    source, target, label, certainty: item.certainty, status: item.status || 'active' } };
}

export function edgesOf(state, kinds) {
  const on = new Set(kinds);
  const out = [];
  for (const s of state.stakes) {
    const key = [s.holder, s.issuer];
    if (on.has('stake') && s.stake) out.push(edge('stake', 'stakes', key, s.holder, s.issuer, s, stake(s.stake)));
    if (on.has('investment') && s.invested && s.invested.length) {
      out.push(edge('investment', 'stakes', key, s.holder, s.issuer, s, s.invested.map(money).join(' + '), ':inv'));
    }
  }
  if (on.has('right')) {
    for (const r of state.rights) out.push(edge('right', 'rights', [r.right], r.holder, r.grantor, r, r.kind.replaceAll('_', ' ')));
  }
  if (on.has('partnership')) {
    for (const p of state.partnerships) {
      const ps = p.parties;
      for (let i = 0; i < ps.length; i++) {
        for (let j = i + 1; j < ps.length; j++) {
          const e = edge('partnership', 'partnerships', [p.partnership], ps[i], ps[j], p, p.kind.replaceAll('_', ' '),
            ps.length > 2 ? `:${ps[i]}-${ps[j]}` : '');
          e.data.members = ps;
          out.push(e);
        }
      }
    }
  }
  if (on.has('role')) {
    for (const r of state.roles) {
      out.push(edge('role', 'roles', [r.person, r.organization, r.role], r.person, r.organization, r, r.role));
    }
  }
  if (on.has('legal')) {
    for (const c of state.legal_actions) {
      for (const a of c.plaintiffs) {
        for (const d of c.defendants) out.push(edge('legal', 'legal_actions', [c.case], a, d, c, c.kind, `:${a}-${d}`));
      }
    }
  }
  return out;
}

export function elementsOf(state, kinds, withIsolated) {
  const edges = edgesOf(state, kinds);
  const linked = new Set(edges.flatMap((e) => [e.data.source, e.data.target]));
  const known = new Map(state.parties.map((p) => [p.party, p]));
  const nodes = [];
  const hidden = [];
  for (const p of state.parties) {
    if (withIsolated || linked.has(p.party)) {
      nodes.push({ group: 'nodes', data: { id: p.party, label: p.name || p.party, kind: p.kind, certainty: p.certainty } });
    } else {
      hidden.push(p.party);
    }
  }
  for (const id of linked) {
    if (!known.has(id)) nodes.push({ group: 'nodes', data: { id, label: id, kind: 'other' } });
  }
  return { nodes, edges, hidden };
}
