// Hash routing: every view is a URL (#/view/arg/arg?query) that reproduces it exactly, so a
// page can be bookmarked, shared and reloaded. The "context" (as_of, known_at, min_certainty)
// travels in the query of every link.

export const CONTEXT = ['as_of', 'known_at', 'min_certainty'];

export function parse(hash) {
  const raw = (hash || '').replace(/^#/, '') || '/graph';
  const cut = raw.indexOf('?');
  const path = cut < 0 ? raw : raw.slice(0, cut);
  const query = new URLSearchParams(cut < 0 ? '' : raw.slice(cut + 1));
  let parts;
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    parts = ['not-found'];
  }
  return { view: parts[0] || 'graph', args: parts.slice(1), query };
}

export function href(view, args = [], query = {}) {
  const path = ['', view, ...args.map((a) => encodeURIComponent(String(a)))].join('/');
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) v.forEach((x) => qs.append(k, x));
    else if (v !== null && v !== undefined && v !== '') qs.set(k, v);
  }
  const text = qs.toString();
  return '#' + path + (text ? '?' + text : '');
}

export function context(query) {
  const out = {};
  for (const k of CONTEXT) if (query.get(k)) out[k] = query.get(k);
  return out;
}
