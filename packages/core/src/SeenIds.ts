/**
 * The ids of the last few pages written, to drop the records that offset
 * drift repeats: when records are inserted before the walk's position, the
 * tail of the page just written shifts into the next page. Such repeats are
 * always near the page boundary, so remembering the last `windowPages` pages
 * (a few hundred ids) catches every repeat caused by fewer than
 * `windowPages × pageSize` insertions between two page fetches, in constant
 * memory.
 */

/** A bounded window of the ids of the last pages, oldest first. Mutable; one per export. */
export class SeenIds {
  private readonly pages: Array<ReadonlySet<string>> = []
  private readonly counts = new Map<string, number>()

  constructor(readonly windowPages: number, initial: ReadonlyArray<ReadonlyArray<string>> = []) {
    if (!Number.isInteger(windowPages) || windowPages < 1) {
      throw new RangeError(`windowPages must be a positive integer, got ${windowPages}`)
    }
    for (const ids of initial.slice(-windowPages)) this.addPage(ids)
  }

  /** Whether `id` is among the ids of the pages in the window. */
  has(id: string): boolean {
    return this.counts.has(id)
  }

  /** Remembers the ids of a page just written; the oldest page leaves when the window is full. */
  addPage(ids: Iterable<string>): void {
    const page = new Set(ids)
    this.pages.push(page)
    for (const id of page) this.counts.set(id, (this.counts.get(id) ?? 0) + 1)
    while (this.pages.length > this.windowPages) {
      const oldest = this.pages.shift()!
      for (const id of oldest) {
        const count = this.counts.get(id)! - 1
        if (count === 0) this.counts.delete(id)
        else this.counts.set(id, count)
      }
    }
  }

  /** The window as plain arrays, oldest page first: what a checkpoint stores. */
  toJSON(): Array<Array<string>> {
    return this.pages.map((page) => [...page])
  }
}
