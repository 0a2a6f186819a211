import { assert, describe, it } from "@effect/vitest"
import type { BudgetSnapshot, Export } from "@figgro/core"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Progress from "./Progress.js"

const budget = (overrides: Partial<BudgetSnapshot> = {}): BudgetSnapshot => ({
  limit: 1000,
  remaining: 1000,
  resetAt: undefined,
  blockedUntil: undefined,
  ...overrides
})

const progress = (overrides: Partial<Export.ExportProgress> = {}): Export.ExportProgress => ({
  resource: "job-run-tickets",
  phase: "walk",
  page: 10,
  totalPages: 400,
  totalRecords: 10_000,
  records: 250,
  pages: 10,
  requests: 10,
  retries: 0,
  rateLimited: 0,
  duplicatesSkipped: 0,
  recovered: 0,
  driftChanges: 0,
  budget: undefined,
  ...overrides
})

describe("clock", () => {
  it("formats m:ss and h:mm:ss, rounding up", () => {
    assert.strictEqual(Progress.clock(0), "0:00")
    assert.strictEqual(Progress.clock(61_001), "1:02")
    assert.strictEqual(Progress.clock(3_600_000 + 5_000), "1:00:05")
  })
})

describe("estimateMillis", () => {
  it("follows the current pace while the budget has room", () => {
    const eta = Progress.estimateMillis({
      pagesLeft: 100,
      pagesPerMilli: 0.01,
      budget: budget(),
      windowMillis: 3_600_000,
      now: 0
    })
    assert.strictEqual(eta, 10_000)
  })

  it("counts the rate-limit windows the rest of the pages must wait for", () => {
    // 2,500 pages left, 100 requests left now, the next slot frees in 10 minutes:
    // 100 now, 1,000 from +10 min, 1,000 from +70 min, the last 400 from +130 min.
    const eta = Progress.estimateMillis({
      pagesLeft: 2500,
      pagesPerMilli: 1,
      budget: budget({ remaining: 100, resetAt: 600_000 }),
      windowMillis: 3_600_000,
      now: 0
    })
    assert.strictEqual(eta, 600_000 + 2 * 3_600_000)
  })

  it("is unknown before any page was timed, and zero when nothing is left", () => {
    const input = { pagesPerMilli: 0, budget: budget(), windowMillis: 1, now: 0 }
    assert.strictEqual(Progress.estimateMillis({ ...input, pagesLeft: 5 }), undefined)
    assert.strictEqual(Progress.estimateMillis({ ...input, pagesLeft: 0 }), 0)
  })
})

describe("the display", () => {
  it.scoped("without a terminal, prints a plain line every few seconds, with the rate-limit wait", () =>
    Effect.gen(function*() {
      const written: Array<string> = []
      const display = yield* Progress.make({
        tty: false,
        write: (text) => written.push(text),
        budget: Effect.succeed(budget({ remaining: 0, blockedUntil: 95_000 })),
        windowMillis: 3_600_000,
        plainInterval: "5 seconds"
      })
      yield* display.onProgress(progress())
      yield* TestClock.adjust("4 seconds")
      assert.deepStrictEqual(written, [])
      yield* TestClock.adjust("1 second")
      assert.strictEqual(written.length, 1)
      assert.match(written[0]!, /^job-run-tickets\s+10\/400 pages\s+250 records\s+budget 0\/1000\s+waiting for the rate-limit window, 1:30\n$/)
    }))

  it.scoped("on a terminal, redraws one line per resource in place", () =>
    Effect.gen(function*() {
      const written: Array<string> = []
      const display = yield* Progress.make({
        tty: true,
        write: (text) => written.push(text),
        budget: Effect.succeed(budget()),
        windowMillis: 3_600_000
      })
      yield* display.onProgress(progress({ resource: "products", phase: "complete", page: 6, totalPages: 6 }))
      yield* display.onProgress(progress())
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(written.length, 2)
      assert.match(written[0]!, /products .* done\n.*job-run-tickets .* ETA/s)
      assert.isTrue(written[1]!.startsWith("\x1b[2F"), "the second frame moves up over the first")
    }))
})
