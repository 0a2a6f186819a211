/**
 * An `HttpClient` answered by a function, in memory: no sockets.
 *
 * The handler sees each request as plain data (path, query, headers) and
 * answers a status, headers and a body; it may also fail with a
 * {@link ConnectionReset} or never answer, to play a broken network.
 *
 * @example
 * ```ts
 * const http = MockHttp.layer((request) =>
 *   Effect.succeed(MockHttp.json(200, { page: 1, page_size: 25, total_records: 0, total_pages: 0, data: [] }))
 * )
 * ```
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** A request as the handler sees it. Header names are lower-case. */
export interface MockRequest {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: Readonly<Record<string, string>>
}

/** What the handler answers. A `ReadableStream` body can fail midway (a truncated body). */
export interface MockResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | ReadableStream<Uint8Array>
}

/** The connection dropped before a response: becomes a transport error in the client. */
export class ConnectionReset {
  readonly _tag = "ConnectionReset"
}

export type MockHandler = (request: MockRequest) => Effect.Effect<MockResponse, ConnectionReset>

/** A JSON response. */
export const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): MockResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body)
})

/** A body that sends `text`, then fails: what a connection cut mid-body looks like. */
export const truncatedBody = (text: string): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text))
      controller.error(new Error("socket hang up: body truncated"))
    }
  })

/** An `HttpClient` that calls `handler` for every request. */
export const make = (handler: MockHandler): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    handler({
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers: { ...request.headers }
    }).pipe(
      Effect.map((response) =>
        HttpClientResponse.fromWeb(
          request,
          new Response(response.body ?? null, {
            status: response.status,
            headers: response.headers ?? {}
          })
        )
      ),
      Effect.catchTag("ConnectionReset", () =>
        Effect.fail(
          new HttpClientError.RequestError({ request, reason: "Transport", description: "connection reset by peer" })
        )
      )
    )
  )

/** The mock as the `HttpClient` layer. */
export const layer = (handler: MockHandler): Layer.Layer<HttpClient.HttpClient> =>
  Layer.succeed(HttpClient.HttpClient, make(handler))
