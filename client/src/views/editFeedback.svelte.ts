import { errorMessage } from '../errorMessage';
import { t } from '../i18n/i18n.svelte';

/**
 * What the analysis and actions views say after an edit: a polite announcement for screen readers
 * when it is done, an alert when the room document refuses it (a method rule, a missing theme).
 * `run` is an arrow property, so it can be handed out as a callback on its own.
 */
export class EditFeedback {
  announcement = $state('');
  error = $state<string | null>(null);

  /** Runs an edit; true when it went through (then `done`, if any, is announced). */
  run = (edit: () => void, done?: string): boolean => {
    try {
      edit();
      this.error = null;
      if (done) this.announcement = done;
      return true;
    } catch (cause) {
      this.error = t('analysis.error', { message: errorMessage(cause) });
      return false;
    }
  };
}
