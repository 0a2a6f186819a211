/**
 * The Figgro client without a network: answered by a handler you write, or
 * by the in-memory simulator of the whole API.
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
import { defaultKey, Simulator, type SimulatorOptions } from "./Simulator.js"

/** The key test layers use; any `fgr_` key works against a mock. */
export const testApiKey = "fgr_test_key"

/** Config for tests: a test key, and any options you override. */
export const config = (options: Partial<FiggroConfigOptions> = {}) =>
  FiggroConfig.layer({ apiKey: testApiKey, ...options })

/** `Figgro` answered by `handler`, with an in-memory budget. Layer fails only on bad `options`. */
export const layer = (handler: MockHttp.MockHandler, options: Partial<FiggroConfigOptions> = {}) =>
  Figgro.layer.pipe(Layer.provide([MockHttp.layer(handler), config(options)]))

/**
 * `Figgro` answered by an in-memory simulator of the whole API, and the
 * `Simulator` itself (for its ground truth, log and faults). The client uses
 * the simulator's key and budget size unless `options` say otherwise.
 */
export const layerSimulator = (simulator: SimulatorOptions = {}, options: Partial<FiggroConfigOptions> = {}) =>
  Figgro.layer.pipe(
    Layer.provide(Simulator.layerHttpClient),
    Layer.provide(config({
      apiKey: defaultKey,
      ...(simulator.limit === undefined && simulator.window === undefined ?
        {} :
        { budget: { limit: simulator.limit ?? 1000, ...(simulator.window === undefined ? {} : { window: simulator.window }) } }),
      ...options
    })),
    Layer.provideMerge(Simulator.layer(simulator))
  )
