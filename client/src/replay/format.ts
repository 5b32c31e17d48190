/**
 * Times in the replay, in the viewer's time zone (pure; unit-tested). The workshop's own clock
 * is the server's, in ms since the epoch.
 */
const two = (n: number) => String(n).padStart(2, '0');

/** Time of day, `14:05:09` (or `14:05` without seconds). */
export function formatClock(ts: number, seconds = true): string {
  const d = new Date(ts);
  return `${two(d.getHours())}:${two(d.getMinutes())}${seconds ? `:${two(d.getSeconds())}` : ''}`;
}

/** Day and month, `28.11.` (Finnish and English readers alike read it). */
export function formatDay(ts: number): string {
  const d = new Date(ts);
  return `${d.getDate()}.${d.getMonth() + 1}.`;
}

/** Whether two times fall on different days here. */
export function differentDays(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() !== y.getFullYear() || x.getMonth() !== y.getMonth() || x.getDate() !== y.getDate();
}

/** The time shown under the scrubber: with the day when the workshop spans days. */
export function formatMoment(ts: number, withDay: boolean): string {
  return withDay ? `${formatDay(ts)} ${formatClock(ts)}` : formatClock(ts);
}

/** A length of time, `1:02:03` or `2:03` (minutes:seconds under an hour); days as `3 d 4:05:06`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (days > 0) return `${days} d ${h}:${two(m)}:${two(s)}`;
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}
