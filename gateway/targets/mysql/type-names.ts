// MySQL column definitions → engine type names as information_schema's DATA_TYPE spells them ("int",
// "varchar", "datetime", "text"…), so result columns and describeSchema agree.

const BINARY_CHARSET = 63;
const ENUM_FLAG = 256;
const SET_FLAG = 2048;

const NAMES: Readonly<Record<number, string>> = {
  0: "decimal", 1: "tinyint", 2: "smallint", 3: "int", 4: "float", 5: "double", 6: "null", 7: "timestamp",
  8: "bigint", 9: "mediumint", 10: "date", 11: "time", 12: "datetime", 13: "year", 14: "date", 15: "varchar",
  16: "bit", 17: "timestamp", 18: "datetime", 19: "time", 242: "vector", 245: "json", 246: "decimal", 247: "enum",
  248: "set", 249: "tinyblob", 250: "mediumblob", 251: "longblob", 252: "blob", 253: "varchar", 254: "char",
  255: "geometry",
};

const TEXT_OF_BLOB: Readonly<Record<number, string>> = { 249: "tinytext", 250: "mediumtext", 251: "longtext", 252: "text" };

export interface MysqlFieldShape {
  readonly columnType?: number;
  readonly type?: number;
  readonly characterSet?: number;
  readonly flags?: number | string[];
  readonly extendedFormat?: string;
  readonly extendedTypeName?: string;
}

export function mysqlTypeName(field: MysqlFieldShape): string {
  const code = field.columnType ?? field.type ?? -1;
  const flags = typeof field.flags === "number" ? field.flags : 0;
  if (field.extendedFormat === "json") return "json";
  if (field.extendedTypeName) return field.extendedTypeName;
  if (flags & ENUM_FLAG) return "enum";
  if (flags & SET_FLAG) return "set";
  const binary = field.characterSet === BINARY_CHARSET;
  if (code in TEXT_OF_BLOB) return binary ? NAMES[code] : TEXT_OF_BLOB[code];
  if (code === 253 || code === 15) return binary ? "varbinary" : "varchar";
  if (code === 254) return binary ? "binary" : "char";
  return NAMES[code] ?? `type_${code}`;
}
