import * as Y from 'yjs';
import { LOCAL_ORIGIN } from '../../../shared/origins';
import { notesRoots } from '../../../shared/schema/layout';

/**
 * Per-user undo: only this tab's own note edits (origin LOCAL), never anyone else's. One history
 * per own document (notes, drafts); undo takes whichever changed last.
 */
export class OwnUndo {
  private readonly managers: Y.UndoManager[] = [];
  private readonly order: Y.UndoManager[] = [];

  constructor(docs: readonly Y.Doc[], onChange: () => void) {
    for (const doc of docs) {
      const manager = new Y.UndoManager(notesRoots(doc).notes, { trackedOrigins: new Set([LOCAL_ORIGIN]), captureTimeout: 400 });
      manager.on('stack-item-added', () => {
        this.order.push(manager);
        onChange();
      });
      manager.on('stack-item-popped', () => onChange());
      this.managers.push(manager);
    }
  }

  get canUndo(): boolean {
    return this.managers.some((m) => m.canUndo());
  }

  get canRedo(): boolean {
    return this.managers.some((m) => m.canRedo());
  }

  /**
   * Ends the step being captured: the next edit starts a step of its own. Yjs merges edits within
   * the capture window (so typing is one step); a deletion right after writing must not be.
   */
  boundary(): void {
    for (const manager of this.managers) manager.stopCapturing();
  }

  undo(): void {
    while (this.order.length > 0) {
      const manager = this.order.pop()!;
      if (manager.canUndo()) {
        manager.undo();
        return;
      }
    }
  }

  redo(): void {
    this.managers.find((m) => m.canRedo())?.redo();
  }

  destroy(): void {
    for (const manager of this.managers) manager.destroy();
  }
}
