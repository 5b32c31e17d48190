import type { ReplayEvent } from '../../../shared/replay';
import type { MessageKey } from '../i18n/en';

/**
 * One line per timeline event, as a message key and its parameters (pure; unit-tested). The
 * view translates it with t(); names and theme names are filled in here.
 */
export interface Described {
  key: MessageKey;
  params: Record<string, string>;
}

export interface DescribeContext {
  name(participantId: string | null | undefined): string;
  phase(phase: string | null | undefined): string;
  /** A theme's name by id (note-themed events carry only the id). */
  theme(themeId: string): string;
}

const clip = (text: string | undefined, max = 60) => {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function describeEvent(event: ReplayEvent, ctx: DescribeContext): Described {
  const who = ctx.name(event.author ?? event.participantId ?? event.by);
  const question = event.questionId ?? '';
  const theme = event.themeName ?? '';
  switch (event.kind) {
    case 'participant-joined':
      return { key: 'replay.event.joined', params: { who } };
    case 'round-start':
      return { key: 'replay.event.roundStart', params: { question } };
    case 'round-pause':
      return { key: 'replay.event.roundPause', params: { question } };
    case 'round-resume':
      return { key: 'replay.event.roundResume', params: { question } };
    case 'round-end':
      return { key: 'replay.event.roundEnd', params: { question } };
    case 'phase':
      return { key: 'replay.event.phase', params: { phase: ctx.phase(event.phase?.to) } };
    case 'post':
      return { key: 'replay.event.post', params: { question } };
    case 'wall-lock':
      return { key: event.locked ? 'replay.event.wallLocked' : 'replay.event.wallUnlocked', params: {} };
    case 'theme-added':
      return { key: 'replay.event.themeAdded', params: { theme } };
    case 'theme-changed':
      return { key: 'replay.event.themeChanged', params: { theme } };
    case 'theme-removed':
      return { key: 'replay.event.themeRemoved', params: { theme } };
    case 'note-themed': {
      const author = ctx.name(event.noteRef?.split('/')[0]);
      return event.themeId ? { key: 'replay.event.noteThemed', params: { who: author, theme: theme || ctx.theme(event.themeId) } } : { key: 'replay.event.noteUnthemed', params: { who: author } };
    }
    case 'note-added':
      if (event.docKind === 'drafts') return { key: 'replay.event.draftAdded', params: { who, text: clip(event.text) } };
      if (event.by === null) return { key: 'replay.event.notePosted', params: { who, text: clip(event.text) } };
      return { key: 'replay.event.noteAdded', params: { who, text: clip(event.text) } };
    case 'note-edited':
      return { key: 'replay.event.noteEdited', params: { who, text: clip(event.text) } };
    case 'note-moved':
      return { key: 'replay.event.noteMoved', params: { who, question } };
    case 'note-deleted':
      // A draft leaving the drafts document when it is posted is not a deletion anyone made.
      return { key: event.docKind === 'drafts' && event.by === null ? 'replay.event.draftPosted' : 'replay.event.noteDeleted', params: { who } };
  }
}
