/**
 * From a response body to a page of records: JSON, the pagination envelope,
 * the page echo, and each record against its endpoint's item schema.
 *
 * Records are kept as received: unknown fields survive (tolerant reader),
 * and a record that already is what its schema describes is returned as is.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Endpoint } from "./Endpoints.js"
import { DecodeError, PaginationError } from "./FiggroError.js"
import { Envelope } from "./Schemas.js"

/** Which request a body answered: labels every error. */
export interface Where {
  readonly endpoint: string
  readonly page: number
}

const decodeEnvelopeSync = Schema.decodeUnknownEither(Envelope)

/** Parses the body and checks the envelope around `data`. */
export const decodeEnvelope = (body: string, where: Where): Effect.Effect<Envelope, DecodeError> => {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch (error) {
    return Effect.fail(
      new DecodeError({
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

type ItemDecoder = (u: unknown) => Either.Either<unknown, ParseResult.ParseError>

/**
 * Per-schema record decoders, built once. The item schemas only check
 * (no transformation), so a record that `Schema.is` accepts is its own
 * decoded value: returned as received, at a fraction of a decode's cost.
 * Anything else goes through the full decoder, which keeps unknown fields
 * and writes the error.
 */
const itemDecoders = new WeakMap<Schema.Schema.Any, ItemDecoder>()

const itemDecoder = (schema: Schema.Schema.Any): ItemDecoder => {
  let decoder = itemDecoders.get(schema)
  if (decoder === undefined) {
    const is = Schema.is(schema)
    const decode = Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown>, { onExcessProperty: "preserve" })
    decoder = (u) => (is(u) ? Either.right(u) : decode(u))
    itemDecoders.set(schema, decoder)
  }
  return decoder
}

/** The page's records, after checking the server answered the page asked for. */
export const decodeItems = <A>(
  endpoint: Endpoint<string, A>,
  envelope: Envelope,
  page: number
): Effect.Effect<ReadonlyArray<A>, DecodeError | PaginationError> => {
  const where = { endpoint: endpoint.path, page }
  if (envelope.page !== page) {
    return Effect.fail(
      new PaginationError({
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
    items[index] = result.right as A
  }
  return Effect.succeed(items)
}

const decodeError = (
  error: ParseResult.ParseError,
  where: Where,
  prefix: ReadonlyArray<string | number>,
  recordId: string | undefined,
  what: string
): DecodeError => {
  const [first] = ParseResult.ArrayFormatter.formatErrorSync(error)
  const fieldPath = (first?.path ?? []).map((key) => (typeof key === "symbol" ? String(key) : key))
  const path = [...prefix, ...fieldPath]
  const idText = recordId === undefined ? "" : ` (id ${recordId})`
  const at = fieldPath.length > 0 ? ` at ${fieldPath.join(".")}` : ""
  return new DecodeError({
    ...where,
    path,
    ...(recordId === undefined ? {} : { recordId }),
    message: `${what}${idText} of ${where.endpoint} page ${where.page} does not match the documented shape${at}: ${
      first?.message ?? error.message
    }`
  })
}
