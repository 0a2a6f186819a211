/**
 * Testing against the in-memory simulator of the whole API: realistic data,
 * faults on demand, and the ground truth to compare with.
 */
import { it } from "@effect/vitest"
import { Endpoints, Figgro } from "@figgro/core"
import { Faults, FiggroTest, Simulator } from "@figgro/core/testing"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { expect } from "vitest"
import { lowStock } from "./quick-start.js"

it.effect("survives a 503 and exports every product", () =>
  Effect.gen(function*() {
    const simulator = yield* Simulator
    yield* simulator.addFault(Faults.make(Faults.unavailable, Faults.onEndpoint("products", 2)))
    const figgro = yield* Figgro
    // The retry waits (backoff) run on the TestClock: fork, move time, join.
    const fiber = yield* Effect.fork(Stream.runCollect(figgro.products.stream()))
    yield* TestClock.adjust("1 minute")
    const exported = yield* Fiber.join(fiber)
    const truth = yield* Stream.runCollect(simulator.groundTruth("products"))
    expect(exported.length).toBe(truth.length)
    expect((yield* simulator.stats).byStatus[503]).toBe(1)
  }).pipe(Effect.provide(FiggroTest.layerSimulator({ counts: { products: 60 } }))))

it.effect("the quick start finds exactly the simulator's low-stock products", () =>
  Effect.gen(function*() {
    const simulator = yield* Simulator
    const expected = yield* simulator.groundTruth("products").pipe(
      Stream.mapEffect(Schema.decodeUnknown(Endpoints.Product)),
      Stream.filter((p) => p.isActive && p.trackInventory && p.availableQuantity < p.minimumStockLevel),
      Stream.map((p) => p.id),
      Stream.runCollect
    )
    const found = yield* lowStock
    expect(found.map((p) => p.id)).toEqual([...expected])
    expect(found.length).toBeGreaterThan(0)
  }).pipe(Effect.provide(FiggroTest.layerSimulator())))
