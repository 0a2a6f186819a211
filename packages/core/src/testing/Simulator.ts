/**
 * The Figgro API, simulated in memory: the five endpoints with deterministic,
 * consistent data, API keys, the rolling-window rate limit, scriptable faults
 * and drift, a request log, and ground truth for tests.
 *
 * The core is a pure handler (`handleRaw`: request → {@link Outcome}), so the
 * same simulator answers the in-memory `HttpClient` here and a real socket
 * server elsewhere.
 *
 * Decisions where the contract leaves room:
 * - `startDate`/`endDate` on an endpoint without a date field are ignored, as
 *   a real ASP.NET API ignores query parameters it does not bind.
 * - Requests refused with 429 do not count against the window; nor do
 *   requests answered by a replacing fault (500, 503, injected 429, reset,
 *   hang), which play a layer in front of the application. Every other request
 *   with a known key counts, whatever its status (400, 403, 404 included).
 * - A non-GET request is 405 `METHOD_NOT_ALLOWED` with `Allow: GET`.
 * - Paths match case-insensitively, like ASP.NET routing.
 * - `GET /swagger/v1/swagger.json` needs no key, is not rate limited and
 *   never faulted; it still gets a request number.
 * - The injected 503 plays a load balancer: an HTML body and no
 *   `X-RateLimit-*` headers (every other response has them).
 * - A fault fires on the request its trigger matches, whatever that request's
 *   response would have been; of several replacing faults the first wins.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const client = yield* HttpClient.HttpClient
 *   // ...
 * }).pipe(Effect.provide(Simulator.layerTest({ counts: { products: 60 } })))
 * ```
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Endpoints from "../Endpoints.js"
import type { ResourceName } from "../Endpoints.js"
import * as OpenApi from "../OpenApi.js"
import * as MockHttp from "./MockHttp.js"
import * as Data from "./simulator/Data.js"
import * as DataSet from "./simulator/Drift.js"
import * as Faults from "./simulator/Faults.js"
import { type Outcome, toMockResponse } from "./simulator/Outcome.js"
import { type DateFilters, InvalidQuery, parsePage, parseRange } from "./simulator/Query.js"
import { hash, seedOf } from "./simulator/Random.js"
import * as RateWindow from "./simulator/RateWindow.js"

export type { Outcome } from "./simulator/Outcome.js"
export type { DateFilters } from "./simulator/Query.js"
export { InvalidQuery } from "./simulator/Query.js"
export type { Fault, FaultKind, Trigger } from "./simulator/Faults.js"

/** One API key the simulator accepts. */
export interface KeyOptions {
  readonly key: string
  /** The key answers 401 once it has been used for this many requests. */
  readonly expiresAfterRequests?: number
  /** The key answers 401 from this moment on (epoch milliseconds or a Date, read against Effect's Clock). */
  readonly expiresAt?: number | Date
  /** The resources the key may read; others answer 403. Absent: all. */
  readonly scopes?: ReadonlyArray<ResourceName>
}

/** How to set up a simulator; every field has a default. */
export interface SimulatorOptions {
  /** Seed of the data and of probabilistic faults. Default `"figgro"`. */
  readonly seed?: number | string
  /** Records per resource; defaults in `Data.defaultCounts` (products 142, …, job-run-tickets 9600). */
  readonly counts?: Partial<Record<ResourceName, number>>
  /** Accepted keys. Default: one key, `fgr_simulator`. */
  readonly keys?: ReadonlyArray<string | KeyOptions>
  /** Requests per key per window. Default 1,000. */
  readonly limit?: number
  /** The rolling window. Default 60 minutes. */
  readonly window?: Duration.DurationInput
  /** Latency of every request: fixed, or jittered in `[min, max]`. Default none. */
  readonly latency?: Duration.DurationInput | { readonly min: Duration.DurationInput; readonly max: Duration.DurationInput }
  /** Faults in force from the start (see `Faults.parse` for the textual form). */
  readonly faults?: ReadonlyArray<Faults.Fault>
  /**
   * What a page past the last one answers: `"empty"` (default, the contract's
   * reading: 200 with `data: []` and the true totals) or `"not-found"` (404,
   * as some servers do; clients must survive both).
   */
  readonly pastLastPage?: "empty" | "not-found"
}

/** The default key. */
export const defaultKey = "fgr_simulator"

/** The path the OpenAPI document is served at. */
export const swaggerPath = "/swagger/v1/swagger.json"

