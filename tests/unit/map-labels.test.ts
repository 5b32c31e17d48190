import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/schema/actor';
import { CLIENTS_NODE, type Flow } from '../../shared/schema/flow';
import { en, type MessageKey } from '../../client/src/i18n/en';
import { buildMapModel, nodeIdsOf, type Translate } from '../../client/src/map/build';
import { boxesOverlap, placeLabels, routeEdge, type Box } from '../../client/src/map/geometry';
import { frameFor, layoutMap, seededRandom } from '../../client/src/map/layout';
import { NODE_HEIGHT, NODE_RADIUS, NODE_WIDTH, type MapLayer } from '../../client/src/map/model';
import { renderMapSvg, titleLines } from '../../client/src/map/svg';

/**
 * The map's labels on crowded maps: no label covers another label or a node, whatever the
 * layer, and the title is never cut. Checked on the SVG text itself (the boxes it draws).
 */
const t: Translate = (key: MessageKey, params) => en[key].replace(/\{(\w+)\}/g, (m, name: string) => (params && name in params ? String(params[name]) : m));

const WORDS = ['meeting rooms', 'funding', 'volunteers', 'know-how', 'transport', 'contacts with residents', 'learning environments', 'trust', 'equipment', 'feedback', 'premises in the villages', 'project-based learning', 'networks'];
const COLORS = ['#77aadd', '#ee8866', '#eedd88', '#ffaabb', '#99ddff', '#44bb99', '#bbcc33', '#aaaa00'];

function crowdedMap(seed: number, actorCount = 8, flowsPerLayer = 20) {
  const random = seededRandom(seed);
  const actors: Actor[] = Array.from({ length: actorCount }, (_, i) => ({ id: `Actor${String(i).padStart(11, '0')}`, name: `Actor number ${i + 1}`, color: COLORS[i % COLORS.length]!, order: i }));
  const ids = nodeIdsOf(actors);
  const pick = () => ids[Math.floor(random() * ids.length)]!;
  const flows: Flow[] = [];
  for (const layer of ['current', 'future'] as const) {
    for (let i = 0; i < flowsPerLayer; i++) {
      let from = pick();
      let to = pick();
      while (to === from) to = pick();
      if (random() < 0.2) [from, to] = [CLIENTS_NODE, to === CLIENTS_NODE ? ids[0]! : to];
      const words = Array.from({ length: 1 + Math.floor(random() * 4) }, () => WORDS[Math.floor(random() * WORDS.length)]!);
      flows.push({ id: `Flow${layer[0]}${String(i).padStart(11, '0')}`, from, to, kind: random() < 0.5 ? 'tangible' : 'intangible', layer, label: words.join('; '), noteRefs: [] });
    }
  }
  const frame = frameFor(ids.length, flows.length);
  const positions = layoutMap(ids.map((id) => ({ id, radius: NODE_RADIUS })), flows, {}, { frame, centerId: CLIENTS_NODE, seed: 1 });
  return { actors, flows, positions, frame };
}

const num = (s: string, name: string) => Number(new RegExp(`\\b${name}="(-?[\\d.]+)"`).exec(s)![1]);

function labelBoxes(svg: string): Box[] {
  const groups = svg.match(/<g class="vm-label"[^>]*>.*?<\/g>/g) ?? [];
  return groups.map((g) => {
    const rect = /<rect [^>]*>/.exec(g)![0];
    return { x: num(rect, 'x'), y: num(rect, 'y'), width: num(rect, 'width'), height: num(rect, 'height') };
  });
}

