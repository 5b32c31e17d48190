import { upperBound } from '../../../shared/replay/engine';

/**
 * The replay's timeline as numbers (pure; unit-tested in tests/unit/client-replay.test.ts):
 * the scale from workshop time to the scrubber (long idle gaps — a lunch, the weeks between
 * workshop I and II — drawn short), stepping between changes, playback, and marker placement.
 */

/** Playback speeds: workshop time per real time. */
export const SPEEDS = [1, 10, 30, 60, 120] as const;
export type Speed = (typeof SPEEDS)[number];

/** A quiet stretch longer than this is drawn short on the scrubber… */
export const GAP_COLLAPSE_MS = 10 * 60_000;
/** …as this much timeline (playback crosses it in GAP_SHOWN_MS / speed). */
export const GAP_SHOWN_MS = 60_000;
/** Playback never jumps more than this much real time at once (a frame after the tab slept). */
export const MAX_FRAME_MS = 100;

export interface Gap {
  /** Workshop times where the quiet stretch starts and ends (two consecutive changes). */
  from: number;
  to: number;
  /** Where it starts on the scrubber (its value). */
  value: number;
}

/**
 * Workshop time (ms since the epoch) ↔ scrubber value (ms from the first change, with long gaps
 * shortened). Piecewise linear through knots at the start, both ends of every long gap and the
 * end; increasing, so the scrubber's order is time's order.
 */
export class TimeScale {
  readonly start: number;
  readonly end: number;
  /** The scrubber's maximum. */
  readonly length: number;
  readonly gaps: readonly Gap[];
  private readonly knotTs: number[];
  private readonly knotValue: number[];

  /** `times`: the change times, in increasing order (repeats allowed). */
  constructor(times: readonly number[], options: { collapseMs?: number; shownMs?: number } = {}) {
    const collapse = options.collapseMs ?? GAP_COLLAPSE_MS;
    const shown = Math.min(options.shownMs ?? GAP_SHOWN_MS, collapse);
    this.start = times[0] ?? 0;
    this.end = times.at(-1) ?? this.start;
    const knotTs = [this.start];
    const knotValue = [0];
    const gaps: Gap[] = [];
    let value = 0;
    let previous = this.start;
    for (const ts of times) {
      if (ts - previous > collapse) {
        value += previous - knotTs.at(-1)!;
        knotTs.push(previous);
        knotValue.push(value);
        gaps.push({ from: previous, to: ts, value });
        value += shown;
        knotTs.push(ts);
        knotValue.push(value);
      }
      previous = Math.max(previous, ts);
    }
    value += this.end - knotTs.at(-1)!;
    knotTs.push(this.end);
    knotValue.push(value);
    this.knotTs = knotTs;
    this.knotValue = knotValue;
    this.gaps = gaps;
    this.length = value;
  }

  /** The scrubber value of a workshop time (clamped to the timeline). */
  toValue(ts: number): number {
    return interpolate(this.knotTs, this.knotValue, ts);
  }

  /** The workshop time at a scrubber value (clamped). */
  toTs(value: number): number {
    return interpolate(this.knotValue, this.knotTs, value);
  }

  /** Where a workshop time is along the timeline, 0…1. */
  fraction(ts: number): number {
    return this.length > 0 ? this.toValue(ts) / this.length : 0;
  }
}

/** Linear interpolation through increasing knots xs → ys, clamped at both ends. */
function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  if (xs.length === 0) return 0;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs.at(-1)!) return ys.at(-1)!;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo]!;
  const x1 = xs[hi]!;
  if (x1 === x0) return ys[hi]!;
  const dy = ys[hi]! - ys[lo]!;
  // Stretches drawn at their own length map exactly (no rounding error at a change's millisecond).
  if (dy === x1 - x0) return ys[lo]! + (x - x0);
  return ys[lo]! + ((x - x0) / (x1 - x0)) * dy;
}

// ——— stepping between changes ———


/** The time of the next change after `ts` (null: none). `times` increasing. */
export function nextChange(times: readonly number[], ts: number): number | null {
  return times[upperBound(times, ts)] ?? null;
}

/**
 * The moment just before the change being shown: the board at `ts` shows every change at or
 * before it; the previous step shows the one before the latest of those. Null at the first change.
 */
export function previousChange(times: readonly number[], ts: number): number | null {
  const shown = upperBound(times, ts) - 1;
  if (shown < 0) return null;
  const current = times[shown]!;
  let i = shown;
  while (i >= 0 && times[i]! >= current) i--;
  return i >= 0 ? times[i]! : null;
}

/** Distinct times of a list of changes, increasing (the input is in log order, i.e. by time). */
export function distinctTimes(times: Iterable<number>): number[] {
  const out: number[] = [];
  for (const ts of times) if (out.length === 0 || ts > out.at(-1)!) out.push(ts);
  return out;
}

// ——— playback ———

/**
 * One frame of playback: `frameMs` of real time at `speed` moves the scrubber value on by
 * frameMs × speed (workshop time, gaps crossed quickly), stopping at the end.
 */
export function advance(value: number, frameMs: number, speed: number, length: number): { value: number; ended: boolean } {
  const next = value + Math.max(0, Math.min(frameMs, MAX_FRAME_MS)) * speed;
  return next >= length ? { value: length, ended: true } : { value: next, ended: false };
}

// ——— markers ———

export interface MarkerInput {
  kind: string;
  ts: number;
  questionId?: string | undefined;
  phase?: { from: string | null; to: string | null } | undefined;
}

export interface PlacedMarker<E extends MarkerInput = MarkerInput> {
  kind: E['kind'];
  ts: number;
  /** 0…1 along the timeline. */
  at: number;
  /** The events it stands for (the same kind, question and phase at the same moment: one marker). */
  events: E[];
}

/** A marker as the timeline draws it: with its label (translated by the view). */
export interface TimelineMarker extends PlacedMarker {
  label: string;
}

/** Markers of the given kinds along the timeline; repeats of one thing at one moment merged. */
export function placeMarkers<E extends MarkerInput>(events: readonly E[], kinds: readonly string[], scale: TimeScale): PlacedMarker<E>[] {
  const wanted = new Set(kinds);
  const byKey = new Map<string, PlacedMarker<E>>();
  for (const event of events) {
    if (!wanted.has(event.kind)) continue;
    const key = `${event.kind}|${event.ts}|${event.questionId ?? ''}|${event.phase?.to ?? ''}`;
    const existing = byKey.get(key);
    if (existing) existing.events.push(event);
    else byKey.set(key, { kind: event.kind, ts: event.ts, at: scale.fraction(event.ts), events: [event] });
  }
  return [...byKey.values()];
}

/** Counts of events in `bins` equal slices of the timeline (the activity strip behind the scrubber). */
export function histogram(times: Iterable<number>, scale: TimeScale, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const ts of times) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(scale.fraction(ts) * bins)));
    counts[bin]!++;
  }
  return counts;
}

/**
 * The latest `count` events at or before entry `index` that pass `keep`, newest first
 * (`events` in log order, as `engine.events`).
 */
export function recentEvents<E extends { index: number }>(events: readonly E[], index: number, count: number, keep: (event: E) => boolean = () => true): E[] {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.index <= index) lo = mid + 1;
    else hi = mid;
  }
  const out: E[] = [];
  for (let i = lo - 1; i >= 0 && out.length < count; i--) if (keep(events[i]!)) out.push(events[i]!);
  return out;
}
