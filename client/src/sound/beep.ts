/**
 * The "time's up" sound: a short chime made in code with WebAudio (no audio files). Browsers
 * start audio only after a user gesture, so the AudioContext is created (or resumed) soon after the
 * first pointer or key press on the page; before that, `chime()` stays silent rather than failing.
 * Whether the sound is on is remembered per device and role in localStorage.
 */
let context: AudioContext | null = null;
let armed = false;

function unlock(): void {
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') void context.resume();
  } catch {
    context = null; // no WebAudio here: stay silent
  }
}

/**
 * Creating an AudioContext blocks the main thread for 60–200 ms (seen in the wall's zoom
 * profiles), so it is not done inside the press that allows it: the press would wait for it. Once
 * the page has had a gesture, Chromium and Firefox let audio start later too (sticky activation),
 * so there the context is made when the page is idle, soon after.
 */
let unlockScheduled = false;
function unlockSoon(): void {
  if (unlockScheduled || context?.state === 'running') return;
  unlockScheduled = true;
  const run = () => {
    unlockScheduled = false;
    unlock();
  };
  // Safari has no requestIdleCallback and wants audio started inside the gesture itself.
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 1000 });
  else run();
}

/** Listens for the first gesture that lets the page play sound (idempotent). */
export function armAudio(): void {
  if (armed || typeof window === 'undefined') return;
  armed = true;
  for (const type of ['pointerdown', 'keydown'] as const) window.addEventListener(type, unlockSoon, { capture: true, passive: true });
}

/** Three rising tones, about a second in all. */
export function chime(): void {
  if (!context || context.state !== 'running') return;
  const start = context.currentTime + 0.02;
  [660, 880, 1320].forEach((frequency, i) => {
    const osc = context!.createOscillator();
    const gain = context!.createGain();
    const at = start + i * 0.28;
    osc.type = 'sine';
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.3, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.001, at + 0.45);
    osc.connect(gain).connect(context!.destination);
    osc.start(at);
    osc.stop(at + 0.5);
  });
}

const key = (who: string) => `arvo.sound.${who}`;

/** On by default for the facilitator and the room screen, off on participants' phones. */
export function soundOn(who: 'facilitator' | 'participant' | 'observer' | 'room'): boolean {
  try {
    const stored = localStorage.getItem(key(who));
    if (stored !== null) return stored === 'on';
  } catch {
    /* storage blocked: use the default */
  }
  return who === 'facilitator' || who === 'room';
}

export function setSoundOn(who: string, on: boolean): void {
  try {
    localStorage.setItem(key(who), on ? 'on' : 'off');
  } catch {
    /* storage blocked: the choice lasts for this page only */
  }
}
