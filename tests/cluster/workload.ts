import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { readNotes } from '../../shared/read/snapshot';
import { waitFor, waitSynced, type Peer } from '../helpers/clients';

/**
 * A writer that adds a note every `everyMs` to its own notes document through a stock provider
 * (which keeps unsent edits and resends them after a reconnect), and the checks every failover
 * test makes: nothing anybody saw is lost, and every copy converges.
 */
export class Writer {
  private timer: NodeJS.Timeout | null = null;
  written = 0;

  constructor(
    readonly peer: Peer,
    readonly label: string,
  ) {}

  start(everyMs = 40): void {
    this.timer = setInterval(() => this.writeOne(), everyMs);
  }

  writeOne(): void {
    addNote(this.peer.doc, { questionId: '3a', text: `${this.label} ${this.written++}`, x: this.written % 500, y: 0 }, Date.now(), LOCAL_ORIGIN);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** This writer's notes in its document now (not others', e.g. drafts a round posted there). */
  texts(): Set<string> {
    return new Set(readNotes(this.peer.doc).notes.map((note) => note.text).filter((text) => text.startsWith(`${this.label} `)));
  }
}

export const noteTexts = (doc: Y.Doc) => new Set(readNotes(doc).notes.map((note) => note.text));
export const stateVectorOf = (doc: Y.Doc) => Buffer.from(Y.encodeStateVector(doc)).toString('base64');

/** Records every note text a reader ever had (to prove later that none of them was lost). */
export function recordSeen(peer: Peer): Set<string> {
  const seen = new Set<string>();
  const look = () => {
    for (const text of noteTexts(peer.doc)) seen.add(text);
  };
  peer.doc.on('update', look);
  look();
  return seen;
}

/** Every peer is connected and synced again, and holds exactly `expected` (texts) — equal state vectors. */
export async function converged(peers: Peer[], expected: Set<string>, timeoutMs = 30_000): Promise<void> {
  for (const [i, peer] of peers.entries()) {
    const missing = () => [...expected].filter((text) => !noteTexts(peer.doc).has(text));
    await waitFor(peer.doc, () => missing().length === 0, 'convergence', timeoutMs).catch((error: unknown) => {
      const m = missing();
      throw new Error(`${String(error)}: peer ${i} (${peer.provider.url.split('?')[0]}; connected ${peer.provider.wsconnected}, synced ${peer.provider.synced}) lacks ${m.length} of ${expected.size}: ${m.slice(0, 5).join(', ')}`);
    });
    await waitSynced(peer, timeoutMs);
  }
}
