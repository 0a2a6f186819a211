/**
 * Testing your own code against Figgro without a network: the test layer
 * answers requests from a handler you write.
 */
import { it } from "@effect/vitest"
import { FiggroTest, MockHttp } from "@figgro/core/testing"
import * as Effect from "effect/Effect"
import { expect } from "vitest"
import { lowStock } from "./quick-start.js"

const product = (sku: string, available: number, minimum: number) => ({
  id: `00000000-0000-4000-8000-${sku.padStart(12, "0")}`,
  productName: `Tincture ${sku}`,
  sku,
  productType: "Tincture",
  classification: "Hemp-derived CBD",
  brand: null,
  strain: null,
  unitOfMeasurement: "units",
  price: 39.99,
  costPrice: 12.5,
  stockOnHand: available,
  reservedQuantity: 0,
  availableQuantity: available,
  minimumStockLevel: minimum,
  isActive: true,
  isArchived: false,
  trackInventory: true,
  createdAt: "2026-01-10T09:00:00Z",
  updatedAt: "2026-11-01T09:00:00Z"
})

// Two pages: the stream must walk both.
const pages = [[product("1", 5, 10), product("2", 50, 10)], [product("3", 0, 1)]]

const TestFiggro = FiggroTest.layer((request) => {
  const page = Number(request.query.get("page"))
  return Effect.succeed(MockHttp.json(200, {
    page,
    page_size: 25,
    total_records: 3,
    total_pages: pages.length,
    data: pages[page - 1] ?? []
  }))
})

it.effect("lists the products below their minimum stock level, across pages", () =>
  Effect.gen(function*() {
    const products = yield* lowStock
    expect(products.map((p) => p.sku)).toEqual(["1", "3"])
  }).pipe(Effect.provide(TestFiggro)))
