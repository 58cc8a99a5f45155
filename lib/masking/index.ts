// lib/masking: pure, I/O-free masking of result values. Strategies hide whole columns, detectors find sensitive
// spans in free text as a backstop, and row maskers are compiled once per result shape.
export {
  REDACTED,
  MaskingError,
  type CellMasker,
  type ColumnMask,
  type Detection,
  type DetectionKind,
  type MaskingErrorCode,
  type MaskingOptions,
  type MaskingPlan,
  type ObjectMaskingPlan,
} from "./types";
export {
  compileStrategy,
  maskValue,
  maskPartialText,
  maskEmailText,
  maskCardText,
  type MaskedValue,
} from "./strategies";
export { createHasher, MIN_HASH_KEY_BYTES, DEFAULT_HASH_LENGTH, type Hasher } from "./hash";
export { valueToText } from "./text";
export {
  detect,
  containsSensitive,
  redactDetected,
  luhnValid,
  ibanChecksumValid,
  isIban,
  ssnValid,
} from "./detectors";
export { redactDetectedValue, MAX_JSON_DEPTH } from "./detect-value";
export { redactCredentials } from "./credentials";
export {
  compileRowMasker,
  compileRowMaskerInPlace,
  compileObjectRowMasker,
  compileColumn,
  planMasksAnything,
  type RowMasker,
  type InPlaceRowMasker,
  type ObjectRowMasker,
} from "./row-masker";
export { resolveMasks, MASKING_MISMATCH, type OriginMask, type ResolvedMasks, type ResolvedColumn, type MaskedBecause } from "./resolve";
