import type * as Konva from './konva';
import { clampScale, ease, interpolate, zoomAround, type View } from './viewport';

/**
 * Pan and zoom of a Konva stage: drag the background (or anything with space held), wheel zoom
 * around the pointer, two-finger pinch and pan on touch, animated jumps (fit, my flipchart).
 * The stage carries the transform, so every layer moves together and node positions stay in
 * board units.
 */
export class PanZoom {
  private animation: number | null = null;
  private animationTarget: View | null = null;
  private pinch: { distance: number; center: { x: number; y: number } } | null = null;
  private unlisten: () => void = () => {};

  constructor(
    private readonly stage: Konva.Stage,
    /** The view moved; by the wheel, then `wheelFrom` is the view before this step. */
    private readonly onChange: (wheelFrom?: View) => void,
    interactive: boolean,
    /** The user moved the view by hand (not an animation of ours). */
    private readonly onUserMove: () => void = () => {},
  ) {
    if (!interactive) return;
    stage.draggable(true);
    stage.on('dragstart', (e) => {
      if (e.target !== stage) return;
      this.cancelAnimation();
      this.onUserMove();
    });
    stage.on('dragmove', (e) => {
      if (e.target === stage) this.onChange();
    });
    // The wheel is taken from the container before Konva sees it: Konva looks up the shape under
    // the pointer for every wheel event (drawing the notes' hit graph and reading its pixels), and
    // a zoom needs no shape. Nothing else on the wall listens to the wheel.
    const container = stage.container();
    const onWheel = (event: WheelEvent) => {
      event.stopPropagation();
      stage.setPointersPositions(event);
      this.onWheel(event);
    };
    container.addEventListener('wheel', onWheel, { capture: true, passive: false });
    this.unlisten = () => container.removeEventListener('wheel', onWheel, { capture: true });
    stage.on('touchmove', (e) => this.onTouchMove(e.evt));
    stage.on('touchend touchcancel', () => (this.pinch = null));
  }

  get view(): View {
    return { x: this.stage.x(), y: this.stage.y(), scale: this.stage.scaleX() };
  }

  set(view: View, wheelFrom?: View): void {
    this.stage.position({ x: view.x, y: view.y });
    this.stage.scale({ x: view.scale, y: view.scale });
    this.onChange(wheelFrom);
  }

  zoomBy(factor: number, anchor?: { x: number; y: number }): void {
    const center = anchor ?? { x: this.stage.width() / 2, y: this.stage.height() / 2 };
    this.animateTo(zoomAround(this.animationTarget ?? this.view, center, factor), 160);
  }

  panBy(dx: number, dy: number): void {
    const view = this.view;
    this.set({ ...view, x: view.x + dx, y: view.y + dy });
  }

  animateTo(target: View, duration = 260): void {
    this.cancelAnimation();
    const to = { ...target, scale: clampScale(target.scale) };
    const from = this.view;
    if (duration <= 0 || typeof requestAnimationFrame !== 'function') return this.set(to);
    this.animationTarget = to;
    const start = performance.now();
    const step = (now: number) => {
      const t = Math.min(1, (now - start) / duration);
      this.set(interpolate(from, to, ease(t)));
      if (t < 1) this.animation = requestAnimationFrame(step);
      else this.cancelAnimation();
    };
    this.animation = requestAnimationFrame(step);
  }

  cancelAnimation(): void {
    if (this.animation !== null) cancelAnimationFrame(this.animation);
    this.animation = null;
    this.animationTarget = null;
  }

  private onWheel(event: WheelEvent): void {
    event.preventDefault();
    this.cancelAnimation();
    this.onUserMove();
    const pointer = this.stage.getPointerPosition();
    if (!pointer) return;
    // Lines (Firefox) → pixels; pinch-zoom on a trackpad arrives as ctrl+wheel with small deltas.
    const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
    const factor = Math.exp(-Math.max(-300, Math.min(300, delta)) * (event.ctrlKey ? 0.01 : 0.0022));
    const from = this.view;
    this.set(zoomAround(from, pointer, factor), from);
  }

  private onTouchMove(event: TouchEvent): void {
    const [a, b] = [event.touches[0], event.touches[1]];
    if (!a || !b) return;
    event.preventDefault();
    if (this.stage.isDragging()) this.stage.stopDrag();
    const box = this.stage.container().getBoundingClientRect();
    const p1 = { x: a.clientX - box.left, y: a.clientY - box.top };
    const p2 = { x: b.clientX - box.left, y: b.clientY - box.top };
    const center = { x: (p1.x + p2.x) / 2, y: (p1.y + p2.y) / 2 };
    const distance = Math.hypot(p1.x - p2.x, p1.y - p2.y);
    if (!this.pinch) {
      this.pinch = { distance, center };
      this.onUserMove();
      return;
    }
    const moved = zoomAround(this.view, this.pinch.center, distance / Math.max(1, this.pinch.distance));
    this.set({ ...moved, x: moved.x + center.x - this.pinch.center.x, y: moved.y + center.y - this.pinch.center.y });
    this.pinch = { distance, center };
  }

  destroy(): void {
    this.cancelAnimation();
    this.unlisten();
  }
}
