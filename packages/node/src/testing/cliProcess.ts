/**
 * Runs the real `figgro` CLI (`packages/node/src/bin.ts` under Node + tsx)
 * as a child process, for end-to-end tests: exit code or signal, stdout and
 * stderr, and a handle to signal it while it runs. The environment is the
 * test process's without any `FIGGRO_*` variable, plus what the test gives.
 * A process still running when its scope closes is killed.
 *
 * Starting Node with tsx and loading effect costs one to two seconds per
 * process on a busy machine: tests share runs where they can.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type ChildProcess, spawn as spawnChild } from "node:child_process"
import { fileURLToPath } from "node:url"

/** The repository root: the CLI runs there, and tsx is resolved from there. */
export const root = fileURLToPath(new URL("../../../../", import.meta.url))

/** The CLI's entry point. */
export const bin = fileURLToPath(new URL("../bin.ts", import.meta.url))

export interface CliResult {
  readonly args: ReadonlyArray<string>
  /** The exit code, or null when a signal ended the process. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** From spawn to exit. */
  readonly millis: number
}

export interface CliProcess {
  readonly pid: number
  /** What it printed so far. */
  readonly stdout: () => string
  readonly stderr: () => string
  /** Sends `signal`; a no-op once the process has exited. */
  readonly kill: (signal: NodeJS.Signals) => Effect.Effect<void>
  readonly running: () => boolean
  /** Waits for the exit. */
  readonly exit: Effect.Effect<CliResult>
}

export interface CliOptions {
  /** Added to the environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** The process did not exit in time; it has been killed. */
export class CliTimeout extends Data.TaggedError("CliTimeout")<{
  readonly args: ReadonlyArray<string>
  readonly stdout: string
  readonly stderr: string
}> {
  override get message(): string {
    return `figgro ${this.args.join(" ")} did not exit in time.\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`
  }
}

const environment = (extra: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("FIGGRO_") && value !== undefined) env[name] = value
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return env
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

/** Starts `figgro <args>`. */
export const spawn = (
  args: ReadonlyArray<string>,
  options: CliOptions = {}
): Effect.Effect<CliProcess, never, Scope.Scope> =>
  Effect.gen(function*() {
    const started = Date.now()
    let stdout = ""
    let stderr = ""
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawnChild(process.execPath, ["--import", "tsx", bin, ...args], {
          cwd: root,
          env: environment(options.env ?? {}),
          stdio: ["ignore", "pipe", "pipe"]
        })
      ),
      (child) =>
        Effect.suspend(() => {
          if (exited(child)) return Effect.void
          child.kill("SIGKILL")
          return Effect.async<void>((resume) => {
            if (exited(child)) return resume(Effect.void)
            child.once("exit", () => resume(Effect.void))
          })
        })
    )
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    // "close" comes after "exit" once stdout and stderr are drained: all output is in.
    const closed = new Promise<CliResult>((resolve) => {
      child.once("close", (code, signal) =>
        resolve({ args, code, signal, stdout, stderr, millis: Date.now() - started }))
    })
    return {
      pid: child.pid!,
      stdout: () => stdout,
      stderr: () => stderr,
      running: () => !exited(child),
      kill: (signal) =>
        Effect.sync(() => {
          if (!exited(child)) child.kill(signal)
        }),
      exit: Effect.promise(() => closed)
    }
  })

/** Runs `figgro <args>` to its end (killed after `timeout`, default 30 s). */
export const run = (
  args: ReadonlyArray<string>,
  options: CliOptions & { readonly timeout?: Duration.DurationInput } = {}
): Effect.Effect<CliResult, CliTimeout> =>
  Effect.scoped(
    Effect.flatMap(spawn(args, options), (cli) =>
      cli.exit.pipe(
        Effect.timeoutFail({
          duration: options.timeout ?? Duration.seconds(30),
          onTimeout: () => new CliTimeout({ args, stdout: cli.stdout(), stderr: cli.stderr() })
        })
      ))
  )

/** `result` in one block, for assertion messages. */
export const describe = (result: CliResult): string =>
  `figgro ${result.args.join(" ")} → code ${result.code} signal ${result.signal} (${result.millis} ms)\n` +
  `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`

/** Polls `condition` every `interval` (default 10 ms) until it holds; fails after `timeout`. */
export const eventually = <E, R>(
  condition: Effect.Effect<boolean, E, R>,
  options: { readonly timeout: Duration.DurationInput; readonly interval?: Duration.DurationInput; readonly what: string }
): Effect.Effect<void, E | Error, R> =>
  Effect.gen(function*() {
    while (!(yield* condition)) yield* Effect.sleep(options.interval ?? Duration.millis(10))
  }).pipe(
    Effect.timeoutFail({ duration: options.timeout, onTimeout: () => new Error(`timed out waiting until ${options.what}`) })
  )
