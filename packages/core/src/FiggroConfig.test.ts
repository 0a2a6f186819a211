import { assert, describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { secretKey } from "../test/fixtures.js"
import { FiggroConfig, type FiggroConfigOptions } from "./FiggroConfig.js"

/** The config built by `FiggroConfig.layer(options)`, or its error. */
const fromOptions = (options: FiggroConfigOptions) => Effect.provide(FiggroConfig, FiggroConfig.layer(options))

/** The config built by `FiggroConfig.layerConfig` from these environment variables. */
const fromEnv = (env: Record<string, string>) =>
  Effect.provide(
    FiggroConfig,
    FiggroConfig.layerConfig.pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    )
  )

/** Asserts the error text names no secret, in any rendering. */
const assertNoKey = (error: unknown, key: string) => {
  for (const text of [String(error), JSON.stringify(error), (error as Error).message]) {
    assert.notInclude(text, key)
  }
}

describe("the budget margin", () => {
  it.effect("is 1 second for the documented hour, 1 % of a short window, and configurable", () =>
    Effect.gen(function*() {
      const margin = (options: Partial<FiggroConfigOptions>) =>
        Effect.map(fromOptions({ apiKey: secretKey, ...options }), (config) => Duration.toMillis(config.budget.margin))
      assert.strictEqual(yield* margin({}), 1000)
      assert.strictEqual(yield* margin({ budget: { window: "5 seconds" } }), 50)
      assert.strictEqual(yield* margin({ budget: { margin: 0 } }), 0)
      const fromEnvironment = yield* fromEnv({ FIGGRO_API_KEY: secretKey, FIGGRO_BUDGET_MARGIN: "250 millis" })
      assert.strictEqual(Duration.toMillis(fromEnvironment.budget.margin), 250)
    }))
})

describe("FiggroConfig", () => {
  it.layer(FiggroConfig.layer({ apiKey: secretKey }))("layer(options)", (it) => {
    it.effect("fills every option left out with its default", () =>
      Effect.gen(function*() {
        const config = yield* FiggroConfig
        assert.strictEqual(config.baseUrl, "https://developer.figgro.com")
        assert.strictEqual(config.retry.maxAttempts, 5)
        assert.strictEqual(Duration.toMillis(config.retry.baseDelay), 500)
        assert.strictEqual(Duration.toMillis(config.retry.maxDelay), 30_000)
        assert.strictEqual(Duration.toMillis(config.retry.deadline), 5 * 60_000)
        assert.strictEqual(Duration.toMillis(config.retry.maxRetryAfter), 65 * 60_000)
        assert.strictEqual(Duration.toMillis(config.requestTimeout), 30_000)
        assert.strictEqual(config.readAhead, 1)
        assert.strictEqual(config.budget.limit, 1000)
        assert.strictEqual(Duration.toMillis(config.budget.window), 60 * 60_000)
      }))

    it.effect("keeps the key redacted", () =>
      Effect.gen(function*() {
        const config = yield* FiggroConfig
        assert.strictEqual(Redacted.value(config.apiKey), secretKey)
        assert.notInclude(String(config.apiKey), secretKey)
        assert.notInclude(JSON.stringify(config), secretKey)
      }))
  })

  it.effect("keeps the defaults of a group when only part of it is given", () =>
    Effect.gen(function*() {
      const config = yield* fromOptions({ apiKey: secretKey, retry: { maxAttempts: 2 }, requestTimeout: "5 seconds" })
      assert.strictEqual(config.retry.maxAttempts, 2)
      assert.strictEqual(Duration.toMillis(config.retry.baseDelay), 500)
      assert.strictEqual(Duration.toMillis(config.requestTimeout), 5_000)
    }))

  it.effect("fails with a clear message when FIGGRO_API_KEY is not set", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fromEnv({ FIGGRO_BASE_URL: "https://developer.figgro.com" }))
      assert.strictEqual(error._tag, "FiggroConfigError")
      assert.strictEqual(error.message, "FIGGRO_API_KEY is not set: export it with your Figgro API key (fgr_…).")
    }))

  it.effect("rejects a key that does not start with fgr_, without repeating it", () =>
    Effect.gen(function*() {
      const key = "SECRET_visible_never"
      const error = yield* Effect.flip(fromOptions({ apiKey: key }))
      assert.include(error.message, "does not start with fgr_")
      assertNoKey(error, key)
    }))

  it.effect("rejects an empty key", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fromOptions({ apiKey: "  " }))
      assert.include(error.message, "FIGGRO_API_KEY is empty")
    }))

  it.effect("rejects a base URL that is not a URL", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fromOptions({ apiKey: secretKey, baseUrl: "developer.figgro.com" }))
      assert.include(error.message, "\"developer.figgro.com\" is not a URL")
      assertNoKey(error, secretKey)
    }))

  it.effect("rejects http:// to a host that is not loopback (the key would travel in clear)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fromOptions({ apiKey: secretKey, baseUrl: "http://figgro.example.com" }))
      assert.include(error.message, "uses http://")
      assert.include(error.message, "Use https://")
      assertNoKey(error, secretKey)
    }))

  it.effect("allows http:// to localhost and 127.0.0.1, e.g. a local simulator", () =>
    Effect.gen(function*() {
      const local = yield* fromOptions({ apiKey: secretKey, baseUrl: "http://localhost:8080/" })
      assert.strictEqual(local.baseUrl, "http://localhost:8080")
      const loopback = yield* fromOptions({ apiKey: secretKey, baseUrl: "http://127.0.0.1:9000" })
      assert.strictEqual(loopback.baseUrl, "http://127.0.0.1:9000")
    }))

  it.effect("rejects tuning that cannot work", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fromOptions({ apiKey: secretKey, retry: { maxAttempts: 0 } }))
      assert.include(error.message, "retry.maxAttempts must be a whole number of at least 1")
    }))

  it.effect("layerConfig reads FIGGRO_BASE_URL and the tuning variables", () =>
    Effect.gen(function*() {
      const config = yield* fromEnv({
        FIGGRO_API_KEY: secretKey,
        FIGGRO_BASE_URL: "http://localhost:4010",
        FIGGRO_RETRY_MAX_ATTEMPTS: "3",
        FIGGRO_REQUEST_TIMEOUT: "10 seconds",
        FIGGRO_BUDGET_LIMIT: "500"
      })
      assert.strictEqual(Redacted.value(config.apiKey), secretKey)
      assert.strictEqual(config.baseUrl, "http://localhost:4010")
      assert.strictEqual(config.retry.maxAttempts, 3)
      assert.strictEqual(Duration.toMillis(config.requestTimeout), 10_000)
      assert.strictEqual(config.budget.limit, 500)
      assert.strictEqual(Duration.toMillis(config.retry.baseDelay), 500)
    }))

  it.effect("layerConfig names an unreadable variable, never the key", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fromEnv({ FIGGRO_API_KEY: secretKey, FIGGRO_RETRY_MAX_ATTEMPTS: "many" }))
      expect(error.message).toMatch(/FIGGRO_RETRY_MAX_ATTEMPTS/)
      assertNoKey(error, secretKey)
    }))

  it.effect("layerConfig validates the key it reads", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fromEnv({ FIGGRO_API_KEY: "SECRET_visible_never" }))
      assert.include(error.message, "does not start with fgr_")
      assertNoKey(error, "SECRET_visible_never")
    }))
})
