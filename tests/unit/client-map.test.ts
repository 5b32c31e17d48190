import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/schema/actor';
import { CLIENTS_NODE, type Flow } from '../../shared/schema/flow';
import { templateQuestions } from '../../shared/templates/questions';
import { en, type MessageKey } from '../../client/src/i18n/en';
import { fi } from '../../client/src/i18n/fi';
import { buildMapModel, flowsOfLayer, type MapInput, type Translate } from '../../client/src/map/build';
import { curveOffsets, routeEdge, wrapText } from '../../client/src/map/geometry';
import { frameFor, layoutMap, seededRandom, type LayoutNode } from '../../client/src/map/layout';
import { NODE_RADIUS, type MapModel } from '../../client/src/map/model';
import { suggestFlows, suggestionsFor } from '../../client/src/map/suggest';
import { escapeXml, renderMapSvg } from '../../client/src/map/svg';
import type { AuthoredNote } from '../../client/src/sync/types';
import type { AnalysisSnapshot } from '../../shared/read/analysis';

const tr = (catalogue: Record<MessageKey, string>): Translate => (key, params) =>
  catalogue[key].replace(/\{(\w+)\}/g, (m, name: string) => (params && name in params ? String(params[name]) : m));
const t = tr(en);

const actor = (name: string, order: number, color: string): Actor => ({ id: `${name}`.padEnd(16, 'x').slice(0, 16), name, color, order });
const ASSOC = actor('Associations', 1, '#77aadd');
const LINKKU = actor('LINKKU', 2, '#ee8866');
const STUDENTS = actor('Students', 3, '#eedd88');
const ACTORS = [ASSOC, LINKKU, STUDENTS];

let flowSeq = 0;
const flow = (from: string, to: string, extra: Partial<Flow> = {}): Flow => ({
  id: `Flow${String(++flowSeq).padStart(12, '0')}`, from, to, kind: 'intangible', layer: 'current', label: '', noteRefs: [], ...extra,
});

const nodes = (n: number): LayoutNode[] => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, radius: NODE_RADIUS }));

function randomEdges(n: number, count: number, seed: number) {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => ({ from: `n${Math.floor(random() * n)}`, to: `n${Math.floor(random() * n)}` }));
}

function expectNoOverlap(positions: Record<string, { x: number; y: number }>, layoutNodes: LayoutNode[]) {
  for (let i = 0; i < layoutNodes.length; i++) {
    for (let j = i + 1; j < layoutNodes.length; j++) {
      const a = layoutNodes[i]!;
      const b = layoutNodes[j]!;
      const d = Math.hypot(positions[a.id]!.x - positions[b.id]!.x, positions[a.id]!.y - positions[b.id]!.y);
      expect(d, `${a.id} and ${b.id} overlap`).toBeGreaterThanOrEqual(a.radius + b.radius);
    }
  }
}

describe('map layout (d3-force, synchronous)', () => {
  it('is deterministic: the same nodes, edges and stored positions give the same map', () => {
    const ns = nodes(7);
    const es = randomEdges(7, 12, 3);
    const first = layoutMap(ns, es, {}, { centerId: 'n6' });
    const second = layoutMap(ns, es, {}, { centerId: 'n6' });
    expect(second).toEqual(first);
    // …and does not depend on the order the flows arrive in.
    expect(layoutMap(ns, [...es].reverse(), {}, { centerId: 'n6' })).toEqual(first);
  });

  it.each([2, 4, 8, 13, 25])('keeps %i nodes apart and inside the frame', (n) => {
    const ns = nodes(n);
    const frame = frameFor(n);
    const positions = layoutMap(ns, randomEdges(n, n * 2, n), {}, { frame, centerId: `n${n - 1}` });
    expect(Object.keys(positions).sort()).toEqual(ns.map((x) => x.id).sort());
    expectNoOverlap(positions, ns);
    for (const p of Object.values(positions)) {
      expect(p.x).toBeGreaterThanOrEqual(NODE_RADIUS - 1);
      expect(p.x).toBeLessThanOrEqual(frame.width - NODE_RADIUS + 1);
      expect(p.y).toBeGreaterThanOrEqual(NODE_RADIUS - 1);
      expect(p.y).toBeLessThanOrEqual(frame.height - NODE_RADIUS + 1);
    }
  });

  it('separates nodes with no edges at all (a fresh workshop)', () => {
    const ns = nodes(6);
    expectNoOverlap(layoutMap(ns, [], {}), ns);
  });

  it('pins stored positions exactly and lays the others out around them', () => {
    const ns = nodes(6);
    const stored = { n0: { x: 500, y: 300 }, n3: { x: 820, y: 520 } };
    const positions = layoutMap(ns, randomEdges(6, 9, 5), stored);
    expect(positions.n0).toEqual(stored.n0);
    expect(positions.n3).toEqual(stored.n3);
    expectNoOverlap(positions, ns);
    // A node stored where the automatic layout would have put another pushes that one away.
    const crowded = layoutMap(ns, [], { n1: { ...layoutMap(ns, [], {}).n2! } });
    expect(crowded.n1).toEqual(layoutMap(ns, [], {}).n2);
    expectNoOverlap(crowded, ns);
  });

  it('ignores stored positions of nodes that are gone and flows to unknown nodes', () => {
    const ns = nodes(3);
    const positions = layoutMap(ns, [{ from: 'n0', to: 'ghost' }], { ghost: { x: 1, y: 1 } });
    expect(Object.keys(positions).sort()).toEqual(['n0', 'n1', 'n2']);
  });
});

