/**
 * Visits every member once per `intervalMs`, a slice at a time. A single timer pinging every
 * socket in one synchronous loop costs tens of milliseconds at a few thousand sockets, and every
 * message that arrives during that loop waits for it (the slowest deliveries of a run all landed
 * on that tick). Here the members are spread over slots, one slot per tick of `tickMs`: the work
 * per tick is 1/slots of the sockets, and each socket is still visited once per interval.
 */
export class KeepaliveWheel<T> {
  private readonly slots: Set<T>[];
  private readonly slotOf = new Map<T, Set<T>>();
  private nextSlot = 0;
  private turn = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    intervalMs: number,
    private readonly visit: (member: T) => void,
    tickMs = 100,
  ) {
    const count = Math.max(1, Math.round(intervalMs / tickMs));
    this.slots = Array.from({ length: count }, () => new Set<T>());
    this.timer = setInterval(() => this.tick(), intervalMs / count);
    this.timer.unref();
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** New members fill the slots in turn, so slices stay even as sockets come and go. */
  add(member: T): void {
    if (this.slotOf.has(member)) return;
    const slot = this.slots[this.nextSlot]!;
    this.nextSlot = (this.nextSlot + 1) % this.slots.length;
    slot.add(member);
    this.slotOf.set(member, slot);
  }

  delete(member: T): void {
    this.slotOf.get(member)?.delete(member);
    this.slotOf.delete(member);
  }

  /** Every member, for shutdown. */
  members(): IterableIterator<T> {
    return this.slotOf.keys();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const slot = this.slots[this.turn]!;
    this.turn = (this.turn + 1) % this.slots.length;
    // A visit may end a socket, whose close handler deletes it: a Set's iteration allows that.
    for (const member of slot) this.visit(member);
  }
}
