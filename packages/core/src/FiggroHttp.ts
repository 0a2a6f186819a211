/**
 * One page of one endpoint, safely: budget → GET → status → typed error →
 * decode, retried on the schedule of `Retry.ts`, inside a span, counted in
 * `Metrics.ts`.
 *
 * This is the only module that talks to `HttpClient` and the only one that
 * touches the API key (read from its `Redacted` at the last moment, into a
 * header that @effect/platform redacts in its own spans).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import type { Endpoint } from "./Endpoints.js"
import { FiggroConfig } from "./FiggroConfig.js"
import * as Errors from "./FiggroError.js"
import type { FiggroError, RateLimitSnapshot, StatusError } from "./FiggroError.js"
import * as Metrics from "./Metrics.js"
import { RateBudget } from "./RateBudget.js"
import * as Retry from "./Retry.js"
import { Envelope, ErrorBody } from "./Schemas.js"

/** One page of an endpoint, decoded. */
export interface Page<A> {
  readonly page: number
  readonly pageSize: number
  readonly totalRecords: number
  readonly totalPages: number
  readonly data: ReadonlyArray<A>
  /** The `X-RateLimit-*` headers of the response, when it had them. */
  readonly rateLimit?: RateLimitSnapshot
  readonly requestId?: string
  /** Requests this page cost: 1, plus one per retry. */
  readonly attempts: number
  /** How many of those attempts were answered 429. */
  readonly rateLimitedAttempts: number
}

export interface FiggroHttpShape {
  /** Fetches and decodes `page` of `endpoint`, with extra query `params` (already validated). */
  readonly getPage: <A>(
    endpoint: Endpoint<string, A>,
    page: number,
    params?: Readonly<Record<string, string>>
  ) => Effect.Effect<Page<A>, FiggroError>
}

/** The HTTP layer of the client. Provide `HttpClient`, `FiggroConfig` and `RateBudget`. */
export class FiggroHttp extends Context.Tag("@figgro/core/FiggroHttp")<FiggroHttp, FiggroHttpShape>() {
  static readonly layer: Layer.Layer<FiggroHttp, never, HttpClient.HttpClient | FiggroConfig | RateBudget> = Layer
    .effect(
      FiggroHttp,
      Effect.gen(function*() {
        return make(yield* HttpClient.HttpClient, yield* FiggroConfig, yield* RateBudget)
      })
    )
}

const make = (
  client: HttpClient.HttpClient,
  config: FiggroConfig["Type"],
  budget: RateBudget["Type"]
): FiggroHttpShape => {
  const retrySchedule = Retry.schedule(config.retry)
  const timeoutMillis = Duration.toMillis(config.requestTimeout)

  const getPage = <A>(endpoint: Endpoint<string, A>, page: number, params: Readonly<Record<string, string>> = {}) =>
    Effect.suspend(() => {
      const where = { endpoint: endpoint.path, page }
      let attempts = 0
      let rateLimitedAttempts = 0

      const send = client.get(config.baseUrl + endpoint.path, {
        urlParams: { page: String(page), ...params },
        headers: { "accept": "application/json", "x-api-key": Redacted.value(config.apiKey) }
      }).pipe(
        Effect.mapError((error) => new Errors.TransportError({ ...where, message: transportMessage(error) })),
        Effect.flatMap((response) =>
          Effect.map(
            Effect.mapError(
              response.text,
              (error) => new Errors.TransportError({ ...where, message: `Reading the body failed: ${transportMessage(error)}` })
            ),
            (body) => ({ response, body })
          )
        ),
        Effect.timeoutFail({
          duration: config.requestTimeout,
          onTimeout: () =>
            new Errors.TimeoutError({
              ...where,
              timeoutMillis,
              message: `No complete response within ${timeoutMillis} ms`
            })
        })
      )

      const attempt = Effect.gen(function*() {
        attempts += 1
        yield* Effect.annotateCurrentSpan("figgro.attempt", attempts)
        yield* budget.acquire
        yield* Metric.increment(Metrics.requests)
        if (attempts > 1) yield* Metric.increment(Metrics.retries)
        const { body, response } = yield* send
        yield* Effect.annotateCurrentSpan("http.status", response.status)
        const rateLimit = readRateLimit(response.headers)
        // A 429's own instruction is its Retry-After (the gate below); its
        // "remaining 0, resets in an hour" would otherwise close the budget
        // for the whole window, far longer than the server asked.
        if (rateLimit !== undefined && response.status !== 429) yield* budget.observe(rateLimit)
        const requestId = readRequestId(response.headers)
        if (response.status >= 200 && response.status < 300) {
          return { envelope: yield* decodeEnvelope(body, where), rateLimit, requestId }
        }
        const now = yield* Clock.currentTimeMillis
        const error = statusError(response, body, { ...where, rateLimit, requestId }, now)
        if (error._tag === "RateLimited") {
          rateLimitedAttempts += 1
          yield* Metric.increment(Metrics.rateLimited)
          yield* budget.block(now + error.retryAfterMillis)
        }
        return yield* Effect.fail(error)
      }).pipe(
        Effect.tapError((error) => Metric.increment(Metric.tagged(Metrics.errors, "error", error._tag))),
        Effect.withSpan("figgro.request", spanOptions(endpoint, page))
      )

      return attempt.pipe(
        Effect.retry(retrySchedule),
        Effect.flatMap(({ envelope, rateLimit, requestId }) =>
          Effect.map(decodeItems(endpoint, envelope, page), (data): Page<A> => ({
            page: envelope.page,
            pageSize: envelope.page_size,
            totalRecords: envelope.total_records,
            totalPages: envelope.total_pages,
            data,
            attempts,
            rateLimitedAttempts,
            ...(rateLimit === undefined ? {} : { rateLimit }),
            ...(requestId === undefined ? {} : { requestId })
          }))
        )
      )
    }).pipe(Effect.withSpan("figgro.getPage", spanOptions(endpoint, page)))

  return { getPage }
}

