/**
 * Configuration of the Figgro client: the key, the base URL and the tuning
 * of retries, timeouts, read-ahead and the request budget.
 *
 * @example
 * ```ts
 * // from the environment: FIGGRO_API_KEY, FIGGRO_BASE_URL, FIGGRO_RETRY_MAX_ATTEMPTS, …
 * FiggroConfig.layerConfig
 * // from code
 * FiggroConfig.layer({ apiKey: Redacted.make("fgr_…"), retry: { maxAttempts: 3 } })
 * ```
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/** Config that cannot work; `message` says what to fix. Never contains the key. */
export class FiggroConfigError extends Schema.TaggedError<FiggroConfigError>()("FiggroConfigError", {
  message: Schema.String
}) {}

export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  readonly maxAttempts: number
  /** First backoff delay, doubled each retry, with jitter. Default 500 ms. */
  readonly baseDelay: Duration.Duration
  /** Largest single backoff delay. Default 30 s. */
  readonly maxDelay: Duration.Duration
  /** Total time the retries of one request may take. Default 5 minutes. */
  readonly deadline: Duration.Duration
  /** A 429 asking to wait longer than this fails at once instead of hanging. Default 65 minutes. */
  readonly maxRetryAfter: Duration.Duration
}

export interface BudgetOptions {
  /** Requests allowed per rolling window. Default 1,000 (the documented limit). */
  readonly limit: number
  /** Length of the rolling window. Default 60 minutes. */
  readonly window: Duration.Duration
  /**
   * How much longer than the window a request stays counted. The budget
   * counts a request when it is sent, the server when it arrives: if an old
   * request was slower to arrive than a new one, the server could still see
   * it in its window. Default 1 second, or 1 % of a window shorter than
   * 100 seconds (scaled-down windows in tests and demos).
   */
  readonly margin: Duration.Duration
}

/** 1 second, or 1 % of a shorter window. */
const defaultMargin = (window: Duration.Duration): Duration.Duration =>
  Duration.min(Duration.seconds(1), Duration.millis(Duration.toMillis(window) / 100))

/** The window a budget should count requests in: the server's window plus the margin. */
export const countedWindow = (budget: BudgetOptions): Duration.Duration => Duration.sum(budget.window, budget.margin)

export interface FiggroConfigShape {
  readonly apiKey: Redacted.Redacted<string>
  /** Origin of the API, without `/api/v1`. */
  readonly baseUrl: string
  readonly retry: RetryOptions
  /** Time one attempt may take before it counts as a timeout. Default 30 s. */
  readonly requestTimeout: Duration.Duration
  /** Pages a stream fetches ahead by default (1 = strictly one at a time). */
  readonly readAhead: number
  readonly budget: BudgetOptions
}

/** What `layer(options)` takes: the key, and any tuning you want to change. */
export interface FiggroConfigOptions {
  readonly apiKey: Redacted.Redacted<string> | string
  readonly baseUrl?: string
  readonly retry?: {
    readonly maxAttempts?: number
    readonly baseDelay?: Duration.DurationInput
    readonly maxDelay?: Duration.DurationInput
    readonly deadline?: Duration.DurationInput
    readonly maxRetryAfter?: Duration.DurationInput
  }
  readonly requestTimeout?: Duration.DurationInput
  readonly readAhead?: number
  readonly budget?: {
    readonly limit?: number
    readonly window?: Duration.DurationInput
    readonly margin?: Duration.DurationInput | undefined
  }
}

export const defaultBaseUrl = "https://developer.figgro.com"

export const defaults = {
  retry: {
    maxAttempts: 5,
    baseDelay: Duration.millis(500),
    maxDelay: Duration.seconds(30),
    deadline: Duration.minutes(5),
    maxRetryAfter: Duration.minutes(65)
  },
  requestTimeout: Duration.seconds(30),
  readAhead: 1,
  budget: { limit: 1000, window: Duration.minutes(60) }
} as const

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]", "::1"])

const fail = (message: string) => Effect.fail(new FiggroConfigError({ message }))

const validateKey = (apiKey: Redacted.Redacted<string>) => {
  const key = Redacted.value(apiKey)
  if (key.trim() === "") return fail("FIGGRO_API_KEY is empty: set it to your Figgro API key (it starts with fgr_).")
  if (!key.startsWith("fgr_")) {
    return fail("FIGGRO_API_KEY does not start with fgr_: Figgro keys always do; check you copied the whole key.")
  }
  return Effect.void
}

const validateBaseUrl = (baseUrl: string) => {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    return fail(`FIGGRO_BASE_URL ${JSON.stringify(baseUrl)} is not a URL: use e.g. ${defaultBaseUrl}.`)
  }
  if (url.protocol === "https:") return Effect.succeed(url.origin)
  if (url.protocol === "http:" && loopbackHosts.has(url.hostname)) return Effect.succeed(url.origin)
  if (url.protocol === "http:") {
    return fail(
      `FIGGRO_BASE_URL ${url.origin} uses http://: the API key would travel in clear text. Use https:// (http:// is allowed only for localhost).`
    )
  }
  return fail(`FIGGRO_BASE_URL ${JSON.stringify(baseUrl)} must be an https:// URL.`)
}

