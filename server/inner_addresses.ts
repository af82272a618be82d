/**
 * Which front-door connection reaches the internal HTTP server from which
 * local address (`host:port`), so a request there is matched to the client
 * connection it came from.
 */
export class InnerAddresses<C> {
  readonly #byAddress = new Map<string, C>();

  /** The connection that reaches the internal server from `address`, if any. */
  get(address: string): C | undefined {
    return this.#byAddress.get(address);
  }

  /** Records that `connection` reaches the internal server from `address`. */
  set(address: string, connection: C): void {
    this.#byAddress.set(address, connection);
  }

  /**
   * Forgets `address` when it still belongs to `connection`. A live stream
   * lets its internal connection go long before it ends, and the system may
   * meanwhile give the same local port to another connection: ending the
   * stream must not unmatch that one (its requests were refused as not
   * coming through the front door).
   */
  release(address: string, connection: C): void {
    if (this.#byAddress.get(address) === connection) this.#byAddress.delete(address);
  }
}