/** Span attributes; no stack trace: it would point into this module, and costs a stack capture per request. */
const spanOptions = (endpoint: { readonly path: string }, page: number) => ({
  attributes: { "figgro.endpoint": endpoint.path, "figgro.page": page },
  captureStackTrace: false
})

const transportMessage = (error: { readonly message: string; readonly cause?: unknown }): string => {
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ""
  return `${error.message}${cause}`
}

const readRateLimit = (headers: HttpClientResponse.HttpClientResponse["headers"]): RateLimitSnapshot | undefined => {
  const limit = Number(headers["x-ratelimit-limit"])
  const remaining = Number(headers["x-ratelimit-remaining"])
  const reset = Number(headers["x-ratelimit-reset"])
  if (headers["x-ratelimit-limit"] === undefined || ![limit, remaining, reset].every(Number.isFinite)) return undefined
  return { limit, remaining, resetAt: reset * 1000 }
}

const readRequestId = (headers: HttpClientResponse.HttpClientResponse["headers"]): string | undefined =>
  headers["x-request-id"] ?? headers["request-id"] ?? headers["x-correlation-id"]

interface Where {
  readonly endpoint: string
  readonly page: number
}

const decodeEnvelopeSync = Schema.decodeUnknownEither(Envelope)

const decodeEnvelope = (body: string, where: Where): Effect.Effect<Envelope, Errors.DecodeError> => {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch (error) {
    return Effect.fail(
      new Errors.DecodeError({
        ...where,
        path: [],
        message: `The response body is not valid JSON (${(error as Error).message})`
      })
    )
  }
  return Either.match(decodeEnvelopeSync(json), {
    onRight: Effect.succeed,
    onLeft: (error) => Effect.fail(decodeError(error, where, [], undefined, "The pagination envelope"))
  })
}

/**
 * Per-endpoint item decoders, built once: unknown fields are kept, first error reported.
 *
 * When the item schema only checks (strings, numbers, booleans, literals,
 * filters such as a pattern, unions and optional fields of those: no
 * transformation), a record that passes a check compiled from the schema is
 * already its own decoded value, and is returned as received. Anything the
 * check does not accept goes through the full Schema decoder, which decides
 * and writes the error. This keeps records "as received" and costs a few
 * property reads per field instead of a Schema parse per record.
 */
const itemDecoders = new WeakMap<Schema.Schema<any, any>, (u: unknown) => Either.Either<any, ParseResult.ParseError>>()

const itemDecoder = <A>(schema: Schema.Schema<A, any>): (u: unknown) => Either.Either<A, ParseResult.ParseError> => {
  let decoder = itemDecoders.get(schema)
  if (decoder === undefined) {
    const full = Schema.decodeUnknownEither(schema, { onExcessProperty: "preserve" })
    const accepts = compileCheck(schema.ast)
    decoder = accepts === undefined ? full : (u) => (accepts(u) ? Either.right(u) : full(u))
    itemDecoders.set(schema, decoder)
  }
  return decoder
}

const noOptions: SchemaAST.ParseOptions = {}

/**
 * A predicate that accepts only values the decoder of `ast` accepts
 * unchanged; `undefined` when `ast` has a part that transforms or that this
 * does not know (then every value goes to the full decoder).
 */
const compileCheck = (ast: SchemaAST.AST): ((u: unknown) => boolean) | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => typeof u === "string"
    case "NumberKeyword":
      return (u) => typeof u === "number"
    case "BooleanKeyword":
      return (u) => typeof u === "boolean"
    case "UndefinedKeyword":
      return (u) => u === undefined
    case "UnknownKeyword":
      return () => true
    case "Literal": {
      const literal = ast.literal
      return (u) => u === literal
    }
    case "Refinement": {
      const from = compileCheck(ast.from)
      if (from === undefined) return undefined
      return (u) => from(u) && Option.isNone(ast.filter(u, noOptions, ast))
    }
    case "Union": {
      const members: Array<(u: unknown) => boolean> = []
      for (const type of ast.types) {
        const check = compileCheck(type)
        if (check === undefined) return undefined
        members.push(check)
      }
      return (u) => {
        for (const member of members) if (member(u)) return true
        return false
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0) return undefined
      const fields: Array<{ readonly name: string; readonly optional: boolean; readonly check: (u: unknown) => boolean }> =
        []
      for (const ps of ast.propertySignatures) {
        if (typeof ps.name !== "string") return undefined
        const check = compileCheck(ps.type)
        if (check === undefined) return undefined
        fields.push({ name: ps.name, optional: ps.isOptional, check })
      }
      return (u) => {
        if (typeof u !== "object" || u === null || Array.isArray(u)) return false
        const record = u as Record<string, unknown>
        for (const field of fields) {
          if (!Object.prototype.hasOwnProperty.call(record, field.name)) {
            // A missing required field is the decoder's call (and its message).
            if (field.optional) continue
            return false
          }
          if (!field.check(record[field.name])) return false
        }
        return true
      }
    }
    default:
      return undefined
  }
}

