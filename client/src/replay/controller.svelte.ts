import { ReplayEngine, ReplayView as BoardReplay, compareEntries, type Board, type ReplayEntry } from '../../../shared/replay';
import { HistoryError, loadHistory } from './history';
import { TimeScale, advance, nextChange, previousChange, type Speed } from './timeline';
import { publishReplay, unpublishReplay } from './testHook';

/**
 * The replay's loading, position and playback: the history paged in (with the reader's token)
 * into a replay engine, the scrubber's value and the workshop time it stands for, the board of
 * that moment, and playback frame by frame. The engine and its views are plain objects (never
 * proxied); what the view draws from is reactive state.
 */
export class ReplayController {
  readonly engine = new ReplayEngine();
  readonly replay = new BoardReplay(this.engine);
  /** Distinct entry times, increasing. */
  readonly times: number[] = [];
  #compareReplay: BoardReplay | null = null;
  #abort = new AbortController();
  #lastCursor: string | null = null;
  readonly #workshopId: string;
  readonly #token: () => string;

  version = $state(0);
  loading = $state(true);
  loaded = $state(false);
  entryCount = $state(0);
  loadError = $state<{ status: number; message: string } | null>(null);

  scale = $state.raw(new TimeScale([]));
  /** Scrubber value (see TimeScale) and the workshop time it stands for. */
  value = $state(0);
  moment = $state(0);
  current = $state.raw<Board | null>(null);
  index = $state(-1);
  playing = $state(false);
  speed = $state<Speed>(60);
  #frame = 0;
  #lastFrame = 0;
  /** The scrubber, keys or playback moved the view (during the first load: do not jump to the end after). */
  #touched = false;
  /** Dragging the scrubber: at most one seek per frame (input events can come faster than drawing). */
  #pendingValue: number | null = null;
  #scrubFrame = 0;

  constructor(workshopId: string, token: () => string) {
    this.#workshopId = workshopId;
    this.#token = token;
  }

  /** A second view of the same engine, for comparisons (made when first needed). */
  get compareReplay(): BoardReplay {
    this.#compareReplay ??= new BoardReplay(this.engine);
    return this.#compareReplay;
  }

  // ——— loading ———

