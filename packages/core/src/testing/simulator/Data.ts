/**
 * The simulator's records: realistic cannabis/hemp manufacturer data,
 * generated on demand. Record `i` of a resource is a pure function of
 * `(seed, resource, serial)`, so a million records cost no memory and a page
 * costs 25 generations.
 *
 * Every resource has a "timeline": record `i` is dated
 * `START + i * span / count`, non-decreasing in `i`. The date filter field
 * (`scheduledDate`, `ticketDate`) is that date, so a date range is an index
 * range found by binary search. References point at base records of other
 * resources (a ticket's job run, a job run's product), so they exist unless
 * drift deletes them — as in a live system.
 */
import type { ResourceName } from "../../Endpoints.js"
import { hash, hashString, rng, round, type Rng, uuid } from "./Random.js"

/** The first and last moment of every resource's timeline (UTC). */
export const START = Date.UTC(2025, 0, 1)
export const END = Date.UTC(2026, 11, 31, 23, 59, 59)

/** What the data depends on. */
export interface DataSpec {
  /** The seed, already hashed to 32 bits. */
  readonly seed: number
  readonly counts: Readonly<Record<ResourceName, number>>
}

/** One record's identity: its serial number (1-based, never reused) and its timeline date. */
export interface RecordRef {
  readonly serial: number
  readonly timeMillis: number
}

/** The default number of records per resource. */
export const defaultCounts: Readonly<Record<ResourceName, number>> = {
  products: 142,
  "raw-materials": 380,
  "job-runs": 1200,
  "job-run-tickets": 9600,
  "product-job-run-tickets": 4800
}

/** The timeline date of base record `index` among `count`, whole seconds. */
export const baseTime = (count: number, index: number): number =>
  count <= 0 ? START : START + Math.floor((index * ((END - START) / count)) / 1000) * 1000

const resourceHashes = new Map<string, number>()

/** The namespace of a resource's ids and randomness. */
const namespace = (spec: DataSpec, resource: ResourceName): number => {
  let h = resourceHashes.get(resource)
  if (h === undefined) {
    h = hashString(resource)
    resourceHashes.set(resource, h)
  }
  return hash(spec.seed, h)
}

/** The id of the record with `serial`. */
export const idOf = (spec: DataSpec, resource: ResourceName, serial: number): string =>
  uuid(namespace(spec, resource), serial)

const iso = (millis: number): string => new Date(millis).toISOString().replace(".000Z", "Z")

const HOUR = 3_600_000
const DAY = 24 * HOUR

// --- vocabularies -----------------------------------------------------------

interface ProductKind {
  readonly type: string
  readonly code: string
  readonly unit: string
  readonly variants: ReadonlyArray<string>
  readonly price: readonly [number, number]
  readonly stock: readonly [number, number]
  readonly step: string
}

const productKinds: ReadonlyArray<ProductKind> = [
  { type: "Tincture", code: "TIN", unit: "ml", variants: ["500mg 30ml", "1000mg 30ml", "1500mg 30ml", "2500mg 60ml"], price: [29, 119], stock: [300, 9000], step: "Filling" },
  { type: "Capsule", code: "CAP", unit: "units", variants: ["25mg x30", "25mg x60", "50mg x30"], price: [34, 89], stock: [120, 4000], step: "Encapsulation" },
  { type: "Topical", code: "TOP", unit: "g", variants: ["Balm 500mg 60g", "Cream 750mg 100g", "Salve 1000mg 50g", "Roll-On 250mg"], price: [24, 79], stock: [500, 12000], step: "Filling" },
  { type: "Gummy", code: "GUM", unit: "units", variants: ["10mg x30", "25mg x20", "5mg THC x20"], price: [19, 59], stock: [200, 6000], step: "Gummy Depositing" },
  { type: "Softgel", code: "SFG", unit: "units", variants: ["15mg x30", "30mg x60"], price: [39, 99], stock: [100, 3000], step: "Encapsulation" },
  { type: "Vape Cartridge", code: "VAP", unit: "units", variants: ["0.5g", "1g"], price: [25, 55], stock: [50, 2500], step: "Filling" },
  { type: "Pre-Roll", code: "PRE", unit: "units", variants: ["1g", "0.5g x5"], price: [8, 45], stock: [100, 5000], step: "Rolling" },
  { type: "Flower", code: "FLW", unit: "g", variants: ["3.5g", "7g", "14g"], price: [18, 95], stock: [1000, 40000], step: "Trimming" }
]

