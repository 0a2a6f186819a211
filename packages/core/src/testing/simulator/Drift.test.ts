import { assert, describe, it } from "@effect/vitest"
import * as DataSet from "./Drift.js"

const serials = (set: DataSet.DataSet) => Array.from(DataSet.range(set, 0, set.length), (r) => r.serial)

describe("Drift", () => {
  it("inserts at the front, middle and end with fresh serials", () => {
    let set = DataSet.make(5)
    set = DataSet.insert(set, 0, 2)
    assert.deepStrictEqual(serials(set), [6, 7, 1, 2, 3, 4, 5])
    set = DataSet.insert(set, 4, 1)
    assert.deepStrictEqual(serials(set), [6, 7, 1, 2, 8, 3, 4, 5])
    set = DataSet.insert(set, 99, 1)
    assert.deepStrictEqual(serials(set), [6, 7, 1, 2, 8, 3, 4, 5, 9])
    assert.strictEqual(set.length, 9)
  })

  it("deletes across segments", () => {
    let set = DataSet.insert(DataSet.make(5), 2, 2) // 1 2 6 7 3 4 5
    set = DataSet.remove(set, 1, 3)
    assert.deepStrictEqual(serials(set), [1, 3, 4, 5])
    set = DataSet.remove(set, 0, 10)
    assert.deepStrictEqual(serials(set), [])
  })

  it("at and range agree; a range can start mid-segment", () => {
    const set = DataSet.insert(DataSet.insert(DataSet.make(10), 3, 4), 0, 1)
    const all = serials(set)
    for (let i = 0; i < set.length; i++) assert.strictEqual(DataSet.at(set, i)!.serial, all[i])
    assert.deepStrictEqual(Array.from(DataSet.range(set, 2, 7), (r) => r.serial), all.slice(2, 7))
    assert.isUndefined(DataSet.at(set, set.length))
  })

  it("inserted records keep dates non-decreasing, so binary search still finds ranges", () => {
    const set = DataSet.insert(DataSet.insert(DataSet.make(1000), 500, 30), 0, 5)
    const times = Array.from(DataSet.range(set, 0, set.length), (r) => r.timeMillis)
    for (let i = 1; i < times.length; i++) assert.isTrue(times[i]! >= times[i - 1]!)
    const t = times[700]!
    assert.strictEqual(DataSet.lowerBound(set, t), times.findIndex((x) => x >= t))
    assert.strictEqual(DataSet.upperBound(set, t), times.findIndex((x) => x > t))
  })

  it("a million records cost one segment", () => {
    const set = DataSet.make(1_000_000)
    assert.strictEqual(set.segments.length, 1)
    assert.strictEqual(DataSet.at(set, 999_999)!.serial, 1_000_000)
  })
})
