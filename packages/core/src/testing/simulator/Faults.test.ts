import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Faults from "./Faults.js"

const parsed = (spec: string) => Either.getOrThrow(Faults.parse(spec))
const failure = (spec: string) => {
  const result = Faults.parse(spec)
  assert.isTrue(Either.isLeft(result), spec)
  return Either.flip(result).pipe(Either.getOrThrow)
}

describe("Faults.parse", () => {
  it("reads the example spec", () => {
    const faults = parsed(
      "503@products:3,500@req:7,429@req:12:retry-after=2s,429-date@req:20,latency=100ms,latency=50..150ms,reset@p=0.01,drift@req:5:products:+3"
    )
    assert.deepStrictEqual(faults, [
      { kind: Faults.unavailable, trigger: Faults.onEndpoint("products", 3), times: 1 },
      { kind: Faults.serverError, trigger: Faults.onRequest(7), times: 1 },
      { kind: Faults.rateLimited("2 seconds"), trigger: Faults.onRequest(12), times: 1 },
      { kind: Faults.rateLimited("2 seconds", { asDate: true }), trigger: Faults.onRequest(20), times: 1 },
      { kind: Faults.latency("100 millis"), trigger: Faults.always, times: undefined },
      { kind: Faults.latency("50 millis", "150 millis"), trigger: Faults.always, times: undefined },
      { kind: Faults.reset, trigger: Faults.withProbability(0.01), times: undefined },
      { kind: Faults.drift("products", 3, 0), trigger: Faults.onRequest(5), times: 1 }
    ])
  })

  it("reads the other kinds and options", () => {
    const faults = parsed(
      " hang@req:2 , truncate@job-runs, malformed@req:3, wrong-page@products:2:times=2, bad-record@raw-materials:1:times=*, drift@job-runs:2:-4:at=10, 429:retry-after=1.5m "
    )
    assert.deepStrictEqual(faults.map((f) => f.kind._tag), [
      "Hang", "Truncated", "MalformedJson", "WrongPage", "BadRecord", "Drift", "RateLimited"
    ])
    assert.strictEqual(faults[3]!.times, 2)
    assert.strictEqual(faults[4]!.times, undefined)
    assert.deepStrictEqual(faults[5]!.kind, Faults.drift("job-runs", -4, 10))
    assert.deepStrictEqual(faults[5]!.trigger, Faults.onEndpoint("job-runs", 2))
    assert.deepStrictEqual(faults[6]!.kind, Faults.rateLimited("90 seconds"))
    assert.deepStrictEqual(parsed(""), [])
  })

  it("names the part that is wrong", () => {
    const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
      ["502@req:1", "502", /unknown fault kind/],
      ["500@req:x", "req:x", /request number/],
      ["500@prodcts:1", "@prodcts", /unknown trigger/],
      ["reset@p=2", "p=2", /probability/],
      ["latency=fast", "latency=fast", /latency=DURATION/],
      ["latency=200..100ms", "latency=200..100ms", /below its minimum/],
      ["500@req:1:retry-after=2s", "retry-after=2s", /429/],
      ["429@req:1:retry-after=soon", "retry-after=soon", /duration/],
      ["drift@req:5:+3", "drift@req:5:+3", /needs a resource/],
      ["drift@req:5:products", "drift@req:5:products", /non-zero count/],
      ["500@products:0", "products:0", /1-based/],
      ["500@req:1:colour=red", "colour=red", /unknown option/],
      ["503@products:3:times=0", "times=0", /times=N/]
    ]
    for (const [spec, part, reason] of cases) {
      const error = failure(`latency=1ms,${spec}`)
      assert.strictEqual(error._tag, "FaultSpecError")
      assert.strictEqual(error.part, part, spec)
      assert.match(error.reason, reason, spec)
      assert.include(error.message, part)
    }
  })
})
