/**
 * One page of one endpoint, safely: budget → GET → status → typed error →
 * decode (`PageDecoding.ts`), retried on the schedule of `Retry.ts`, inside a
 * span, counted in `Metrics.ts`.
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
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Endpoint } from "./Endpoints.js"
import { FiggroConfig } from "./FiggroConfig.js"
import * as Errors from "./FiggroError.js"
import type { FiggroError, RateLimitSnapshot, StatusError } from "./FiggroError.js"
import * as Metrics from "./Metrics.js"
import * as PageDecoding from "./PageDecoding.js"
import { RateBudget } from "./RateBudget.js"
import * as Retry from "./Retry.js"
import { ErrorBody } from "./Schemas.js"

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
          return { envelope: yield* PageDecoding.decodeEnvelope(body, where), rateLimit, requestId }
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
          Effect.map(PageDecoding.decodeItems(endpoint, envelope, page), (data): Page<A> => ({
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
  context: PageDecoding.Where & { readonly rateLimit: RateLimitSnapshot | undefined; readonly requestId: string | undefined },
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