/** One request, as the log keeps it. `status` is undefined for a reset or a hang. */
export interface LogEntry {
  /** 1-based, over every request. */
  readonly n: number
  readonly requestId: string
  /** Arrival, epoch milliseconds by Effect's Clock. */
  readonly time: number
  readonly method: string
  readonly path: string
  readonly key: string | undefined
  readonly resource: ResourceName | undefined
  readonly page: number | undefined
  readonly status: number | undefined
  readonly outcome: Outcome["_tag"]
  /** Whether the request counted against the key's rate window. */
  readonly counted: boolean
  /** The kinds of the faults that fired on this request. */
  readonly faults: ReadonlyArray<Faults.FaultKind["_tag"]>
}

export interface Stats {
  readonly requests: number
  /** Requests per key header value (unknown keys included). */
  readonly byKey: Readonly<Record<string, number>>
  /** Requests counted against each key's window. */
  readonly countedByKey: Readonly<Record<string, number>>
  /** 429s from the rate limit itself (injected 429 faults not included). */
  readonly rateLimited: number
  readonly byStatus: Readonly<Record<number, number>>
}

export interface SimulatorShape {
  /** The handler for `MockHttp`: Reset fails with `ConnectionReset`, Hang never answers. */
  readonly handle: MockHttp.MockHandler
  /** The same, as data: what a socket server must play. Latency is slept here (Effect's Clock). */
  readonly handleRaw: (request: MockHttp.MockRequest) => Effect.Effect<Outcome>
  /** Adds a fault from now on. */
  readonly addFault: (fault: Faults.Fault) => Effect.Effect<void>
  /** Inserts (`delta > 0`) or deletes (`delta < 0`) records at `at` (default 0) now. */
  readonly drift: (resource: ResourceName, delta: number, at?: number) => Effect.Effect<void>
  /** Every record a complete export must contain now (drift so far applied), in page order, lazily. */
  readonly groundTruth: (
    resource: ResourceName,
    filters?: DateFilters
  ) => Stream.Stream<Record<string, unknown>, InvalidQuery>
  /** How many records `groundTruth` yields, in O(log n). */
  readonly count: (resource: ResourceName, filters?: DateFilters) => Effect.Effect<number, InvalidQuery>
  readonly log: Effect.Effect<ReadonlyArray<LogEntry>>
  readonly stats: Effect.Effect<Stats>
  /** The most requests counted for `key` in any rolling window: a client that respects the limit keeps it ≤ limit. */
  readonly maxInAnyWindow: (key: string) => Effect.Effect<number>
  readonly limit: number
  readonly window: Duration.Duration
}

/** The simulator service. */
export class Simulator extends Context.Tag("@figgro/core/testing/Simulator")<Simulator, SimulatorShape>() {
  /** A fresh simulator. */
  static readonly make = (options: SimulatorOptions = {}): Effect.Effect<SimulatorShape> => make(options)

  /** The simulator as a layer. */
  static readonly layer = (options: SimulatorOptions = {}): Layer.Layer<Simulator> =>
    Layer.effect(Simulator, make(options))

  /** An `HttpClient` answered by the simulator in scope. */
  static readonly layerHttpClient: Layer.Layer<HttpClient.HttpClient, never, Simulator> = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(Simulator, (simulator) => MockHttp.make(simulator.handle))
  )

  /** A simulator and the `HttpClient` it answers: what most tests want. */
  static readonly layerTest = (
    options: SimulatorOptions = {}
  ): Layer.Layer<Simulator | HttpClient.HttpClient> =>
    Simulator.layerHttpClient.pipe(Layer.provideMerge(Simulator.layer(options)))
}

// --- responses --------------------------------------------------------------------

const jsonHeaders = { "Content-Type": "application/json; charset=utf-8" }

const errorBody = (code: string, message: string): string => JSON.stringify({ code, message })

const unavailablePage = `<!DOCTYPE html>
<html><head><title>503 Service Temporarily Unavailable</title></head>
<body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>
`

/** A documented field's type, violated: what the `BadRecord` fault sends. */
const violate: Readonly<Record<ResourceName, (record: Record<string, unknown>) => Record<string, unknown>>> = {
  products: (r) => ({ ...r, price: String(r["price"]) }),
  "raw-materials": (r) => ({ ...r, expiryDate: "31/12/2027" }),
  "job-runs": (r) => ({ ...r, plannedQuantity: String(r["plannedQuantity"]) }),
  "job-run-tickets": (r) => ({ ...r, labTestPassed: "passed" }),
  "product-job-run-tickets": (r) => ({ ...r, metrcSynced: "yes" })
}

