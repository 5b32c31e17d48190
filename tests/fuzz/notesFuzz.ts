import fc from 'fast-check';
import * as Y from 'yjs';
import { addNote, deleteNote, updateNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesRoots } from '../../shared/schema/layout';
import type { Peer } from '../helpers/clients';

/**
 * The seeded convergence fuzz's shared part (tests/fuzz/convergence.test.ts,
 * tests/fuzz/convergence-mux.test.ts, tests/cluster/convergence.test.ts): the note edits it
 * generates, how one is applied, and what "the same document" means. Each test adds its own
 * network faults (providers toggled, sockets cut, processes spread) around these.
 *
 * The arbitraries are built in a fixed order with fixed weights: a test that lists
 * `...editOps(n)` first and `yieldOp` last generates, for a given seed, exactly what it generated
 * before this module existed (pinned regression seeds keep meaning the same scenario).
 */
export type EditOp =
  | { kind: 'add'; who: number; text: string; x: number; y: number }
  | { kind: 'move'; who: number; pick: number; x: number; y: number }
  | { kind: 'edit'; who: number; pick: number; text: string }
  | { kind: 'delete'; who: number; pick: number }
  /** The facilitator edits or deletes a participant's note (concurrent writers on one document). */
  | { kind: 'moderate'; target: number; pick: number; text: string | null };
/** Lets the network run for a few event-loop turns (no timers). */
export type YieldOp = { kind: 'yield'; turns: number };

const coord = fc.integer({ min: -2000, max: 2000 });
export const noteText: fc.Arbitrary<string> = fc.string({ maxLength: 12 });

/** The weighted edit arbitraries for participants 0…maxWho (for `fc.oneof`). */
export function editOps(maxWho: number): Array<{ weight: number; arbitrary: fc.Arbitrary<EditOp> }> {
  return [
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), who: fc.nat(maxWho), text: noteText, x: coord, y: coord }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('move' as const), who: fc.nat(maxWho), pick: fc.nat(), x: coord, y: coord }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('edit' as const), who: fc.nat(maxWho), pick: fc.nat(), text: noteText }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), who: fc.nat(maxWho), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('moderate' as const), target: fc.nat(maxWho), pick: fc.nat(), text: fc.option<string, null>(noteText) }) },
  ];
}
export const yieldOp = { weight: 3, arbitrary: fc.record({ kind: fc.constant('yield' as const), turns: fc.integer({ min: 1, max: 8 }) }) };

/**
 * The stock-provider fuzz's operations (tests/fuzz/convergence.test.ts, and on three processes
 * tests/cluster/convergence.test.ts): edits, plus providers going offline and back.
 */
export type ProviderOp =
  | EditOp
  /** Toggles a provider: a participant's own writer, a participant reading another, or the facilitator's. */
  | { kind: 'toggle'; who: number; target: number }
  | { kind: 'toggleModerator'; target: number }
  /** Every copy of one document goes offline: the server unloads it, edits continue offline. */
  | { kind: 'isolate'; target: number }
  | YieldOp;

export interface ProviderScenario {
  participants: number;
  roomIdleMs: number;
  snapshotEvery: number;
  ops: ProviderOp[];
}

const providerOpArb: fc.Arbitrary<ProviderOp> = fc.oneof(
  ...editOps(4),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('toggle' as const), who: fc.nat(4), target: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('toggleModerator' as const), target: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('isolate' as const), target: fc.nat(4) }) },
  yieldOp,
);
export const providerScenarioArb: fc.Arbitrary<ProviderScenario> = fc.record({
  participants: fc.integer({ min: 3, max: 5 }),
  // 0 ms: a document unloads as soon as its last provider drops, and reloads on reconnect.
  roomIdleMs: fc.constantFrom(0, 5, 200),
  snapshotEvery: fc.integer({ min: 2, max: 60 }),
  ops: fc.array(providerOpArb, { minLength: 60, maxLength: 200 }),
});

export const isEditOp = (op: { kind: string }): op is EditOp => ['add', 'move', 'edit', 'delete', 'moderate'].includes(op.kind);