const decodeItems = <A>(
  endpoint: Endpoint<string, A>,
  envelope: Envelope,
  page: number
): Effect.Effect<ReadonlyArray<A>, Errors.DecodeError | Errors.PaginationError> => {
  const where = { endpoint: endpoint.path, page }
  if (envelope.page !== page) {
    return Effect.fail(
      new Errors.PaginationError({
        ...where,
        receivedPage: envelope.page,
        message: `Asked for page ${page} but the server answered page ${envelope.page}; stopping rather than risk a loop`
      })
    )
  }
  const decode = itemDecoder(endpoint.item)
  const items = new Array<A>(envelope.data.length)
  for (let index = 0; index < envelope.data.length; index++) {
    const raw = envelope.data[index]
    const result = decode(raw)
    if (Either.isLeft(result)) {
      const id = typeof raw === "object" && raw !== null && "id" in raw && typeof raw.id === "string" ?
        raw.id :
        undefined
      return Effect.fail(decodeError(result.left, where, ["data", index], id, `Record ${index}`))
    }
    items[index] = result.right
  }
  return Effect.succeed(items)
}

const decodeError = (
  error: ParseResult.ParseError,
  where: Where,
  prefix: ReadonlyArray<string | number>,
  recordId: string | undefined,
  what: string
): Errors.DecodeError => {
  const [first] = ParseResult.ArrayFormatter.formatErrorSync(error)
  const fieldPath = (first?.path ?? []).map((key) => (typeof key === "symbol" ? String(key) : key))
  const path = [...prefix, ...fieldPath]
  const idText = recordId === undefined ? "" : ` (id ${recordId})`
  const at = fieldPath.length > 0 ? ` at ${fieldPath.join(".")}` : ""
  return new Errors.DecodeError({
    ...where,
    path,
    ...(recordId === undefined ? {} : { recordId }),
    message: `${what}${idText} of ${where.endpoint} page ${where.page} does not match the documented shape${at}: ${
      first?.message ?? error.message
    }`
  })
}

const defaultCodes: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  429: "RATE_LIMITED",
  500: "INTERNAL_ERROR",
  503: "UNAVAILABLE"
}

const decodeErrorBody = Schema.decodeUnknownOption(Schema.parseJson(ErrorBody))

/** Without a Retry-After, a 429 waits for the window's reset, or a minute. */
const defaultRetryAfterMillis = 60_000

const statusError = (
  response: HttpClientResponse.HttpClientResponse,
  body: string,
  context: Where & { readonly rateLimit: RateLimitSnapshot | undefined; readonly requestId: string | undefined },
  now: number
): StatusError => {
  const status = response.status
  const parsed = decodeErrorBody(body)
  const code = parsed._tag === "Some" ? parsed.value.code : (defaultCodes[status] ?? `HTTP_${status}`)
  const message = parsed._tag === "Some" ? parsed.value.message : fallbackMessage(status, body, response)
  const fields = {
    status,
    code,
    message,
    endpoint: context.endpoint,
    page: context.page,
    ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    ...(context.rateLimit === undefined ? {} : { rateLimit: context.rateLimit })
  }
  switch (status) {
    case 400:
      return new Errors.BadRequest(fields)
    case 401:
      return new Errors.Unauthorized(fields)
    case 403:
      return new Errors.Forbidden(fields)
    case 404:
      return new Errors.NotFound(fields)
    case 429: {
      const retryAfterMillis = Retry.parseRetryAfter(response.headers["retry-after"], now) ??
        (context.rateLimit !== undefined ? Math.max(0, context.rateLimit.resetAt - now) : defaultRetryAfterMillis)
      return new Errors.RateLimited({ ...fields, retryAfterMillis })
    }
    case 500:
      return new Errors.InternalServerError(fields)
    case 503:
      return new Errors.ServiceUnavailable(fields)
    default:
      return new Errors.UnexpectedStatus(fields)
  }
}

const fallbackMessage = (status: number, body: string, response: HttpClientResponse.HttpClientResponse): string => {
  const contentType = response.headers["content-type"] ?? ""
  const shape = body.trim() === "" ?
    "an empty body" :
    contentType.includes("html") || /^\s*</.test(body) ?
    "an HTML page" :
    "a body that is not the documented JSON"
  return `HTTP ${status} with ${shape} instead of the documented {code, message}`
}
