/** The `figgro` CLI's exit codes: scripts branch on them. */
export const ExitCode = {
  /** Done. */
  ok: 0,
  /** A local failure: the output or checkpoint could not be written or read. */
  failed: 1,
  /** Usage or configuration error: fix the command line or the environment. */
  usage: 2,
  /** Done, but the data moved during the export (see the summary). */
  drifted: 3,
  /** The API refused or kept failing: the message says why; the checkpoint is kept. */
  refused: 4,
  /** Interrupted (Ctrl-C): the checkpoint is kept; `--resume` continues. */
  interrupted: 130
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]
