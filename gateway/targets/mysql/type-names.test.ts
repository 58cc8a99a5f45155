import { describe, expect, it } from "vitest";
import { mysqlTypeName } from "./type-names";

describe("mysqlTypeName", () => {
  it("names columns like information_schema's DATA_TYPE", () => {
    expect(mysqlTypeName({ columnType: 3 })).toBe("int");
    expect(mysqlTypeName({ columnType: 253, characterSet: 45 })).toBe("varchar");
    expect(mysqlTypeName({ columnType: 253, characterSet: 63 })).toBe("varbinary");
    expect(mysqlTypeName({ columnType: 252, characterSet: 45 })).toBe("text");
    expect(mysqlTypeName({ columnType: 252, characterSet: 63 })).toBe("blob");
    expect(mysqlTypeName({ columnType: 254, characterSet: 45, flags: 256 })).toBe("enum");
    expect(mysqlTypeName({ columnType: 252, characterSet: 45, extendedFormat: "json" })).toBe("json");
    expect(mysqlTypeName({ columnType: 999 })).toBe("type_999");
  });
});
