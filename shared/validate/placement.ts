import * as Y from 'yjs';
import type { Plan, Struct } from './dependencies';
import { invalid, type Refusal } from './verdict';

/**
 * Where an item lands: in which shared type and under which key. The schema knows two kinds of
 * shared types: a root (`doc.getMap(name)`) and a record (a Y.Map stored under a key of a root).
 * Anything deeper, or under a type that is not a Y.Map record, is `nested`.
 */
export type Parent =
  | { kind: 'root'; root: string }
  | { kind: 'record'; root: string; key: string; itemId: string; id: Y.ID }
  | { kind: 'nested' };

/** `dropped`: Yjs would turn the item into a GC struct (its neighbour or parent is gone). */
export type Place = { parent: Parent; key: string | null } | 'dropped';

export const idKey = (id: Y.ID) => `${id.client}:${id.clock}`;

/**
 * Resolves the place of every new struct, in the plan's order (dependencies first, so an item
 * whose parent and key are inherited finds its origin already placed). As in Yjs's
 * `Item.getMissing`: an item written with an origin or right origin carries no parent and takes
 * its origin's parent and key (its right origin's when it has no origin) — this is how a map
 * entry is overwritten. An origin or parent in a GC struct makes the item a GC struct.
 * Left and right origins in different places would corrupt the document: refused.
 */
export class Placer {
  private readonly places: Array<Place | undefined>;
  private readonly typeParents = new Map<Y.AbstractType<unknown>, Parent>();
  /**
   * The parent each struct of this update is to its children, by index: every field of a new
   * record asks for it, and one object per record (its `itemId` string built once) instead of one
   * per field keeps the per-field work of a new note small.
   */
  private readonly ownParents = new Map<number, Parent>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly structs: Struct[],
    private readonly plan: Plan,
  ) {
    this.places = new Array<Place | undefined>(structs.length);
  }

  /** Places struct `index` (every struct it depends on must have been placed). */
  place(index: number): Place | Refusal {
    const struct = this.structs[index]!;
    if (!(struct instanceof Y.Item)) return (this.places[index] = 'dropped');
    let place: Place | Refusal;
    if (typeof struct.parent === 'string') place = { parent: { kind: 'root', root: struct.parent }, key: struct.parentSub };
    else if (struct.parent instanceof Y.ID) {
      const parent = this.recordAt(struct.parent);
      place = parent === 'dropped' || 'rule' in parent ? parent : { parent, key: struct.parentSub };
    } else {
      const left = struct.origin ? this.placeOfId(struct.origin) : null;
      const right = struct.rightOrigin ? this.placeOfId(struct.rightOrigin) : null;
      if (left === null && right === null) return invalid('an item without a parent');
      if (left === 'dropped' || right === 'dropped') place = 'dropped';
      else if (left && right && !samePlace(left, right)) return invalid('an item between two different parents');
      else place = (left ?? right)!;
    }
    if (place !== 'dropped' && 'rule' in place) return place;
    this.places[index] = place;
    return place;
  }

  /** The place of an item already in the document. */
  placeOfDocItem(item: Y.Item): Place {
    const type = item.parent;
    if (!(type instanceof Y.AbstractType)) return 'dropped';
    return { parent: this.parentOfType(type), key: item.parentSub };
  }

  /** Whether an item of the document or this update is a record (a Y.Map under a root key) — the parent of an ID. */
  private recordAt(id: Y.ID): Parent | 'dropped' | Refusal {
    if (id.clock < Y.getState(this.doc.store, id.client)) {
      const struct = Y.getItem(this.doc.store, id) as Y.Item | Y.GC;
      if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentType)) return 'dropped';
      return this.parentOfType(struct.content.type);
    }
    const index = this.indexOf(id);
    const struct = index === null ? null : this.structs[index];
    const own = index === null ? undefined : this.places[index];
    if (!(struct instanceof Y.Item) || own === undefined || own === 'dropped') return 'dropped';
    if (!(struct.content instanceof Y.ContentType)) return invalid('a parent that is not a shared type');
    let parent = this.ownParents.get(index!);
    if (!parent) this.ownParents.set(index!, (parent = recordOf(own, struct.content.type, struct.id)));
    return parent;
  }

  private placeOfId(id: Y.ID): Place {
    if (id.clock < Y.getState(this.doc.store, id.client)) {
      const struct = Y.getItem(this.doc.store, id) as Y.Item | Y.GC;
      return struct instanceof Y.Item ? this.placeOfDocItem(struct) : 'dropped';
    }
    const index = this.indexOf(id);
    return (index === null ? undefined : this.places[index]) ?? 'dropped';
  }

  private indexOf(id: Y.ID): number | null {
    const indices = this.plan.byClient.get(id.client);
    if (!indices) return null;
    let low = 0;
    let high = indices.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const struct = this.structs[indices[mid]!]!;
      if (id.clock < struct.id.clock) high = mid - 1;
      else if (id.clock >= struct.id.clock + struct.length) low = mid + 1;
      else return indices[mid]!;
    }
    return null;
  }

  /** A document type: a root, a record (a Y.Map under a root key) or something nested. No recursion. */
  private parentOfType(type: Y.AbstractType<unknown>): Parent {
    const known = this.typeParents.get(type);
    if (known) return known;
    let parent: Parent;
    const item = type._item;
    if (item === null) parent = { kind: 'root', root: Y.findRootTypeKey(type) };
    else {
      const outer = item.parent;
      parent =
        outer instanceof Y.AbstractType && outer._item === null && item.parentSub !== null && type.constructor === Y.Map
          ? { kind: 'record', root: Y.findRootTypeKey(outer), key: item.parentSub, itemId: idKey(item.id), id: item.id }
          : { kind: 'nested' };
    }
    this.typeParents.set(type, parent);
    return parent;
  }
}

function recordOf(own: Exclude<Place, 'dropped'>, type: Y.AbstractType<unknown>, id: Y.ID): Parent {
  if (own.parent.kind !== 'root' || own.key === null || type.constructor !== Y.Map) return { kind: 'nested' };
  return { kind: 'record', root: own.parent.root, key: own.key, itemId: idKey(id), id };
}

function samePlace(a: Exclude<Place, 'dropped'>, b: Exclude<Place, 'dropped'>): boolean {
  if (a.key !== b.key || a.parent.kind !== b.parent.kind) return false;
  if (a.parent.kind === 'root' && b.parent.kind === 'root') return a.parent.root === b.parent.root;
  if (a.parent.kind === 'record' && b.parent.kind === 'record') return a.parent.itemId === b.parent.itemId;
  return true;
}
