/**
 * Serves the simulator over a real socket, on loopback by default.
 *
 * Written on `node:http` rather than @effect/platform's HttpServer because the
 * simulator must also misbehave like a network: reset a connection, hang
 * forever, or cut a body short after promising its full length — things a
 * well-behaved server abstraction rightly does not let you do.
 */
import type { MockRequest } from "@figgro/core/testing"
import type { Outcome } from "@figgro/core/testing"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"

export interface ServeOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number
  readonly host?: string
}

export interface RunningServer {
  readonly url: string
  readonly port: number
}

/** Serves `handle` until the scope closes; then stops listening and drops every open connection. */
export const serve = (
  handle: (request: MockRequest) => Effect.Effect<Outcome>,
  options: ServeOptions = {}
): Effect.Effect<RunningServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    const runFork = Runtime.runFork(runtime)
    const host = options.host ?? "127.0.0.1"
    const sockets = new Set<Net.Socket>()

    const server = Http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://simulator")
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers[name] = value
      }
      const fiber = runFork(handle({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers }))
      // A client that gives up (timeout) interrupts the work, e.g. a hanging fault.
      res.on("close", () => {
        if (!res.writableFinished) runFork(Fiber.interrupt(fiber))
      })
      fiber.addObserver((exit) => {
        if (exit._tag === "Success") play(exit.value, req, res)
        else if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { "content-type": "application/json" })
          res.end(JSON.stringify({ code: "INTERNAL_ERROR", message: "The simulator failed." }))
        }
      })
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })

    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(options.port ?? 0, host, () => resume(Effect.succeed((server.address() as Net.AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const socket of sockets) socket.destroy()
          server.close(() => resume(Effect.void))
        })
    )
    const shownHost = host.includes(":") ? `[${host}]` : host
    return { url: `http://${shownHost}:${port}`, port }
  })

const play = (outcome: Outcome, req: Http.IncomingMessage, res: Http.ServerResponse): void => {
  switch (outcome._tag) {
    case "Response":
      res.writeHead(outcome.status, { ...outcome.headers, "content-length": Buffer.byteLength(outcome.body) })
      res.end(outcome.body)
      return
    case "Reset":
      req.socket.destroy()
      return
    case "Hang":
      return
    case "Truncated": {
      // Promise the whole body, send part of it, then drop the connection.
      res.writeHead(outcome.status, { ...outcome.headers, "content-length": Buffer.byteLength(outcome.body) })
      res.write(outcome.body.slice(0, outcome.cutAt), () => req.socket.destroy())
      return
    }
  }
}
