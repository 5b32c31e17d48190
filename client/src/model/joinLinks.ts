/**
 * Where join links and QR codes point (issue 9, "Joining that works"). Pure: the invite panel
 * (components/SharePanel.svelte) and the room screen (views/RoomScreen.svelte) both ask this
 * module, with what the server told the facilitator (GET /api/workshops/:id/server-info).
 *
 *   PUBLIC_URL set               → it, always
 *   the page is not on loopback  → the page's own origin (people reach it the way this browser did)
 *   loopback, server on all      → the machine's LAN addresses to choose from (the first by default)
 *   loopback, server on loopback → the page's origin, with a warning: no phone can open it
 */
export interface ServerInfo {
  publicUrl: string | null;
  listening: 'loopback' | 'all' | 'address';
  lanOrigins: string[];
}

export type JoinWarning = 'loopback-only' | 'no-lan';

export interface JoinBase {
  /** The origin join links start with. */
  origin: string;
  /** LAN origins to choose from (empty: nothing to choose). */
  choices: string[];
  warning: JoinWarning | null;
}

export function isLoopbackOrigin(origin: string): boolean {
  let host: string;
  try {
    host = new URL(origin).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The origin of join links; `chosen` is the LAN origin picked before (kept when still offered). */
export function joinBase(pageOrigin: string, info: ServerInfo | null, chosen?: string | null): JoinBase {
  if (info?.publicUrl) return { origin: info.publicUrl.replace(/\/+$/, ''), choices: [], warning: null };
  if (!isLoopbackOrigin(pageOrigin) || !info) return { origin: pageOrigin, choices: [], warning: null };
  if (info.listening === 'loopback') return { origin: pageOrigin, choices: [], warning: 'loopback-only' };
  if (info.listening === 'all') {
    if (info.lanOrigins.length === 0) return { origin: pageOrigin, choices: [], warning: 'no-lan' };
    const origin = chosen && info.lanOrigins.includes(chosen) ? chosen : info.lanOrigins[0]!;
    return { origin, choices: info.lanOrigins, warning: null };
  }
  return { origin: pageOrigin, choices: [], warning: null };
}

const CHOICE_KEY = (workshopId: string) => `arvo.joinOrigin.${workshopId}`;

/** The LAN origin the facilitator picked, shared by the invite panel and the room screen. */
export function loadChosenOrigin(workshopId: string): string | null {
  try {
    return localStorage.getItem(CHOICE_KEY(workshopId));
  } catch {
    return null;
  }
}

export function saveChosenOrigin(workshopId: string, origin: string): void {
  try {
    localStorage.setItem(CHOICE_KEY(workshopId), origin);
  } catch {
    // Private mode without storage: the choice lasts while the panel is open.
  }
}
