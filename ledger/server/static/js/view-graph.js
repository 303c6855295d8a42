// The alliance as a network graph as of the chosen date. Node positions come from one layout
// of every party the ledger ever held, so moving the slider adds and removes links without
// reshuffling the picture. A table under the graph lists the same links (and reads on a phone).

import cytoscape from '../vendor/cytoscape.esm.min.js';
import { get } from './api.js';
import { clear, h, table } from './dom.js';
import { badge, partyLink } from './format.js';
import { DEFAULT_KINDS, KIND_LABELS, KINDS, elementsOf } from './graph-model.js';
import { context, href } from './router.js';

const COLORS = { stake: '#2563eb', investment: '#059669', right: '#d97706', partnership: '#7c3aed', role: '#475569',
  legal: '#dc2626' };
const NODE = { company: ['#1e40af', 'round-rectangle'], person: ['#0891b2', 'ellipse'], nonprofit: ['#15803d', 'diamond'],
  public_benefit_corp: ['#0f766e', 'round-hexagon'], capped_profit: ['#0f766e', 'round-hexagon'],
  fund: ['#a16207', 'round-tag'], government: ['#b91c1c', 'hexagon'], other: ['#64748b', 'ellipse'] };
const CERTAINTY = { confirmed: [4, 'solid'], announced: [3, 'solid'], reported: [2.5, 'dashed'], rumored: [2, 'dotted'] };

function style() {
  const s = [
    { selector: 'node', style: { label: 'data(label)', 'font-size': 13, 'text-valign': 'bottom', 'text-margin-y': 4,
      width: 30, height: 30, 'background-color': '#64748b', 'border-width': 2, 'border-color': '#fff', color: '#0f172a',
      'text-outline-color': '#fff', 'text-outline-width': 2, 'text-wrap': 'wrap', 'text-max-width': 110 } },
    { selector: 'edge', style: { width: 2, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.8,
      opacity: 0.9, 'font-size': 10, 'text-rotation': 'autorotate', 'text-background-color': '#fff',
      'text-background-opacity': 0.85, 'text-background-padding': 2, 'control-point-step-size': 14 } },
    { selector: 'edge[kind="stake"], edge[kind="investment"]', style: { label: 'data(label)' } },
    { selector: 'edge[kind="partnership"]', style: { 'target-arrow-shape': 'none' } },
    { selector: 'edge[status="ended"], edge[status="closed"]', style: { opacity: 0.28 } },
    { selector: 'edge[status="restricted"]', style: { opacity: 0.6 } },
    { selector: ':selected', style: { label: 'data(label)', 'overlay-color': '#fbbf24', 'overlay-opacity': 0.25 } },
  ];
  for (const [kind, color] of Object.entries(COLORS)) {
    s.push({ selector: `edge[kind="${kind}"]`, style: { 'line-color': color, 'target-arrow-color': color } });
  }
  for (const [kind, [color, shape]] of Object.entries(NODE)) {
    s.push({ selector: `node[kind="${kind}"]`, style: { 'background-color': color, shape } });
  }
  for (const [level, [width, line]] of Object.entries(CERTAINTY)) {
    s.push({ selector: `edge[certainty="${level}"]`, style: { width, 'line-style': line } });
  }
  return s;
}

let positions = null;

async function layoutAll(env) {
  if (positions) return positions;
  const all = await get('/api/state', { as_of: env.meta.last_date });
  const { nodes, edges } = elementsOf(all, ['stake', 'investment', 'right', 'partnership', 'role'], true);
  const ids = nodes.map((n) => n.data.id).sort();
  const seeded = nodes.map((n) => {
    const a = (2 * Math.PI * ids.indexOf(n.data.id)) / ids.length;
    return { ...n, position: { x: 400 * Math.cos(a), y: 400 * Math.sin(a) } };
  });
  // One spring per pair of parties: a dozen Microsoft–OpenAI items must not pull harder than one.
  const pairs = new Map();
  for (const e of edges) {
    const [a, b] = [e.data.source, e.data.target].sort();
    pairs.set(`${a}|${b}`, { group: 'edges', data: { id: `pair:${a}|${b}`, source: a, target: b } });
  }
  const cy = cytoscape({ headless: true, style: style(), elements: [...seeded, ...pairs.values()] });
  cy.layout({ name: 'cose', animate: false, randomize: false, fit: false, nodeDimensionsIncludeLabels: true,
    nodeRepulsion: () => 400000, idealEdgeLength: () => 120, edgeElasticity: () => 100, gravity: 0.3,
    numIter: 2500, componentSpacing: 120, nodeOverlap: 40 }).run();
  positions = new Map(cy.nodes().map((n) => [n.id(), { ...n.position() }]));
  cy.destroy();
  return positions;
}

function kindsOf(query) {
  const given = query.get('kinds');
  return given === null ? DEFAULT_KINDS : given.split(',').filter((k) => KINDS.includes(k));
}

