/**
 * The part of Konva the canvas uses: the core (stage, layers, groups, animation, tweens) and only
 * the shapes the wall draws — Konva's "minimal bundle" (https://konvajs.org/docs/how-to/Import_Konva.html).
 * The full `konva` entry also pulls in every other shape and all filters, about a third of the
 * client's main chunk. Import this module as a namespace (`import * as Konva from './konva'`), so
 * `Konva.Rect` etc. work as both values and types under TS strict. Add a shape here before using it:
 * a shape that is not imported is neither constructible nor found by `Node.create`.
 */
import Core from 'konva/lib/Core';

/** Konva's global settings (dragDistance, hitOnDragEnabled, …). */
export const Global = Core;

export { Node } from 'konva/lib/Node';
export { Container } from 'konva/lib/Container';
export { Stage } from 'konva/lib/Stage';
export { Layer } from 'konva/lib/Layer';
export { Group } from 'konva/lib/Group';
export { Animation } from 'konva/lib/Animation';
export { Easings } from 'konva/lib/Tween';

export { Arc } from 'konva/lib/shapes/Arc';
export { Circle } from 'konva/lib/shapes/Circle';
export { Image } from 'konva/lib/shapes/Image';
export { Line } from 'konva/lib/shapes/Line';
export { Path } from 'konva/lib/shapes/Path';
export { Rect } from 'konva/lib/shapes/Rect';
export { Text, type TextConfig } from 'konva/lib/shapes/Text';
export { Shape } from 'konva/lib/Shape';
