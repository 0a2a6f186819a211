/**
 * The building blocks of Figgro's JSON: the field types the documentation
 * names (uuid, double, date-time) and the pagination envelope.
 *
 * Field values stay as the API sends them (date-times remain strings), so an
 * export writes records exactly as received.
 */
import * as Schema from "effect/Schema"

/** `uuid`: the documented id type. */
export const Uuid = Schema.UUID.annotations({ title: "uuid" })

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/

/** `date-time`: an ISO 8601 UTC string, kept as a string. */
export const DateTimeString = Schema.String.pipe(
  Schema.pattern(isoDateTime, { message: () => "expected an ISO 8601 date-time, e.g. 2026-11-01T08:30:00Z" })
).annotations({ title: "date-time", jsonSchema: { type: "string", format: "date-time" } })

/** `double`: any JSON number. */
export const Double = Schema.Number.annotations({ title: "double", jsonSchema: { type: "number", format: "double" } })

/** The pagination envelope every list endpoint answers with. */
export const Envelope = Schema.Struct({
  page: Schema.Int,
  page_size: Schema.Int,
  total_records: Schema.Int,
  total_pages: Schema.Int,
  data: Schema.Array(Schema.Unknown)
})
export type Envelope = typeof Envelope.Type

/** The `{ code, message }` body of every documented error. */
export const ErrorBody = Schema.Struct({ code: Schema.String, message: Schema.String })
