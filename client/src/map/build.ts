import type { Actor } from '../../../shared/schema/actor';
import type { Language } from '../../../shared/schema/common';
import { CLIENTS_NODE, type Flow } from '../../../shared/schema/flow';
import { paletteEntry } from '../../../shared/templates/palette';
import type { MessageKey } from '../i18n/en';
import type { Point } from './layout';
import type { EdgeStyle, LegendItem, MapEdgeView, MapLayer, MapModel, MapNodeView } from './model';

/**
 * Board data → the map's model (pure, so the view, the exports and the tests share it). The
 * translator is passed in: this file does not touch the i18n runes.
 */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export interface ShownFlow {
  flow: Flow;
  style: EdgeStyle;
}

const pairKey = (f: Pick<Flow, 'from' | 'to'>) => `${f.from}->${f.to}`;

/**
 * The flows a layer shows and how. In "difference", flows are compared by who gives to whom:
 * a pair only in the future map is `added`, only in the current map `removed` (would go), in
 * both `kept` — drawn once, from the future map, so the pair is not doubled.
 */
export function flowsOfLayer(flows: readonly Flow[], layer: MapLayer): ShownFlow[] {
  if (layer === 'current' || layer === 'future') return flows.filter((f) => f.layer === layer).map((flow) => ({ flow, style: 'plain' }));
  if (layer === 'both') return flows.map((flow) => ({ flow, style: flow.layer }));
  const currentPairs = new Set(flows.filter((f) => f.layer === 'current').map(pairKey));
  const futurePairs = new Set(flows.filter((f) => f.layer === 'future').map(pairKey));
  const out: ShownFlow[] = [];
  for (const flow of flows) {
    if (flow.layer === 'future') out.push({ flow, style: currentPairs.has(pairKey(flow)) ? 'kept' : 'added' });
    else if (!futurePairs.has(pairKey(flow))) out.push({ flow, style: 'removed' });
  }
  return out;
}

export interface MapInput {
  title: string;
  actors: readonly Actor[];
  flows: readonly Flow[];
  layer: MapLayer;
  positions: Readonly<Record<string, Point>>;
  frame: { width: number; height: number };
  selected: ReadonlySet<string>;
  language: Language;
  /** The facilitator's live view: nodes can be moved. */
  canMove: boolean;
  interactive: boolean;
  idPrefix?: string;
}

export function nodeIdsOf(actors: readonly Pick<Actor, 'id'>[]): string[] {
  return [...actors.map((a) => a.id), CLIENTS_NODE];
}

export function nodeNamer(actors: readonly Actor[], t: Translate): (id: string) => string {
  const names = new Map(actors.map((a) => [a.id, a.name]));
  return (id) => (id === CLIENTS_NODE ? t('map.clients') : (names.get(id) ?? t('map.removedActor')));
}

export function kindWord(kind: Flow['kind'], t: Translate): string {
  return kind === 'tangible' ? t('map.kind.tangible') : t('map.kind.intangible');
}

const STYLE_WORD: Partial<Record<EdgeStyle, MessageKey>> = {
  current: 'map.style.current',
  future: 'map.style.future',
  added: 'map.style.added',
  removed: 'map.style.removed',
  kept: 'map.style.kept',
};

export function styleWord(style: EdgeStyle, t: Translate): string | null {
  const key = STYLE_WORD[style];
  return key ? t(key) : null;
}

/** "A → B: label (intangible)", with the layer's word when layers are compared. */
export function edgeAriaLabel(from: string, to: string, label: string, kind: Flow['kind'], style: EdgeStyle, t: Translate): string {
  const extra = styleWord(style, t);
  const what = extra ? `${kindWord(kind, t)}, ${extra}` : kindWord(kind, t);
  return label ? t('map.edge.aria', { from, to, label, kind: what }) : t('map.edge.ariaNoLabel', { from, to, kind: what });
}

const TAG: Partial<Record<EdgeStyle, MessageKey>> = { future: 'map.tag.future', added: 'map.tag.added', removed: 'map.tag.removed' };

function legendItems(layer: MapLayer, t: Translate): LegendItem[] {
  const items: LegendItem[] = [
    { sample: 'tangible', text: t('map.legend.tangible') },
    { sample: 'intangible', text: t('map.legend.intangible') },
  ];
  if (layer === 'both') items.push({ sample: 'current', text: t('map.legend.current') }, { sample: 'future', text: t('map.legend.future') });
  if (layer === 'difference') {
    items.push({ sample: 'added', text: t('map.legend.added') }, { sample: 'removed', text: t('map.legend.removed') }, { sample: 'kept', text: t('map.legend.kept') });
  }
  return items;
}

const LAYER_TITLE: Record<MapLayer, MessageKey> = {
  current: 'map.title.current',
  future: 'map.title.future',
  both: 'map.title.both',
  difference: 'map.title.difference',
};

export function buildMapModel(input: MapInput, t: Translate): MapModel {
  const name = nodeNamer(input.actors, t);
  const nodes: MapNodeView[] = [];
  const place = (id: string) => input.positions[id] ?? { x: input.frame.width / 2, y: input.frame.height / 2 };
  for (const actor of input.actors) {
    const entry = paletteEntry(actor.color);
    const colour = entry ? entry.name[input.language] : actor.color;
    nodes.push({
      id: actor.id,
      name: actor.name,
      kind: 'actor',
      color: actor.color,
      pattern: entry?.pattern ?? 'none',
      ...place(actor.id),
      ariaLabel: input.canMove ? t('map.node.ariaMovable', { name: actor.name, colour }) : t('map.node.aria', { name: actor.name, colour }),
      movable: input.canMove,
    });
  }
  const clientsName = t('map.clients');
  nodes.push({
    id: CLIENTS_NODE,
    name: clientsName,
    kind: 'clients',
    color: '#ffffff',
    pattern: 'none',
    ...place(CLIENTS_NODE),
    ariaLabel: input.canMove ? t('map.node.ariaMovableClients', { name: clientsName }) : clientsName,
    movable: input.canMove,
  });
  const known = new Set(nodes.map((n) => n.id));
  const shown = flowsOfLayer(input.flows, input.layer).filter(({ flow }) => known.has(flow.from) && known.has(flow.to));
  const edges: MapEdgeView[] = shown.map(({ flow, style }) => {
    const tag = TAG[style];
    return {
      id: flow.id,
      from: flow.from,
      to: flow.to,
      kind: flow.kind,
      style,
      label: flow.label,
      tag: tag ? t(tag) : null,
      ariaLabel: edgeAriaLabel(name(flow.from), name(flow.to), flow.label, flow.kind, style, t),
      selected: input.selected.has(flow.id),
    };
  });
  const tangible = edges.filter((e) => e.kind === 'tangible').length;
  const workshop = input.title ? `${input.title} — ` : '';
  return {
    title: `${workshop}${t(LAYER_TITLE[input.layer])}`,
    description: t('map.description', { actors: input.actors.length, flows: edges.length, tangible, intangible: edges.length - tangible }),
    frame: input.frame,
    nodes,
    edges,
    legend: { heading: t('map.legend.heading'), items: legendItems(input.layer, t) },
    interactive: input.interactive,
    idPrefix: input.idPrefix ?? 'vm',
    emptyText: t('map.empty'),
  };
}
