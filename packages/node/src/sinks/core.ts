/**
 * The export API of `@figgro/core` the sinks implement. Imported through
 * this one module so that, once `@figgro/core`'s index exports these
 * namespaces, only this file changes (to `export { … } from "@figgro/core"`).
 */
export * as Checkpoint from "../../../core/src/Checkpoint.js"
export * as ExportFields from "../../../core/src/ExportFields.js"
export * as ExportSink from "../../../core/src/ExportSink.js"
export * as Export from "../../../core/src/Export.js"
