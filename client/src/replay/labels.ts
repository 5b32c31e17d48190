import { MARKER_KINDS, type ReplayEvent } from '../../../shared/replay';
import { t } from '../i18n/i18n.svelte';
import { describeEvent } from './describe';
import { formatMoment } from './format';
import type { Moment } from './moments';
import { placeMarkers, type TimeScale, type TimelineMarker } from './timeline';

/** The replay's words for phases, named moments and timeline markers (in the current language). */
export const phaseName = (phase: string | null | undefined) => (phase ? t(`phase.${phase}` as 'phase.setup') : '—');

export function momentLabel(m: Moment, withDay: boolean): string {
  const time = formatMoment(m.ts, withDay);
  if (m.id.startsWith('custom')) return t('replay.moment.custom', { time });
  switch (m.kind) {
    case 'start':
      return t('replay.moment.start', { time });
    case 'end':
      return t('replay.moment.end', { time });
    case 'round-end':
      return t('replay.moment.roundEnd', { question: m.questionId ?? '', time });
    case 'phase':
      return m.phase?.to === 'workshop2' ? t('replay.moment.workshop1End', { time }) : t('replay.moment.phaseEnd', { phase: phaseName(m.phase?.from), time });
  }
}

/**
 * The markers above the scrubber (rounds, phase changes, posts) in time order (the order Tab
 * reaches them), each labelled with its kind, its time and what happened (the round's question).
 */
export function labelledMarkers(events: readonly ReplayEvent[], scale: TimeScale, withDay: boolean, name: (participantId: string | null | undefined) => string): TimelineMarker[] {
  const ctx = { name, phase: phaseName, theme: () => '' };
  return placeMarkers(events, MARKER_KINDS, scale)
    .sort((a, b) => a.ts - b.ts)
    .map((m) => {
      const described = describeEvent(m.events[0]!, ctx);
      const text = t(described.key, described.params);
      const kind = t(`replay.marker.${m.kind}` as 'replay.marker.post');
      return { ...m, label: `${kind} · ${formatMoment(m.ts, withDay)} · ${text}` };
    });
}
