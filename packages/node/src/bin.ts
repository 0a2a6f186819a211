#!/usr/bin/env -S npx tsx
/**
 * The `figgro` executable: runs the CLI and turns its outcome into an exit
 * code (see cli/ExitCode.ts), printing what went wrong and what to do.
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { advise, exitCodeOf } from "./cli/Advice.js"
import { run } from "./cli/Cli.js"
import { ExitCode } from "./cli/ExitCode.js"

/** The exit code for a failure, after printing what to do about it. */
const report = (error: Effect.Effect.Error<ReturnType<typeof run>>): Effect.Effect<number> => {
  // @effect/cli has already printed what was wrong with the command line.
  if (ValidationError.isValidationError(error)) return Effect.succeed(ExitCode.usage)
  if (error._tag === "CliExit") return Effect.as(error.message === "" ? Effect.void : Console.error(error.message), error.code)
  return Effect.as(Console.error(advise(error)), exitCodeOf(error))
}

const program = run(process.argv).pipe(
  Effect.as<number>(ExitCode.ok),
  Effect.catchAll(report),
  Effect.flatMap((code) => Effect.sync(() => (process.exitCode = code))),
  Effect.provide(NodeContext.layer)
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) return onExit(Number(process.exitCode ?? ExitCode.ok))
    if (Cause.isInterruptedOnly(exit.cause)) return onExit(ExitCode.interrupted)
    process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
    onExit(1)
  }
})
