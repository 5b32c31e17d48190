import type { Claims } from '../../../shared/protocol/permissions';
import type { Role } from '../../../shared/schema/participant';

/**
 * The tokens this browser holds, one per workshop, in localStorage: a reload or a return days
 * later restores you. The token is a JWT signed by the server; its claims are read here only
 * for display and routing — the server verifies it on every connection.
 */
const key = (workshopId: string) => `arvo:token:${workshopId}`;

export interface StoredSession {
  token: string;
  claims: Claims;
  name: string;
}

export function decodeClaims(token: string): Claims | null {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      wid: string;
      sub: string;
      role: Role;
      aid: string | null;
      exp?: number;
    };
    if (payload.exp && payload.exp * 1000 < Date.now()) return null;
    return { workshopId: payload.wid, participantId: payload.sub, role: payload.role, actorId: payload.aid };
  } catch {
    return null;
  }
}

export function saveSession(workshopId: string, token: string, name: string): void {
  localStorage.setItem(key(workshopId), JSON.stringify({ token, name }));
}

export function loadSession(workshopId: string): StoredSession | null {
  const raw = localStorage.getItem(key(workshopId));
  if (!raw) return null;
  try {
    const { token, name } = JSON.parse(raw) as { token: string; name: string };
    const claims = decodeClaims(token);
    return claims && claims.workshopId === workshopId ? { token, claims, name } : null;
  } catch {
    return null;
  }
}

export function forgetSession(workshopId: string): void {
  localStorage.removeItem(key(workshopId));
}

/** The facilitator's join keys, kept beside the token so the share panel can show the links. */
export interface JoinKeys {
  participantKey: string;
  observerKey: string;
}

export function saveJoinKeys(workshopId: string, keys: JoinKeys): void {
  localStorage.setItem(`arvo:keys:${workshopId}`, JSON.stringify(keys));
}

export function loadJoinKeys(workshopId: string): JoinKeys | null {
  try {
    const raw = localStorage.getItem(`arvo:keys:${workshopId}`);
    return raw ? (JSON.parse(raw) as JoinKeys) : null;
  } catch {
    return null;
  }
}

// ——— Membership (issue 8): the recovery secret and token renewal ———

/** The facilitator's recovery secret, where this browser knows it (created or recovered here). */
export function saveRecoverySecret(workshopId: string, secret: string): void {
  localStorage.setItem(`arvo:recovery:${workshopId}`, secret);
}

export function loadRecoverySecret(workshopId: string): string | null {
  try {
    return localStorage.getItem(`arvo:recovery:${workshopId}`);
  } catch {
    return null;
  }
}

/** Issue and expiry times of a token (ms), read without verifying (the server verifies). */
export function tokenTimes(token: string): { issuedAt: number; expiresAt: number } | null {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { iat?: number; exp?: number };
    if (typeof payload.exp !== 'number') return null;
    return { issuedAt: (payload.iat ?? payload.exp) * 1000, expiresAt: payload.exp * 1000 };
  } catch {
    return null;
  }
}

/** Renew once a token is past half its life: access lasts while in use, not a fixed number of days. */
export function needsRenewal(token: string, now = Date.now()): boolean {
  const times = tokenTimes(token);
  if (!times) return false;
  return now >= times.issuedAt + (times.expiresAt - times.issuedAt) / 2 && now < times.expiresAt;
}

/** Replaces the stored token (keeping the name) after a renewal or recovery. */
export function replaceToken(workshopId: string, token: string): void {
  const stored = loadSession(workshopId);
  saveSession(workshopId, token, stored?.name ?? '');
}