describe('edge geometry', () => {
  it('curves several flows between the same pair apart, in either direction', () => {
    const edges = [
      { id: 'a', from: 'A', to: 'B' },
      { id: 'b', from: 'B', to: 'A' },
      { id: 'c', from: 'A', to: 'C' },
    ];
    const offsets = curveOffsets(edges);
    expect(offsets.get('c')).toBe(0);
    expect(offsets.get('a')).not.toBe(offsets.get('b'));
    const ab = routeEdge({ x: 0, y: 0 }, { x: 400, y: 0 }, 'A', 'B', offsets.get('a')!);
    const ba = routeEdge({ x: 400, y: 0 }, { x: 0, y: 0 }, 'B', 'A', offsets.get('b')!);
    expect(Math.sign(ab.mid.y)).not.toBe(Math.sign(ba.mid.y));
    expect(Math.abs(ab.mid.y - ba.mid.y)).toBeGreaterThan(30);
    expect(routeEdge({ x: 0, y: 0 }, { x: 400, y: 0 }, 'A', 'C', 0).path).toMatch(/^M[\d.]+ 0 L[\d.]+ 0$/);
  });

  it('wraps long labels into lines with an ellipsis', () => {
    expect(wrapText('short', 30, 2)).toEqual(['short']);
    const lines = wrapText('Expertise in project-based learning; learning environments for students; networks', 30, 2);
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.length <= 30)).toBe(true);
    expect(lines[1]!.endsWith('…')).toBe(true);
  });
});

describe('layers', () => {
  const current = flow(ASSOC.id, LINKKU.id, { layer: 'current' });
  const gone = flow(ASSOC.id, CLIENTS_NODE, { layer: 'current' });
  const stays = flow(LINKKU.id, STUDENTS.id, { layer: 'future' });
  const before = flow(LINKKU.id, STUDENTS.id, { layer: 'current' });
  const added = flow(STUDENTS.id, ASSOC.id, { layer: 'future' });
  const all = [current, gone, stays, before, added];

  it('shows one layer, both, or the difference by who gives to whom', () => {
    expect(flowsOfLayer(all, 'current').map((s) => s.flow.id)).toEqual([current.id, gone.id, before.id]);
    expect(flowsOfLayer(all, 'future').every((s) => s.style === 'plain')).toBe(true);
    expect(flowsOfLayer(all, 'both').map((s) => s.style)).toEqual(['current', 'current', 'future', 'current', 'future']);
    const diff = new Map(flowsOfLayer(all, 'difference').map((s) => [s.flow.id, s.style]));
    expect(diff.get(added.id)).toBe('added');
    expect(diff.get(stays.id)).toBe('kept');
    expect(diff.get(current.id)).toBe('removed');
    expect(diff.get(gone.id)).toBe('removed');
    // The current flow of a pair that stays is not drawn a second time.
    expect(diff.has(before.id)).toBe(false);
  });
});

