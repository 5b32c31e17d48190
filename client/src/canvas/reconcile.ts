import type * as Konva from './konva';

/**
 * Keeps one Konva node per item id in a container: creates new ones, updates the ones whose
 * signature changed, destroys the ones that are gone. A snapshot that changes one note touches
 * one node; the rest of the scene is left alone.
 */
export interface KeyedRenderer<T, N extends Konva.Node> {
  key(item: T): string;
  /** A string that changes whenever the item would be drawn differently. */
  signature(item: T): string;
  create(item: T): N;
  update(node: N, item: T): void;
}

export interface KeyedOptions {
  /**
   * Hide the nodes of items that are gone instead of destroying them, and show them again when
   * they come back (replay: scrubbing back and forth brings the same notes again and again, and
   * building a note's nodes and measuring its text is what costs). Nodes then keep the order in
   * which they were first created.
   */
  retain?: boolean;
}

export class Keyed<T, N extends Konva.Node> {
  readonly nodes = new Map<string, N>();
  private readonly signatures = new Map<string, string>();
  /** Retained nodes of items that are gone (see KeyedOptions.retain). */
  private readonly hidden = new Set<string>();

  constructor(
    private readonly parent: Konva.Container,
    private readonly renderer: KeyedRenderer<T, N>,
    private readonly options: KeyedOptions = {},
  ) {}

  /** Whether an item with this key is shown now (a retained, hidden node does not count). */
  has(key: string): boolean {
    return this.nodes.has(key) && !this.hidden.has(key);
  }

  /** Returns true when anything changed (the caller then redraws the layer). */
  sync(items: readonly T[]): boolean {
    let changed = false;
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const key = this.renderer.key(item);
      seen.add(key);
      const signature = this.renderer.signature(item);
      let node = this.nodes.get(key);
      if (!node) {
        node = this.renderer.create(item);
        this.nodes.set(key, node);
        this.parent.add(node as unknown as Konva.Group);
        changed = true;
      } else if (this.hidden.delete(key)) {
        node.visible(true);
        changed = true;
      }
      if (this.signatures.get(key) !== signature) {
        this.renderer.update(node, item);
        this.signatures.set(key, signature);
        changed = true;
      }
      // Keep drawing order = item order (later notes on top), without reinserting unchanged nodes.
      if (!this.options.retain && node.getParent() === this.parent && node.zIndex() !== index) node.zIndex(Math.min(index, this.parent.children.length - 1));
    });
    for (const [key, node] of this.nodes) {
      if (seen.has(key)) continue;
      if (this.options.retain) {
        if (!this.hidden.has(key)) {
          node.visible(false);
          this.hidden.add(key);
          changed = true;
        }
        continue;
      }
      node.destroy();
      this.nodes.delete(key);
      this.signatures.delete(key);
      changed = true;
    }
    return changed;
  }

  /** Forces the next sync to redraw one item (hover, selection). */
  invalidate(key: string): void {
    this.signatures.delete(key);
  }

  clear(): void {
    for (const node of this.nodes.values()) node.destroy();
    this.nodes.clear();
    this.signatures.clear();
    this.hidden.clear();
  }
}
