/**
 * What every measurement shares: the simulator's key and endpoint, a timer,
 * and the naive client the API documentation shows (sequential `fetch`,
 * `JSON.parse`, next page).
 */
import { Endpoints } from "@figgro/core"
import { defaultKey } from "@figgro/core/testing"

export const apiKey = defaultKey
export const productsPath = Endpoints.products.path
export const pageSize = Endpoints.pageSize

/** Seconds since `start` (a `performance.now()` reading). */
export const secondsSince = (start: number): number => (performance.now() - start) / 1000

/** Rounds to `digits` decimals, for the JSON file and the table. */
export const round = (value: number, digits = 3): number => {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

export interface NaiveResult {
  readonly records: number
  readonly requests: number
  readonly responses429: number
  readonly seconds: number
}

/**
 * The loop of the API documentation: GET a page, `JSON.parse` the body, go
 * to the next page until `total_pages`. No validation, no budget. With
 * `retry429`, a 429 waits `Retry-After` seconds and asks again (the least a
 * working client must do).
 */
export const naiveExport = async (
  baseUrl: string,
  options: { readonly retry429?: boolean } = {}
): Promise<NaiveResult> => {
  const start = performance.now()
  let records = 0
  let requests = 0
  let responses429 = 0
  let page = 1
  let totalPages = 1
  do {
    const response = await fetch(`${baseUrl}${productsPath}?page=${page}`, {
      headers: { "X-Api-Key": apiKey, "Accept": "application/json" }
    })
    requests++
    const text = await response.text()
    if (response.status === 429 && options.retry429 === true) {
      responses429++
      const seconds = Number(response.headers.get("retry-after") ?? "1")
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
      continue
    }
    if (response.status !== 200) throw new Error(`naive loop: HTTP ${response.status} on page ${page}: ${text}`)
    const body = JSON.parse(text) as { readonly total_pages: number; readonly data: ReadonlyArray<unknown> }
    records += body.data.length
    totalPages = body.total_pages
    page++
  } while (page <= totalPages)
  return { records, requests, responses429, seconds: secondsSince(start) }
}