function model(flows: Flow[], extra: Partial<MapInput> = {}, translate = t): MapModel {
  const frame = frameFor(ACTORS.length + 1);
  const ids = [...ACTORS.map((a) => a.id), CLIENTS_NODE];
  const positions = layoutMap(ids.map((id) => ({ id, radius: NODE_RADIUS })), flows, {}, { frame, centerId: CLIENTS_NODE });
  return buildMapModel(
    { title: 'LINKKU', actors: ACTORS, flows, layer: 'current', positions, frame, selected: new Set(), language: 'en', canMove: false, interactive: false, ...extra },
    translate,
  );
}

/** A small well-formedness check: every tag closed in order, attributes quoted. */
function expectWellFormed(xml: string) {
  const stack: string[] = [];
  for (const match of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (selfClosing) continue;
    if (closing) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  expect(xml.replace(/<[^>]*>/g, '')).not.toMatch(/[<>]/);
  expect(xml.replace(/<[^>]*>/g, '')).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
}

describe('renderMapSvg', () => {
  const tangible = flow(ASSOC.id, LINKKU.id, { kind: 'tangible', label: 'Premises for events' });
  const intangible = flow(LINKKU.id, STUDENTS.id, { kind: 'intangible', label: 'Learning <environments> & "real" clients' });
  const toClients = flow(STUDENTS.id, CLIENTS_NODE, { kind: 'intangible', label: 'Fresh ideas' });

  it('draws every actor and the clients, with the test and flow attributes', () => {
    const svg = renderMapSvg(model([tangible, intangible, toClients]));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('data-testid="value-map"');
    for (const name of ['Associations', 'LINKKU', 'Students']) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toMatch(/data-node-id="clients" aria-label="Clients \/ residents"><title>Clients \/ residents<\/title>.*>Clients \/<\/text>.*>residents<\/text>/);
    for (const a of ACTORS) expect(svg).toContain(`data-node-id="${a.id}"`);
    expect(svg).toContain(`data-flow-id="${tangible.id}" data-from="${ASSOC.id}" data-to="${LINKKU.id}"`);
    expect(svg).toContain(`data-to="${CLIENTS_NODE}"`);
    expectWellFormed(svg);
  });

  it('strokes intangible flows dashed and tangible ones solid', () => {
    const svg = renderMapSvg(model([tangible, intangible]));
    const lineOf = (id: string) => new RegExp(`data-flow-id="${id}"[^>]*>.*?<path class="vm-line"([^>]*)/>`).exec(svg)?.[1] ?? '';
    expect(lineOf(intangible.id)).toContain('stroke-dasharray="9 6"');
    expect(lineOf(tangible.id)).not.toContain('stroke-dasharray');
    expect(lineOf(tangible.id)).toContain('marker-end="url(#vm-arrow-plain)"');
    // The legend says it in words.
    expect(svg).toContain('solid line: tangible value');
    expect(svg).toContain('dashed line: intangible value');
  });

  it('escapes labels and names in text and attributes', () => {
    const evil = { ...ASSOC, name: 'A&B <script>"x"</script>' };
    const svg = renderMapSvg(
      buildMapModel(
        { ...model([]), title: 'T', actors: [evil], flows: [flow(evil.id, CLIENTS_NODE, { label: '<img onerror="x">' })], layer: 'current', positions: {}, frame: frameFor(2), selected: new Set(), language: 'en', canMove: false, interactive: true },
        t,
      ),
    );
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('A&amp;B &lt;script&gt;');
    expect(svg).toContain('&lt;img onerror=&quot;x&quot;&gt;');
    expectWellFormed(svg);
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('labels every edge for screen readers: "A → B: label (intangible)"', () => {
    const svg = renderMapSvg(model([intangible, toClients, flow(ASSOC.id, STUDENTS.id, { kind: 'tangible' })]));
    expect(svg).toContain('aria-label="LINKKU → Students: Learning &lt;environments&gt; &amp; &quot;real&quot; clients (intangible)"');
    expect(svg).toContain('aria-label="Students → Clients / residents: Fresh ideas (intangible)"');
    expect(svg).toContain('aria-label="Associations → Students (tangible)"');
    expect(svg).toMatch(/<title id="vm-title">LINKKU — Value network map: current<\/title>/);
    expect(svg).toContain('<desc id="vm-desc">');
  });

  it('marks the difference in words as well as colour', () => {
    const svg = renderMapSvg(model([flow(ASSOC.id, LINKKU.id, { layer: 'future', label: 'Networks' }), flow(STUDENTS.id, LINKKU.id, { label: 'Projects' })], { layer: 'difference' }));
    expect(svg).toContain('>+ added</text>');
    expect(svg).toContain('>− would go</text>');
    expect(svg).toContain('green, thick');
    expect(svg).toContain('(intangible, added in the future)');
  });

  it('makes edges focusable buttons only in the live view', () => {
    const live = renderMapSvg(model([tangible], { interactive: true, canMove: true }));
    expect(live).toMatch(/class="vm-edge"[^>]*role="button" tabindex="0"/);
    expect(live).toMatch(/class="vm-node"[^>]*role="button" tabindex="0"/);
    const exported = renderMapSvg(model([tangible]));
    expect(exported).not.toContain('tabindex');
  });

  it('speaks Finnish with the Finnish catalogue', () => {
    const svg = renderMapSvg(model([tangible], { language: 'fi' }, tr(fi)));
    expect(svg).toContain('Arvoverkkokartta: nykytila');
    expect(svg).toContain('Asiakkaat / asukkaat');
    expect(svg).toContain('(aineellinen)');
    expect(svg).toContain('vaaleansininen');
  });
});

describe('suggestions', () => {
  const questions = templateQuestions('value-network');
  let seq = 0;
  const note = (actorId: string, questionId: string, text: string, aboutActorId: string | null = null, draft = false): AuthoredNote => ({
    id: `Note${String(++seq).padStart(12, '0')}`, questionId, text, x: 0, y: 0, createdAt: seq, aboutActorId,
    participantId: `P${actorId.slice(0, 15)}`, authorName: 'Anna', actorId, mine: false, draft,
  });
  const notes = [
    note(ASSOC.id, '1a', 'Volunteers', LINKKU.id),
    note(ASSOC.id, '1a', 'Premises', LINKKU.id),
    note(LINKKU.id, '1b', 'Mobile services'),
    note(STUDENTS.id, '2a', 'Learning environment', LINKKU.id),
    note(STUDENTS.id, '1b', 'secret draft', null, true),
  ];
  const ref = (n: AuthoredNote) => `${n.participantId}/${n.id}`;
  const analysis: AnalysisSnapshot = { themes: [], themeOf: {}, matrix: [], flows: [], actions: [], readMarks: {}, mapLayout: {} };

  it('proposes current flows from the wall notes, not from drafts', () => {
    const out = suggestionsFor({ notes, questions, analysis, actors: ACTORS }, [], 'current');
    const pairs = out.map((s) => `${s.from}->${s.to}`);
    expect(pairs).toContain(`${ASSOC.id}->${LINKKU.id}`);
    expect(pairs).toContain(`${LINKKU.id}->${CLIENTS_NODE}`);
    expect(pairs).toContain(`${LINKKU.id}->${STUDENTS.id}`);
    expect(out.some((s) => s.label.includes('secret'))).toBe(false);
  });

  it('leaves out what is on the map and proposes only the newer notes of a pair', () => {
    const proposed = [{ from: ASSOC.id, to: LINKKU.id, noteRefs: [ref(notes[0]!), ref(notes[1]!)], label: 'Volunteers; Premises', kind: 'tangible' as const }];
    const onMap = flow(ASSOC.id, LINKKU.id, { noteRefs: [ref(notes[0]!)] });
    const [partial] = suggestFlows(proposed, [onMap], 'current', notes);
    // The kind is guessed again from what is left: premises are tangible.
    expect(partial).toMatchObject({ noteRefs: [ref(notes[1]!)], label: 'Premises', kind: 'tangible', existingFlowId: onMap.id, layer: 'current' });
    expect(suggestFlows(proposed, [{ ...onMap, noteRefs: proposed[0]!.noteRefs }], 'current', notes)).toEqual([]);
    // A flow on the other layer does not count.
    expect(suggestFlows(proposed, [{ ...onMap, layer: 'future', noteRefs: proposed[0]!.noteRefs }], 'current', notes)).toHaveLength(1);
  });
});
