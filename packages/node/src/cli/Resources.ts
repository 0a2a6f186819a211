/** The resource names the commands take, checked against the endpoint definitions. */
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import { Endpoints } from "@figgro/core"

const names = Endpoints.resourceNames

/** One resource name. */
export const resource = Args.choice(names.map((name) => [name, Endpoints.byName(name)!] as const), {
  name: "resource"
}).pipe(Args.withDescription(`One of: ${names.join(", ")}.`))

export const startDate = Options.text("start-date").pipe(
  Options.withDescription("Only records on or after this date (ISO 8601, e.g. 2026-11-01); job endpoints only."),
  Options.optional
)

export const endDate = Options.text("end-date").pipe(
  Options.withDescription("Only records on or before this date (inclusive); job endpoints only."),
  Options.optional
)