const endpointsByPath = new Map<string, Endpoints.AnyEndpoint>(Endpoints.all.map((e) => [e.path.toLowerCase(), e]))

const make = (options: SimulatorOptions): Effect.Effect<SimulatorShape> =>
  Effect.sync(() => {
    const seed = seedOf(options.seed ?? "figgro")
    const counts = { ...Data.defaultCounts, ...options.counts } as Record<ResourceName, number>
    const spec: Data.DataSpec = { seed, counts }
    const limit = options.limit ?? 1000
    const window = Duration.decode(options.window ?? Duration.minutes(60))
    const windowMillis = Duration.toMillis(window)
    const keys = new Map<string, KeyOptions>(
      (options.keys ?? [defaultKey]).map((k) => (typeof k === "string" ? [k, { key: k }] : [k.key, k]))
    )
    const baseLatency = options.latency === undefined
      ? undefined
      : typeof options.latency === "object" && "min" in options.latency
      ? Faults.latency(options.latency.min, options.latency.max)
      : Faults.latency(options.latency)

    // Mutable state: JavaScript runs one handler step at a time, so no locks are needed.
    const sets = Object.fromEntries(
      Endpoints.all.map((e) => [e.name, DataSet.make(Math.max(0, Math.trunc(counts[e.name])))])
    ) as Record<ResourceName, DataSet.DataSet>
    const faults: Array<{ readonly fault: Faults.Fault; readonly id: number; remaining: number | undefined }> = []
    const addFault = (fault: Faults.Fault) => faults.push({ fault, id: faults.length, remaining: fault.times })
    for (const fault of options.faults ?? []) addFault(fault)
    const keyUses = new Map<string, number>()
    const rate = RateWindow.make(limit, windowMillis)
    const entries: Array<LogEntry> = []
    let requests = 0

    const applyDrift = (resource: ResourceName, delta: number, at: number) => {
      sets[resource] = delta > 0
        ? DataSet.insert(sets[resource], at, delta)
        : DataSet.remove(sets[resource], at, -delta)
    }

    /** The faults that fire on request `n`; each firing uses up one of its `times`. */
    const fire = (n: number, resource: ResourceName | undefined, page: number | undefined) => {
      const fired: Array<{ readonly kind: Faults.FaultKind; readonly id: number }> = []
      for (const entry of faults) {
        if (entry.remaining !== undefined && entry.remaining <= 0) continue
        const t = entry.fault.trigger
        const matches = t._tag === "Always"
          ? true
          : t._tag === "Request"
          ? t.n === n
          : t._tag === "Endpoint"
          ? t.resource === resource && (t.page === undefined || t.page === page)
          : hash(seed, n, entry.id, 0x9f0b) / 4294967296 < t.p
        if (!matches) continue
        if (entry.remaining !== undefined) entry.remaining--
        fired.push({ kind: entry.fault.kind, id: entry.id })
      }
      return fired
    }

    const latencyMillis = (kind: Faults.FaultKind, n: number, id: number): number =>
      kind._tag !== "Latency"
        ? 0
        : kind.minMillis + Math.floor((hash(seed, n, id, 0x1a7e) / 4294967296) * (kind.maxMillis - kind.minMillis + 1))

    const indexRange = (resource: ResourceName, filters: DateFilters) =>
      Either.map(parseRange(filters), (range) => {
        const set = sets[resource]
        // Endpoints without a date field ignore the filters (see the module note).
        if (Endpoints.byName(resource)?.dateField === undefined) return { set, from: 0, to: set.length }
        return {
          set,
          from: range.from === undefined ? 0 : DataSet.lowerBound(set, range.from),
          to: range.to === undefined ? set.length : DataSet.upperBound(set, range.to)
        }
      })

    const handleRaw = (request: MockHttp.MockRequest): Effect.Effect<Outcome> =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const n = ++requests
        const requestId = `sim-${String(n).padStart(6, "0")}`
        const key = request.headers["x-api-key"]
        const endpoint = endpointsByPath.get(request.path.replace(/\/+$/, "").toLowerCase())
        const pageResult = parsePage(request.query.get("page"))
        const page = Either.getOrUndefined(pageResult)
        const isSwagger = request.path.toLowerCase() === swaggerPath && request.method === "GET"
        const fired = isSwagger ? [] : fire(n, endpoint?.name, page)
        const known = key !== undefined && keys.has(key) ? key : undefined
        let counted = false

        const rateHeaders = (state: RateWindow.RateState) => ({
          "X-RateLimit-Limit": String(state.limit),
          "X-RateLimit-Remaining": String(state.remaining),
          "X-RateLimit-Reset": String(Math.ceil(state.resetAt / 1000))
        })
        let rateState: RateWindow.RateState = known === undefined
          ? { limit, remaining: limit, resetAt: now + windowMillis }
          : rate.peek(known, now)
        const respond = (status: number, body: string, extra: Record<string, string> = {}) => ({
          _tag: "Response" as const,
          status,
          headers: { ...jsonHeaders, ...rateHeaders(rateState), "X-Request-Id": requestId, ...extra },
          body
        })
        const error = (status: number, code: string, message: string, extra: Record<string, string> = {}) =>
          respond(status, errorBody(code, message), extra)

        /** The response the API itself gives, faults aside. */
        const answer = (): Outcome & { readonly _tag: "Response" } => {
          if (isSwagger) return respond(200, JSON.stringify(OpenApi.document()))
          if (request.method !== "GET") {
            return error(405, "METHOD_NOT_ALLOWED", `${request.method} is not allowed; the API is read-only.`, {
              Allow: "GET"
            })
          }
          if (endpoint === undefined) return error(404, "NOT_FOUND", `No endpoint at ${request.path}.`)
          if (known === undefined) return error(401, "UNAUTHORIZED", "Invalid or missing X-Api-Key header.")
          const config = keys.get(known)!
          const uses = keyUses.get(known) ?? 0
          const expiresAt = config.expiresAt instanceof Date ? config.expiresAt.getTime() : config.expiresAt
          if (
            (expiresAt !== undefined && now >= expiresAt) ||
            (config.expiresAfterRequests !== undefined && uses >= config.expiresAfterRequests)
          ) {
            return error(401, "UNAUTHORIZED", "The API key has expired.")
          }
          keyUses.set(known, uses + 1)
          const verdict = rate.take(known, now)
          rateState = verdict.state
          if (verdict._tag === "Rejected") {
            const seconds = Math.max(1, Math.ceil(verdict.retryAfterMillis / 1000))
            return error(429, "RATE_LIMITED", `Rate limit of ${limit} requests exceeded; retry after ${seconds}s.`, {
              "Retry-After": String(seconds)
            })
          }
          counted = true
          if (config.scopes !== undefined && !config.scopes.includes(endpoint.name)) {
            return error(403, "FORBIDDEN", `The API key has no access to ${endpoint.path}.`)
          }
          if (Either.isLeft(pageResult)) return error(400, "BAD_REQUEST", pageResult.left.message)
          const range = indexRange(endpoint.name, {
            startDate: request.query.get("startDate") ?? undefined,
            endDate: request.query.get("endDate") ?? undefined
          })
          if (Either.isLeft(range)) return error(400, "BAD_REQUEST", range.left.message)
          const { from, set, to } = range.right
          const total = to - from
          const start = from + (pageResult.right - 1) * Endpoints.pageSize
          if (options.pastLastPage === "not-found" && pageResult.right > 1 && start >= to) {
            return error(404, "NOT_FOUND", `Page ${pageResult.right} is past the last page.`)
          }
          const generate = Data.generators[endpoint.name]
          let data: Array<Record<string, unknown>> = []
          for (const ref of DataSet.range(set, start, Math.min(to, start + Endpoints.pageSize))) {
            data.push(generate(spec, ref))
          }
          let echoedPage = pageResult.right
          for (const { kind } of fired) {
            if (kind._tag === "WrongPage") echoedPage = pageResult.right + 1
            if (kind._tag === "BadRecord" && data.length > 0) data = [violate[endpoint.name](data[0]!), ...data.slice(1)]
          }
          return respond(
            200,
            JSON.stringify({
              page: echoedPage,
              page_size: Endpoints.pageSize,
              total_records: total,
              total_pages: Math.ceil(total / Endpoints.pageSize),
              data
            })
          )
        }

        /** A fault that replaces the whole response, if one fired (the first wins). */
        const replaced = (): Outcome | undefined => {
          for (const { kind } of fired) {
            switch (kind._tag) {
              case "ServerError":
                return error(500, "INTERNAL_ERROR", "An unexpected error occurred.")
              case "Unavailable":
                return { ...respond(503, unavailablePage), headers: { "Content-Type": "text/html", "X-Request-Id": requestId } }
              case "RateLimited": {
                const retryAt = Math.ceil((now + kind.retryAfterMillis) / 1000) * 1000
                return error(429, "RATE_LIMITED", "Rate limit exceeded.", {
                  "X-RateLimit-Remaining": "0",
                  "Retry-After": kind.asDate
                    ? new Date(retryAt).toUTCString()
                    : String(Math.ceil(kind.retryAfterMillis / 1000))
                })
              }
              case "Hang":
                return { _tag: "Hang" }
              case "Reset":
                return { _tag: "Reset" }
            }
          }
          return undefined
        }

        let outcome: Outcome = replaced() ?? answer()
        if (outcome._tag === "Response") {
          for (const { kind } of fired) {
            if (kind._tag === "MalformedJson" && outcome._tag === "Response") {
              // Complete delivery of a body that is not JSON: the last brace is missing.
              outcome = { ...outcome, body: outcome.body.slice(0, -1) + ",\"data\":[" }
            }
          }
          for (const { kind } of fired) {
            if (kind._tag === "Truncated" && outcome._tag === "Response") {
              outcome = { ...outcome, _tag: "Truncated", cutAt: Math.floor(outcome.body.length / 2) }
            }
          }
        }

        entries.push({
          n,
          requestId,
          time: now,
          method: request.method,
          path: request.path,
          key,
          resource: endpoint?.name,
          page,
          status: outcome._tag === "Response" || outcome._tag === "Truncated" ? outcome.status : undefined,
          outcome: outcome._tag,
          counted: counted && known !== undefined,
          faults: fired.map((f) => f.kind._tag)
        })

        // Drift happens "after request n": the next request sees it.
        for (const { kind } of fired) {
          if (kind._tag === "Drift") {
            const resource = kind.resource ?? endpoint?.name
            if (resource !== undefined) applyDrift(resource, kind.delta, kind.at)
          }
        }

        const delay = fired.reduce((sum, f) => sum + latencyMillis(f.kind, n, f.id), 0) +
          (baseLatency === undefined ? 0 : latencyMillis(baseLatency, n, -1))
        if (delay > 0) yield* Effect.sleep(Duration.millis(delay))
        return outcome
      })

    const shape: SimulatorShape = {
      handleRaw,
      handle: (request) => Effect.flatMap(handleRaw(request), toMockResponse),
      addFault: (fault) => Effect.sync(() => addFault(fault)),
      drift: (resource, delta, at = 0) => Effect.sync(() => applyDrift(resource, delta, at)),
      groundTruth: (resource, filters = {}) =>
        Stream.unwrap(
          Effect.map(Effect.suspend(() => indexRange(resource, filters)), ({ from, set, to }) => {
            const generate = Data.generators[resource]
            return Stream.fromIterable({
              *[Symbol.iterator]() {
                for (const ref of DataSet.range(set, from, to)) yield generate(spec, ref)
              }
            })
          })
        ),
      count: (resource, filters = {}) =>
        Effect.map(Effect.suspend(() => indexRange(resource, filters)), ({ from, to }) => to - from),
      log: Effect.sync(() => entries.slice()),
      stats: Effect.sync(() => {
        const byKey: Record<string, number> = {}
        const countedByKey: Record<string, number> = {}
        const byStatus: Record<number, number> = {}
        let rateLimited = 0
        for (const entry of entries) {
          if (entry.key !== undefined) byKey[entry.key] = (byKey[entry.key] ?? 0) + 1
          if (entry.counted && entry.key !== undefined) countedByKey[entry.key] = (countedByKey[entry.key] ?? 0) + 1
          if (entry.status !== undefined) byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1
          if (entry.status === 429 && !entry.faults.includes("RateLimited")) rateLimited++
        }
        return { requests: entries.length, byKey, countedByKey, rateLimited, byStatus }
      }),
      maxInAnyWindow: (key) =>
        Effect.sync(() =>
          RateWindow.maxInAnyWindow(
            entries.filter((e) => e.counted && e.key === key).map((e) => e.time),
            windowMillis
          )
        ),
      limit,
      window
    }
    return shape
  })
