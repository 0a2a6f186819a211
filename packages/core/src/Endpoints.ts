/**
 * The five Figgro endpoints, as data: path, date filter and item schema.
 *
 * This is the ONLY module that knows paths and the details the public
 * documentation leaves out (marked `[assumed]`). The client, the simulator,
 * the OpenAPI document and `spec check` are all derived from it, so a user
 * holding the real OpenAPI document corrects an assumption here, once.
 *
 * Tolerant reader: records keep fields the schema does not know (decoding
 * preserves them). For the [assumed] item types only `id` is required; every
 * other field is typed where present, so a differently named field degrades
 * to "missing", not to a failed export.
 */
import * as Schema from "effect/Schema"
import { DateTimeString, Double, Uuid } from "./Schemas.js"

const nullable = <S extends Schema.Schema.Any>(schema: S) => Schema.NullOr(schema)
const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optional(schema)

/** ProductItem [doc — every field]. */
export const Product = Schema.Struct({
  id: Uuid,
  productName: Schema.String,
  sku: Schema.String,
  productType: Schema.String,
  classification: Schema.String,
  brand: nullable(Schema.String),
  strain: nullable(Schema.String),
  unitOfMeasurement: Schema.String,
  price: Double,
  costPrice: Double,
  stockOnHand: Double,
  reservedQuantity: Double,
  availableQuantity: Double,
  minimumStockLevel: Double,
  isActive: Schema.Boolean,
  isArchived: Schema.Boolean,
  trackInventory: Schema.Boolean,
  createdAt: DateTimeString,
  updatedAt: DateTimeString
}).annotations({ identifier: "ProductItem" })
export type Product = typeof Product.Type

/** RawMaterialItem [assumed, except lotNumber and expiryDate: doc v1.2]. */
export const RawMaterial = Schema.Struct({
  id: Uuid,
  materialName: optional(Schema.String),
  sku: optional(Schema.String),
  materialType: optional(Schema.String),
  supplier: optional(nullable(Schema.String)),
  unitOfMeasurement: optional(Schema.String),
  costPrice: optional(Double),
  stockOnHand: optional(Double),
  reservedQuantity: optional(Double),
  availableQuantity: optional(Double),
  minimumStockLevel: optional(Double),
  lotNumber: optional(nullable(Schema.String)),
  expiryDate: optional(nullable(DateTimeString)),
  isActive: optional(Schema.Boolean),
  isArchived: optional(Schema.Boolean),
  createdAt: optional(DateTimeString),
  updatedAt: optional(DateTimeString)
}).annotations({ identifier: "RawMaterialItem" })
export type RawMaterial = typeof RawMaterial.Type

/** JobRunItem [assumed]. */
export const JobRun = Schema.Struct({
  id: Uuid,
  jobNumber: optional(Schema.String),
  jobName: optional(Schema.String),
  status: optional(Schema.String),
  productId: optional(nullable(Uuid)),
  productName: optional(nullable(Schema.String)),
  batchNumber: optional(nullable(Schema.String)),
  plannedQuantity: optional(Double),
  producedQuantity: optional(nullable(Double)),
  unitOfMeasurement: optional(Schema.String),
  scheduledDate: optional(DateTimeString),
  startedAt: optional(nullable(DateTimeString)),
  completedAt: optional(nullable(DateTimeString)),
  createdAt: optional(DateTimeString),
  updatedAt: optional(DateTimeString)
}).annotations({ identifier: "JobRunItem" })
export type JobRun = typeof JobRun.Type

/** JobRunTicketItem [assumed, except labTestPassed and metrcSynced: doc v1.2]. */
export const JobRunTicket = Schema.Struct({
  id: Uuid,
  ticketNumber: optional(Schema.String),
  jobRunId: optional(Uuid),
  jobNumber: optional(Schema.String),
  stepName: optional(Schema.String),
  materialId: optional(nullable(Uuid)),
  materialName: optional(nullable(Schema.String)),
  lotNumber: optional(nullable(Schema.String)),
  quantity: optional(Double),
  unitOfMeasurement: optional(Schema.String),
  ticketDate: optional(DateTimeString),
  labTestPassed: optional(nullable(Schema.Boolean)),
  metrcSynced: optional(Schema.Boolean),
  createdAt: optional(DateTimeString),
  updatedAt: optional(DateTimeString)
}).annotations({ identifier: "JobRunTicketItem" })
export type JobRunTicket = typeof JobRunTicket.Type

