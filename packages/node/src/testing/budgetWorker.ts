/**
 * One process of the shared-budget tests and bench: a Figgro client on Node's
 * HTTP stack whose request budget lives in Redis (`RedisBudget.layer`), as a
 * separate program sharing an API key with others would run it.
 *
 * Started by `budgetWorkers.ts` with `child_process.fork` under tsx; its
 * configuration is its single argument (JSON, see `WorkerConfig`), and it
 * reports over the IPC channel (see `budgetWorkerProtocol.ts`). On failure it
 * prints the cause to stderr, reports `Failed` and exits with code 1.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Endpoints, Export, Figgro, FiggroConfig } from "@figgro/core"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as CheckpointFile from "../CheckpointFile.js"
import * as RedisBudget from "../RedisBudget.js"
import * as NdjsonSink from "../sinks/NdjsonSink.js"
import { type FromWorker, type ToWorker, type WorkerConfig, workerHeader } from "./budgetWorkerProtocol.js"

const config = JSON.parse(process.argv[2] ?? "{}") as WorkerConfig

const send = (message: FromWorker): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (process.send === undefined || !process.connected) return resume(Effect.void)
    process.send(message, undefined, {}, () => resume(Effect.void))
  })

const awaitGo: Effect.Effect<ToWorker> = Effect.async<ToWorker>((resume) => {
  const onMessage = (message: ToWorker) => {
    if (message._tag === "Go") resume(Effect.succeed(message))
  }
  process.on("message", onMessage)
  return Effect.sync(() => process.off("message", onMessage))
})

/** Node's HTTP client, naming this worker on every request. */
const httpClient = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, HttpClient.mapRequest(HttpClientRequest.setHeader(workerHeader, config.id)))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

const client = Figgro.layerWithoutBudget.pipe(
  Layer.provide(RedisBudget.layer({ url: config.redisUrl, onUnavailable: config.onUnavailable })),
  Layer.provide([
    httpClient,
    FiggroConfig.layer({
      apiKey: config.apiKey,
      baseUrl: config.baseUrl,
      budget: {
        limit: config.limit,
        window: Duration.millis(config.windowMillis),
        ...(config.marginMillis === undefined ? {} : { margin: Duration.millis(config.marginMillis) })
      }
    })
  ])
)

const walk = (figgro: Figgro["Type"]) =>
  Effect.gen(function*() {
    const { until } = yield* awaitGo
    const pages = yield* figgro.products.pages().pipe(
      Stream.interruptWhen(Effect.suspend(() => Effect.sleep(Duration.millis(Math.max(0, until - Date.now()))))),
      Stream.runCount
    )
    return { _tag: "Done", pages, records: pages * 25 } satisfies FromWorker
  })

const exportProducts = (figgro: Figgro["Type"]) =>
  Effect.gen(function*() {
    const outDir = config.outDir ?? "export"
    const summary = yield* Export.run({
      endpoint: Endpoints.products,
      sink: yield* NdjsonSink.make(outDir),
      checkpoints: yield* CheckpointFile.make(outDir),
      resume: config.resume ?? false
    }).pipe(Effect.provideService(Figgro, figgro))
    return {
      _tag: "Done",
      pages: summary.pages,
      records: summary.records,
      status: summary.status,
      resumed: summary.resumed
    } satisfies FromWorker
  }).pipe(Effect.provide(NodeFileSystem.layer))

const program = Effect.scoped(
  Effect.gen(function*() {
    const figgro = Context.get(yield* Layer.build(client), Figgro)
    yield* send({ _tag: "Ready" })
    const done = yield* (config.mode === "walk" ? walk(figgro) : exportProducts(figgro))
    yield* send(done)
  })
)

const exit = await Effect.runPromiseExit(program)
if (Exit.isFailure(exit)) {
  process.stderr.write(`worker ${config.id} failed:\n${Cause.pretty(exit.cause)}\n`)
  const failure = Cause.failureOption(exit.cause)
  const error = Option.getOrUndefined(failure) as { readonly _tag?: string; readonly message?: string } | undefined
  await Effect.runPromise(send({
    _tag: "Failed",
    tag: error?._tag ?? "Defect",
    message: error?.message ?? Cause.pretty(exit.cause)
  }))
}
process.exit(Exit.isSuccess(exit) ? 0 : 1)
