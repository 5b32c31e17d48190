/**
 * A load process for `npm run bench:big` (forked by bench/big-workshop.bench.ts, two of them, so
 * that the clients' CPU is not the server's). Each "tab" is one /mux WebSocket of one workshop,
 * as a participant's browser tab holds it: the room document, its own notes (written through a
 * real Y.Doc, so the server's content check sees real notes) and its own drafts on their own
 * sessions — and everyone else's notes either through the workshop channel (`follow`, one
 * subscription) or one session per document (`perdoc`, as before the channel).
 *
 * The tabs themselves (framing, channel, writing, measuring) are bench/relay/loadTabs.ts, shared
 * with `npm run bench`; this process only expands its compact `connect` message (the workshop's
 * document names once, not once per tab) into them.
 */
import { serveLoad, type FromLoad, type GoMessage } from '../relay/loadTabs';

export type Mode = 'channel' | 'perdoc';
export interface TabSpec {
  token: string;
  /** Index of its own notes document in `notes`. */
  own: number;
  drafts: string;
}
type Connect = { type: 'connect'; mode: Mode; muxUrl: string; workshopId: string; room: string; notes: string[]; tabs: TabSpec[]; concurrency: number };
export type ToClient = Connect | GoMessage | { type: 'exit' };
export type FromClient = FromLoad;

serveLoad<Connect>((message) => {
  const tabs = message.tabs.map((spec) => {
    const ownDoc = message.notes[spec.own]!;
    const others = message.mode === 'perdoc' ? message.notes.filter((name) => name !== ownDoc) : [];
    return {
      url: `${message.muxUrl}?token=${encodeURIComponent(spec.token)}`,
      dialect: 'mux' as const,
      docs: [message.room, ownDoc, spec.drafts, ...others],
      ownDoc,
      token: spec.token,
      follow: message.mode === 'channel' ? message.workshopId : null,
    };
  });
  return { tabs, concurrency: message.concurrency };
}, 20_000);
