/**
 * What the shared-budget worker process (`budgetWorker.ts`) and the process
 * that starts it (`budgetWorkers.ts`) say to each other over the IPC channel
 * of `child_process.fork`. Plain JSON.
 */

/** What one worker does; passed as its single command-line argument (JSON). */
export interface WorkerConfig {
  /** Name of the worker, sent as the `x-figgro-worker` header of each of its requests. */
  readonly id: string
  /**
   * `walk`: walk the product pages from page 1 once told to (`go`), until the
   * deadline. `export`: export the products to NDJSON with a file checkpoint
   * in `outDir`, starting at once.
   */
  readonly mode: "walk" | "export"
  readonly baseUrl: string
  readonly apiKey: string
  readonly redisUrl: string
  readonly onUnavailable: "fail" | "local"
  readonly limit: number
  readonly windowMillis: number
  /** The budget margin (see `FiggroConfig.budget.margin`); the config's default when absent. */
  readonly marginMillis?: number
  /** `export` only. */
  readonly outDir?: string
  /** `export` only: continue from the checkpoint in `outDir`. */
  readonly resume?: boolean
}

/** Parent → worker. */
export type ToWorker = {
  readonly _tag: "Go"
  /** Stop walking at this moment (epoch ms). */
  readonly until: number
}

/** Worker → parent. */
export type FromWorker =
  /** The client is built (Redis answered its ping). */
  | { readonly _tag: "Ready" }
  /** `walk` ended at the deadline after `pages` pages; `export` completed. */
  | {
    readonly _tag: "Done"
    readonly pages: number
    readonly records: number
    readonly status?: string
    readonly resumed?: boolean
  }
  /** The program failed; `tag` and `message` of its error. */
  | { readonly _tag: "Failed"; readonly tag: string; readonly message: string }

/** The header naming the worker on its requests. */
export const workerHeader = "x-figgro-worker"
