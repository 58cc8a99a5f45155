// gateway/targets: pooled connections to the databases agents reach, one statement at a time.
export { TargetRegistry, DEFAULT_POOL_SIZE, type TargetRegistryOptions } from "./registry";
export { TargetError, isTargetError, type TargetErrorCode, type TargetErrorDetails } from "./errors";
export { CATALOG_TTL_MS, buildCatalog } from "./catalog";
export { PostgresTarget } from "./postgres/target";
export { MysqlTarget } from "./mysql/target";
export { identityValues, PG_IDENTITY_SETTINGS, MYSQL_IDENTITY_VARIABLES, type TargetIdentity, type IdentityValues } from "./identity";
export { identityTampering, IDENTITY_RULE } from "./identity-guard";
export type * from "./types";