/** A note of `doc` chosen by `pick` (stable: ids sorted), or null when it has none. */
export function pickNote(doc: Y.Doc, pick: number): string | null {
  const ids = [...notesRoots(doc).notes.keys()].sort();
  return ids.length === 0 ? null : ids[pick % ids.length]!;
}

/**
 * Applies one edit: `own(who)` is participant who's copy of their own notes, `moderated(target)`
 * the facilitator's copy of participant target's notes. `now` is the edit's wall time.
 */
export function applyEdit(op: EditOp, own: (who: number) => Y.Doc, moderated: (target: number) => Y.Doc, now: number): void {
  switch (op.kind) {
    case 'add':
      addNote(own(op.who), { questionId: '3a', text: op.text, x: op.x, y: op.y }, now, LOCAL_ORIGIN);
      return;
    case 'move':
    case 'edit':
    case 'delete': {
      const doc = own(op.who);
      const id = pickNote(doc, op.pick);
      if (!id) return;
      if (op.kind === 'move') updateNote(doc, id, { x: op.x, y: op.y }, now, LOCAL_ORIGIN);
      else if (op.kind === 'edit') updateNote(doc, id, { text: op.text }, now, LOCAL_ORIGIN);
      else deleteNote(doc, id, LOCAL_ORIGIN);
      return;
    }
    case 'moderate': {
      const doc = moderated(op.target);
      const id = pickNote(doc, op.pick);
      if (!id) return;
      if (op.text === null) deleteNote(doc, id, LOCAL_ORIGIN);
      else updateNote(doc, id, { text: op.text }, now, LOCAL_ORIGIN);
      return;
    }
  }
}

export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export const contentOf = (doc: Y.Doc) => stableJson(notesRoots(doc).notes.toJSON());
/** Same structs and same deletions (state vector + delete set), and the same note content. */
export const sameDoc = (a: Y.Doc, b: Y.Doc) => Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b)) && contentOf(a) === contentOf(b);
export const describeDoc = (doc: Y.Doc) =>
  `${notesRoots(doc).notes.size} notes, sv ${JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(doc))])}, ds ${JSON.stringify([...Y.snapshot(doc).ds.clients].map(([c, items]) => [c, items.map((i) => [i.clock, i.len])]))} content ${contentOf(doc)}`;

/** Resolves when `condition()` holds, re-checked after every update of any of `docs`. */
export function waitForAll(docs: Y.Doc[], condition: () => boolean, describe: () => string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      for (const doc of docs) doc.off('update', check);
    };
    const check = () => {
      if (!condition()) return;
      stop();
      resolve();
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting for convergence: ${describe()}`));
    }, timeoutMs);
    for (const doc of docs) doc.on('update', check);
    check();
  });
}

/**
 * Plays a stock-provider scenario's operations: `views[i][j]` is participant i's provider of
 * participant j's notes (i === j: the writer's own), `moderator[j]` the facilitator's; n
 * participants. Leaves every provider as the operations left it (the caller reconnects them).
 */
export async function playProviderOps(ops: readonly ProviderOp[], n: number, views: Peer[][], moderator: Peer[]): Promise<void> {
  const toggle = (peer: Peer) => (peer.provider.shouldConnect ? peer.provider.disconnect() : peer.provider.connect());
  let now = 1_700_000_000_000;
  for (const op of ops) {
    now += 1000;
    if (isEditOp(op)) {
      applyEdit(op, (who) => views[who % n]![who % n]!.doc, (target) => moderator[target % n]!.doc, now);
      continue;
    }
    switch (op.kind) {
      case 'toggle':
        toggle(views[op.who % n]![op.target % n]!);
        break;
      case 'toggleModerator':
        toggle(moderator[op.target % n]!);
        break;
      case 'isolate':
        for (const peer of [...views.map((row) => row[op.target % n]!), moderator[op.target % n]!]) peer.provider.disconnect();
        break;
      case 'yield':
        for (let t = 0; t < op.turns; t++) await turn();
        break;
    }
  }
}
