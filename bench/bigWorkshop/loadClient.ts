/**
 * A load process for `npm run bench:big` (forked by bench/big-workshop.bench.ts, one per core the
 * server does not need, at a lower priority than the server). Each "tab" is one /mux WebSocket of
 * one workshop, as a participant's browser tab holds it: the room document, its own notes (into
 * which it writes real notes) and its own drafts on their own sessions — and everyone else's notes
 * either through the workshop channel (one subscription: `channel` in records mode, as Arvo's
 * client follows, `updates` in the Yjs-update mode) or one session per document
 * (`perdoc`, as before the channel, and as the bare relay is loaded: `bare`).
 *
 * The tabs themselves (framing, channel, writing, measuring) are bench/relay/loadTabs.ts, shared
 * with `npm run bench`; this process only expands its compact `connect` message (the workshop's
 * document names once, not once per tab) into them.
 */
import { serveLoad, type FromLoad, type GoMessage } from '../relay/loadTabs';

/** `channel`: records mode, as Arvo's client follows; `updates`: the channel's Yjs-update mode (to compare). */
export type Mode = 'channel' | 'updates' | 'perdoc' | 'bare';
export interface TabSpec {
  token: string;
  /** Index of its own notes document in `notes`. */
  own: number;
  drafts: string;
  /** Decodes what it receives (else counts bytes and frames only), and whether it is in the latency sample. */
  decode: boolean;
  sample: boolean;
}
type Connect = { type: 'connect'; mode: Mode; muxUrl: string; workshopId: string; room: string; notes: string[]; tabs: TabSpec[]; concurrency: number };
export type ToClient = Connect | GoMessage | { type: 'exit' };
export type FromClient = FromLoad;

serveLoad<Connect>((message) => {
  const tabs = message.tabs.map((spec) => {
    const ownDoc = message.notes[spec.own]!;
    const channel = message.mode === 'channel' || message.mode === 'updates';
    const others = channel ? [] : message.notes.filter((name) => name !== ownDoc);
    return {
      url: `${message.muxUrl}?token=${encodeURIComponent(spec.token)}`,
      dialect: 'mux' as const,
      docs: [message.room, ownDoc, spec.drafts, ...others],
      ownDoc,
      token: spec.token,
      follow: channel ? message.workshopId : null,
      followMode: message.mode === 'updates' ? ('updates' as const) : ('records' as const),
      decode: spec.decode,
      sample: spec.sample,
    };
  });
  return { tabs, concurrency: message.concurrency };
}, 20_000);
