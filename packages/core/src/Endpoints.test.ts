import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { envelope, product, recording, uuid, withClient } from "../test/fixtures.js"
import { Figgro } from "./Figgro.js"
import * as MockHttp from "./testing/MockHttp.js"

/** A client whose every endpoint answers one page holding `data`. */
const answering = (data: ReadonlyArray<unknown>) =>
  withClient(recording(() => Effect.succeed(MockHttp.json(200, envelope(1, 1, data)))).handler)

describe("tolerant reader", () => {
  it.effect("keeps fields the client does not know", () =>
    Effect.gen(function*() {
      const page = yield* Effect.flatMap(Figgro, (figgro) => figgro.products.page(1)).pipe(
        answering([product(1, { potencyThc: 21.4 })])
      )
      assert.strictEqual((page.data[0] as Record<string, unknown>)["potencyThc"], 21.4)
      assert.strictEqual(page.data[0]!.productName, "Product 1")
    }))

  it.effect("for an assumed item type, requires only the id", () =>
    Effect.gen(function*() {
      const page = yield* Effect.flatMap(Figgro, (figgro) => figgro.rawMaterials.page(1)).pipe(
        answering([{ id: uuid(7) }, { id: uuid(8), materialTitle: "renamed by the real API" }])
      )
      assert.deepStrictEqual(page.data as ReadonlyArray<unknown>, [{ id: uuid(7) }, { id: uuid(8), materialTitle: "renamed by the real API" }])
    }))

  it.effect("still checks an assumed field's type where it is present", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flatMap(Figgro, (figgro) => figgro.jobRuns.page(1)).pipe(
        Effect.flip,
        answering([{ id: uuid(3), plannedQuantity: "ten" }])
      )
      assert(error._tag === "DecodeError")
      assert.deepStrictEqual(error.path, ["data", 0, "plannedQuantity"])
    }))

  it.effect("a documented field of the wrong type is a DecodeError naming endpoint, page, record and field", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flatMap(Figgro, (figgro) => figgro.products.page(1)).pipe(
        Effect.flip,
        answering([product(1), product(2, { price: "12.50" })])
      )
      assert(error._tag === "DecodeError")
      assert.strictEqual(error.recordId, uuid(2))
      assert.deepStrictEqual(error.path, ["data", 1, "price"])
      assert.strictEqual(error.endpoint, "/api/v1/Inventory/getproducts")
      assert.strictEqual(error.page, 1)
      assert.include(error.message, "price")
      assert.include(error.message, uuid(2))
    }))

  it.effect("a documented field that is missing is a DecodeError", () =>
    Effect.gen(function*() {
      const { sku: _, ...withoutSku } = product(4)
      const error = yield* Effect.flatMap(Figgro, (figgro) => figgro.products.page(1)).pipe(
        Effect.flip,
        answering([withoutSku])
      )
      assert(error._tag === "DecodeError")
      assert.deepStrictEqual(error.path, ["data", 0, "sku"])
    }))
})
