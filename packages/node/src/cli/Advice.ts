/**
 * Every error the CLI can meet, as one line that says what happened and what
 * to do about it. Built from error fields only: the key is never in them.
 */
import type { BadRequest, Export, FiggroConfigError } from "@figgro/core"
import { ExitCode } from "./ExitCode.js"

const where = (error: { readonly endpoint: string; readonly page: number }) => `${error.endpoint} page ${error.page}`

/** Whether a 400 came from the server, or from checking the filters before sending. */
const sentBeforeAnswer = (error: BadRequest): boolean => error.requestId !== undefined || error.rateLimit !== undefined

/** What happened, and what to do. */
export const advise = (error: Export.ExportError | FiggroConfigError): string => {
  switch (error._tag) {
    case "CheckpointMismatch":
      return `${error.message} Run without --resume to start afresh, or resume with the checkpoint's ${error.field} (${error.checkpoint}).`
    case "CheckpointError":
      return `${error.message} Delete ${error.location ?? "the checkpoint file"} and run without --resume to start afresh.`
    case "SinkError":
      return `Writing ${error.output ?? error.format} failed: ${error.message}. Check the disk and permissions; --resume continues from the last checkpoint.`
    case "FiggroConfigError":
      return error.message
    case "Unauthorized":
      return `The key was refused (401 ${error.code}: ${error.message}): check FIGGRO_API_KEY or --api-key-file; keys expire after 12 months (new keys: integrations@figgro.com).`
    case "Forbidden":
      return `The key has no access to ${error.endpoint} (403 ${error.code}): ask integrations@figgro.com to extend its scope, or leave this resource out.`
    case "NotFound":
      return `${error.endpoint} was not found (404 ${error.code}): check FIGGRO_BASE_URL / --base-url points at the Figgro API.`
    case "BadRequest":
      return `${sentBeforeAnswer(error) ? "The request was refused as malformed (400 " + error.code + ": " : "Invalid filter ("}${error.message}): dates must be ISO 8601, e.g. 2026-11-01 or 2026-11-01T08:00:00Z, and the start not after the end.`
    case "RateLimited":
      return `The hourly request limit is spent (429, retry after ${Math.ceil(error.retryAfterMillis / 1000)} s, more than this run waits): run again later with --resume, or raise FIGGRO_RETRY_MAX_RETRY_AFTER.`
    case "InternalServerError":
    case "ServiceUnavailable":
    case "UnexpectedStatus":
      return `The API kept failing at ${where(error)} (HTTP ${error.status} ${error.code}: ${error.message}): try again later; --resume continues where this run stopped.`
    case "TransportError":
      return `Could not reach the API at ${where(error)} (${error.message}): check the network and FIGGRO_BASE_URL; --resume continues where this run stopped.`
    case "TimeoutError":
      return `The API did not answer ${where(error)} within ${error.timeoutMillis} ms: try again later or raise FIGGRO_REQUEST_TIMEOUT; --resume continues.`
    case "DecodeError":
      return `${error.message}. The API answered a shape this client does not expect: compare the real OpenAPI document with \`figgro spec check swagger.json\`.`
    case "PaginationError":
      return `${error.message}. The server's paging is inconsistent; try again later.`
    case "BudgetError":
      return `The shared request budget is unavailable: ${error.message}`
  }
}

/**
 * The exit code for a failure: a usage or configuration error (including a
 * 400 raised before anything was sent) is 2; a local write or checkpoint
 * failure 1; a refusal or failure of the API 4.
 */
export const exitCodeOf = (error: Export.ExportError | FiggroConfigError): number => {
  switch (error._tag) {
    case "FiggroConfigError":
    case "CheckpointMismatch":
      return ExitCode.usage
    case "BadRequest":
      return sentBeforeAnswer(error) ? ExitCode.refused : ExitCode.usage
    case "SinkError":
    case "CheckpointError":
      return ExitCode.failed
    default:
      return ExitCode.refused
  }
}
