/**
 * The live data set of one resource: base records plus drift (records
 * inserted or deleted while clients walk the pages).
 *
 * Held as a short list of segments, each a run of consecutive serials, so
 * memory grows with the number of drift events, never with the number of
 * records. Inserted records get fresh serials (past the base count) and the
 * timeline date of the record they are inserted before, which keeps dates
 * non-decreasing: a date range stays an index range.
 */
import { baseTime, type RecordRef } from "./Data.js"

interface Segment {
  /** Serial of the first record of the run. */
  readonly serial: number
  readonly length: number
  /** Set for inserted runs: every record of the run has this date. Base runs date by serial. */
  readonly timeMillis: number | undefined
}

/** One resource's current records, as segments. Immutable: drift makes a new one. */
export interface DataSet {
  readonly baseCount: number
  readonly segments: ReadonlyArray<Segment>
  readonly length: number
  /** The serial the next inserted record gets. */
  readonly nextSerial: number
}

/** The untouched data set of `count` records. */
export const make = (count: number): DataSet => ({
  baseCount: count,
  segments: count > 0 ? [{ serial: 1, length: count, timeMillis: undefined }] : [],
  length: count,
  nextSerial: count + 1
})

/** The record at `index` (0-based), or undefined past the end. O(number of segments). */
export const at = (set: DataSet, index: number): RecordRef | undefined => {
  if (index < 0 || index >= set.length) return undefined
  let offset = index
  for (const segment of set.segments) {
    if (offset < segment.length) {
      const serial = segment.serial + offset
      return { serial, timeMillis: segment.timeMillis ?? baseTime(set.baseCount, serial - 1) }
    }
    offset -= segment.length
  }
  return undefined
}

/** The records in `[from, to)`, lazily. */
export function* range(set: DataSet, from: number, to: number): Generator<RecordRef> {
  let start = Math.max(0, from)
  const end = Math.min(to, set.length)
  let base = 0
  for (const segment of set.segments) {
    if (start >= end) return
    const segmentEnd = base + segment.length
    if (start < segmentEnd) {
      const stop = Math.min(end, segmentEnd)
      for (let i = start; i < stop; i++) {
        const serial = segment.serial + (i - base)
        yield { serial, timeMillis: segment.timeMillis ?? baseTime(set.baseCount, serial - 1) }
      }
      start = stop
    }
    base = segmentEnd
  }
}

/** The first index whose date is at or after `millis` (binary search; dates are non-decreasing). */
export const lowerBound = (set: DataSet, millis: number): number => search(set, (t) => t >= millis)

/** The first index whose date is after `millis`. */
export const upperBound = (set: DataSet, millis: number): number => search(set, (t) => t > millis)

const search = (set: DataSet, isAtOrPast: (time: number) => boolean): number => {
  let lo = 0
  let hi = set.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (isAtOrPast(at(set, mid)!.timeMillis)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** Splits the segments so that one starts exactly at `index`; returns the list and the split position. */
const splitAt = (segments: ReadonlyArray<Segment>, index: number): [Array<Segment>, number] => {
  const out: Array<Segment> = []
  let base = 0
  let position = -1
  for (const segment of segments) {
    if (position === -1 && index === base) position = out.length
    if (position === -1 && index > base && index < base + segment.length) {
      const head = index - base
      out.push({ ...segment, length: head })
      position = out.length
      out.push({ serial: segment.serial + head, length: segment.length - head, timeMillis: segment.timeMillis })
    } else {
      out.push(segment)
    }
    base += segment.length
  }
  return [out, position === -1 ? out.length : position]
}

/** Inserts `count` new records before `index` (clamped to `[0, length]`). */
export const insert = (set: DataSet, index: number, count: number): DataSet => {
  if (count <= 0) return set
  const position = Math.max(0, Math.min(index, set.length))
  // The new records take the date of their successor (or predecessor at the end), keeping order.
  const neighbour = at(set, position) ?? at(set, set.length - 1)
  const timeMillis = neighbour?.timeMillis ?? baseTime(0, 0)
  const [segments, split] = splitAt(set.segments, position)
  segments.splice(split, 0, { serial: set.nextSerial, length: count, timeMillis })
  return { ...set, segments, length: set.length + count, nextSerial: set.nextSerial + count }
}

/** Deletes `count` records starting at `index`. */
export const remove = (set: DataSet, index: number, count: number): DataSet => {
  const from = Math.max(0, Math.min(index, set.length))
  const to = Math.min(set.length, from + Math.max(0, count))
  if (to <= from) return set
  const [withHead] = splitAt(set.segments, from)
  const [split, position] = splitAt(withHead, to)
  // Drop the segments that lie in [from, to): after both splits they start at `from`.
  let base = 0
  const segments = split.filter((segment, i) => {
    const keep = i >= position || base < from
    base += segment.length
    return keep && segment.length > 0
  })
  return { ...set, segments, length: set.length - (to - from) }
}