const missingKeyMessage = "FIGGRO_API_KEY is not set: export it with your Figgro API key (fgr_…)."

const validatePositive = (name: string, value: number) =>
  Number.isInteger(value) && value >= 1 ? Effect.void : fail(`${name} must be a whole number of at least 1, got ${value}.`)

/** Checks options and fills in the defaults; fails with a message that says what to fix. */
export const make = (options: FiggroConfigOptions): Effect.Effect<FiggroConfigShape, FiggroConfigError> =>
  Effect.gen(function*() {
    const apiKey = typeof options.apiKey === "string" ? Redacted.make(options.apiKey) : options.apiKey
    yield* validateKey(apiKey)
    const baseUrl = yield* validateBaseUrl(options.baseUrl ?? defaultBaseUrl)
    const given = options.retry ?? {}
    const duration = (input: Duration.DurationInput | undefined, fallback: Duration.Duration) =>
      input === undefined ? fallback : Duration.decode(input)
    const retry: RetryOptions = {
      maxAttempts: given.maxAttempts ?? defaults.retry.maxAttempts,
      baseDelay: duration(given.baseDelay, defaults.retry.baseDelay),
      maxDelay: duration(given.maxDelay, defaults.retry.maxDelay),
      deadline: duration(given.deadline, defaults.retry.deadline),
      maxRetryAfter: duration(given.maxRetryAfter, defaults.retry.maxRetryAfter)
    }
    let budget: BudgetOptions = {
      limit: options.budget?.limit ?? defaults.budget.limit,
      window: duration(options.budget?.window, defaults.budget.window),
      margin: Duration.zero
    }
    budget = { ...budget, margin: duration(options.budget?.margin, defaultMargin(budget.window)) }
    const readAhead = options.readAhead ?? defaults.readAhead
    yield* validatePositive("retry.maxAttempts", retry.maxAttempts)
    yield* validatePositive("budget.limit", budget.limit)
    yield* validatePositive("readAhead", readAhead)
    return {
      apiKey,
      baseUrl,
      retry,
      budget,
      readAhead,
      requestTimeout: Duration.decode(options.requestTimeout ?? defaults.requestTimeout)
    }
  })

/** The options as read from the environment (`FIGGRO_*` variables). */
export const options: Config.Config<FiggroConfigOptions> = Config.all({
  apiKey: Config.redacted("FIGGRO_API_KEY").pipe(Config.orElse(() => Config.fail(missingKeyMessage))),
  baseUrl: Config.string("FIGGRO_BASE_URL").pipe(Config.withDefault(defaultBaseUrl)),
  retry: Config.all({
    maxAttempts: Config.integer("FIGGRO_RETRY_MAX_ATTEMPTS").pipe(Config.withDefault(defaults.retry.maxAttempts)),
    baseDelay: Config.duration("FIGGRO_RETRY_BASE_DELAY").pipe(Config.withDefault(defaults.retry.baseDelay)),
    maxDelay: Config.duration("FIGGRO_RETRY_MAX_DELAY").pipe(Config.withDefault(defaults.retry.maxDelay)),
    deadline: Config.duration("FIGGRO_RETRY_DEADLINE").pipe(Config.withDefault(defaults.retry.deadline)),
    maxRetryAfter: Config.duration("FIGGRO_RETRY_MAX_RETRY_AFTER").pipe(
      Config.withDefault(defaults.retry.maxRetryAfter)
    )
  }),
  requestTimeout: Config.duration("FIGGRO_REQUEST_TIMEOUT").pipe(Config.withDefault(defaults.requestTimeout)),
  readAhead: Config.integer("FIGGRO_READ_AHEAD").pipe(Config.withDefault(defaults.readAhead)),
  budget: Config.all({
    limit: Config.integer("FIGGRO_BUDGET_LIMIT").pipe(Config.withDefault(defaults.budget.limit)),
    window: Config.duration("FIGGRO_BUDGET_WINDOW").pipe(Config.withDefault(defaults.budget.window)),
    margin: Config.duration("FIGGRO_BUDGET_MARGIN").pipe(Config.option, Config.map(Option.getOrUndefined))
  })
})

/** The client's configuration, as a service. */
export class FiggroConfig extends Context.Tag("@figgro/core/FiggroConfig")<FiggroConfig, FiggroConfigShape>() {
  /** Configuration from code; defaults fill what you leave out. */
  static readonly layer = (opts: FiggroConfigOptions): Layer.Layer<FiggroConfig, FiggroConfigError> =>
    Layer.effect(FiggroConfig, make(opts))

  /** Configuration from `FIGGRO_API_KEY`, `FIGGRO_BASE_URL` and the `FIGGRO_*` tuning variables. */
  static readonly layerConfig: Layer.Layer<FiggroConfig, FiggroConfigError> = Layer.effect(
    FiggroConfig,
    options.pipe(
      Effect.mapError((error) => new FiggroConfigError({ message: describeConfigError(error) })),
      Effect.flatMap(make)
    )
  )
}

/** A ConfigError's text, first line only: Effect's own rendering repeats the path noise. */
const describeConfigError = (error: unknown): string => {
  const text = String(error)
  return text.includes(missingKeyMessage) ? missingKeyMessage : `Invalid configuration: ${text}`
}
