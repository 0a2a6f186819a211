/**
 * Starts `budgetWorker.ts` processes (Node + tsx, with an IPC channel) and
 * talks to them: wait until a worker's client is built, tell it to go, wait
 * for its exit with what it printed and reported. A worker still running
 * when the scope closes is killed.
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { FromWorker, ToWorker, WorkerConfig } from "./budgetWorkerProtocol.js"

/** The repository root: tsx is resolved from there. */
const root = fileURLToPath(new URL("../../../../", import.meta.url))
const script = fileURLToPath(new URL("./budgetWorker.ts", import.meta.url))

export interface WorkerExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly messages: ReadonlyArray<FromWorker>
  /** The `Done` report, if the worker made one. */
  readonly done: Extract<FromWorker, { _tag: "Done" }> | undefined
  /** The `Failed` report, if the worker made one. */
  readonly failed: Extract<FromWorker, { _tag: "Failed" }> | undefined
}

export interface Worker {
  readonly id: string
  readonly pid: number | undefined
  /** Succeeds once the worker's client is built; fails if it exits first, or after `readyTimeout`. */
  readonly ready: Effect.Effect<void, Error>
  readonly go: (until: number) => Effect.Effect<void>
  /** Waits for the process to exit. */
  readonly exit: Effect.Effect<WorkerExit>
}

const waitExit = (child: ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
  })

/**
 * Forks one worker. Starting Node with tsx and loading effect takes a second
 * or more per process on a busy machine, hence the generous `readyTimeout`
 * (default 60 s).
 */
export const spawn = (
  config: WorkerConfig,
  options: { readonly readyTimeout?: Duration.DurationInput } = {}
): Effect.Effect<Worker, never, Scope.Scope> =>
  Effect.gen(function*() {
    const ready = yield* Deferred.make<void, Error>()
    const exited = yield* Deferred.make<WorkerExit>()
    const messages: Array<FromWorker> = []
    let stdout = ""
    let stderr = ""
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        fork(script, [JSON.stringify(config)], {
          cwd: root,
          execArgv: ["--import", "tsx"],
          stdio: ["ignore", "pipe", "pipe", "ipc"]
        })
      ),
      (child) =>
        Effect.suspend(() => {
          if (child.exitCode !== null || child.signalCode !== null) return Effect.void
          child.kill("SIGKILL")
          return waitExit(child)
        })
    )
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on("message", (message: FromWorker) => {
      messages.push(message)
      if (message._tag === "Ready") Deferred.unsafeDone(ready, Effect.void)
    })
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      Deferred.unsafeDone(
        ready,
        Effect.fail(new Error(`worker ${config.id} exited (code ${code}, signal ${signal}) before it was ready:\n${stderr}`))
      )
      Deferred.unsafeDone(
        exited,
        Effect.succeed({
          code,
          signal,
          stdout,
          stderr,
          messages,
          done: messages.find((m): m is Extract<FromWorker, { _tag: "Done" }> => m._tag === "Done"),
          failed: messages.find((m): m is Extract<FromWorker, { _tag: "Failed" }> => m._tag === "Failed")
        })
      )
    }
    // "close" rather than "exit": by then stdout and stderr are fully read.
    child.once("close", onExit)
    child.once("error", (error) => {
      Deferred.unsafeDone(ready, Effect.fail(new Error(`cannot start worker ${config.id}: ${error.message}`)))
    })
    const readyTimeout = options.readyTimeout ?? Duration.seconds(60)
    return {
      id: config.id,
      pid: child.pid,
      ready: Deferred.await(ready).pipe(
        Effect.timeoutFail({
          duration: readyTimeout,
          onTimeout: () =>
            new Error(`worker ${config.id} was not ready within ${Duration.format(readyTimeout)}:\n${stderr}`)
        })
      ),
      go: (until) =>
        Effect.sync(() => {
          if (child.connected) child.send({ _tag: "Go", until } satisfies ToWorker)
        }),
      exit: Deferred.await(exited)
    }
  })