export async function render(main, route, env, live) {
  const holder = h('div', { id: 'graph', role: 'img', 'aria-label': 'network of the alliance' });
  const legend = h('aside', { class: 'legend card' });
  const caption = h('p', { class: 'summary', id: 'graph-summary' });
  const links = h('section', { id: 'graph-links' });
  main.append(h('h1', { id: 'graph-title' }, 'The alliance'), caption,
    h('div', { class: 'graph-wrap' }, holder, legend), links);
  const cy = cytoscape({ container: holder, style: style(), elements: [], minZoom: 0.2, maxZoom: 3,
    boxSelectionEnabled: false });
  window.explorerGraph = cy; // read by the browser tests and handy in a console
  let ctx = context(route.query);
  cy.on('tap', 'node', (ev) => env.navigate(href('party', [ev.target.id()], ctx)));
  cy.on('tap', 'edge', (ev) => env.navigate(href('item', [ev.target.data('section'), ...ev.target.data('key')], ctx)));

  async function update(r, isLive) {
    ctx = context(r.query);
    const kinds = kindsOf(r.query);
    const isolated = r.query.get('isolated') === '1';
    const [where, state] = await Promise.all([layoutAll(env), get('/api/state', { as_of: r.query.get('as_of'),
      known_at: r.query.get('known_at'), min_certainty: r.query.get('min_certainty') })]);
    if (!isLive()) return;
    const { nodes, edges, hidden } = elementsOf(state, kinds, isolated);
    cy.batch(() => {
      cy.elements().remove();
      cy.add(nodes.map((n) => ({ ...n, position: where.get(n.data.id) || { x: 0, y: 0 } })));
      cy.add(edges);
    });
    cy.fit(undefined, 30);
    if (cy.zoom() > 1.4) { // a few parties: keep them at a reading size, not blown up
      cy.zoom(1.4);
      cy.center();
    }
    document.getElementById('graph-title').textContent = `The alliance as of ${state.as_of}`;
    caption.textContent = `${nodes.length} parties and ${edges.length} links, as known at position ` +
      `${state.known_at.position}${state.min_certainty !== 'rumored' ? `, ${state.min_certainty} or surer` : ''}. ` +
      'Click a party or a link to open it.';
    drawLegend(legend, r, kinds, isolated, hidden, env, ctx);
    drawLinks(links, edges, ctx);
  }
  await update(route, live);
  return { update };
}

function drawLegend(legend, route, kinds, isolated, hidden, env, ctx) {
  clear(legend);
  legend.append(h('h3', null, 'Links'));
  for (const kind of KINDS) {
    const box = h('input', { type: 'checkbox', checked: kinds.includes(kind), 'data-kind': kind });
    box.addEventListener('change', () => {
      const next = KINDS.filter((k) => (k === kind ? box.checked : kinds.includes(k)));
      env.navigate(href('graph', [], { ...ctx, kinds: next.join(','), isolated: isolated ? '1' : null }));
    });
    legend.append(h('label', null, box, h('span', { class: 'swatch', style: null, 'data-color': kind }), KIND_LABELS[kind]));
  }
  const iso = h('input', { type: 'checkbox', checked: isolated, id: 'show-isolated' });
  iso.addEventListener('change', () => env.navigate(href('graph', [], { ...ctx,
    kinds: route.query.get('kinds'), isolated: iso.checked ? '1' : null })));
  legend.append(h('label', null, iso, `parties without a shown link (${hidden.length})`));
  legend.append(h('h3', null, 'Certainty'));
  for (const [level, [, line]] of Object.entries(CERTAINTY)) {
    legend.append(h('div', { class: 'line' }, h('span', { class: `swatch ${line}` }), level));
  }
  legend.append(h('p', { class: 'muted' }, 'Faded: ended. Arrows point from holder to issuer or grantor.'));
  for (const sw of legend.querySelectorAll('[data-color]')) sw.style.borderTopColor = COLORS[sw.dataset.color];
}

function drawLinks(links, edges, ctx) {
  clear(links);
  links.append(h('h2', null, 'Links on this date'));
  const seen = new Set();
  const rows = [];
  for (const e of edges.map((x) => x.data)) {
    const id = `${e.kind}:${e.key.join('/')}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const between = e.members ? e.members.flatMap((m, i) => (i ? [', ', partyLink(m, ctx)] : [partyLink(m, ctx)]))
      : [partyLink(e.source, ctx), ' → ', partyLink(e.target, ctx)];
    rows.push([badge(e.kind, `kind-${e.kind}`), between,
      h('a', { href: href('item', [e.section, ...e.key], ctx), class: 'item-link' }, e.key.join(' / ')),
      e.label || '', badge(e.certainty), badge(e.status)]);
  }
  links.append(rows.length ? table(['kind', 'between', 'item', 'what', 'certainty', 'status'], rows)
    : h('p', { class: 'muted' }, 'No links on this date with these filters.'));
}
