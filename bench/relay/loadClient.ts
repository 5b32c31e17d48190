/**
 * A load-generating process for `npm run bench` (forked by bench/relay.bench.ts, several of them,
 * so that the clients' CPU is not the server's). The tabs themselves — framings, the workshop
 * channel, writing and measuring — are bench/relay/loadTabs.ts, shared with `npm run bench:big`.
 * This process receives every tab whole: which documents it opens on their own sessions and
 * whether it follows its workshop's notes through the channel.
 */
import { serveLoad, type Dialect, type FromLoad, type GoMessage, type LoadTab } from './loadTabs';

export type { Dialect };
export type TabSpec = Omit<LoadTab, 'dialect'>;
type Connect = { type: 'connect'; dialect: Dialect; tabs: TabSpec[]; concurrency: number };
export type ToClient = Connect | GoMessage | { type: 'exit' };
export type FromClient = FromLoad;

serveLoad<Connect>((message) => ({ tabs: message.tabs.map((tab) => ({ ...tab, dialect: message.dialect })), concurrency: message.concurrency }), 30_000);
