import { afterEach, describe, expect, test, vi } from 'vitest';
import { ZoomPreview, type Holdable } from '../../client/src/canvas/zoomPreview';
import { overviewRatio } from '../../client/src/canvas/overview';
import { zoomAround, type View } from '../../client/src/canvas/viewport';

/** A layer as the preview sees it: held or not, how often redrawn, and its CSS transform. */
function layer() {
  const l = {
    held: false,
    redraws: 0,
    element: { style: { transform: '', transformOrigin: '' } },
    hold() {
      l.held = true;
    },
    release() {
      l.held = false;
      l.redraws++;
    },
  };
  return l satisfies Holdable;
}

/** Where a CSS `matrix(k, 0, 0, k, tx, ty)` (origin 0 0) puts a point of the element. */
function apply(transform: string, p: { x: number; y: number }) {
  const [k, , , , tx, ty] = /matrix\((.*)\)/.exec(transform)![1]!.split(',').map(Number) as number[];
  return { x: k! * p.x + tx!, y: k! * p.y + ty! };
}

const drawnAt = (view: View, b: { x: number; y: number }) => ({ x: view.x + b.x * view.scale, y: view.y + b.y * view.scale });

afterEach(() => vi.useRealTimers());

describe('zoom preview', () => {
  test('during a wheel burst the layers are held and their last drawing is moved to where the new view puts each board point', () => {
    const layers = [layer(), layer()];
    const preview = new ZoomPreview(layers, () => {});
    const first: View = { x: 100, y: -50, scale: 0.4 };
    let view = first;
    const steps = [1.3, 1.3, 1 / 1.3, 1 / 1.3, 1 / 1.3, 1 / 1.3];
    for (const factor of steps) {
      const next = zoomAround(view, { x: 700, y: 420 }, factor);
      preview.move(view, next);
      view = next;
      for (const b of [{ x: 0, y: 0 }, { x: 1234, y: 5678 }, { x: -300, y: 90 }]) {
        // The pixel drawn for b at the FIRST view lands where the current view wants b.
        const shown = apply(layers[0]!.element.style.transform, drawnAt(first, b));
        const wanted = drawnAt(view, b);
        expect(shown.x).toBeCloseTo(wanted.x, 6);
        expect(shown.y).toBeCloseTo(wanted.y, 6);
      }
    }
    expect(layers.every((l) => l.held && l.redraws === 0 && l.element.style.transformOrigin === '0 0')).toBe(true);
    expect(layers[1]!.element.style.transform).toBe(layers[0]!.element.style.transform);
    expect(preview.active).toBe(true);
  });

  test('settling re-culls first, then redraws every layer once at the current view, without a transform', () => {
    const order: string[] = [];
    const layers = [layer(), layer()];
    for (const l of layers) {
      const release = l.release;
      l.release = () => (order.push(`release, held before: ${l.held}`), release());
    }
    const preview = new ZoomPreview(layers, () => order.push('before redraw'));
    preview.move({ x: 0, y: 0, scale: 1 }, { x: -10, y: -10, scale: 1.3 });
    preview.settle();
    expect(order).toEqual(['before redraw', 'release, held before: true', 'release, held before: true']);
    expect(layers.map((l) => [l.held, l.redraws, l.element.style.transform])).toEqual([[false, 1, ''], [false, 1, '']]);
    expect(preview.active).toBe(false);
    preview.settle();
    expect(layers.map((l) => l.redraws)).toEqual([1, 1]);
  });

  test('the wheel resting settles by itself; every further step postpones it', () => {
    vi.useFakeTimers();
    const l = layer();
    const preview = new ZoomPreview([l], () => {}, null, 140);
    let view: View = { x: 0, y: 0, scale: 1 };
    for (let i = 0; i < 5; i++) {
      const next = zoomAround(view, { x: 500, y: 300 }, 1.3);
      preview.move(view, next);
      view = next;
      vi.advanceTimersByTime(100);
      expect(l.held).toBe(true);
    }
    vi.advanceTimersByTime(40);
    expect(l.held).toBe(false);
    expect(l.redraws).toBe(1);
  });

  test('the underlay shows only while the old drawing no longer covers the view (zoomed out since it was drawn)', () => {
    const shown: Array<View | null> = [];
    const preview = new ZoomPreview([layer()], () => {}, { show: (v) => shown.push(v), hide: () => shown.push(null) });
    const start: View = { x: 0, y: 0, scale: 1 };
    const out = zoomAround(start, { x: 0, y: 0 }, 1 / 1.3);
    preview.move(start, out);
    const backIn = zoomAround(out, { x: 0, y: 0 }, 1.3 * 1.3);
    preview.move(out, backIn);
    preview.settle();
    expect(shown).toEqual([out, null, null]);
  });
});

describe('overview bitmap size', () => {
  test('the whole wall within 4 million pixels and 8192 a side, never enlarged', () => {
    for (const [w, h] of [[800, 600], [6000, 15000], [6000, 150000], [100000, 500], [1, 1]] as const) {
      const r = overviewRatio(w, h);
      expect(r).toBeGreaterThan(0);
      expect(r).toBeLessThanOrEqual(1);
      expect(Math.ceil(w * r) * Math.ceil(h * r)).toBeLessThanOrEqual(4_000_000 + Math.ceil(w * r) + Math.ceil(h * r) + 1);
      expect(Math.max(w, h) * r).toBeLessThanOrEqual(8192);
    }
    expect(overviewRatio(800, 600)).toBe(1);
  });
});