  #append(entries: ReplayEntry[]) {
    const engine = this.engine;
    const last = engine.length > 0 ? engine.entry(engine.length - 1)! : null;
    // A re-read tail may repeat entries already in (same millisecond): keep only what is after.
    const fresh = last ? entries.filter((e) => compareEntries(last, e) < 0) : entries;
    if (fresh.length === 0) return;
    // Once loaded, a view at the end stays at the end as newer changes come in. While the first
    // load runs, the view stays where it is (the start): drawing a half-loaded wall again and
    // again would only slow the load down; the end is shown when everything is in.
    const following = this.loaded && this.value >= this.scale.length;
    engine.append(fresh);
    const times = this.times;
    for (const e of fresh) if (times.length === 0 || e.ts > times.at(-1)!) times.push(e.ts);
    this.entryCount = engine.length;
    this.scale = new TimeScale(times);
    this.version++;
    if (following) this.seekValue(this.scale.length);
    else this.seekTs(this.current === null ? this.scale.start : this.moment);
  }

  async load() {
    this.#abort.abort();
    const controller = (this.#abort = new AbortController());
    this.loading = true;
    this.loadError = null;
    try {
      const result = await loadHistory({
        workshopId: this.#workshopId,
        token: this.#token(),
        after: this.#lastCursor,
        signal: controller.signal,
        onPage: (entries, _page, last) => {
          this.#append(entries);
          this.#lastCursor = last ?? this.#lastCursor;
        },
      });
      this.#lastCursor = result.last ?? this.#lastCursor;
      // The first load opens at the end (the board as it is), unless the scrubber was used meanwhile.
      if (!this.loaded && !this.#touched && this.engine.length > 0) this.seekValue(this.scale.length);
      this.loaded = true;
    } catch (error) {
      if (this.#abort.signal.aborted) return;
      this.loadError = error instanceof HistoryError ? { status: error.status, message: error.message } : { status: 0, message: String(error) };
    } finally {
      this.loading = false;
    }
  }

  /** Loads the history and publishes `window.__arvoReplay` (testHook.ts). */
  mount() {
    void this.load();
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the hook's getters read the live state
    const self = this;
    publishReplay({
      get loaded() {
        return self.loaded && !self.loading;
      },
      get entries() {
        return self.engine.length;
      },
      get start() {
        return self.scale.start;
      },
      get end() {
        return self.scale.end;
      },
      get moment() {
        return self.moment;
      },
      get index() {
        return self.index;
      },
      valueOf: (ts: number) => self.scale.toValue(ts),
    });
  }

  destroy() {
    this.#abort.abort();
    cancelAnimationFrame(this.#frame);
    cancelAnimationFrame(this.#scrubFrame);
    unpublishReplay();
    this.#compareReplay?.destroy();
    this.replay.destroy();
    this.engine.destroy();
  }

  // ——— seeking ———

  #seekTo(ts: number, v: number) {
    this.moment = ts;
    this.value = v;
    if (this.engine.length === 0) return;
    const result = this.replay.seek({ ts });
    this.current = result.board;
    this.index = this.replay.index;
  }

  /** To a scrubber value (dragging, playback). */
  seekValue(v: number) {
    const clamped = Math.max(0, Math.min(this.scale.length, v));
    this.#seekTo(this.scale.toTs(clamped), clamped);
  }

  /** To a workshop time exactly (markers, steps, comparisons). */
  seekTs(ts: number) {
    const scale = this.scale;
    this.#seekTo(Math.max(scale.start, Math.min(scale.end, ts)), scale.toValue(ts));
  }

  // ——— playback ———

  #stopPlaying() {
    this.#touched = true;
    this.playing = false;
    cancelAnimationFrame(this.#frame);
  }

  pause() {
    this.#stopPlaying();
    cancelAnimationFrame(this.#scrubFrame);
    this.#scrubFrame = 0;
    this.#pendingValue = null;
  }

  play() {
    if (this.engine.length === 0) return;
    if (this.value >= this.scale.length) this.seekValue(0);
    this.#touched = true;
    this.playing = true;
    this.#lastFrame = performance.now();
    const tick = (now: number) => {
      const next = advance(this.value, now - this.#lastFrame, this.speed, this.scale.length);
      this.#lastFrame = now;
      this.seekValue(next.value);
      if (next.ended) this.pause();
      else this.#frame = requestAnimationFrame(tick);
    };
    this.#frame = requestAnimationFrame(tick);
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  scrub(v: number) {
    this.#stopPlaying();
    this.value = Math.max(0, Math.min(this.scale.length, v));
    this.#pendingValue = this.value;
    if (this.#scrubFrame) return;
    this.#scrubFrame = requestAnimationFrame(() => {
      this.#scrubFrame = 0;
      const target = this.#pendingValue;
      this.#pendingValue = null;
      if (target !== null) this.seekValue(target);
    });
  }

  /** Step between changes: to the previous or next of these times, or to the start or the end. */
  step(direction: -1 | 1, stepTimes: readonly number[]) {
    this.pause();
    const target = direction > 0 ? nextChange(stepTimes, this.moment) : previousChange(stepTimes, this.moment);
    if (target !== null) this.seekTs(target);
    else if (direction < 0) this.seekValue(0);
    else this.seekValue(this.scale.length);
  }

  /** The replay's keys (← → space Home End PageUp/Down); true when the key was the replay's. */
  key(event: KeyboardEvent, stepTimes: readonly number[]): boolean {
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    switch (event.key) {
      case 'ArrowLeft':
        this.step(-1, stepTimes);
        break;
      case 'ArrowRight':
        this.step(1, stepTimes);
        break;
      case ' ':
        this.toggle();
        break;
      case 'Home':
        this.pause();
        this.seekValue(0);
        break;
      case 'End':
        this.pause();
        this.seekValue(this.scale.length);
        break;
      case 'PageUp':
        this.scrub(this.value - 60_000);
        break;
      case 'PageDown':
        this.scrub(this.value + 60_000);
        break;
      default:
        return false;
    }
    return true;
  }
}
