import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

// A real OpenID provider (panva's oidc-provider) for people signing in to the dashboards: authorization code
// flow with PKCE, its own development login and consent pages (any password), and a `groups` claim per login.
// The issuer is known before Airlock starts; the client (whose redirect URI needs Airlock's port) is registered
// afterwards with `register`.

export interface PeopleIdp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Creates the provider with a client redirecting to `${webUrl}/api/auth/callback/oidc`. */
  register(webUrl: string): void;
  stop(): Promise<void>;
}

export interface Person {
  readonly email: string;
  readonly name: string;
  readonly groups: readonly string[];
}

export async function startPeopleIdp(people: Readonly<Record<string, Person>>): Promise<PeopleIdp> {
  const server = http.createServer((_request, response) => {
    response.statusCode = 503;
    response.end("the provider is not registered yet");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "airlock-dashboards";
  const clientSecret = "e2e-client-secret-that-is-long-enough";

  return {
    issuer,
    clientId,
    clientSecret,
    register(webUrl) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [`${webUrl}/api/auth/callback/oidc`],
            grant_types: ["authorization_code"],
            response_types: ["code"],
            token_endpoint_auth_method: "client_secret_post",
          },
        ],
        claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
        scopes: ["openid", "email", "profile", "groups"],
        conformIdTokenClaims: false,
        features: { devInteractions: { enabled: true } },
        findAccount: (_ctx: unknown, id: string) => {
          const person = people[id];
          if (!person) return undefined;
          return {
            accountId: id,
            claims: () => ({ sub: `idp|${id}`, email: person.email, email_verified: true, name: person.name, groups: [...person.groups] }),
          };
        },
      });
      provider.on("server_error", (_ctx, error) => process.stderr.write(`oidc-provider: ${String(error)}\n`));
      server.removeAllListeners("request");
      server.on("request", provider.callback());
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