const classifications = [
  "Full-Spectrum CBD",
  "Broad-Spectrum CBD",
  "CBD Isolate",
  "Hemp-Derived Delta-9 THC",
  "Adult-Use Cannabis",
  "Medical Cannabis"
]
const brands = [
  "Verdant Valley",
  "Cedar & Sage",
  "North Ridge Botanicals",
  "Blue Heron Hemp",
  "Solstice Wellness",
  "Copper Canyon",
  "Lumen Labs",
  "Wildflower Apothecary"
]
const strains = [
  "Blue Dream", "Sour Diesel", "ACDC", "Harlequin", "Cherry Wine", "Lifter", "Sour Space Candy",
  "Charlotte's Web", "OG Kush", "Granddaddy Purple", "Pineapple Express", "Bubba Kush", "Suver Haze",
  "Hawaiian Haze", "Special Sauce"
]

interface MaterialKind {
  readonly type: string
  readonly code: string
  readonly names: ReadonlyArray<string>
  readonly unit: string
  readonly cost: readonly [number, number]
  readonly shelfLifeDays: number | undefined
  readonly suppliers: ReadonlyArray<string>
}

const materialKinds: ReadonlyArray<MaterialKind> = [
  { type: "Biomass", code: "BIO", names: strains.map((s) => `Hemp Biomass, ${s} (trim)`), unit: "kg", cost: [3, 40], shelfLifeDays: 365, suppliers: ["Oregon CBD Farms", "Colorado Hemp Co.", "Willamette Valley Growers"] },
  { type: "Distillate", code: "DIS", names: ["CBD Distillate 85%", "CBD Distillate 92%", "Delta-9 THC Distillate", "CBG Distillate"], unit: "kg", cost: [900, 4500], shelfLifeDays: 730, suppliers: ["Pure Extracts Ltd", "Front Range Extraction"] },
  { type: "Isolate", code: "ISO", names: ["CBD Isolate 99.5%", "CBG Isolate 99%", "CBN Isolate 98%"], unit: "kg", cost: [600, 3000], shelfLifeDays: 1095, suppliers: ["Pure Extracts Ltd", "Global Cannabinoids"] },
  { type: "Carrier Oil", code: "OIL", names: ["MCT Oil (fractionated coconut)", "Hemp Seed Oil, cold pressed", "Olive Oil, extra virgin"], unit: "L", cost: [8, 30], shelfLifeDays: 540, suppliers: ["Northwest Oils", "Bulk Naturals"] },
  { type: "Terpenes", code: "TRP", names: strains.map((s) => `Terpene Blend, ${s}`), unit: "ml", cost: [0.5, 3], shelfLifeDays: 365, suppliers: ["Terpene Belt Farms", "Abstrax"] },
  { type: "Excipient", code: "EXC", names: ["Gelatin Capsule Shells, size 0", "Pectin, citrus", "Beeswax pellets", "Shea Butter, raw"], unit: "g", cost: [0.01, 0.2], shelfLifeDays: 900, suppliers: ["Bulk Naturals", "Capsuline"] },
  { type: "Packaging", code: "PKG", names: ["Amber Glass Dropper Bottle 30ml", "Child-Resistant Jar 2oz", "Mylar Bag 3.5g", "Tincture Box, printed", "Tamper-Evident Label"], unit: "units", cost: [0.05, 1.5], shelfLifeDays: undefined, suppliers: ["Pacific Packaging Supply", "Kush Supply Co."] }
]

