/**
 * Reading a list request's query: `page`, and `startDate`/`endDate` as an
 * inclusive time range. Anything wrong is a 400 `BAD_REQUEST` with a message
 * naming the parameter.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"

/** A query parameter the API would reject with 400. */
export class InvalidQuery extends Data.TaggedError("InvalidQuery")<{ readonly message: string }> {}

/** The date filters as a client sends them. */
export interface DateFilters {
  readonly startDate?: string | undefined
  readonly endDate?: string | undefined
}

/** An inclusive range of epoch milliseconds; an open side is undefined. */
export interface DateRange {
  readonly from: number | undefined
  readonly to: number | undefined
}

/** `page`: absent means 1; otherwise a positive integer written in digits. */
export const parsePage = (value: string | null): Either.Either<number, InvalidQuery> => {
  if (value === null) return Either.right(1)
  const page = /^\d+$/.test(value) ? Number(value) : Number.NaN
  return Number.isSafeInteger(page) && page >= 1
    ? Either.right(page)
    : Either.left(new InvalidQuery({ message: `The 'page' parameter must be a positive integer, got '${value}'.` }))
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/
const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/

/** The calendar date really exists (`Date` silently turns 2026-02-30 into March 2). */
const isRealDate = (y: string, m: string, d: string): boolean => {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)))
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)
}

/**
 * An ISO 8601 date or date-time as epoch milliseconds. A date-only value is
 * a whole day: its first millisecond as a start, its last as an end, so
 * `endDate=2026-11-01` includes all of November 1st. A date-time without a
 * zone is UTC.
 */
export const parseDate = (value: string, edge: "start" | "end"): number | undefined => {
  const date = datePattern.exec(value)
  if (date !== null) {
    if (!isRealDate(date[1]!, date[2]!, date[3]!)) return undefined
    const start = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]))
    return edge === "start" ? start : start + 86_400_000 - 1
  }
  const dateTime = dateTimePattern.exec(value)
  if (dateTime === null || !isRealDate(dateTime[1]!, dateTime[2]!, dateTime[3]!)) return undefined
  const millis = Date.parse(dateTime[6] === undefined ? `${value}Z` : value)
  return Number.isNaN(millis) ? undefined : millis
}

/** The range of `startDate`/`endDate`; 400 for an invalid date or a start after the end. */
export const parseRange = (filters: DateFilters): Either.Either<DateRange, InvalidQuery> => {
  const read = (name: "startDate" | "endDate", edge: "start" | "end") => {
    const value = filters[name]
    if (value === undefined) return Either.right(undefined)
    const millis = parseDate(value, edge)
    return millis === undefined
      ? Either.left(
        new InvalidQuery({ message: `The '${name}' parameter must be an ISO 8601 date or date-time, got '${value}'.` })
      )
      : Either.right(millis)
  }
  return Either.gen(function*() {
    const from = yield* read("startDate", "start")
    const to = yield* read("endDate", "end")
    if (from !== undefined && to !== undefined && from > to) {
      return yield* Either.left(new InvalidQuery({ message: "'startDate' must not be after 'endDate'." }))
    }
    return { from, to }
  })
}
