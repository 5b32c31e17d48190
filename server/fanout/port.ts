/**
 * Cross-process fan-out: when several server processes share the same workshops (a later issue
 * adds Redis), an update committed in one must reach the clients connected to the others. A
 * single process needs no fan-out; `LocalFanout` delivers within the process, for the contract.
 */
export interface FanoutMessage {
  /** The process that published it; subscribers skip their own. */
  origin: string;
  docName: string;
  kind: 'update' | 'awareness';
  payload: Uint8Array;
}

export interface Fanout {
  publish(message: FanoutMessage): Promise<void>;
  subscribe(docName: string, onMessage: (message: FanoutMessage) => void): () => void;
  close(): Promise<void>;
}

export function createLocalFanout(): Fanout {
  const subscribers = new Map<string, Set<(message: FanoutMessage) => void>>();
  return {
    async publish(message) {
      for (const handler of subscribers.get(message.docName) ?? []) handler(message);
    },
    subscribe(docName, onMessage) {
      let set = subscribers.get(docName);
      if (!set) subscribers.set(docName, (set = new Set()));
      set.add(onMessage);
      return () => {
        set.delete(onMessage);
        // Only drop the set if it is still the current one: a stale second call must not remove later subscribers.
        if (set.size === 0 && subscribers.get(docName) === set) subscribers.delete(docName);
      };
    },
    async close() {
      subscribers.clear();
    },
  };
}
