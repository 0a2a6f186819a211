/** `figgro sim`: the simulator of the Figgro API as a real HTTP server, until Ctrl-C. */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Endpoints } from "@figgro/core"
import { defaultKey, Faults, Simulator, type SimulatorOptions, swaggerPath } from "@figgro/core/testing"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as SimulatorServer from "../SimulatorServer.js"
import { CliExit } from "./CliExit.js"
import { ExitCode } from "./ExitCode.js"

const port = Options.integer("port").pipe(Options.withDescription("Port on 127.0.0.1 (0: any free port)."), Options.withDefault(4010))
const apiKeys = Options.text("api-key").pipe(
  Options.withDescription(`A key the simulator accepts (repeatable). Default ${defaultKey}.`),
  Options.repeated
)
const limit = Options.integer("limit").pipe(Options.withDescription("Requests per key per window."), Options.withDefault(1000))
const window = Options.text("window").pipe(
  Options.withDescription("The rolling window: 60m, 5s, 1h, 500ms or '10 seconds'."),
  Options.withDefault("60m")
)
const seed = Options.integer("seed").pipe(Options.withDescription("Seed of the data and of random faults."), Options.optional)
const records = Options.text("records").pipe(
  Options.withDescription("Records per resource, e.g. products=142,job-run-tickets=9600."),
  Options.optional
)
const latency = Options.text("latency").pipe(
  Options.withDescription("Added latency per response in ms: 100, or a range 50..150."),
  Options.optional
)
const faults = Options.text("faults").pipe(
  Options.withDescription("Faults to inject, e.g. 503@products:3,500@req:7,429@req:12:retry-after=2s,reset@p=0.01."),
  Options.optional
)

const pastLastPage = Options.choice("past-last-page", ["empty", "not-found"] as const).pipe(
  Options.withDescription("What a page past the last answers: empty (200, no data) or not-found (404)."),
  Options.withDefault("empty" as const)
)

const usage = (message: string) => new CliExit({ code: ExitCode.usage, message })

const units: Record<string, string> = { ms: "millis", s: "seconds", m: "minutes", h: "hours" }

/** `60m`, `5s`, `500ms`, `1h`, or Effect's own `"10 seconds"`. */
export const parseDuration = (text: string): Either.Either<Duration.Duration, CliExit> => {
  const short = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(text.trim())
  const input = short ? `${short[1]} ${units[short[2]!]}` : text.trim()
  const decoded = Duration.decodeUnknown(input)
  return Option.match(decoded, {
    onNone: () => Either.left(usage(`--window ${JSON.stringify(text)} is not a duration: use e.g. 60m, 5s or 500ms.`)),
    onSome: (duration) =>
      Duration.toMillis(duration) > 0 ? Either.right(duration) : Either.left(usage("--window must be longer than 0."))
  })
}

/** `products=142,job-runs=1200`. */
export const parseRecords = (text: string): Either.Either<Partial<Record<Endpoints.ResourceName, number>>, CliExit> => {
  const counts: Partial<Record<Endpoints.ResourceName, number>> = {}
  for (const part of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const [name, value] = part.split("=")
    const endpoint = Endpoints.byName(name ?? "")
    const count = Number(value)
    if (endpoint === undefined) {
      return Either.left(usage(`--records: unknown resource ${JSON.stringify(name)} (use ${Endpoints.resourceNames.join(", ")}).`))
    }
    if (!Number.isInteger(count) || count < 0) {
      return Either.left(usage(`--records: ${JSON.stringify(part)} needs a whole number of records, e.g. ${endpoint.name}=100.`))
    }
    counts[endpoint.name] = count
  }
  return Either.right(counts)
}

/** `100` or `50..150` (milliseconds). */
export const parseLatency = (text: string): Either.Either<NonNullable<SimulatorOptions["latency"]>, CliExit> => {
  const match = /^(\d+)(?:\.\.(\d+))?$/.exec(text.trim())
  if (!match) return Either.left(usage(`--latency ${JSON.stringify(text)}: use milliseconds, e.g. 100 or 50..150.`))
  const min = Number(match[1])
  const max = match[2] === undefined ? min : Number(match[2])
  if (max < min) return Either.left(usage(`--latency ${text}: the range must go from low to high.`))
  return Either.right(max === min ? Duration.millis(min) : { min: Duration.millis(min), max: Duration.millis(max) })
}

export const simCommand = Command.make(
  "sim",
  { port, apiKeys, limit, window, seed, records, latency, faults, pastLastPage },
  (args) =>
    Effect.gen(function*() {
      const keys = args.apiKeys.length > 0 ? args.apiKeys : [defaultKey]
      const badKey = keys.find((key) => !key.startsWith("fgr_"))
      if (badKey !== undefined) return yield* usage("--api-key: Figgro keys start with fgr_.")
      const options: SimulatorOptions = {
        keys,
        limit: args.limit,
        window: yield* parseDuration(args.window),
        pastLastPage: args.pastLastPage,
        ...(Option.isSome(args.seed) ? { seed: args.seed.value } : {}),
        ...(Option.isSome(args.records) ? { counts: yield* parseRecords(args.records.value) } : {}),
        ...(Option.isSome(args.latency) ? { latency: yield* parseLatency(args.latency.value) } : {}),
        ...(Option.isSome(args.faults) ?
          { faults: yield* Either.mapLeft(Faults.parse(args.faults.value), (error) => usage(`--faults: ${error.message}`)) } :
          {})
      }
      const simulator = yield* Simulator.make(options)
      const server = yield* SimulatorServer.serve(simulator.handleRaw, { port: args.port })
      yield* Console.log(
        [
          `Figgro API simulator listening on ${server.url}`,
          `  keys:     ${keys.join(", ")}`,
          `  limit:    ${args.limit} requests per ${args.window} per key`,
          `  OpenAPI:  ${server.url}${swaggerPath}`,
          `  try:      FIGGRO_BASE_URL=${server.url} FIGGRO_API_KEY=${keys[0]} pnpm figgro get products`,
          "Ctrl-C stops it."
        ].join("\n")
      )
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(Command.withDescription(
  [
    "Run the Figgro API simulator as an HTTP server on loopback, until interrupted.",
    "",
    "Examples:",
    "  figgro sim",
    "  figgro sim --port 0 --limit 100 --window 5s --records products=1000",
    "  figgro sim --latency 50..150 --faults 503@products:3,429@req:12:retry-after=2s"
  ].join("\n")
))
