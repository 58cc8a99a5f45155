// lib/policy: the rule model, import/export, built-in defaults, and a pure evaluate().
export * from "./model";
export * from "./decision";
export { maskStrategySchema, type MaskStrategy, type MaskStrategyKind } from "./strategy";
export { parsePolicyDocument, validatePolicy, exportPolicy, formatPath, type PolicyFormat, type PolicyDocumentError, type PolicyDocumentResult } from "./document";
export { defaultPolicy, DEFAULT_POLICY_ID } from "./defaults";
export { compilePolicy, type CompiledPolicy } from "./compile";
export { evaluate } from "./evaluate";
export { compileGlob, type Glob } from "./glob";
export { regexProblem } from "./safe-regex";
