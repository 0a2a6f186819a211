/**
 * Export progress on stderr: on a terminal, one live line per resource,
 * redrawn every second; elsewhere (CI, logs) a plain line every few seconds.
 * The ETA counts the rate-limit waits the budget will impose, not only the
 * current speed.
 */
import type { BudgetSnapshot, Export } from "@figgro/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

export interface ProgressOptions {
  readonly tty: boolean
  readonly write: (text: string) => void
  readonly budget: Effect.Effect<BudgetSnapshot, unknown>
  /** The budget's window, to estimate how many windows the rest will take. */
  readonly windowMillis: number
  /** How often a plain (non-TTY) line is printed. */
  readonly plainInterval?: Duration.DurationInput
}

interface Tracked {
  readonly startedAt: number
  readonly pagesAtStart: number
  progress: Export.ExportProgress
}

/** `m:ss` (or `h:mm:ss`). */
export const clock = (millis: number): string => {
  const seconds = Math.max(0, Math.ceil(millis / 1000))
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = String(seconds % 60).padStart(2, "0")
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`
}

/**
 * Milliseconds until `pagesLeft` more pages are fetched: the slower of the
 * current pace and what the budget allows (each page costs at least one request).
 */
export const estimateMillis = (input: {
  readonly pagesLeft: number
  readonly pagesPerMilli: number
  readonly budget: BudgetSnapshot
  readonly windowMillis: number
  readonly now: number
}): number | undefined => {
  const { budget, now, pagesLeft } = input
  if (pagesLeft <= 0) return 0
  const blocked = budget.blockedUntil !== undefined ? budget.blockedUntil - now : 0
  const byPace = input.pagesPerMilli > 0 ? pagesLeft / input.pagesPerMilli : undefined
  let byBudget = 0
  if (Number.isFinite(budget.limit) && pagesLeft > budget.remaining) {
    const firstSlot = Math.max(0, (budget.resetAt ?? now) - now)
    byBudget = firstSlot + Math.floor((pagesLeft - budget.remaining - 1) / budget.limit) * input.windowMillis
  }
  if (byPace === undefined && byBudget === 0) return undefined
  return Math.max(blocked, byBudget, byPace ?? 0)
}

const describe = (tracked: Tracked, budget: BudgetSnapshot, windowMillis: number, now: number): string => {
  const p = tracked.progress
  const phase = p.phase === "verify" ? " (verifying)" : ""
  const pages = `${p.page}/${p.totalPages || "?"} pages${phase}`
  const budgetText = Number.isFinite(budget.limit) && p.phase !== "complete" ? `budget ${budget.remaining}/${budget.limit}` : ""
  let tail: string
  const waitUntil = budget.blockedUntil ?? (budget.remaining === 0 ? budget.resetAt : undefined)
  if (p.phase === "complete") {
    tail = "done"
  } else if (waitUntil !== undefined && waitUntil > now) {
    tail = `waiting for the rate-limit window, ${clock(waitUntil - now)}`
  } else {
    const elapsed = now - tracked.startedAt
    const eta = estimateMillis({
      pagesLeft: p.totalPages - p.page,
      pagesPerMilli: elapsed > 0 ? (p.pages - tracked.pagesAtStart) / elapsed : 0,
      budget,
      windowMillis,
      now
    })
    tail = `ETA ${eta === undefined ? "…" : clock(eta)}`
  }
  return [p.resource.padEnd(24), pages.padEnd(22), `${p.records} records`.padEnd(16), budgetText.padEnd(18), tail]
    .join(" ")
    .trimEnd()
}

/** A progress display; `onProgress` feeds it, the scope's end stops it with a last redraw. */
export const make = (
  options: ProgressOptions
): Effect.Effect<{ readonly onProgress: (progress: Export.ExportProgress) => Effect.Effect<void> }, never, Scope.Scope> =>
  Effect.gen(function*() {
    const tracked = new Map<string, Tracked>()
    let linesDrawn = 0

    const render = Effect.gen(function*() {
      if (tracked.size === 0) return
      const now = yield* Clock.currentTimeMillis
      const budget = yield* Effect.orElseSucceed(options.budget, () => ({
        limit: Number.POSITIVE_INFINITY,
        remaining: Number.POSITIVE_INFINITY,
        resetAt: undefined,
        blockedUntil: undefined
      }))
      const lines = [...tracked.values()].map((t) => describe(t, budget, options.windowMillis, now))
      if (options.tty) {
        const up = linesDrawn > 0 ? `\x1b[${linesDrawn}F` : ""
        options.write(up + lines.map((line) => `\x1b[2K${line}\n`).join(""))
        linesDrawn = lines.length
      } else {
        const active = [...tracked.values()].filter((t) => t.progress.phase !== "complete")
        for (const t of active) options.write(`${describe(t, budget, options.windowMillis, now)}\n`)
      }
    })

    const interval = options.tty ? Duration.seconds(1) : Duration.decode(options.plainInterval ?? Duration.seconds(5))
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep(interval), render)))
    // A terminal gets its final state drawn; a log has the summary table instead.
    yield* Effect.addFinalizer(() => (options.tty ? render : Effect.void))

    const onProgress = (progress: Export.ExportProgress) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const existing = tracked.get(progress.resource)
        if (existing === undefined) tracked.set(progress.resource, { startedAt: now, pagesAtStart: progress.pages, progress })
        else existing.progress = progress
      })
    return { onProgress }
  })
