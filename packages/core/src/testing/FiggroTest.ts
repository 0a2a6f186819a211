/**
 * The Figgro client over an in-memory handler: for testing code written
 * against `Figgro` without a network or a real key.
 *
 * @example
 * ```ts
 * const TestFiggro = FiggroTest.layer((request) =>
 *   Effect.succeed(MockHttp.json(200, { page: 1, page_size: 25, total_records: 1, total_pages: 1, data: [product] }))
 * )
 * it.effect("lists low stock", () => lowStock.pipe(Effect.provide(TestFiggro)))
 * ```
 */
import * as Layer from "effect/Layer"
import { Figgro } from "../Figgro.js"
import { FiggroConfig, type FiggroConfigOptions } from "../FiggroConfig.js"
import * as MockHttp from "./MockHttp.js"

/** The key test layers use; any `fgr_` key works against a mock. */
export const testApiKey = "fgr_test_key"

/** Config for tests: a test key, and any options you override. */
export const config = (options: Partial<FiggroConfigOptions> = {}) =>
  FiggroConfig.layer({ apiKey: testApiKey, ...options })

/** `Figgro` answered by `handler`, with an in-memory budget. Layer fails only on bad `options`. */
export const layer = (handler: MockHttp.MockHandler, options: Partial<FiggroConfigOptions> = {}) =>
  Figgro.layer.pipe(Layer.provide([MockHttp.layer(handler), config(options)]))
