import type { Role } from '../schema/participant';
import type { DocRef } from './docNames';

/**
 * Who may read and write which document. Decided per document and per connection, not by
 * filtering update contents (an edit a client applied locally cannot be taken back that way).
 * What an allowed write may contain is a separate, whole-update check: shared/validate.
 */
export interface Claims {
  workshopId: string;
  participantId: string;
  role: Role;
  actorId: string | null;
}

export type Access = 'none' | 'read' | 'write';

export function accessTo(claims: Claims, doc: DocRef): Access {
  if (claims.workshopId !== doc.workshopId) return 'none';
  const isFacilitator = claims.role === 'facilitator';
  switch (doc.kind) {
    case 'room':
      return isFacilitator ? 'write' : 'read';
    case 'notes':
      if (claims.role === 'observer') return 'read';
      return isFacilitator || claims.participantId === doc.participantId ? 'write' : 'read';
    case 'drafts':
      // Private until posted: not even the facilitator reads them (the round engine on the server does).
      return claims.participantId === doc.participantId && claims.role !== 'observer' ? 'write' : 'none';
  }
}

export const canRead = (claims: Claims, doc: DocRef) => accessTo(claims, doc) !== 'none';
export const canWrite = (claims: Claims, doc: DocRef) => accessTo(claims, doc) === 'write';
