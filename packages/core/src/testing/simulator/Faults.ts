/**
 * Faults the simulator can inject, as plain data: what goes wrong (the
 * kind), on which request (the trigger), and how many times.
 *
 * Faults are deterministic: a trigger fires on the n-th request, on a given
 * endpoint and page, or with a probability drawn from the simulator's seed
 * and the request number — the same run fails the same way every time.
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { type ResourceName, resourceNames } from "../../Endpoints.js"

/** What goes wrong. Durations are milliseconds, so a fault is JSON-serialisable. */
export type FaultKind =
  /** 500 with the documented JSON body `INTERNAL_ERROR`. */
  | { readonly _tag: "ServerError" }
  /** 503 with an HTML body, as a load balancer sends it. */
  | { readonly _tag: "Unavailable" }
  /** 429 `RATE_LIMITED` with `Retry-After` in seconds, or as an HTTP-date when `asDate`. */
  | { readonly _tag: "RateLimited"; readonly retryAfterMillis: number; readonly asDate: boolean }
  /** Added latency, uniform in `[minMillis, maxMillis]` (drawn from the seed). */
  | { readonly _tag: "Latency"; readonly minMillis: number; readonly maxMillis: number }
  /** No response, ever. */
  | { readonly _tag: "Hang" }
  /** The connection drops before a response. */
  | { readonly _tag: "Reset" }
  /** Status and headers arrive, then the body stops halfway. */
  | { readonly _tag: "Truncated" }
  /** A 200 whose body is not valid JSON. */
  | { readonly _tag: "MalformedJson" }
  /** The envelope echoes a `page` other than the one requested. */
  | { readonly _tag: "WrongPage" }
  /** The first record of the page violates a documented field type (e.g. a product price as a string). */
  | { readonly _tag: "BadRecord" }
  /**
   * After the request, `delta` records are inserted (positive) or deleted
   * (negative) at index `at` of `resource` (default: the triggering endpoint).
   */
  | { readonly _tag: "Drift"; readonly resource: ResourceName | undefined; readonly delta: number; readonly at: number }

/** On which requests a fault fires. */
export type Trigger =
  | { readonly _tag: "Always" }
  /** The n-th request the simulator receives (1-based, every path counted). */
  | { readonly _tag: "Request"; readonly n: number }
  /** Requests to `resource`, on `page` when given. */
  | { readonly _tag: "Endpoint"; readonly resource: ResourceName; readonly page: number | undefined }
  /** Each request with probability `p`. */
  | { readonly _tag: "Probability"; readonly p: number }

/** A fault: kind, trigger and how many times it may fire (undefined: unlimited). */
export interface Fault {
  readonly kind: FaultKind
  readonly trigger: Trigger
  readonly times: number | undefined
}

// --- constructors -------------------------------------------------------------

const millis = (d: Duration.DurationInput): number => Duration.toMillis(Duration.decode(d))

export const serverError: FaultKind = { _tag: "ServerError" }
export const unavailable: FaultKind = { _tag: "Unavailable" }
export const hang: FaultKind = { _tag: "Hang" }
export const reset: FaultKind = { _tag: "Reset" }
export const truncated: FaultKind = { _tag: "Truncated" }
export const malformedJson: FaultKind = { _tag: "MalformedJson" }
export const wrongPage: FaultKind = { _tag: "WrongPage" }
export const badRecord: FaultKind = { _tag: "BadRecord" }

/** A 429 with `Retry-After` (seconds, rounded up; or an HTTP-date). */
export const rateLimited = (retryAfter: Duration.DurationInput, options?: { readonly asDate?: boolean }): FaultKind => ({
  _tag: "RateLimited",
  retryAfterMillis: millis(retryAfter),
  asDate: options?.asDate ?? false
})

/** Fixed latency, or jittered between `min` and `max`. */
export const latency = (min: Duration.DurationInput, max: Duration.DurationInput = min): FaultKind => ({
  _tag: "Latency",
  minMillis: millis(min),
  maxMillis: millis(max)
})

/** Insert (`delta > 0`) or delete (`delta < 0`) records of `resource` at `at` (default 0, the front). */
export const drift = (resource: ResourceName | undefined, delta: number, at = 0): FaultKind => ({
  _tag: "Drift",
  resource,
  delta,
  at
})

export const always: Trigger = { _tag: "Always" }
export const onRequest = (n: number): Trigger => ({ _tag: "Request", n })
export const onEndpoint = (resource: ResourceName, page?: number): Trigger => ({ _tag: "Endpoint", resource, page })
export const withProbability = (p: number): Trigger => ({ _tag: "Probability", p })

