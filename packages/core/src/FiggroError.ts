/**
 * Every way a Figgro request can fail, as tagged values.
 *
 * One class per documented status code, plus the failures that have no status
 * (transport, timeout, decode, pagination). They share {@link FiggroError}, so
 * `Effect.catchTag("RateLimited", ...)` tells each apart. None of them carries
 * the request, its headers or the API key: only what a user can act on.
 */
import * as Schema from "effect/Schema"

/** The `X-RateLimit-*` headers of one response. `resetAt` is epoch milliseconds. */
export const RateLimitSnapshot = Schema.Struct({
  limit: Schema.Number,
  remaining: Schema.Number,
  resetAt: Schema.Number
})
export type RateLimitSnapshot = typeof RateLimitSnapshot.Type

/** Fields every error answered by the server carries. */
const responseFields = {
  status: Schema.Number,
  code: Schema.String,
  message: Schema.String,
  endpoint: Schema.String,
  page: Schema.Number,
  requestId: Schema.optional(Schema.String),
  rateLimit: Schema.optional(RateLimitSnapshot)
}

/** 400 `BAD_REQUEST`: malformed query parameters or invalid date. Also raised before sending when a filter is invalid. */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", responseFields) {}

/** 401 `UNAUTHORIZED`: the key is missing, invalid or expired. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", responseFields) {}

/** 403 `FORBIDDEN`: the key has no access to this resource. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", responseFields) {}

/** 404 `NOT_FOUND`: the endpoint does not exist. */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", responseFields) {}

/** 429 `RATE_LIMITED`: over the hourly budget; `retryAfterMillis` is how long the server asked us to wait. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...responseFields,
  retryAfterMillis: Schema.Number
}) {}

/** 500 `INTERNAL_ERROR`: an unexpected server error (retried with backoff). */
export class InternalServerError extends Schema.TaggedError<InternalServerError>()(
  "InternalServerError",
  responseFields
) {}

/** 503 `UNAVAILABLE`: maintenance (retried). Often an HTML page from a load balancer. */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()(
  "ServiceUnavailable",
  responseFields
) {}

/** Any other non-2xx status (502, 504, …). 502 and 504 are retried. */
export class UnexpectedStatus extends Schema.TaggedError<UnexpectedStatus>()("UnexpectedStatus", responseFields) {}

/** The connection failed: refused, reset, DNS, or the body was cut off. Retried. */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  message: Schema.String,
  endpoint: Schema.String,
  page: Schema.Number
}) {}

/** One attempt took longer than the configured request timeout. Retried. */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  message: Schema.String,
  endpoint: Schema.String,
  page: Schema.Number,
  timeoutMillis: Schema.Number
}) {}

/**
 * The response did not match the documented shape. `recordId` and `path` say
 * which record and which field (`["data", 3, "price"]`), when the fault is in one.
 */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  message: Schema.String,
  endpoint: Schema.String,
  page: Schema.Number,
  recordId: Schema.optional(Schema.String),
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number))
}) {}

/** The server answered a different page than the one asked for: following it could loop forever. */
export class PaginationError extends Schema.TaggedError<PaginationError>()("PaginationError", {
  message: Schema.String,
  endpoint: Schema.String,
  page: Schema.Number,
  receivedPage: Schema.Number
}) {}

/** The shared request budget could not be consulted (e.g. its Redis store is unreachable). Not retried. */
export class BudgetError extends Schema.TaggedError<BudgetError>()("BudgetError", {
  message: Schema.String
}) {}

/** Everything a Figgro request can fail with. */
export type FiggroError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | RateLimited
  | InternalServerError
  | ServiceUnavailable
  | UnexpectedStatus
  | TransportError
  | TimeoutError
  | DecodeError
  | PaginationError
  | BudgetError

/** The errors answered with an HTTP status. */
export type StatusError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | RateLimited
  | InternalServerError
  | ServiceUnavailable
  | UnexpectedStatus

/** Statuses retried with backoff: 429 (after `Retry-After`), 500, 502, 503, 504. Never 400/401/403/404. */
const retryableStatuses = new Set([429, 500, 502, 503, 504])

/** Whether retrying could help: server hiccups, rate limits, transport faults and timeouts. */
export const isRetryable = (error: FiggroError): boolean => {
  switch (error._tag) {
    case "TransportError":
    case "TimeoutError":
      return true
    case "DecodeError":
    case "PaginationError":
    case "BudgetError":
      return false
    default:
      return retryableStatuses.has(error.status)
  }
}
