import type { ConnectionOptions } from "node:tls";
import type { TlsMode } from "./types";

// TLS per connection mode. "prefer" tries TLS without verification and falls back to a plain connection only
// when the server says it has no TLS at all (the target switches once, for the life of its pool).
//   disable     plain
//   prefer      TLS if offered (unverified), else plain
//   require     TLS, certificate not verified (encryption only)
//   verify_full TLS, certificate chain and host name verified

export function pgSsl(mode: TlsMode, fellBack: boolean): false | ConnectionOptions {
  if (mode === "disable" || (mode === "prefer" && fellBack)) return false;
  if (mode === "verify_full") return { rejectUnauthorized: true };
  return { rejectUnauthorized: false };
}

export interface MysqlSsl {
  readonly rejectUnauthorized: boolean;
  readonly verifyIdentity?: boolean;
}

export function mysqlSsl(mode: TlsMode, fellBack: boolean): MysqlSsl | undefined {
  if (mode === "disable" || (mode === "prefer" && fellBack)) return undefined;
  if (mode === "verify_full") return { rejectUnauthorized: true, verifyIdentity: true };
  return { rejectUnauthorized: false };
}
