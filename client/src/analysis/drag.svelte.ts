import type { ThemeKind } from '../../../shared/schema/theme';

/**
 * Moving a note card onto a theme. Mouse: native HTML drag and drop. Touch and pen: pointer
 * events on the card's grip (native drag and drop is unreliable there), with a floating ghost.
 * Drop zones are elements with `data-drop-kind` (the note kind they accept) and
 * `data-drop-theme` (a theme id, or '' for "not in a theme").
 */
export interface DragState {
  ref: string | null;
  kind: ThemeKind | null;
  label: string;
  /** The drop zone under the pointer: a theme id, '' for the unthemed pool, null for none. */
  over: string | null;
  /** The ghost's position during a pointer drag; null for native drags. */
  ghost: { x: number; y: number } | null;
}

export const drag = $state<DragState>({ ref: null, kind: null, label: '', over: null, ghost: null });

export function startDrag(ref: string, kind: ThemeKind, label: string): void {
  drag.ref = ref;
  drag.kind = kind;
  drag.label = label;
  drag.over = null;
  drag.ghost = null;
}

export function endDrag(): void {
  drag.ref = null;
  drag.kind = null;
  drag.over = null;
  drag.ghost = null;
}

/** The drop zone (theme id or '') at a point that accepts the dragged kind, or null. */
export function zoneAt(x: number, y: number, kind: ThemeKind): string | null {
  const element = document.elementFromPoint(x, y);
  const zone = element instanceof Element ? element.closest<HTMLElement>('[data-drop-kind]') : null;
  if (!zone || zone.dataset.dropKind !== kind) return null;
  return zone.dataset.dropTheme ?? null;
}

const THRESHOLD = 6;

/**
 * Pointer drag for touch and pen, attached to a grip's pointerdown. Calls `drop` with the zone's
 * theme id ('' = no theme) when released over a zone of the same kind.
 */
export function pointerDrag(event: PointerEvent, ref: string, kind: ThemeKind, label: string, drop: (themeId: string) => void): void {
  if (event.pointerType === 'mouse' || event.button !== 0) return;
  const grip = event.currentTarget as HTMLElement;
  const startX = event.clientX;
  const startY = event.clientY;
  let dragging = false;
  try {
    grip.setPointerCapture(event.pointerId);
  } catch {
    // Not an active pointer (a synthetic event): move events still reach the grip while over it.
  }
  event.preventDefault();

  const move = (e: PointerEvent) => {
    if (!dragging && Math.hypot(e.clientX - startX, e.clientY - startY) < THRESHOLD) return;
    if (!dragging) {
      dragging = true;
      startDrag(ref, kind, label);
    }
    drag.ghost = { x: e.clientX, y: e.clientY };
    drag.over = zoneAt(e.clientX, e.clientY, kind);
    autoScroll(e.clientX, e.clientY);
  };
  const finish = (e: PointerEvent, cancelled: boolean) => {
    grip.removeEventListener('pointermove', move);
    grip.removeEventListener('pointerup', up);
    grip.removeEventListener('pointercancel', cancel);
    if (grip.hasPointerCapture(e.pointerId)) grip.releasePointerCapture(e.pointerId);
    const target = dragging && !cancelled ? zoneAt(e.clientX, e.clientY, kind) : null;
    endDrag();
    if (target !== null) drop(target);
  };
  const up = (e: PointerEvent) => finish(e, false);
  const cancel = (e: PointerEvent) => finish(e, true);
  grip.addEventListener('pointermove', move);
  grip.addEventListener('pointerup', up);
  grip.addEventListener('pointercancel', cancel);
}

/** Scrolls the scrollable column under the pointer when the pointer nears its top or bottom edge. */
function autoScroll(x: number, y: number): void {
  const element = document.elementFromPoint(x, y);
  let node: Element | null = element;
  while (node && !(node instanceof HTMLElement && node.scrollHeight > node.clientHeight && getComputedStyle(node).overflowY !== 'visible')) node = node.parentElement;
  if (!(node instanceof HTMLElement)) return;
  const box = node.getBoundingClientRect();
  const edge = 48;
  if (y < box.top + edge) node.scrollTop -= 12;
  else if (y > box.bottom - edge) node.scrollTop += 12;
}

/**
 * Native drag-and-drop handlers for a drop zone: accepts only notes of its kind and calls
 * `drop(ref)` with the dragged note.
 */
export function dropHandlers(kind: ThemeKind, themeId: string, drop: (ref: string) => void) {
  return {
    ondragover(event: DragEvent) {
      if (drag.ref === null || drag.kind !== kind) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
      drag.over = themeId;
    },
    ondragleave(event: DragEvent) {
      const zone = event.currentTarget as HTMLElement;
      if (drag.over === themeId && !(event.relatedTarget instanceof Node && zone.contains(event.relatedTarget))) drag.over = null;
    },
    ondrop(event: DragEvent) {
      if (drag.ref === null || drag.kind !== kind) return;
      event.preventDefault();
      const ref = drag.ref;
      endDrag();
      drop(ref);
    },
  };
}
