import { assert, describe, it } from "@effect/vitest"
import * as RateWindow from "./RateWindow.js"

describe("RateWindow", () => {
  it("accepts up to the limit in a rolling window, then frees one slot as each request ages out", () => {
    const window = RateWindow.make(3, 1000)
    assert.strictEqual(window.take("k", 0)._tag, "Accepted")
    assert.strictEqual(window.take("k", 100)._tag, "Accepted")
    const third = window.take("k", 200)
    assert.strictEqual(third._tag, "Accepted")
    assert.deepStrictEqual(third.state, { limit: 3, remaining: 0, resetAt: 1000 })
    const refused = window.take("k", 999)
    assert.strictEqual(refused._tag, "Rejected")
    assert.strictEqual(refused._tag === "Rejected" && refused.retryAfterMillis, 1)
    // Refused requests are not counted: at 1000 the first slot is free again.
    assert.strictEqual(window.take("k", 1000)._tag, "Accepted")
    assert.strictEqual(window.take("k", 1050)._tag, "Rejected")
    assert.strictEqual(window.peek("other", 5).remaining, 3)
  })

  it("maxInAnyWindow finds the densest window", () => {
    assert.strictEqual(RateWindow.maxInAnyWindow([], 1000), 0)
    assert.strictEqual(RateWindow.maxInAnyWindow([0, 999, 1000, 1500, 1998], 1000), 4)
    assert.strictEqual(RateWindow.maxInAnyWindow([0, 1000, 2000], 1000), 1)
  })
})
