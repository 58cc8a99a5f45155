// Schema changes: which action on which kind of object, and which tables they touch.

import type { DropStmt, Node, RangeVar } from "libpg-query";
import type { DdlAction } from "../types";
import { nameList, objectTypeName, rangeVarName, unwrap, type PgFields } from "./ast";

type ObjectTypeOf = string | ((fields: PgFields) => string);

const DDL: Readonly<Record<string, readonly [DdlAction, ObjectTypeOf]>> = {
  CreateStmt: ["create", "table"],
  CreateForeignTableStmt: ["create", "foreign table"],
  CreateTableAsStmt: ["create", (f) => objectTypeName(f.objtype as string)],
  ViewStmt: ["create", "view"],
  IndexStmt: ["create", "index"],
  CreateSchemaStmt: ["create", "schema"],
  CreatedbStmt: ["create", "database"],
  CreateFunctionStmt: ["create", (f) => (f.is_procedure ? "procedure" : "function")],
  CreateSeqStmt: ["create", "sequence"],
  CreateExtensionStmt: ["create", "extension"],
  CreateTrigStmt: ["create", "trigger"],
  CreateEventTrigStmt: ["create", "event trigger"],
  CreateRoleStmt: ["create", "role"],
  CreateDomainStmt: ["create", "domain"],
  CompositeTypeStmt: ["create", "type"],
  CreateEnumStmt: ["create", "type"],
  CreateRangeStmt: ["create", "type"],
  DefineStmt: ["create", (f) => objectTypeName(f.kind as string)],
  RuleStmt: ["create", "rule"],
  CreatePolicyStmt: ["create", "policy"],
  CreateTableSpaceStmt: ["create", "tablespace"],
  CreateForeignServerStmt: ["create", "server"],
  CreateFdwStmt: ["create", "foreign data wrapper"],
  CreateUserMappingStmt: ["create", "user mapping"],
  ImportForeignSchemaStmt: ["create", "foreign table"],
  CreatePLangStmt: ["create", "language"],
  AlterTableStmt: ["alter", (f) => objectTypeName(f.objtype as string)],
  RenameStmt: ["alter", (f) => objectTypeName(f.renameType as string)],
  AlterObjectSchemaStmt: ["alter", (f) => objectTypeName(f.objectType as string)],
  AlterOwnerStmt: ["alter", (f) => objectTypeName(f.objectType as string)],
  AlterSystemStmt: ["alter", "system"],
  AlterRoleStmt: ["alter", "role"],
  AlterRoleSetStmt: ["alter", "role"],
  AlterDatabaseStmt: ["alter", "database"],
  AlterDatabaseSetStmt: ["alter", "database"],
  AlterFunctionStmt: ["alter", "function"],
  AlterSeqStmt: ["alter", "sequence"],
  AlterEnumStmt: ["alter", "type"],
  AlterTypeStmt: ["alter", "type"],
  AlterDomainStmt: ["alter", "domain"],
  CommentStmt: ["alter", "comment"],
  SecLabelStmt: ["alter", "security label"],
  ReassignOwnedStmt: ["alter", "owned"],
  DropStmt: ["drop", (f) => objectTypeName(f.removeType as string)],
  DropdbStmt: ["drop", "database"],
  DropRoleStmt: ["drop", "role"],
  DropOwnedStmt: ["drop", "owned"],
  DropTableSpaceStmt: ["drop", "tablespace"],
  DropSubscriptionStmt: ["drop", "subscription"],
  DropUserMappingStmt: ["drop", "user mapping"],
};

/** The DDL action and object type of a statement node, or undefined when it is not DDL. */
export function ddlOf(tag: string, fields: PgFields): { action: DdlAction; objectType: string } | undefined {
  const entry = DDL[tag];
  if (entry) {
    const [action, objectType] = entry;
    return { action, objectType: typeof objectType === "string" ? objectType : objectType(fields) };
  }
  const match = /^(Create|Alter|Drop)(\w+?)Stmt$/.exec(tag);
  if (!match) return undefined;
  const action = match[1].toLowerCase() as DdlAction;
  return { action, objectType: match[2].replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase() };
}

const TABLE_LIKE = new Set(["table", "view", "materialized view", "foreign table", "index", "sequence"]);

/** Tables a DDL statement changes (created, altered, dropped), as written. */
export function ddlTargets(tag: string, fields: PgFields, objectType: string): string[] {
  const out: string[] = [];
  const rel = (rv: RangeVar | undefined) => {
    if (rv?.relname) out.push(rangeVarName(rv));
  };
  switch (tag) {
    case "DropStmt": {
      if (!TABLE_LIKE.has(objectType)) break;
      for (const object of (fields as DropStmt).objects ?? []) {
        const [objectTag, objectFields] = unwrap(object);
        if (objectTag === "List") out.push(nameList((objectFields as { items?: Node[] }).items).join("."));
      }
      break;
    }
    case "CreateTableAsStmt":
      rel((fields.into as { rel?: RangeVar } | undefined)?.rel);
      break;
    case "ViewStmt":
      rel(fields.view as RangeVar | undefined);
      break;
    case "CompositeTypeStmt":
      break;
    case "CreateForeignTableStmt":
      rel((fields.base as { relation?: RangeVar } | undefined)?.relation);
      break;
    default:
      if (TABLE_LIKE.has(objectType) || tag === "CreateTrigStmt" || tag === "RuleStmt" || tag === "CreatePolicyStmt") {
        rel((fields.relation ?? fields.table) as RangeVar | undefined);
      }
  }
  return out;
}
