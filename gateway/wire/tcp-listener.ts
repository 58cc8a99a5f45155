import net from "node:net";
import tls from "node:tls";

// What both wire doors (PostgreSQL, MySQL) need of a TCP listener, written once: listen (answering the port
// actually bound), every accepted socket tracked, set up alike (no Nagle delay, errors left to the close), and a
// close that stops accepting, ends the door's clients and destroys what is left; plus the TLS context from a PEM
// pair. The protocol itself stays in each door.

export class TcpListener {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  constructor(onSocket: (socket: net.Socket) => void) {
    this.#server = net.createServer((socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
      socket.setNoDelay(true);
      socket.on("error", () => undefined);
      onSocket(socket);
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve((this.#server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting; `endClients` closes the door's clients cleanly, then every socket left is destroyed. */
  async close(endClients: () => void): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    endClients();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}

/** A TLS context from PEM key and certificate, or null without them. */
export function secureContextOf(pem: { readonly key: Buffer | string; readonly cert: Buffer | string } | undefined): tls.SecureContext | null {
  return pem ? tls.createSecureContext({ key: pem.key, cert: pem.cert }) : null;
}
