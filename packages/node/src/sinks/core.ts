/**
 * The export API of `@figgro/core` the sinks implement, in one place.
 */
export { Checkpoint, Export, ExportFields, ExportSink } from "@figgro/core"