const steps = ["Weigh & Dispense", "Extraction", "Winterization", "Decarboxylation", "Blending", "Filling", "Capping", "Labeling", "QA Sampling", "Packaging"]
/** Steps that consume no material: their tickets have `materialId: null`. */
const stepsWithoutMaterial = new Set(["Labeling", "QA Sampling"])

const code3 = (text: string): string => text.replace(/[^A-Za-z]/g, "").slice(0, 3).toUpperCase()
const pad = (n: number, width: number): string => String(n).padStart(width, "0")
const yearOf = (millis: number): number => new Date(millis).getUTCFullYear()

const recordRng = (spec: DataSpec, resource: ResourceName, serial: number): Rng =>
  rng(hash(namespace(spec, resource), serial, 0x5eed))

// --- generators -------------------------------------------------------------

/** A ProductItem. */
export const product = (spec: DataSpec, ref: RecordRef) => {
  const r = recordRng(spec, "products", ref.serial)
  const kind = r.pick(productKinds)
  const brand = r.chance(0.9) ? r.pick(brands) : null
  const classification = r.pick(classifications)
  const strain = classification === "CBD Isolate" || r.chance(0.15) ? null : r.pick(strains)
  const variant = r.pick(kind.variants)
  const price = r.float(kind.price[0], kind.price[1])
  const stockOnHand = kind.unit === "units" ? r.int(kind.stock[0], kind.stock[1]) : r.float(kind.stock[0], kind.stock[1], 1)
  const reservedQuantity = kind.unit === "units" ? r.int(0, Math.floor(stockOnHand / 4)) : r.float(0, stockOnHand / 4, 1)
  const isActive = r.chance(0.9)
  const createdAt = ref.timeMillis
  return {
    id: idOf(spec, "products", ref.serial),
    productName: [brand ?? "House", strain, kind.type, variant].filter((s) => s !== null).join(" "),
    sku: `${kind.code}-${strain === null ? "NS" : code3(strain)}-${pad(ref.serial, 5)}`,
    productType: kind.type,
    classification,
    brand,
    strain,
    unitOfMeasurement: kind.unit,
    price,
    costPrice: round(price * r.float(0.3, 0.55), 2),
    stockOnHand,
    reservedQuantity,
    availableQuantity: round(stockOnHand - reservedQuantity, 2),
    minimumStockLevel: kind.unit === "units" ? r.int(20, 200) : r.int(100, 2000),
    isActive,
    isArchived: !isActive && r.chance(0.5),
    trackInventory: r.chance(0.95),
    createdAt: iso(createdAt),
    updatedAt: iso(createdAt + r.int(0, 200) * DAY + r.int(0, 86_399) * 1000)
  }
}

/** A RawMaterialItem. */
export const rawMaterial = (spec: DataSpec, ref: RecordRef) => {
  const r = recordRng(spec, "raw-materials", ref.serial)
  const kind = r.pick(materialKinds)
  const stockOnHand = kind.unit === "units" ? r.int(0, 20_000) : r.float(0, 500, 3)
  const reservedQuantity = kind.unit === "units" ? r.int(0, Math.floor(stockOnHand / 3)) : r.float(0, stockOnHand / 3, 3)
  const received = ref.timeMillis
  const hasLot = kind.type !== "Packaging" || r.chance(0.3)
  const isActive = r.chance(0.92)
  return {
    id: idOf(spec, "raw-materials", ref.serial),
    materialName: r.pick(kind.names),
    sku: `RM-${kind.code}-${pad(ref.serial, 5)}`,
    materialType: kind.type,
    supplier: r.chance(0.9) ? r.pick(kind.suppliers) : null,
    unitOfMeasurement: kind.unit,
    costPrice: r.float(kind.cost[0], kind.cost[1], 2),
    stockOnHand,
    reservedQuantity,
    availableQuantity: round(stockOnHand - reservedQuantity, 3),
    minimumStockLevel: kind.unit === "units" ? r.int(500, 5000) : r.int(1, 50),
    lotNumber: hasLot ? `LOT-${yearOf(received)}-${kind.code}-${pad(ref.serial, 5)}` : null,
    expiryDate: kind.shelfLifeDays === undefined ? null : iso(received + kind.shelfLifeDays * DAY),
    isActive,
    isArchived: !isActive && r.chance(0.5),
    createdAt: iso(received),
    updatedAt: iso(received + r.int(0, 90) * DAY)
  }
}

