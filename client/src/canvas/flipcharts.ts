import * as Konva from './konva';
import { paletteEntry } from '../../../shared/templates/palette';
import type { Language } from '../../../shared/schema/common';
import { AREA_HEADER, FLIPCHART_HEADER, NOTE_GAP, SUBAREA_HEADER, questionText, type AreaLayout, type FlipchartLayout } from '../model/layout';
import { fitText } from '../model/text';
import { measureFor, sizeForWords } from './measure';
import { patternImage } from './patterns';
import type { KeyedRenderer } from './reconcile';
import { BODY_FILL, BODY_STROKE, FONT, INK, MUTED, PAPER, shade, type Typography } from './theme';

/**
 * The static paper: one group per flipchart (header band in the actor's colour with its pattern
 * and name, the questions as headings, the per-actor sub-areas, dashed bodies where notes go).
 * Rebuilt per flipchart only when its geometry or labels change. Nothing here listens to events.
 */
export interface FlipchartContext {
  language: Language;
  myActorId: string | null;
  /** Area keys that hold at least one note (empty ones on your own flipchart get a hint). */
  filledAreas: ReadonlySet<string>;
  type: Typography;
  /** Whether you can add notes under a question now (the hint shows only there). */
  canAddIn: (questionId: string) => boolean;
  /** The facilitator locked this flipchart (or the whole wall). */
  isLocked: (actorId: string) => boolean;
  labels: { about: (name: string) => string; addHint: string; yours: string; locked: string };
}

/**
 * A Konva Text of the paper that draws only when it can be seen: not off the canvas, and not when
 * it would be under 3 device pixels tall (grey noise far out; the notes' own level of detail
 * stops at a similar size). Konva draws every node of a layer on every frame of a pan or zoom and
 * re-measures a Text's font each time; the measurement is kept per font here. Still a `Text`
 * (className and all) for whatever looks for the wall's texts.
 */
type Metrics = ReturnType<Konva.Text['measureSize']>;

class PaperText extends Konva.Text {
  private metrics: { font: string; value: Metrics } | null = null;

  override _sceneFunc(context: Parameters<Konva.Text['_sceneFunc']>[0]): void {
    const g = context._context;
    const m = g.getTransform();
    if (this.fontSize() * m.d < 3) return;
    const left = m.e;
    const top = m.f;
    if (left > g.canvas.width || top > g.canvas.height || left + m.a * this.width() < 0 || top + m.d * this.height() < 0) return;
    super._sceneFunc(context);
  }

  override measureSize(text: string): Metrics {
    if (text !== 'M') return super.measureSize(text);
    const font = this._getContextFont();
    if (this.metrics?.font !== font) this.metrics = { font, value: super.measureSize(text) };
    return this.metrics.value;
  }
}

/**
 * A flipchart's question texts, kept across its rebuilds. A flipchart is rebuilt whenever its
 * geometry changes — while a workshop's documents arrive, with nearly every one — and making a
 * Konva Text measures it; a text with the same content, font and box is taken back and only moved.
 */
class TextPool {
  private readonly free = new Map<string, PaperText[]>();

  /** Takes the pooled texts out of the group before it is emptied. */
  collect(group: Konva.Group): void {
    for (const child of [...group.getChildren()]) {
      const key = child instanceof PaperText ? (child.getAttr('poolKey') as string | undefined) : undefined;
      if (!key || !(child instanceof PaperText)) continue;
      child.remove();
      const list = this.free.get(key);
      if (list) list.push(child);
      else this.free.set(key, [child]);
    }
  }

  take(config: Konva.TextConfig): PaperText {
    const { x = 0, y = 0, ...rest } = config;
    const key = JSON.stringify(rest);
    const reused = this.free.get(key)?.pop();
    if (reused) {
      reused.position({ x, y });
      return reused;
    }
    const text = new PaperText(config);
    text.setAttr('poolKey', key);
    return text;
  }

  destroyUnused(): void {
    for (const list of this.free.values()) for (const text of list) text.destroy();
    this.free.clear();
  }
}

const pools = new WeakMap<Konva.Group, TextPool>();

