/**
 * What the simulator answers, as data — including the ways a network fails —
 * so that the in-memory `HttpClient` and a real socket server can both play
 * it: a server adapter writes a `Response`, destroys the socket for `Reset`,
 * never answers a `Hang`, and for `Truncated` writes the headers (with the
 * full body's length) and `cutAt` characters, then destroys the socket.
 */
import * as Effect from "effect/Effect"
import { ConnectionReset, type MockResponse, truncatedBody } from "../MockHttp.js"

export type Outcome =
  | {
    readonly _tag: "Response"
    readonly status: number
    readonly headers: Readonly<Record<string, string>>
    readonly body: string
  }
  | { readonly _tag: "Reset" }
  | { readonly _tag: "Hang" }
  | {
    readonly _tag: "Truncated"
    readonly status: number
    readonly headers: Readonly<Record<string, string>>
    /** The whole body; only `body.slice(0, cutAt)` is sent. */
    readonly body: string
    readonly cutAt: number
  }

/** Plays an outcome for `MockHttp`: Reset fails, Hang never answers, Truncated fails mid-body. */
export const toMockResponse = (outcome: Outcome): Effect.Effect<MockResponse, ConnectionReset> => {
  switch (outcome._tag) {
    case "Response":
      return Effect.succeed({ status: outcome.status, headers: outcome.headers, body: outcome.body })
    case "Reset":
      return Effect.fail(new ConnectionReset())
    case "Hang":
      return Effect.never
    case "Truncated":
      return Effect.succeed({
        status: outcome.status,
        headers: outcome.headers,
        body: truncatedBody(outcome.body.slice(0, outcome.cutAt))
      })
  }
}
