// Building the page from data without ever parsing data as HTML: every text goes through
// textContent (createTextNode), every attribute through setAttribute, and links to the outside
// world only when they are http(s) URLs.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function safeUrl(text) {
  try {
    const url = new URL(String(text));
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function outLink(url, label) {
  const href = safeUrl(url);
  if (!href) return document.createTextNode(String(label ?? url ?? ''));
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label ?? href);
}

const NOWRAP = new Set(['effective', 'since', 'updated', 'position', 'recorded']);

export function table(headers, rows, rowClass) {
  const head = h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)));
  // data-label lets a phone show each row as a card of "header: value" lines (app.css)
  const body = rows.map((cells, i) => h('tr', { class: rowClass ? rowClass(i) : null },
    cells.map((c, j) => h('td', { 'data-label': headers[j], class: NOWRAP.has(headers[j]) ? 'nowrap' : null },
      h('div', { class: 'cell' }, c)))));
  return h('div', { class: 'table-wrap' }, h('table', null, h('thead', null, head), h('tbody', null, body)));
}

export function kv(pairs) {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v] of pairs) {
    if (v === null || v === undefined || v === '') continue;
    dl.append(h('dt', null, k), h('dd', null, v));
  }
  return dl;
}
