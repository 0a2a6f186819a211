/**
 * A throwaway `redis-server` for tests: started on a free port without
 * persistence (`--save '' --appendonly no`), stopped when its scope closes.
 *
 * @example
 * ```ts
 * it.scopedLive("...", () =>
 *   Effect.gen(function*() {
 *     const server = yield* RedisServer.start
 *     // server.url = "redis://127.0.0.1:<port>"
 *   }))
 * ```
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type ChildProcess, spawn } from "node:child_process"
import * as Net from "node:net"

/** The binary to run: `REDIS_SERVER_BIN`, else `redis-server` on the PATH. */
export const binary = process.env["REDIS_SERVER_BIN"] ?? "redis-server"


export interface RunningRedis {
  readonly port: number
  readonly url: string
  /** Stops the server now (SIGTERM, SIGKILL after 5 s) and waits for it to exit, e.g. to test an outage. Idempotent. */
  readonly stop: Effect.Effect<void>
}

/** A port nobody listens on right now (asked of the OS, then released). */
export const freePort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const waitExit = (child: ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
  })

const stopChild = (child: ChildProcess): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (child.exitCode !== null || child.signalCode !== null) return Effect.void
    child.kill("SIGTERM")
    return waitExit(child).pipe(
      Effect.timeoutTo({
        duration: Duration.seconds(5),
        onSuccess: () => Effect.void,
        onTimeout: () => Effect.sync(() => child.kill("SIGKILL")).pipe(Effect.zipRight(waitExit(child)))
      }),
      Effect.flatten
    )
  })

/** Starts a server on a free port and waits until it accepts connections; stops it when the scope closes. */
export const start: Effect.Effect<RunningRedis, Error, Scope.Scope> = Effect.gen(function*() {
  const port = yield* freePort
  const child = yield* Effect.acquireRelease(
    Effect.sync(() =>
      spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
        stdio: ["ignore", "pipe", "pipe"]
      })
    ),
    stopChild
  )
  yield* Effect.async<void, Error>((resume) => {
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("Ready to accept connections")) {
        done()
        resume(Effect.void)
      }
    }
    const onExit = (code: number | null) => {
      done()
      resume(Effect.fail(new Error(`redis-server exited with code ${code} before it was ready:\n${output}`)))
    }
    const onError = (error: Error) => {
      done()
      resume(Effect.fail(new Error(`Cannot run ${binary} (${error.message}): install it (apt-get install redis-server) or set REDIS_SERVER_BIN.`)))
    }
    const done = () => {
      child.stdout?.off("data", onData)
      child.off("exit", onExit)
      child.off("error", onError)
    }
    child.stdout?.on("data", onData)
    child.once("exit", onExit)
    child.once("error", onError)
  }).pipe(
    Effect.timeoutFail({
      duration: Duration.seconds(10),
      onTimeout: () => new Error(`redis-server on port ${port} was not ready within 10 s`)
    })
  )
  // Keep draining the pipes so the server never blocks on a full buffer.
  child.stdout?.resume()
  child.stderr?.resume()
  return { port, url: `redis://127.0.0.1:${port}`, stop: stopChild(child) }
})