export function flipchartRenderer(ctx: () => FlipchartContext): KeyedRenderer<FlipchartLayout, Konva.Group> {
  return {
    key: (fc) => fc.actor.id,
    signature: (fc) => {
      const c = ctx();
      const mine = fc.actor.id === c.myActorId;
      return JSON.stringify([
        fc.x, fc.y, fc.width, fc.height, fc.actor.name, fc.actor.color, c.language, mine, c.type.actorName, c.labels, c.isLocked(fc.actor.id),
        fc.areas.map((a) => [a.key, a.y, a.height, a.aboutActor?.name, a.aboutActor?.color, a.question.text, mine && !c.filledAreas.has(a.key) && c.canAddIn(a.question.id)]),
      ]);
    },
    create: () => new Konva.Group({ listening: false }),
    update: (group, fc) => {
      let pool = pools.get(group);
      if (!pool) pools.set(group, (pool = new TextPool()));
      pool.collect(group);
      group.destroyChildren();
      group.position({ x: fc.x, y: fc.y });
      drawFlipchart(group, fc, ctx(), pool);
      pool.destroyUnused();
    },
  };
}

function drawFlipchart(group: Konva.Group, fc: FlipchartLayout, c: FlipchartContext, pool: TextPool): void {
  const mine = fc.actor.id === c.myActorId;
  group.add(
    // A drop shadow as translucent sheets, not a blur: blurring a sheet this size is the most
    // expensive thing software rendering does, on every frame of a pan.
    new Konva.Rect({ x: -3, y: 0, width: fc.width + 6, height: fc.height + 6, fill: 'rgba(27,39,51,0.05)', cornerRadius: 9, perfectDrawEnabled: false }),
    new Konva.Rect({ x: -1, y: 1, width: fc.width + 2, height: fc.height + 3, fill: 'rgba(27,39,51,0.08)', cornerRadius: 7, perfectDrawEnabled: false }),
    new Konva.Rect({ width: fc.width, height: fc.height, fill: PAPER, cornerRadius: 6 }),
    new Konva.Rect({ width: fc.width, height: FLIPCHART_HEADER, fill: fc.actor.color, cornerRadius: [6, 6, 0, 0] }),
  );
  const pattern = paletteEntry(fc.actor.color)?.pattern ?? 'none';
  // The pattern fills the right part of the band, leaving the name on plain colour.
  const patternWidth = Math.min(280, fc.width / 3);
  const image = patternImage(pattern, patternWidth, FLIPCHART_HEADER, shade(fc.actor.color, -0.4));
  if (image) group.add(new Konva.Image({ image, x: fc.width - patternWidth, width: patternWidth, height: FLIPCHART_HEADER }));
  const tagWidth = mine ? Math.ceil(measureFor('bold')(c.labels.yours, 15) + 28) : 0;
  const nameRoom = fc.width - 48 - patternWidth / 2 - (mine ? tagWidth + 16 : 0);
  const name = new PaperText({
    x: 24, y: 0, height: FLIPCHART_HEADER,
    text: fc.actor.name, fontFamily: FONT, fontSize: c.type.actorName, fontStyle: 'bold', fill: INK,
    verticalAlign: 'middle', wrap: 'none', ellipsis: true,
  });
  // Konva measures the bold face itself; a long name gets an ellipsis only when it really does not fit.
  const nameWidth = Math.min(nameRoom, Math.ceil(name.width()) + 2);
  name.width(nameWidth);
  group.add(name);
  let tagX = 24 + nameWidth + 16;
  if (mine) {
    const tag = new Konva.Group({ x: tagX, y: FLIPCHART_HEADER / 2 - 14 });
    tag.add(
      new Konva.Rect({ width: tagWidth, height: 30, fill: INK, cornerRadius: 15 }),
      new PaperText({ width: tagWidth, height: 30, text: c.labels.yours, fontFamily: FONT, fontSize: 15, fontStyle: 'bold', fill: PAPER, align: 'center', verticalAlign: 'middle' }),
    );
    group.add(tag);
    tagX += tagWidth + 10;
  }
  if (c.isLocked(fc.actor.id)) group.add(lockTag(c.labels.locked, tagX, FLIPCHART_HEADER / 2 - 14));
  for (const row of questionRows(fc.areas)) drawQuestion(group, fc, row, c, mine, pool);
}

/** A padlock and a word: this flipchart takes no edits now. */
function lockTag(label: string, x: number, y: number): Konva.Group {
  const width = Math.ceil(measureFor('bold')(label, 15) + 44);
  const tag = new Konva.Group({ x, y });
  tag.add(
    new Konva.Rect({ width, height: 30, fill: PAPER, stroke: INK, strokeWidth: 1.5, cornerRadius: 15 }),
    new Konva.Rect({ x: 12, y: 13, width: 13, height: 10, fill: INK, cornerRadius: 2 }),
    new Konva.Arc({ x: 18.5, y: 13, innerRadius: 3.2, outerRadius: 5.2, angle: 180, rotation: 180, fill: INK }),
    new PaperText({ x: 30, width: width - 38, height: 30, text: label, fontFamily: FONT, fontSize: 15, fontStyle: 'bold', fill: INK, verticalAlign: 'middle' }),
  );
  return tag;
}

