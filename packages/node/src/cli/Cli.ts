/** The `figgro` command and its subcommands. */
import * as Command from "@effect/cli/Command"
import { budgetCommand } from "./BudgetCommand.js"
import { exportCommand } from "./ExportCommand.js"
import { getCommand } from "./GetCommand.js"
import { simCommand } from "./SimCommand.js"
import { specCommand } from "./SpecCommand.js"

export const figgro = Command.make("figgro").pipe(
  Command.withDescription(
    [
      "Read the Figgro ERP API: export every record, fetch a page, check the budget, run a simulator.",
      "The key comes from FIGGRO_API_KEY (or --api-key-file), the base URL from FIGGRO_BASE_URL (or --base-url).",
      "",
      "Examples:",
      "  figgro export all --out ./export",
      "  figgro get products --page 2",
      "  figgro budget",
      "  figgro sim --port 4010",
      "  figgro spec check swagger.json"
    ].join("\n")
  ),
  Command.withSubcommands([exportCommand, getCommand, budgetCommand, simCommand, specCommand])
)

/** Runs the CLI on `argv` (as `process.argv`). */
export const run = Command.run(figgro, { name: "figgro", version: "0.1.0" })
