export { Recorder, type RecorderOptions, type RecordOptions, type RecordedEvent } from "./recorder";
export { RecorderError, isRecorderError, type RecorderErrorCode } from "./errors";
export { SESSION_REUSE_MS, type OpenSessionInput, type OpenedSession } from "./sessions";
export { DEFAULT_MAX_PAYLOAD_BYTES, TRUNCATED_KEY } from "./payload";