/** Consecutive areas of the same question (the sub-areas of a per-actor question). */
function questionRows(areas: readonly AreaLayout[]): AreaLayout[][] {
  const rows: AreaLayout[][] = [];
  for (const area of areas) {
    const last = rows[rows.length - 1];
    if (last && last[0]!.question.id === area.question.id && last[0]!.y === area.y) last.push(area);
    else rows.push([area]);
  }
  return rows;
}

function drawQuestion(group: Konva.Group, fc: FlipchartLayout, row: AreaLayout[], c: FlipchartContext, mine: boolean, pool: TextPool): void {
  const first = row[0]!;
  const last = row[row.length - 1]!;
  const left = first.x - fc.x;
  const width = last.x + last.width - first.x;
  const top = first.y - fc.y;
  const keyText = first.question.id;
  const badgeWidth = Math.max(34, measureFor('bold')(keyText, 15) + 16);
  group.add(
    new Konva.Rect({ x: left, y: top + 16, width: badgeWidth, height: 26, fill: shade(fc.actor.color, 0.55), stroke: shade(fc.actor.color, -0.25), strokeWidth: 1, cornerRadius: 13 }),
    pool.take({ x: left, y: top + 16, width: badgeWidth, height: 26, text: keyText, fontFamily: FONT, fontSize: 15, fontStyle: 'bold', fill: INK, align: 'center', verticalAlign: 'middle' }),
  );
  const textX = left + badgeWidth + 12;
  const box = { width: width - badgeWidth - 12, height: AREA_HEADER - 14 };
  const fitted = fitText(questionText(first.question, c.language), box, measureFor('600'), c.type.question, 1.2);
  const lines = fitted.lines.length;
  const textY = top + 29 - (lines > 1 ? (lines * fitted.fontSize * 1.2) / 2 : (fitted.fontSize * 1.2) / 2);
  group.add(
    pool.take({ x: textX, y: Math.max(top + 6, textY), width: box.width, text: fitted.lines.join('\n'), fontFamily: FONT, fontSize: fitted.fontSize, lineHeight: 1.2, fontStyle: '600', fill: INK, wrap: 'none' }),
  );
  const bodyTop = first.body.y - fc.y;
  const bodyHeight = first.body.height;
  group.add(
    new Konva.Rect({ x: left - 6, y: bodyTop, width: width + 12, height: bodyHeight, fill: BODY_FILL, stroke: BODY_STROKE, strokeWidth: 1.5, dash: [7, 5], cornerRadius: 8 }),
  );
  row.forEach((area, i) => {
    const x = area.x - fc.x;
    if (area.aboutActor) {
      const about = area.aboutActor;
      group.add(
        new Konva.Circle({ x: x + 9, y: top + AREA_HEADER + SUBAREA_HEADER / 2 - 3, radius: 7, fill: about.color, stroke: shade(about.color, -0.35), strokeWidth: 1 }),
        pool.take({
          x: x + 22, y: top + AREA_HEADER - 3, width: area.width - 30, height: SUBAREA_HEADER,
          text: c.labels.about(about.name), fontFamily: FONT, fontSize: c.type.subArea, fontStyle: 'bold', fill: INK, verticalAlign: 'middle', wrap: 'none', ellipsis: true,
        }),
      );
    }
    if (i > 0) group.add(new Konva.Line({ points: [x, bodyTop + 10, x, bodyTop + bodyHeight - 10], stroke: BODY_STROKE, strokeWidth: 1.5, dash: [7, 5] }));
    if (mine && !c.filledAreas.has(area.key) && c.canAddIn(area.question.id)) {
      const width = area.width - 2 * NOTE_GAP;
      group.add(
        pool.take({
          x: x + NOTE_GAP, y: bodyTop, width, height: bodyHeight,
          text: c.labels.addHint, fontFamily: FONT, fontSize: sizeForWords(c.labels.addHint, width, [15, 14, 13, 12], measureFor()),
          fill: MUTED, opacity: 0.75, align: 'center', verticalAlign: 'middle', lineHeight: 1.25,
        }),
      );
    }
  });
}
