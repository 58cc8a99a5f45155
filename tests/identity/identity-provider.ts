import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, type JWK } from "jose";
import Provider from "oidc-provider";

// A real OpenID provider (panva's oidc-provider) on a free 127.0.0.1 port, issuing JWT access tokens
// through the client_credentials grant for one resource (Airlock's audience), with a `groups` claim taken
// from the client. Restart it on the same port with a new signing key to test key rotation.

export const AUDIENCE = "https://airlock.test/gateway";

export interface TestClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly groups?: readonly string[];
}

export interface SigningKey {
  readonly kid: string;
  readonly privateJwk: JWK;
  /** The public key as PEM (SPKI), for the "HS256 signed with the public key" attack. */
  readonly publicPem: string;
}

export async function makeSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateJwk, publicPem: await exportSPKI(publicKey) };
}

export interface RunningProvider {
  readonly issuer: string;
  readonly port: number;
  readonly key: SigningKey;
  /** Changes the groups the provider puts in the client's next tokens. */
  setGroups(clientId: string, groups: readonly string[] | undefined): void;
  /** POSTs to the token endpoint (client_credentials, resource = audience); returns the access token. */
  token(client: TestClient, resource?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startIdentityProvider(options: { clients: readonly TestClient[]; key: SigningKey; port?: number; accessTokenTtlSec?: number }): Promise<RunningProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const groupsOf = new Map(options.clients.map((client) => [client.clientId, client.groups]));

  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: "client_secret_basic",
    })),
    jwks: { keys: [options.key.privateJwk] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => ({
          // Any resource is accepted so a test can ask for a token with the wrong audience.
          scope: "query",
          audience: resourceIndicator,
          accessTokenFormat: "jwt",
          accessTokenTTL: options.accessTokenTtlSec ?? 300,
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
    ttl: { ClientCredentials: options.accessTokenTtlSec ?? 300 },
    extraTokenClaims: (_ctx: unknown, token: { clientId?: string }) => {
      const groups = token.clientId ? groupsOf.get(token.clientId) : undefined;
      // The same groups twice: top level (`groups`) and Keycloak-style nested (`realm_access.roles`).
      return groups ? { groups: [...groups], realm_access: { roles: [...groups] } } : undefined;
    },
  });
  provider.on("server_error", (_ctx, error) => process.stderr.write(`oidc-provider: ${String(error)}\n`));
  server.on("request", provider.callback());

  return {
    issuer,
    port,
    key: options.key,
    setGroups: (clientId, groups) => void groupsOf.set(clientId, groups),
    async token(client, resource = AUDIENCE) {
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString("base64")}`,
        },
        body: new URLSearchParams({ grant_type: "client_credentials", resource, scope: "query" }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!response.ok || !body.access_token) throw new Error(`token endpoint: HTTP ${response.status} ${body.error ?? ""} ${body.error_description ?? ""}`);
      return body.access_token;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
