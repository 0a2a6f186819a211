/**
 * Deterministic randomness for the simulator: 32-bit hashes and a small
 * PRNG, so that record `i` of a resource is a pure function of
 * `(seed, resource, i)` and never has to be stored.
 */

/** murmur3's finaliser: a bijection on 32-bit integers, so distinct inputs stay distinct. */
export const fmix32 = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Hashes a string (FNV-1a, then mixed). */
export const hashString = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return fmix32(h)
}

/** Combines integers into one 32-bit hash. */
export const hash = (...parts: ReadonlyArray<number>): number => {
  let h = 0x9e3779b9
  for (const part of parts) {
    h = fmix32((h ^ fmix32(part >>> 0)) + 0x7f4a7c15 + (h << 6) + (h >>> 2))
  }
  return h
}

/** A seed as the simulator takes it (number or text), as 32 bits. */
export const seedOf = (seed: number | string): number =>
  typeof seed === "number" ? fmix32(Math.trunc(seed) >>> 0) : hashString(seed)

/**
 * A tiny PRNG (mulberry32) with helpers for picking realistic values. A class,
 * not closures: one is made per generated record, so it must be cheap.
 */
export class Rng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296
  }
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  /** Uniform in [min, max), rounded to `decimals`. */
  float(min: number, max: number, decimals = 2): number {
    return round(min + this.next() * (max - min), decimals)
  }
  pick<A>(values: ReadonlyArray<A>): A {
    return values[Math.floor(this.next() * values.length)]!
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p
  }
}

/** A PRNG seeded with `seed`. */
export const rng = (seed: number): Rng => new Rng(seed)

/** Rounds to `decimals` places (prices, quantities). */
export const round = (value: number, decimals: number): number => {
  const f = 10 ** decimals
  return Math.round(value * f) / f
}

const hex = (n: number, width: number): string => (n >>> 0).toString(16).padStart(8, "0").slice(8 - width)

/**
 * A version-4-shaped UUID for `(namespace, serial)`. The last 12 hex digits
 * are a bijection of `serial` within the namespace, so ids never collide
 * inside a resource (a 32-bit random id would, past ~65k records); the rest
 * is hash noise so ids look random.
 */
export const uuid = (namespace: number, serial: number): string => {
  const a = hash(namespace, serial, 1)
  const b = hash(namespace, serial, 2)
  const c = hash(namespace, serial, 3)
  const unique = fmix32((serial ^ namespace) >>> 0)
  const version = 0x4000 | (b & 0x0fff)
  const variant = 0x8000 | (c & 0x3fff)
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-${hex(version, 4)}-${hex(variant, 4)}-${hex(c >>> 16, 4)}${hex(unique, 8)}`
}
