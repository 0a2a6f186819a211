/** `figgro spec check <swagger.json>`: where a real OpenAPI document disagrees with our endpoint definitions. */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as FileSystem from "@effect/platform/FileSystem"
import { OpenApi } from "@figgro/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { CliExit } from "./CliExit.js"
import { ExitCode } from "./ExitCode.js"

const file = Args.file({ name: "swagger.json", exists: "yes" }).pipe(
  Args.withDescription("An OpenAPI 3 document, e.g. saved from https://developer.figgro.com/swagger/v1/swagger.json.")
)

const check = Command.make("check", { file }, ({ file }) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(
      Effect.mapError(() => new CliExit({ code: ExitCode.usage, message: `Cannot read ${file}.` }))
    )
    const actual = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (error) =>
        new CliExit({ code: ExitCode.usage, message: `${file} is not JSON (${(error as Error).message}).` })
    })
    const differences = OpenApi.diff(OpenApi.document(), actual)
    if (differences.length === 0) {
      return yield* Console.log(`${file} agrees with the endpoint definitions.`)
    }
    yield* Console.log(`${file} differs from the endpoint definitions in ${differences.length} place(s):`)
    for (const difference of differences) yield* Console.log(`  ${OpenApi.formatDifference(difference)}`)
    yield* Console.log("Correct the [assumed] details in packages/core/src/Endpoints.ts where the real document is right.")
    return yield* new CliExit({ code: 1, message: "" })
  })).pipe(Command.withDescription(
    "Compare an OpenAPI document with the endpoint definitions; exit 0 when they agree, 1 otherwise.\n\nExample:\n  figgro spec check swagger.json"
  ))

export const specCommand = Command.make("spec").pipe(
  Command.withDescription("Work with the API's OpenAPI document.\n\nExample:\n  figgro spec check swagger.json"),
  Command.withSubcommands([check])
)
