// The MySQL client/server protocol's numbers that Airlock's door uses: capability flags, commands, server status
// flags, column types and flags, and the character set it announces.

export const enum Capability {
  LongPassword = 0x1,
  FoundRows = 0x2,
  LongFlag = 0x4,
  ConnectWithDb = 0x8,
  NoSchema = 0x10,
  Compress = 0x20,
  LocalFiles = 0x80,
  IgnoreSpace = 0x100,
  Protocol41 = 0x200,
  Interactive = 0x400,
  Ssl = 0x800,
  Transactions = 0x2000,
  SecureConnection = 0x8000,
  MultiStatements = 0x10000,
  MultiResults = 0x20000,
  PsMultiResults = 0x40000,
  PluginAuth = 0x80000,
  ConnectAttrs = 0x100000,
  PluginAuthLenencData = 0x200000,
  SessionTrack = 0x800000,
  DeprecateEof = 0x1000000,
}

/** What the door offers: no compression, no LOAD DATA LOCAL (refused with a hint), no session tracking. */
export const SERVER_CAPABILITIES =
  Capability.LongPassword |
  Capability.FoundRows |
  Capability.LongFlag |
  Capability.ConnectWithDb |
  Capability.NoSchema |
  Capability.IgnoreSpace |
  Capability.Protocol41 |
  Capability.Interactive |
  Capability.Transactions |
  Capability.SecureConnection |
  Capability.MultiStatements |
  Capability.MultiResults |
  Capability.PsMultiResults |
  Capability.PluginAuth |
  Capability.ConnectAttrs |
  Capability.PluginAuthLenencData |
  Capability.DeprecateEof;

export const enum Command {
  Quit = 0x01,
  InitDb = 0x02,
  Query = 0x03,
  FieldList = 0x04,
  Statistics = 0x09,
  ProcessKill = 0x0c,
  Ping = 0x0e,
  StmtPrepare = 0x16,
  StmtExecute = 0x17,
  StmtSendLongData = 0x18,
  StmtClose = 0x19,
  StmtReset = 0x1a,
  SetOption = 0x1b,
  ResetConnection = 0x1f,
}

export const enum ServerStatus {
  InTransaction = 0x1,
  Autocommit = 0x2,
  MoreResults = 0x8,
}

export const enum ColumnType {
  Decimal = 0x00,
  Tiny = 0x01,
  Short = 0x02,
  Long = 0x03,
  Float = 0x04,
  Double = 0x05,
  Null = 0x06,
  Timestamp = 0x07,
  LongLong = 0x08,
  Int24 = 0x09,
  Date = 0x0a,
  Time = 0x0b,
  DateTime = 0x0c,
  Year = 0x0d,
  VarChar = 0x0f,
  Bit = 0x10,
  Json = 0xf5,
  NewDecimal = 0xf6,
  Enum = 0xf7,
  Set = 0xf8,
  TinyBlob = 0xf9,
  MediumBlob = 0xfa,
  LongBlob = 0xfb,
  Blob = 0xfc,
  VarString = 0xfd,
  String = 0xfe,
  Geometry = 0xff,
}

export const enum ColumnFlag {
  NotNull = 0x1,
  PrimaryKey = 0x2,
  Unsigned = 0x20,
  Binary = 0x80,
}

/** utf8mb4_general_ci: what the door announces and sends text in. */
export const UTF8MB4 = 45;
/** binary: for columns whose values are bytes. */
export const BINARY_CHARSET = 63;

export const CACHING_SHA2 = "caching_sha2_password";
export const NATIVE_PASSWORD = "mysql_native_password";
export const CLEAR_PASSWORD = "mysql_clear_password";
