import { en, type MessageKey } from '../../i18n/en';
import { fi } from '../../i18n/fi';
import { sv } from '../../i18n/sv';
import { t } from '../../i18n/i18n.svelte';
import type { Language } from '../../../../shared/schema/common';

export const MAX_ACTORS = 24;
export const NAME_MAX = 80;
export const TITLE_MAX = 200;

/** Presets for the usual sectors; the name goes in in the WORKSHOP's language. */
export const PRESETS = ['preset.public', 'preset.company', 'preset.association', 'preset.school', 'preset.parish', 'preset.residents'] as const;
export type PresetKey = (typeof PRESETS)[number];
/** The start page names presets in the workshop's language, whatever the UI's: it has every catalogue. */
const CATALOGUES: Readonly<Record<Language, Record<MessageKey, string>>> = { en, fi, sv };
export const catalogue = (language: Language): Record<MessageKey, string> => CATALOGUES[language];

/** One actor (or group) row of the start form. */
export interface Row {
  key: number;
  name: string;
  color: string;
  preset: PresetKey | null;
}

export interface FieldProblem {
  field: string | null;
  message: string;
}

/** What is wrong with the form before it is sent: the title, the facilitator's name and each actor's name. */
export function validate(title: string, facilitatorName: string, actors: readonly Row[]): FieldProblem[] {
  const found: FieldProblem[] = [];
  if (!title.trim()) found.push({ field: 'title', message: t('start.error.titleRequired') });
  else if (title.trim().length > TITLE_MAX) found.push({ field: 'title', message: t('start.error.tooLong', { max: TITLE_MAX }) });
  if (facilitatorName.trim().length > NAME_MAX) found.push({ field: 'facilitatorName', message: t('start.error.tooLong', { max: NAME_MAX }) });
  actors.forEach((row, i) => {
    const name = row.name.trim();
    if (!name) found.push({ field: `actors.${i}.name`, message: t('start.error.actorName', { number: i + 1 }) });
    else if (name.length > NAME_MAX) found.push({ field: `actors.${i}.name`, message: t('start.error.tooLong', { max: NAME_MAX }) });
  });
  return found;
}

/** The id of the input a problem's field is typed in (an actor row that is gone points at "add"). */
export function fieldId(field: string | null, actors: readonly Row[]): string | null {
  if (!field) return null;
  const actor = /^actors\.(\d+)/.exec(field);
  if (actor) {
    const row = actors[Number(actor[1])];
    return row ? `actor-name-${row.key}` : 'actor-add';
  }
  if (field === 'createKey') return 'create-key';
  return field === 'title' ? 'title' : field === 'facilitatorName' ? 'facilitator-name' : null;
}

/** The server's validation details ("path: message") as problems on the form's fields. */
export function serverProblems(details: unknown): FieldProblem[] {
  const lines = Array.isArray(details) ? details.filter((d): d is string => typeof d === 'string') : [];
  return lines.map((detail) => {
    const split = detail.indexOf(': ');
    const path = split > 0 ? detail.slice(0, split) : null;
    const field = path === 'title' || path === 'facilitatorName' ? path : path?.startsWith('actors') ? path.replace(/^(actors\.\d+).*$/, '$1.name') : null;
    return { field, message: detail };
  });
}

/** What the start page shows for a refused creation: a sentence, and whether to ask for the server's key. */
export interface CreateFailure {
  message: string;
  /** Show the key field (the server requires a key). */
  askForKey: boolean;
  /** A problem to show at the key field itself. */
  keyProblem: string | null;
}

export function createFailure(error: { status: number; code: string; message: string; retryAfter: number | null }, translate = t): CreateFailure {
  switch (error.code) {
    case 'create-key-required':
      return { message: translate('start.error.keyRequired'), askForKey: true, keyProblem: translate('start.error.keyMissing') };
    case 'create-key-invalid':
      return { message: translate('start.error.keyInvalid'), askForKey: true, keyProblem: translate('start.error.keyInvalid') };
    case 'rate-limited':
      return { message: translate('start.error.rateLimited', { seconds: error.retryAfter ?? 60 }), askForKey: false, keyProblem: null };
    case 'store-unavailable':
      return { message: translate('start.error.storeUnavailable'), askForKey: false, keyProblem: null };
  }
  if (error.status === 0) return { message: translate('error.network'), askForKey: false, keyProblem: null };
  return { message: translate('start.error.server', { message: error.message }), askForKey: false, keyProblem: null };
}
