/**
 * Quick start: stream every product and list those below their minimum stock level.
 *
 *   FIGGRO_API_KEY=fgr_… pnpm tsx examples/quick-start.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Figgro } from "@figgro/core"
import { FiggroNode } from "@figgro/node"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** Active products whose available quantity is under their reorder threshold. */
export const lowStock = Effect.gen(function*() {
  const figgro = yield* Figgro
  const products = yield* figgro.products.stream().pipe(
    Stream.filter((p) => p.isActive && p.trackInventory && p.availableQuantity < p.minimumStockLevel),
    Stream.runCollect
  )
  return Chunk.toReadonlyArray(products)
})

export const main = Effect.gen(function*() {
  const products = yield* lowStock
  for (const p of products) {
    yield* Console.log(`${p.sku}  ${p.productName}: ${p.availableQuantity} ${p.unitOfMeasurement} (minimum ${p.minimumStockLevel})`)
  }
  yield* Console.log(`${products.length} product(s) below their minimum stock level`)
})

if (import.meta.url === `file://${process.argv[1]}`) {
  main.pipe(Effect.provide(FiggroNode.layerConfig), NodeRuntime.runMain)
}