/**
 * A fault. By default an endpoint trigger fires once (a retry then
 * succeeds), a request-number trigger fires once by nature, and `always` /
 * probability triggers fire without limit.
 *
 * @example
 * ```ts
 * Faults.make(Faults.unavailable, Faults.onEndpoint("products", 3))
 * Faults.make(Faults.rateLimited("2 seconds"), Faults.onRequest(12))
 * ```
 */
export const make = (kind: FaultKind, trigger: Trigger = always, options?: { readonly times?: number }): Fault => ({
  kind,
  trigger,
  times: options?.times ?? (trigger._tag === "Endpoint" || trigger._tag === "Request" ? 1 : undefined)
})

/** When a fault acts on a request. */
export type Phase = "replace" | "mutate" | "delay" | "after"

/** Replace: no normal response at all. Mutate: spoils the normal response. Delay: latency. After: drift. */
export const phaseOf = (kind: FaultKind): Phase => {
  switch (kind._tag) {
    case "ServerError":
    case "Unavailable":
    case "RateLimited":
    case "Hang":
    case "Reset":
      return "replace"
    case "Truncated":
    case "MalformedJson":
    case "WrongPage":
    case "BadRecord":
      return "mutate"
    case "Latency":
      return "delay"
    case "Drift":
      return "after"
  }
}

// --- the textual spec ----------------------------------------------------------