describe('map labels', () => {
  for (const layer of ['both', 'difference', 'current'] as MapLayer[]) {
    for (const seed of [1, 2, 3, 4]) {
      it(`8 actors × 20 flows per layer, ${layer}, seed ${seed}: no label overlaps another label or a node`, () => {
        const { actors, flows, positions, frame } = crowdedMap(seed);
        const model = buildMapModel({ title: 'Crowded', actors, flows, layer, positions, frame, selected: new Set(), language: 'en', canMove: false, interactive: false }, t);
        const svg = renderMapSvg(model);
        const labels = labelBoxes(svg);
        expect(labels.length).toBe(model.edges.length);
        expect(model.edges.length).toBeGreaterThanOrEqual(layer === 'both' ? 40 : 15);
        const nodes = model.nodes.map((n) => ({ x: n.x - NODE_WIDTH / 2, y: n.y - NODE_HEIGHT / 2, width: NODE_WIDTH, height: NODE_HEIGHT }));
        for (let i = 0; i < labels.length; i++) {
          for (const node of nodes) expect(boxesOverlap(labels[i]!, node), `label ${i} over a node`).toBe(false);
          for (let j = i + 1; j < labels.length; j++) expect(boxesOverlap(labels[i]!, labels[j]!), `labels ${i} and ${j}`).toBe(false);
        }
        // Every label is inside the drawing.
        const [vx, vy, vw, vh] = /viewBox="([^"]+)"/.exec(svg)![1]!.split(' ').map(Number) as [number, number, number, number];
        for (const b of labels) {
          expect(b.x).toBeGreaterThanOrEqual(vx);
          expect(b.y).toBeGreaterThanOrEqual(vy);
          expect(b.x + b.width).toBeLessThanOrEqual(vx + vw);
          expect(b.y + b.height).toBeLessThanOrEqual(vy + vh);
        }
        // Most labels sit on their arrow; the one-line form ("…") is a rare last resort.
        const shortened = (svg.match(/data-shortened="2"/g) ?? []).length;
        const leaders = (svg.match(/stroke-dasharray="2 3"/g) ?? []).length;
        expect(shortened).toBeLessThanOrEqual(Math.ceil(labels.length / 10));
        expect(leaders).toBeLessThanOrEqual(Math.ceil(labels.length / 2));
      });
    }
  }

  it('a label that cannot fit anywhere near is shortened, with its whole text in a tooltip', () => {
    // Twelve labels on one short arrow between two nodes: the later ones must go elsewhere.
    const route = routeEdge({ x: 0, y: 0 }, { x: 300, y: 0 }, 'a', 'b', 0);
    const requests = Array.from({ length: 30 }, (_, i) => ({ id: `l${i}`, route, sizes: [{ width: 180, height: 53 }, { width: 110, height: 23 }] }));
    const nodes = [{ x: -90, y: -36, width: 180, height: 72 }, { x: 210, y: -36, width: 180, height: 72 }];
    const placed = [...placeLabels(requests, nodes).values()];
    expect(placed.some((p) => p.size === 1)).toBe(true);
    expect(placed.some((p) => p.leader)).toBe(true);
    for (let i = 0; i < placed.length; i++) {
      for (const node of nodes) expect(boxesOverlap(placed[i]!.box, node)).toBe(false);
      for (let j = i + 1; j < placed.length; j++) expect(boxesOverlap(placed[i]!.box, placed[j]!.box)).toBe(false);
    }
  });

  it('the title is never cut: long titles wrap and the drawing makes room', () => {
    const { actors, flows, positions, frame } = crowdedMap(5, 2, 2);
    const long = 'Hyvinvointialueen, kuntien, järjestöjen ja korkeakoulujen yhteinen arvoverkostotyöpaja kylien palveluista';
    const model = buildMapModel({ title: long, actors, flows, layer: 'difference', positions, frame, selected: new Set(), language: 'en', canMove: false, interactive: false }, t);
    const svg = renderMapSvg(model);
    const lines = [...svg.matchAll(/<text class="vm-title"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join(' ')).toBe(model.title);
    const [vx, , vw] = /viewBox="([^"]+)"/.exec(svg)![1]!.split(' ').map(Number) as [number, number, number];
    for (const line of lines) expect(vx + 28 + line.length * 22 * 0.62).toBeLessThanOrEqual(vx + vw + 0.5);
    expect(titleLines('Short', 800)).toEqual(['Short']);
  });
});
