/** A note on the wall with its derived author and actor: what the derivations read. */
export interface WallNote {
  id: string;
  participantId: string;
  authorName: string;
  actorId: string | null;
  questionId: string;
  aboutActorId?: string | null;
  text: string;
  createdAt: number;
}

export const refOf = (note: Pick<WallNote, 'participantId' | 'id'>) => `${note.participantId}/${note.id}`;
