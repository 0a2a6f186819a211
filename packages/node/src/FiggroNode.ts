/**
 * The Figgro client on Node: the core client over Node's HTTP stack (undici).
 * The layers also expose the `FiggroConfig` they were built from.
 *
 * @example
 * ```ts
 * // FIGGRO_API_KEY (and optionally FIGGRO_BASE_URL, FIGGRO_*) from the environment
 * program.pipe(Effect.provide(FiggroNode.layerConfig), NodeRuntime.runMain)
 * ```
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Figgro, FiggroConfig, type FiggroConfigOptions } from "@figgro/core"
import * as Layer from "effect/Layer"
import * as RedisBudget from "./RedisBudget.js"

/** `Figgro` configured from code, with an in-memory budget. */
export const layer = (options: FiggroConfigOptions) =>
  Figgro.layer.pipe(Layer.provideMerge(FiggroConfig.layer(options)), Layer.provide(NodeHttpClient.layerUndici))

/**
 * `Figgro` configured from `FIGGRO_*` environment variables. The budget is
 * shared in Redis when `FIGGRO_BUDGET_REDIS_URL` is set, in memory otherwise.
 */
export const layerConfig = Figgro.layerWithoutBudget.pipe(
  Layer.provide(RedisBudget.layerConfig),
  Layer.provideMerge(FiggroConfig.layerConfig),
  Layer.provide(NodeHttpClient.layerUndici)
)
