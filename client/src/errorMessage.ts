/**
 * What was thrown, in words to put after a translated message ("Could not save: …"): an Error's
 * own message, anything else as a string (a rejected fetch may throw a plain value or a DOMException).
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
