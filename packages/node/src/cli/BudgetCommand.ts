/** `figgro budget`: the key's limit, remaining requests and reset time, as the server reports them. */
import * as Command from "@effect/cli/Command"
import { Figgro } from "@figgro/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { clientLayer, clientOptions } from "./ClientOptions.js"

export const budgetCommand = Command.make("budget", clientOptions, (flags) =>
  Effect.gen(function*() {
    const figgro = yield* Figgro
    // The API has no status endpoint: the headers of the smallest request tell.
    const page = yield* figgro.products.page(1)
    const rateLimit = page.rateLimit
    if (rateLimit === undefined) {
      return yield* Console.log("The API sent no X-RateLimit headers; nothing to report (this check cost 1 request).")
    }
    yield* Console.log(
      [
        `limit      ${rateLimit.limit} requests per rolling window (documented: 1,000 an hour)`,
        `remaining  ${rateLimit.remaining}`,
        `resets     ${new Date(rateLimit.resetAt).toISOString()}`,
        "(this check cost 1 request)"
      ].join("\n")
    )
  }).pipe(Effect.provide(clientLayer(flags)))).pipe(
    Command.withDescription(
      "Show the key's rate limit: limit, remaining and reset time. Costs one request.\n\nExample:\n  FIGGRO_API_KEY=fgr_… figgro budget"
    )
  )
