import { diffBoards, filterBoard, type BoardNote, type ReplayFilter } from '../../../shared/replay';
import type { NoteMark } from '../canvas/notes';
import { diffMarks } from './board';
import type { ReplayController } from './controller.svelte';
import { defaultPair, namedMoments, type Moment } from './moments';

const NO_MARKS: ReadonlyMap<string, NoteMark> = new Map();

/**
 * Compare two moments (A before B): which moments can be chosen (named ones and the two custom
 * "now" picks), the two boards (filtered like the view), their difference, and — with "Show on the
 * wall", while the view is at B — the marks and the removed notes (ghosts) the wall draws.
 * Construct during a component's initialisation (it sets the default pair in an effect).
 */
export class CompareState {
  a = $state('');
  b = $state('');
  customA = $state<number | null>(null);
  customB = $state<number | null>(null);
  highlight = $state(true);
  readonly #ctl: ReplayController;
  readonly #active: () => boolean;
  readonly #filter: () => ReplayFilter;

  constructor(ctl: ReplayController, options: { active: () => boolean; filter: () => ReplayFilter }) {
    this.#ctl = ctl;
    this.#active = options.active;
    this.#filter = options.filter;
    $effect(() => {
      // The default pair once the history is in: end of workshop I (or of the last round) vs the end.
      if (!ctl.loaded || this.a || this.moments.length === 0) return;
      const pair = defaultPair(this.moments);
      this.a = pair.a.id;
      this.b = pair.b.id;
    });
  }

  readonly moments = $derived.by((): Moment[] => {
    const ctl = this.#ctl;
    void ctl.version;
    if (ctl.engine.length === 0) return [];
    const list = namedMoments(ctl.engine.events, ctl.scale.start, ctl.scale.end);
    if (this.customA !== null) list.push({ id: 'custom-a', kind: 'start', ts: this.customA });
    if (this.customB !== null) list.push({ id: 'custom-b', kind: 'start', ts: this.customB });
    return list;
  });

  momentTs = (id: string) => this.moments.find((m) => m.id === id)?.ts;

  readonly comparison = $derived.by(() => {
    const ctl = this.#ctl;
    void ctl.version;
    if (!this.#active() || ctl.engine.length === 0) return null;
    const ta = this.momentTs(this.a);
    const tb = this.momentTs(this.b);
    if (ta === undefined || tb === undefined) return null;
    const filter = this.#filter();
    const a = filterBoard(ctl.compareReplay.seek({ ts: ta }).board, filter);
    const b = filterBoard(ctl.compareReplay.seek({ ts: tb }).board, filter);
    return { a, b, tb, diff: diffBoards(a, b) };
  });
  readonly atB = $derived.by(() => !!this.comparison && this.#ctl.engine.resolve({ ts: this.comparison.tb }) === this.#ctl.index);
  readonly #marking = $derived(this.highlight && this.atB && !!this.comparison);
  readonly marks = $derived(this.#marking && this.comparison ? diffMarks(this.comparison.diff) : NO_MARKS);
  readonly ghosts = $derived<BoardNote[]>(this.#marking && this.comparison ? this.comparison.diff.removed : []);

  /** A or B becomes the moment shown now. */
  useCurrent(which: 'a' | 'b') {
    if (which === 'a') {
      this.customA = this.#ctl.moment;
      this.a = 'custom-a';
    } else {
      this.customB = this.#ctl.moment;
      this.b = 'custom-b';
    }
  }

  /** The view goes to A or B. */
  goTo(which: 'a' | 'b') {
    const ts = this.momentTs(which === 'a' ? this.a : this.b);
    if (ts === undefined) return;
    this.#ctl.pause();
    this.#ctl.seekTs(ts);
  }
}
