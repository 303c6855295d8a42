// How values read: money in compact units with the exact amount on hover, stakes as percentages,
// certainty and status as badges, party ids as links.

import { h } from './dom.js';
import { href } from './router.js';

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 2 });
export const PARTY_FIELDS = ['party', 'controlled_by', 'holder', 'issuer', 'grantor', 'parties', 'plaintiffs',
  'defendants', 'person', 'organization', 'investor', 'investee'];
export const PROVENANCE = ['since', 'updated', 'certainty', 'evidence'];

export function money(m) {
  if (!m || typeof m !== 'object') return '';
  const n = Number(m.amount);
  const shown = Number.isFinite(n) ? compact.format(n) : m.amount;
  return `${m.approximate ? '~' : ''}${shown} ${m.currency}`;
}

export function stake(s) {
  if (!s || typeof s !== 'object') return '';
  const pct = s.exact !== null && s.exact !== undefined ? `${s.exact}%` : `${s.min ?? '?'}–${s.max ?? '?'}%`;
  return s.basis && s.basis !== 'equity' ? `${pct} (${s.basis.replace('_', ' ')})` : pct;
}

export function badge(text, cls) {
  if (text === null || text === undefined || text === '') return null;
  return h('span', { class: `badge ${cls || text}` }, String(text).replaceAll('_', ' '));
}

export function partyLink(id, ctx) {
  return h('a', { href: href('party', [id], ctx) }, id);
}

export function plain(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(plain).join(', ');
  if (typeof value === 'object') {
    if ('amount' in value && 'currency' in value) return money(value);
    if ('exact' in value || 'min' in value || 'max' in value) return stake(value);
    return Object.entries(value).map(([k, v]) => `${k}: ${plain(v)}`).join('; ');
  }
  return String(value);
}

export function value(field, v, ctx) {
  if (PARTY_FIELDS.includes(field) && v) {
    const ids = Array.isArray(v) ? v : [v];
    const out = [];
    ids.forEach((id, i) => { if (i) out.push(', '); out.push(partyLink(id, ctx)); });
    return out;
  }
  if (field === 'invested' && Array.isArray(v)) return v.map(money).join(' + ') || '—';
  if (field === 'status' || field === 'certainty') return badge(v);
  const text = plain(v);
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !('amount' in v) && !('exact' in v) && !('min' in v)) {
    const title = JSON.stringify(v);
    return h('span', { title }, text);
  }
  if (v && typeof v === 'object' && 'amount' in v) return h('span', { title: `${v.amount} ${v.currency}` }, text);
  return text === '' ? '—' : text;
}

export function eventLink(id, ctx) {
  return h('a', { href: href('event', [id], ctx) }, id);
}

export function itemHref(section, item, keyFields, ctx) {
  return href('item', [section, ...keyFields[section].map((f) => item[f])], ctx);
}

export function itemTitle(section, item, keyFields) {
  const key = keyFields[section].map((f) => item[f]).join(' / ');
  const name = item.name || item.title || item.partnership || item.right || item.case || '';
  return name && name !== key ? `${key} — ${name}` : key;
}

export function splitKey(section, key, keyFields) {
  const n = (keyFields[section] || ['key']).length;
  const parts = key.split('/');
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join('/')];
}
