/**
 * `startDate` / `endDate` of the job endpoints, checked before any request
 * is spent: a bad date or a start after the end is the 400 error the server
 * would answer, without costing budget.
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { BadRequest } from "./FiggroError.js"

/** A date as users hold it: a `Date`, an Effect `DateTime`, or an ISO 8601 string (`2026-11-01` or a date-time). */
export type DateInput = Date | DateTime.DateTime | string

/** Inclusive date filters. */
export interface DateFilters {
  readonly startDate?: DateInput | undefined
  readonly endDate?: DateInput | undefined
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/
const dayMillis = 86_400_000

interface Parsed {
  readonly text: string
  /** First and last instant the value covers: a date-only value covers its whole (UTC) day. */
  readonly from: number
  readonly to: number
}

const parse = (value: DateInput): Parsed | string => {
  if (value instanceof Date) {
    const millis = value.getTime()
    return Number.isNaN(millis) ? "is an invalid Date" : { text: value.toISOString(), from: millis, to: millis }
  }
  if (DateTime.isDateTime(value)) {
    const millis = DateTime.toEpochMillis(value)
    return { text: DateTime.formatIso(value), from: millis, to: millis }
  }
  const text = value.trim()
  const millis = Date.parse(text)
  if (isoDate.test(text) && !Number.isNaN(millis)) return { text, from: millis, to: millis + dayMillis - 1 }
  if (isoDateTime.test(text) && !Number.isNaN(millis)) return { text, from: millis, to: millis }
  return `${JSON.stringify(value)} is not an ISO 8601 date (2026-11-01) or date-time (2026-11-01T08:00:00Z)`
}

/**
 * The query parameters for `filters`, or the 400 error for them.
 * `endpoint` and `page` only label the error.
 */
export const toQuery = (
  filters: DateFilters,
  where: { readonly endpoint: string; readonly page: number }
): Effect.Effect<Record<string, string>, BadRequest> => {
  const fail = (message: string) =>
    Effect.fail(new BadRequest({ status: 400, code: "BAD_REQUEST", message: `${message} (no request was sent)`, ...where }))
  const query: Record<string, string> = {}
  const parsed: Partial<Record<"startDate" | "endDate", Parsed>> = {}
  for (const name of ["startDate", "endDate"] as const) {
    const value = filters[name]
    if (value === undefined) continue
    const result = parse(value)
    if (typeof result === "string") return fail(`${name} ${result}`)
    parsed[name] = result
    query[name] = result.text
  }
  if (parsed.startDate && parsed.endDate && parsed.startDate.from > parsed.endDate.to) {
    return fail(`startDate ${parsed.startDate.text} is after endDate ${parsed.endDate.text}`)
  }
  return Effect.succeed(query)
}
