/**
 * The options every command that talks to the API shares, and the client
 * layer they configure. The key comes from `--api-key-file` or
 * `FIGGRO_API_KEY`, the base URL from `--base-url` or `FIGGRO_BASE_URL`;
 * the rest of the tuning from `FIGGRO_*` variables.
 */
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import { FiggroConfigError } from "@figgro/core"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as FiggroNode from "../FiggroNode.js"

export const apiKeyFile = Options.file("api-key-file").pipe(
  Options.withDescription("Read the API key from this file instead of FIGGRO_API_KEY (keeps it out of your shell history)."),
  Options.optional
)

export const baseUrl = Options.text("base-url").pipe(
  Options.withDescription("API origin, default FIGGRO_BASE_URL or https://developer.figgro.com."),
  Options.optional
)

export const clientOptions = { apiKeyFile, baseUrl }

export interface ClientFlags {
  readonly apiKeyFile: Option.Option<string>
  readonly baseUrl: Option.Option<string>
}

/** The overrides the flags make, layered over the environment. */
const provider = (flags: ClientFlags) =>
  Effect.gen(function*() {
    const overrides = new Map<string, string>()
    if (Option.isSome(flags.apiKeyFile)) {
      const fs = yield* FileSystem.FileSystem
      const key = yield* fs.readFileString(flags.apiKeyFile.value).pipe(
        Effect.mapError(() =>
          new FiggroConfigError({ message: `Cannot read --api-key-file ${flags.apiKeyFile.pipe(Option.getOrThrow)}: check the path.` })
        )
      )
      overrides.set("FIGGRO_API_KEY", key.trim())
    }
    if (Option.isSome(flags.baseUrl)) overrides.set("FIGGRO_BASE_URL", flags.baseUrl.value)
    return ConfigProvider.fromMap(overrides, { pathDelim: "_" }).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
  })

/** The `Figgro` client the flags and environment describe. */
export const clientLayer = (flags: ClientFlags) =>
  Layer.unwrapEffect(
    Effect.map(provider(flags), (configProvider) =>
      FiggroNode.layerConfig.pipe(Layer.provide(Layer.setConfigProvider(configProvider))))
  )
