import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Endpoints from "../../Endpoints.js"
import * as Data from "./Data.js"

const spec: Data.DataSpec = { seed: 42, counts: Data.defaultCounts }
const base = (resource: Endpoints.ResourceName, index: number, s: Data.DataSpec = spec) =>
  Data.generators[resource](s, { serial: index + 1, timeMillis: Data.baseTime(s.counts[resource], index) })
const all = (resource: Endpoints.ResourceName) =>
  Array.from({ length: spec.counts[resource] }, (_, i) => base(resource, i))

describe("Data", () => {
  it("every generated record decodes with its endpoint's schema, all five resources", () => {
    for (const endpoint of Endpoints.all) {
      const decode = Schema.decodeUnknownEither(endpoint.item as Schema.Schema<unknown, unknown>)
      for (const record of all(endpoint.name)) {
        const result = decode(record)
        assert.isTrue(Either.isRight(result), `${endpoint.name} ${JSON.stringify(record)}`)
      }
    }
  })

  it("products follow the documented fields strictly (no field missing)", () => {
    const decode = Schema.decodeUnknownEither(Schema.Struct(Endpoints.Product.fields), { onExcessProperty: "error" })
    for (const record of all("products")) assert.isTrue(Either.isRight(decode(record)))
  })

  it("is deterministic in the seed, and the seed matters", () => {
    assert.deepStrictEqual(base("job-runs", 17), base("job-runs", 17))
    assert.notDeepEqual(base("job-runs", 17), base("job-runs", 17, { ...spec, seed: 43 }))
  })

  it("ids and skus are unique within a resource", () => {
    for (const endpoint of Endpoints.all) {
      const records = all(endpoint.name)
      assert.strictEqual(new Set(records.map((r) => r["id"])).size, records.length, endpoint.name)
    }
    const products = all("products")
    assert.strictEqual(new Set(products.map((r) => r["sku"])).size, products.length)
  })

  it("availableQuantity = stockOnHand - reservedQuantity", () => {
    for (const resource of ["products", "raw-materials"] as const) {
      for (const r of all(resource)) {
        const diff = (r["stockOnHand"] as number) - (r["reservedQuantity"] as number) - (r["availableQuantity"] as number)
        assert.isBelow(Math.abs(diff), 1e-6)
        assert.isAtLeast(r["availableQuantity"] as number, 0)
      }
    }
  })

  it("references point at records that exist, with matching denormalised fields", () => {
    const products = new Map(all("products").map((p) => [p["id"], p]))
    const runs = new Map(all("job-runs").map((r) => [r["id"], r]))
    const materials = new Map(all("raw-materials").map((m) => [m["id"], m]))
    for (const run of runs.values()) assert.isTrue(products.has(run["productId"]))
    for (const ticket of all("job-run-tickets")) {
      const run = runs.get(ticket["jobRunId"])
      assert.isDefined(run)
      assert.strictEqual(ticket["jobNumber"], run!["jobNumber"])
      // A ticket is never dated before its run is scheduled.
      assert.isTrue((ticket["ticketDate"] as string) >= (run!["scheduledDate"] as string))
      if (ticket["materialId"] !== null) {
        assert.strictEqual(ticket["lotNumber"], materials.get(ticket["materialId"])!["lotNumber"])
      }
    }
    for (const ticket of all("product-job-run-tickets")) {
      const run = runs.get(ticket["jobRunId"])
      const product = products.get(ticket["productId"])
      assert.isDefined(run)
      assert.isDefined(product)
      assert.strictEqual(ticket["productId"], run!["productId"])
      assert.strictEqual(ticket["sku"], product!["sku"])
    }
  })

  it("job numbers look like JR-2026-00042 and date fields never decrease with the index", () => {
    const runs = all("job-runs")
    assert.match(runs[41]!["jobNumber"] as string, /^JR-20\d\d-00042$/)
    for (const [resource, field] of [["job-runs", "scheduledDate"], ["job-run-tickets", "ticketDate"]] as const) {
      const records = resource === "job-runs" ? runs : all(resource)
      for (let i = 1; i < records.length; i++) {
        assert.isTrue((records[i]![field] as string) >= (records[i - 1]![field] as string))
      }
    }
  })

  it("plays the domain: statuses, nullable fields used both ways", () => {
    const runs = all("job-runs")
    const statuses = new Set(runs.map((r) => r["status"]))
    for (const s of ["Planned", "InProgress", "Completed", "Cancelled"]) assert.isTrue(statuses.has(s), s)
    for (const r of runs) {
      assert.strictEqual(r["completedAt"] === null, r["status"] !== "Completed")
    }
    const products = all("products")
    assert.isTrue(products.some((p) => p["brand"] === null) && products.some((p) => p["brand"] !== null))
    const tickets = all("job-run-tickets")
    assert.isTrue(tickets.some((t) => t["labTestPassed"] === null) && tickets.some((t) => t["labTestPassed"] === true))
  })
})