/** A JobRunItem. */
export const jobRun = (spec: DataSpec, ref: RecordRef) => jobRunWithProduct(spec, ref).run

/** A job run and the product it makes (tickets copy the product's fields). */
const jobRunWithProduct = (spec: DataSpec, ref: RecordRef) => {
  const r = recordRng(spec, "job-runs", ref.serial)
  const productCount = spec.counts.products
  const p = productCount > 0 ? productAt(spec, r.int(0, productCount - 1)) : undefined
  const scheduled = ref.timeMillis
  // Runs in the last weeks of the timeline have not started yet; a few were cancelled.
  const status = scheduled > END - 21 * DAY
    ? "Planned"
    : scheduled > END - 30 * DAY
    ? "InProgress"
    : r.chance(0.04)
    ? "Cancelled"
    : "Completed"
  const started = status === "InProgress" || status === "Completed" ? scheduled + r.int(0, 4 * 60) * 60_000 : null
  const completed = status === "Completed" && started !== null ? started + r.int(2 * 60, 10 * 60) * 60_000 : null
  const plannedQuantity = r.int(2, 80) * 50
  const created = scheduled - r.int(1, 14) * DAY
  const run = {
    id: idOf(spec, "job-runs", ref.serial),
    jobNumber: `JR-${yearOf(scheduled)}-${pad(ref.serial, 5)}`,
    jobName: p === undefined ? "Distillate Extraction" : `${p.productType} Production, ${p.productName}`,
    status,
    productId: p?.id ?? null,
    productName: p?.productName ?? null,
    batchNumber: started === null ? null : `B${new Date(started).toISOString().slice(2, 10).replace(/-/g, "")}-${pad(ref.serial, 5)}`,
    plannedQuantity,
    producedQuantity: completed === null ? null : round(plannedQuantity * r.float(0.9, 1.02, 3), 0),
    unitOfMeasurement: p?.unitOfMeasurement ?? "kg",
    scheduledDate: iso(scheduled),
    startedAt: started === null ? null : iso(started),
    completedAt: completed === null ? null : iso(completed),
    createdAt: iso(created),
    updatedAt: iso(completed ?? started ?? created)
  }
  return { run, product: p }
}

/** The base job run a ticket dated `millis` belongs to: one scheduled at or before it (baseTime floors, so never after). */
const jobRunIndexAt = (spec: DataSpec, millis: number): number => {
  const n = spec.counts["job-runs"]
  return Math.min(n - 1, Math.max(0, Math.floor((millis - START) / ((END - START) / n))))
}

/** A JobRunTicketItem. */
export const jobRunTicket = (spec: DataSpec, ref: RecordRef) => {
  const r = recordRng(spec, "job-run-tickets", ref.serial)
  const run = spec.counts["job-runs"] > 0 ? jobRunAt(spec, jobRunIndexAt(spec, ref.timeMillis)).run : undefined
  const step = r.pick(steps)
  const materialCount = spec.counts["raw-materials"]
  const material = stepsWithoutMaterial.has(step) || materialCount === 0
    ? undefined
    : rawMaterialAt(spec, r.int(0, materialCount - 1))
  const ticketDate = ref.timeMillis
  return {
    id: idOf(spec, "job-run-tickets", ref.serial),
    ticketNumber: `JRT-${yearOf(ticketDate)}-${pad(ref.serial, 6)}`,
    ...(run === undefined ? {} : { jobRunId: run.id, jobNumber: run.jobNumber }),
    stepName: step,
    materialId: material?.id ?? null,
    materialName: material?.materialName ?? null,
    lotNumber: material?.lotNumber ?? null,
    quantity: material === undefined ? r.int(1, 40) : r.float(0.1, 25, 3),
    unitOfMeasurement: material?.unitOfMeasurement ?? "units",
    ticketDate: iso(ticketDate),
    // Lab results arrive late: the newest tickets are untested.
    labTestPassed: ticketDate > END - 14 * DAY ? null : r.chance(0.96),
    metrcSynced: r.chance(0.93),
    createdAt: iso(ticketDate),
    updatedAt: iso(ticketDate + r.int(0, 72 * 60) * 60_000)
  }
}

