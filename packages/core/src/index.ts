/**
 * @figgro/core: an Effect-native client for the Figgro ERP API.
 */
export * as DateFilter from "./DateFilter.js"
export * as Endpoints from "./Endpoints.js"
export * as Checkpoint from "./Checkpoint.js"
export * as Export from "./Export.js"
export * as ExportFields from "./ExportFields.js"
export * as ExportSink from "./ExportSink.js"
export { Figgro, type FiggroShape, type Resource, type WalkOptions } from "./Figgro.js"
export {
  countedWindow,
  FiggroConfig,
  FiggroConfigError, type FiggroConfigOptions, type FiggroConfigShape } from "./FiggroConfig.js"
export * from "./FiggroError.js"
export { FiggroHttp, type Page } from "./FiggroHttp.js"
export * as Metrics from "./Metrics.js"
export * as OpenApi from "./OpenApi.js"
export { type BudgetSnapshot, RateBudget, type RateBudgetShape } from "./RateBudget.js"
export * as Retry from "./Retry.js"
export * as Schemas from "./Schemas.js"
