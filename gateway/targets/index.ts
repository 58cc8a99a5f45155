// gateway/targets: pooled connections to the databases agents reach, one statement at a time.
export { TargetRegistry, DEFAULT_POOL_SIZE, type TargetRegistryOptions } from "./registry";
export { TargetError, isTargetError, type TargetErrorCode, type TargetErrorDetails } from "./errors";
export { CATALOG_TTL_MS, buildCatalog } from "./catalog";
export { PostgresTarget } from "./postgres/target";
export { MysqlTarget } from "./mysql/target";
export type * from "./types";
