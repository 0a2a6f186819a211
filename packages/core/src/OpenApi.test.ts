import { assert, describe, it } from "@effect/vitest"
import * as Endpoints from "./Endpoints.js"
import * as OpenApi from "./OpenApi.js"

const doc = OpenApi.document()
/** A deep, mutable copy to edit. */
const copy = (): any => JSON.parse(JSON.stringify(doc))
const products = Endpoints.products.path
const jobRuns = Endpoints.jobRuns.path

describe("OpenApi.document", () => {
  it("has one GET per endpoint, with page, and dates only where the endpoint has a date field", () => {
    assert.deepStrictEqual(Object.keys(doc.paths), Endpoints.all.map((e) => e.path))
    for (const endpoint of Endpoints.all) {
      const names = doc.paths[endpoint.path]!.get.parameters.map((p) => p.name)
      assert.deepStrictEqual(names, endpoint.dateField === undefined ? ["page"] : ["page", "startDate", "endDate"])
    }
    assert.deepStrictEqual(doc.paths[products]!.get.parameters[0]!.schema, {
      type: "integer",
      format: "int32",
      default: 1,
      minimum: 1
    })
  })

  it("describes ProductItem from the schema: types, formats, nullability, required", () => {
    const item = doc.components.schemas["ProductItem"]!
    assert.deepStrictEqual(Object.keys(item.properties!), Object.keys(Endpoints.Product.fields))
    assert.deepStrictEqual(item.properties!["id"], { type: "string", format: "uuid" })
    assert.deepStrictEqual(item.properties!["price"], { type: "number", format: "double" })
    assert.deepStrictEqual(item.properties!["brand"], { type: "string", nullable: true })
    assert.deepStrictEqual(item.properties!["isActive"], { type: "boolean" })
    assert.deepStrictEqual(item.properties!["updatedAt"], { type: "string", format: "date-time" })
    assert.deepStrictEqual(item.required, Object.keys(Endpoints.Product.fields))
    // Assumed types: only id is required; optional nullable fields stay nullable.
    const raw = doc.components.schemas["RawMaterialItem"]!
    assert.deepStrictEqual(raw.required, ["id"])
    assert.deepStrictEqual(raw.properties!["expiryDate"], { type: "string", format: "date-time", nullable: true })
  })

  it("wraps items in the envelope", () => {
    const page = doc.components.schemas["ProductItemPage"]!
    assert.deepStrictEqual(page.properties!["total_pages"], { type: "integer", format: "int32" })
    assert.deepStrictEqual(page.properties!["data"], { type: "array", items: { $ref: "#/components/schemas/ProductItem" } })
    assert.deepStrictEqual(page.required, ["page", "page_size", "total_records", "total_pages", "data"])
    assert.deepStrictEqual(doc.paths[products]!.get.responses["200"]!.content!["application/json"]!.schema, {
      $ref: "#/components/schemas/ProductItemPage"
    })
  })
})

describe("OpenApi.diff", () => {
  it("finds nothing between a document and itself", () => {
    assert.deepStrictEqual(OpenApi.diff(doc, doc), [])
    assert.deepStrictEqual(OpenApi.diff(doc, copy()), [])
  })

  it("reports a missing and an extra path", () => {
    const actual = copy()
    actual.paths["/api/v1/Inventory/getwidgets"] = actual.paths[products]
    delete actual.paths[products]
    assert.deepStrictEqual(OpenApi.diff(doc, actual), [
      { _tag: "MissingPath", path: products },
      { _tag: "ExtraPath", path: "/api/v1/Inventory/getwidgets" }
    ])
  })

  it("reports an added, a removed and a retyped parameter", () => {
    const actual = copy()
    actual.paths[products].get.parameters.push({ name: "pageSize", in: "query", required: false, schema: { type: "integer" } })
    actual.paths[jobRuns].get.parameters = actual.paths[jobRuns].get.parameters.filter((p: any) => p.name !== "endDate")
    actual.paths[jobRuns].get.parameters[0].schema = { type: "string" }
    assert.deepStrictEqual(OpenApi.diff(doc, actual), [
      { _tag: "ExtraParameter", path: products, name: "pageSize" },
      { _tag: "ParameterMismatch", path: jobRuns, name: "page", aspect: "type", expected: "integer/int32", actual: "string" },
      { _tag: "MissingParameter", path: jobRuns, name: "endDate" }
    ])
  })

  it("reports a renamed field as missing plus extra, with its location", () => {
    const actual = copy()
    const item = actual.components.schemas.ProductItem
    item.properties.brandName = item.properties.brand
    delete item.properties.brand
    item.required = item.required.map((r: string) => (r === "brand" ? "brandName" : r))
    assert.deepStrictEqual(OpenApi.diff(doc, actual), [
      { _tag: "MissingField", path: products, field: "data[].brand" },
      { _tag: "ExtraField", path: products, field: "data[].brandName" }
    ])
  })

  it("reports a changed type, a flipped nullability and required-ness", () => {
    const actual = copy()
    actual.components.schemas.ProductItem.properties.price = { type: "string" }
    actual.components.schemas.ProductItem.properties.strain = { type: "string" }
    actual.components.schemas.JobRunItem.required = ["id", "jobNumber"]
    const differences = OpenApi.diff(doc, actual)
    assert.deepStrictEqual(differences, [
      { _tag: "NullabilityMismatch", path: products, field: "data[].strain", expected: true, actual: false },
      { _tag: "TypeMismatch", path: products, field: "data[].price", expected: "number/double", actual: "string" },
      { _tag: "RequiredMismatch", path: jobRuns, field: "data[].jobNumber", expected: false, actual: true }
    ])
    assert.deepStrictEqual(differences.map(OpenApi.formatDifference), [
      `${products}: field 'data[].strain' expected nullable, actual not nullable`,
      `${products}: field 'data[].price' type: expected number/double, actual string`,
      `${jobRuns}: field 'data[].jobNumber' expected optional, actual required`
    ])
  })

  it("compares shapes, not spelling: inlined schemas, allOf wrappers and 3.1 nullability are equal", () => {
    const actual = copy()
    actual.openapi = "3.1.0"
    const page = actual.components.schemas.ProductItemPage
    const item = actual.components.schemas.ProductItem
    item.properties.brand = { type: ["string", "null"] }
    item.properties.strain = { anyOf: [{ type: "string" }, { type: "null" }] }
    page.properties.data.items = { allOf: [{ $ref: "#/components/schemas/Product" }] }
    actual.components.schemas.Product = item
    delete actual.components.schemas.ProductItem
    actual.paths[products].get.responses["200"].content["application/json"].schema = page
    assert.deepStrictEqual(OpenApi.diff(doc, actual), [])
  })

  it("reports a missing 200 schema and a missing operation", () => {
    const actual = copy()
    delete actual.paths[products].get.responses["200"]
    actual.paths[jobRuns] = { post: actual.paths[jobRuns].get }
    assert.deepStrictEqual(OpenApi.diff(doc, actual), [
      { _tag: "MissingResponse", path: products, status: "200" },
      { _tag: "MissingOperation", path: jobRuns, method: "get" },
      { _tag: "ExtraOperation", path: jobRuns, method: "post" }
    ])
  })
})
