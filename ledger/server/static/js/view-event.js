// One recorded event: its envelope, its source (and the copy actually read), its data, and what
// it corrected or retracted, or what corrected or retracted it.

import { get } from './api.js';
import { h, kv, outLink, table } from './dom.js';
import { badge, eventLink, value } from './format.js';
import { context, href } from './router.js';

export async function render(main, route, env, live) {
  const id = route.args[0];
  const ctx = context(route.query);
  const e = await get(`/api/events/${encodeURIComponent(id)}`);
  if (!live()) return null;
  main.append(h('p', { class: 'summary' }, h('a', { href: href('graph', [], ctx) }, '← graph'), ` · event at position ${e.position}`),
    h('h1', null, e.id), h('div', { class: 'card' }, badge(e.type, 'kind'), ' ', badge(e.certainty), ` effective ${e.effective_date}`));
  if (e.corrected_by || e.retracted_by) {
    main.append(h('p', { class: 'notice', id: 'withdrawn' }, e.corrected_by ? ['Corrected by ', eventLink(e.corrected_by, ctx)]
      : ['Retracted by ', eventLink(e.retracted_by, ctx)], ': it is shown here and in the history, not folded into the state.'));
  }
  const target = e.type === 'EventRetracted' && e.data ? e.data.target : null;
  if (e.corrects || target) {
    main.append(h('p', { class: 'notice' }, e.corrects ? ['This event corrects ', eventLink(e.corrects, ctx)]
      : ['This event retracts ', eventLink(target, ctx)], '.'));
  }
  const src = e.source;
  main.append(h('h2', null, 'Source'));
  if (src) {
    main.append(h('div', { class: 'card' }, kv([['title', src.title], ['publisher', src.publisher],
      ['published', src.published_at], ['link', src.url ? outLink(src.url) : null],
      ['read from', src.retrieved_from ? outLink(src.retrieved_from) : null], ['read at', src.retrieved_at]]),
    src.quote ? h('blockquote', null, src.quote) : null));
  } else {
    main.append(h('p', { class: 'notice' }, 'This event cites no source.'));
  }
  main.append(h('h2', null, 'Data'), table(['field', 'value'],
    Object.entries(e.data || {}).map(([k, v]) => [h('strong', null, k), typeof v === 'object' && v !== null && !Array.isArray(v)
      && !('amount' in v) && !('exact' in v) && !('min' in v) ? h('pre', null, JSON.stringify(v, null, 2)) : value(k, v, ctx)])));
  main.append(h('h2', null, 'Recording'), h('div', { class: 'card' }, kv([
    ['position', String(e.position)], ['recorded at', e.recorded_at], ['recorded by', e.recorded_by],
    ['stream', h('a', { href: href('events', [], { ...ctx, stream: e.stream }) }, e.stream)],
    ['stream version', String(e.stream_version)], ['hash', e.hash], ['previous hash', e.prev_hash],
    ['schema version', String(e.schema_version)]])));
  return null;
}
