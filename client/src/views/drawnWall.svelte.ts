import { onMount, untrack } from 'svelte';
import { unpublishWall } from '../canvas/testHook';
import type { WallCanvas } from '../canvas/wall';
import { i18n } from '../i18n/i18n.svelte';
import type { BoardSnapshot } from '../sync/types';

/**
 * The wall's canvas for a component that shows it (the wall view, the room screen's wall stage):
 * made once the component is mounted (`create` needs its host element), redrawn whenever the board
 * or the page's language changes, and torn down with the component (with the tests' hook on it).
 * Call it while the component is being created; `current` is null before mounting and after.
 */
export function drawnWall(create: () => WallCanvas, board: () => BoardSnapshot): { readonly current: WallCanvas | null } {
  const wall: { current: WallCanvas | null } = { current: null };
  onMount(() => {
    const canvas = create();
    wall.current = canvas;
    canvas.update(board(), i18n.language);
    return () => {
      canvas.destroy();
      wall.current = null;
      unpublishWall();
    };
  });
  $effect(() => {
    const snapshot = board();
    const language = i18n.language;
    untrack(() => wall.current?.update(snapshot, language));
  });
  return wall;
}
