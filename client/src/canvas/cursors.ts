import * as Konva from './konva';
import type { PresenceEntry } from '../sync/types';
import type { KeyedRenderer } from './reconcile';
import { FONT, INK, shade } from './theme';

/**
 * Other people's pointers: a small arrow in their actor's colour with their name. Drawn at a
 * constant screen size whatever the zoom, and glided towards each new position (presence arrives
 * about twenty times a second) rather than jumping.
 */
export type CursorItem = PresenceEntry & { cursor: { x: number; y: number } };

const ARROW = 'M0 0 L0 17 L4.6 12.8 L7.6 19.6 L10.6 18.3 L7.7 11.6 L13.6 11.4 Z';

export function cursorRenderer(measure: (text: string, size: number) => number): KeyedRenderer<CursorItem, Konva.Group> {
  return {
    key: (c) => String(c.clientId),
    signature: (c) => `${c.name}|${c.color}|${c.cursor.x}|${c.cursor.y}`,
    create: (c) => {
      const group = new Konva.Group({ x: c.cursor.x, y: c.cursor.y, listening: false });
      group.add(
        new Konva.Path({ name: 'arrow', data: ARROW, strokeWidth: 1.4, lineJoin: 'round', shadowColor: '#000', shadowBlur: 3, shadowOpacity: 0.25, shadowOffsetY: 1 }),
        new Konva.Rect({ name: 'label', x: 12, y: 20, height: 22, cornerRadius: 11 }),
        new Konva.Text({ name: 'name', x: 12, y: 20, height: 22, fontFamily: FONT, fontSize: 12.5, fontStyle: 'bold', fill: INK, align: 'center', verticalAlign: 'middle' }),
      );
      return group;
    },
    update: (group, c) => {
      const edge = shade(c.color, -0.55);
      group.findOne<Konva.Path>('.arrow')!.setAttrs({ fill: c.color, stroke: edge });
      const width = Math.ceil(measure(c.name, 12.5) + 18);
      group.findOne<Konva.Rect>('.label')!.setAttrs({ width, fill: c.color, stroke: edge, strokeWidth: 1 });
      group.findOne<Konva.Text>('.name')!.setAttrs({ width, text: c.name });
      group.setAttr('target', c.cursor);
    },
  };
}

/** Moves each cursor a step towards its target; returns true while any is still moving. */
export function glideCursors(nodes: Iterable<Konva.Group>, scale: number): boolean {
  let moving = false;
  for (const node of nodes) {
    node.scale({ x: 1 / scale, y: 1 / scale });
    const target = node.getAttr('target') as { x: number; y: number } | undefined;
    if (!target) continue;
    const dx = target.x - node.x();
    const dy = target.y - node.y();
    if (Math.abs(dx) * scale < 0.5 && Math.abs(dy) * scale < 0.5) {
      node.position(target);
      continue;
    }
    // A large jump (someone moved to another flipchart) is taken at once.
    if (Math.hypot(dx, dy) * scale > 600) node.position(target);
    else node.position({ x: node.x() + dx * 0.35, y: node.y() + dy * 0.35 });
    moving = true;
  }
  return moving;
}