/** A `--faults` spec that does not parse; `part` is the piece that was wrong. */
export class FaultSpecError extends Schema.TaggedError<FaultSpecError>()("FaultSpecError", {
  spec: Schema.String,
  part: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid fault spec at '${this.part}': ${this.reason}`
  }
}

/** The grammar, for `--help` texts. */
export const grammar = `SPEC     = FAULT {"," FAULT}
FAULT    = KIND ["@" TRIGGER] {":" OPTION}
KIND     = 500 | 503 | 429 | 429-date | hang | reset | truncate | malformed
         | wrong-page | bad-record | drift | latency=DURATION[..DURATION]
TRIGGER  = req:N | p=PROBABILITY | RESOURCE[:PAGE]
OPTION   = retry-after=DURATION | times=N | times=* | RESOURCE | +N | -N | at=N
DURATION = NUMBER (ms|s|m|h)
examples: 503@products:3, 500@req:7, 429@req:12:retry-after=2s, 429-date@req:20,
          latency=100ms, latency=50..150ms, reset@p=0.01, drift@req:5:products:+3`

const kindNames = ["500", "503", "429", "429-date", "hang", "reset", "truncate", "malformed", "wrong-page", "bad-record", "drift"]

const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/
const unitMillis: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `100ms`, `2s`, `1.5m`, `1h`; `defaultUnit` when the unit is left out (the left side of a range). */
const parseDuration = (text: string, defaultUnit?: string): number | undefined => {
  const match = durationPattern.exec(text)
  if (match === null) return undefined
  const unit = match[2] ?? defaultUnit
  return unit === undefined ? undefined : Number(match[1]) * unitMillis[unit]!
}

const isResource = (text: string): text is ResourceName => (resourceNames as ReadonlyArray<string>).includes(text)
const isCount = (text: string | undefined): text is string => text !== undefined && /^\d+$/.test(text)

/**
 * Parses a `--faults` spec (see {@link grammar}).
 *
 * @example
 * ```ts
 * Faults.parse("503@products:3,429@req:12:retry-after=2s,drift@req:5:products:+3")
 * ```
 */
export const parse = (spec: string): Either.Either<ReadonlyArray<Fault>, FaultSpecError> => {
  const faults: Array<Fault> = []
  for (const raw of spec.split(",")) {
    const text = raw.trim()
    if (text === "") continue
    const result = parseFault(spec, text)
    if (Either.isLeft(result)) return Either.left(result.left)
    faults.push(result.right)
  }
  return Either.right(faults)
}

const parseFault = (spec: string, text: string): Either.Either<Fault, FaultSpecError> => {
  const fail = (part: string, reason: string) => Either.left(new FaultSpecError({ spec, part, reason }))
  const tokens = text.split(":")
  const [head, triggerHead] = tokens[0]!.split("@", 2) as [string, string | undefined]
  let rest = tokens.slice(1)

  // The trigger: `req:N`, `p=X`, or `resource[:page]`.
  let trigger: Trigger = always
  if (triggerHead !== undefined) {
    if (triggerHead === "req") {
      const n = rest[0]
      if (!isCount(n) || Number(n) < 1) return fail(`req:${n ?? ""}`, "expected a request number >= 1, e.g. req:7")
      trigger = onRequest(Number(n))
      rest = rest.slice(1)
    } else if (triggerHead.startsWith("p=")) {
      const p = Number(triggerHead.slice(2))
      if (triggerHead.length === 2 || !Number.isFinite(p) || p < 0 || p > 1) {
        return fail(triggerHead, "expected a probability between 0 and 1, e.g. p=0.01")
      }
      trigger = withProbability(p)
    } else if (isResource(triggerHead)) {
      const page = isCount(rest[0]) ? Number(rest[0]) : undefined
      if (page !== undefined) rest = rest.slice(1)
      if (page === 0) return fail(`${triggerHead}:0`, "pages are 1-based")
      trigger = onEndpoint(triggerHead, page)
    } else {
      return fail(`@${triggerHead}`, `unknown trigger: expected req:N, p=X or one of ${resourceNames.join(", ")}`)
    }
  }

  // The options: `key=value`, and for drift a resource and a signed count.
  let times: number | undefined | "default" = "default"
  let retryAfter: number | undefined
  let driftResource: ResourceName | undefined = trigger._tag === "Endpoint" ? trigger.resource : undefined
  let driftDelta: number | undefined
  let driftAt = 0
  for (const option of rest) {
    const [key, value] = option.split("=", 2) as [string, string | undefined]
    if (key === "times" && value !== undefined) {
      if (value === "*") times = undefined
      else if (isCount(value) && Number(value) > 0) times = Number(value)
      else return fail(option, "expected times=N (N >= 1) or times=*")
    } else if (key === "retry-after" && value !== undefined) {
      if (head !== "429" && head !== "429-date") return fail(option, "retry-after applies to 429 and 429-date only")
      retryAfter = parseDuration(value)
      if (retryAfter === undefined) return fail(option, "expected a duration such as 2s or 1500ms")
    } else if (key === "at" && value !== undefined) {
      if (head !== "drift") return fail(option, "at=N applies to drift only")
      if (!isCount(value)) return fail(option, "expected at=N, a record index >= 0")
      driftAt = Number(value)
    } else if (value === undefined && isResource(option)) {
      if (head !== "drift") return fail(option, "a resource option applies to drift only (use @resource to trigger)")
      driftResource = option
    } else if (value === undefined && /^[+-]\d+$/.test(option)) {
      if (head !== "drift") return fail(option, "+N/-N applies to drift only")
      driftDelta = Number(option)
    } else {
      return fail(option, "unknown option: expected retry-after=, times=, at=, a resource or +N/-N")
    }
  }

  let kind: FaultKind
  if (head.startsWith("latency=")) {
    const [low, high] = head.slice("latency=".length).split("..", 2) as [string, string | undefined]
    const highMillis = high === undefined ? undefined : parseDuration(high)
    const unit = high === undefined ? undefined : durationPattern.exec(high)?.[2]
    const lowMillis = parseDuration(low, unit)
    if (lowMillis === undefined || (high !== undefined && highMillis === undefined)) {
      return fail(head, "expected latency=DURATION or latency=MIN..MAX, e.g. latency=100ms, latency=50..150ms")
    }
    if (highMillis !== undefined && highMillis < lowMillis) return fail(head, "the range's maximum is below its minimum")
    kind = { _tag: "Latency", minMillis: lowMillis, maxMillis: highMillis ?? lowMillis }
  } else {
    switch (head) {
      case "500":
        kind = serverError
        break
      case "503":
        kind = unavailable
        break
      case "429":
      case "429-date":
        kind = { _tag: "RateLimited", retryAfterMillis: retryAfter ?? (head === "429" ? 1000 : 2000), asDate: head === "429-date" }
        break
      case "hang":
        kind = hang
        break
      case "reset":
        kind = reset
        break
      case "truncate":
        kind = truncated
        break
      case "malformed":
        kind = malformedJson
        break
      case "wrong-page":
        kind = wrongPage
        break
      case "bad-record":
        kind = badRecord
        break
      case "drift":
        if (driftResource === undefined) return fail(text, "drift needs a resource, e.g. drift@req:5:products:+3")
        if (driftDelta === undefined || driftDelta === 0) return fail(text, "drift needs a non-zero count, +N or -N")
        kind = drift(driftResource, driftDelta, driftAt)
        break
      default:
        return fail(head, `unknown fault kind: expected one of ${kindNames.join(", ")} or latency=…`)
    }
  }
  const fault = make(kind, trigger)
  return Either.right(times === "default" ? fault : { ...fault, times })
}