/** ProductJobRunTicketItem [assumed, except labTestPassed and metrcSynced: doc v1.2]. */
export const ProductJobRunTicket = Schema.Struct({
  id: Uuid,
  ticketNumber: optional(Schema.String),
  jobRunId: optional(Uuid),
  jobNumber: optional(Schema.String),
  productId: optional(Uuid),
  productName: optional(Schema.String),
  sku: optional(Schema.String),
  batchNumber: optional(nullable(Schema.String)),
  quantityProduced: optional(Double),
  unitOfMeasurement: optional(Schema.String),
  ticketDate: optional(DateTimeString),
  labTestPassed: optional(nullable(Schema.Boolean)),
  metrcSynced: optional(Schema.Boolean),
  createdAt: optional(DateTimeString),
  updatedAt: optional(DateTimeString)
}).annotations({ identifier: "ProductJobRunTicketItem" })
export type ProductJobRunTicket = typeof ProductJobRunTicket.Type

/** One endpoint: where it lives, what it returns, and which field its date filters apply to. */
export interface Endpoint<Name extends string = string, A = unknown> {
  /** The resource's name in the CLI, exports and table names. */
  readonly name: Name
  readonly path: string
  /** Decodes one record of `data`. */
  readonly item: Schema.Schema<A, any>
  /** The date-time field `startDate`/`endDate` filter on (inclusive); absent when the endpoint takes no date filters. */
  readonly dateField?: string
}

const endpoint = <const Name extends string, A>(definition: Endpoint<Name, A>): Endpoint<Name, A> => definition

/** `GET /api/v1/Inventory/getproducts` [doc]. */
export const products = endpoint({ name: "products", path: "/api/v1/Inventory/getproducts", item: Product })

/** `GET /api/v1/Inventory/getrawmaterials` [doc name, assumed group]. */
export const rawMaterials = endpoint({
  name: "raw-materials",
  path: "/api/v1/Inventory/getrawmaterials",
  item: RawMaterial
})

/** `GET /api/v1/Manufacturing/getjobruns` [assumed]; dates filter `scheduledDate`. */
export const jobRuns = endpoint({
  name: "job-runs",
  path: "/api/v1/Manufacturing/getjobruns",
  item: JobRun,
  dateField: "scheduledDate"
})

/** `GET /api/v1/Manufacturing/getjobruntickets` [assumed path]; dates filter `ticketDate`. */
export const jobRunTickets = endpoint({
  name: "job-run-tickets",
  path: "/api/v1/Manufacturing/getjobruntickets",
  item: JobRunTicket,
  dateField: "ticketDate"
})

/** `GET /api/v1/Manufacturing/getproductjobruntickets` [doc name v1.1, assumed group]; dates filter `ticketDate`. */
export const productJobRunTickets = endpoint({
  name: "product-job-run-tickets",
  path: "/api/v1/Manufacturing/getproductjobruntickets",
  item: ProductJobRunTicket,
  dateField: "ticketDate"
})

/** All five, in the order an export walks them. */
export const all = [products, rawMaterials, jobRuns, jobRunTickets, productJobRunTickets] as const

/** A resource name: `products`, `raw-materials`, `job-runs`, `job-run-tickets`, `product-job-run-tickets`. */
export type ResourceName = (typeof all)[number]["name"]

export const resourceNames: ReadonlyArray<ResourceName> = all.map((e) => e.name)

/** Any of the five endpoints, its record type left open (schemas are invariant, so a union would not fit). */
export type AnyEndpoint = Endpoint<ResourceName, any>

/** The endpoint of a resource name, if there is one. */
export const byName = (name: string): AnyEndpoint | undefined => all.find((e) => e.name === name)

/** The page size the API uses [doc: the example; assumed fixed, no parameter]. */
export const pageSize = 25
