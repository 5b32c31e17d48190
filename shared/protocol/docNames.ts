import { ID_PATTERN } from '../schema/ids';
import type { DocKind } from '../schema/layout';

/** Document names: `<workshopId>`, `<workshopId>/p/<participantId>`, `<workshopId>/drafts/<participantId>`. */
export type DocRef =
  | { kind: 'room'; workshopId: string }
  | { kind: 'notes'; workshopId: string; participantId: string }
  | { kind: 'drafts'; workshopId: string; participantId: string };

const ID = ID_PATTERN.source.slice(1, -1);
const DOC_NAME = new RegExp(`^(${ID})(?:/(p|drafts)/(${ID}))?$`);

export function parseDocName(name: string): DocRef | null {
  const match = DOC_NAME.exec(name);
  if (!match) return null;
  const [, workshopId, segment, participantId] = match as unknown as [string, string, string | undefined, string | undefined];
  if (segment === undefined) return { kind: 'room', workshopId };
  return { kind: segment === 'p' ? 'notes' : 'drafts', workshopId, participantId: participantId! };
}

export function docName(ref: DocRef): string {
  switch (ref.kind) {
    case 'room':
      return ref.workshopId;
    case 'notes':
      return `${ref.workshopId}/p/${ref.participantId}`;
    case 'drafts':
      return `${ref.workshopId}/drafts/${ref.participantId}`;
  }
}

export const roomDocName = (workshopId: string) => workshopId;
export const notesDocName = (workshopId: string, participantId: string) => `${workshopId}/p/${participantId}`;
export const draftsDocName = (workshopId: string, participantId: string) => `${workshopId}/drafts/${participantId}`;

export const docKindOf = (ref: DocRef): DocKind => ref.kind;