/** A ProductJobRunTicketItem. */
export const productJobRunTicket = (spec: DataSpec, ref: RecordRef) => {
  const r = recordRng(spec, "product-job-run-tickets", ref.serial)
  const made = spec.counts["job-runs"] > 0
    ? jobRunAt(spec, jobRunIndexAt(spec, ref.timeMillis))
    : undefined
  const productCount = spec.counts.products
  // The ticket's product is its run's product; without runs, any product.
  const p = made?.product ?? (productCount > 0 ? productAt(spec, r.int(0, productCount - 1)) : undefined)
  const run = made?.run
  const ticketDate = ref.timeMillis
  return {
    id: idOf(spec, "product-job-run-tickets", ref.serial),
    ticketNumber: `PJRT-${yearOf(ticketDate)}-${pad(ref.serial, 6)}`,
    ...(run === undefined ? {} : { jobRunId: run.id, jobNumber: run.jobNumber }),
    ...(p === undefined ? {} : { productId: p.id, productName: p.productName, sku: p.sku }),
    batchNumber: run?.batchNumber ?? null,
    quantityProduced: r.int(1, 400),
    unitOfMeasurement: p?.unitOfMeasurement ?? "units",
    ticketDate: iso(ticketDate),
    labTestPassed: ticketDate > END - 14 * DAY ? null : r.chance(0.97),
    metrcSynced: r.chance(0.93),
    createdAt: iso(ticketDate),
    updatedAt: iso(ticketDate + r.int(0, 48 * 60) * 60_000)
  }
}

/**
 * Referenced records (a ticket's job run, a run's product) repeat across
 * neighbouring records, so a small per-spec cache saves regenerating them.
 * Bounded: memory stays flat however many records are walked.
 */
const referenced = new WeakMap<DataSpec, Map<string, unknown>>()
const cached = <A>(spec: DataSpec, key: string, make: () => A): A => {
  let cache = referenced.get(spec)
  if (cache === undefined) {
    cache = new Map()
    referenced.set(spec, cache)
  }
  let value = cache.get(key) as A | undefined
  if (value === undefined) {
    if (cache.size >= 4096) cache.clear()
    value = make()
    cache.set(key, value)
  }
  return value
}

const productAt = (spec: DataSpec, index: number) => cached(spec, `p${index}`, () => product(spec, productRef(spec, index)))
const rawMaterialAt = (spec: DataSpec, index: number) =>
  cached(spec, `m${index}`, () => rawMaterial(spec, rawMaterialRef(spec, index)))
const jobRunAt = (spec: DataSpec, index: number) =>
  cached(spec, `j${index}`, () => jobRunWithProduct(spec, jobRunRef(spec, index)))

const productRef = (spec: DataSpec, index: number): RecordRef => ({
  serial: index + 1,
  timeMillis: baseTime(spec.counts.products, index)
})
const rawMaterialRef = (spec: DataSpec, index: number): RecordRef => ({
  serial: index + 1,
  timeMillis: baseTime(spec.counts["raw-materials"], index)
})
const jobRunRef = (spec: DataSpec, index: number): RecordRef => ({
  serial: index + 1,
  timeMillis: baseTime(spec.counts["job-runs"], index)
})

/** The generator of each resource. */
export const generators: Readonly<Record<ResourceName, (spec: DataSpec, ref: RecordRef) => Record<string, unknown>>> = {
  products: product,
  "raw-materials": rawMaterial,
  "job-runs": jobRun,
  "job-run-tickets": jobRunTicket,
  "product-job-run-tickets": productJobRunTicket
}
