/**
 * @module Which sockets this process accepts: a cap per client address, a cap for the whole
 * process, and a cooling-off for an address that sent an oversized frame. Deno reads a whole
 * frame (up to 64 MiB) into memory before the app sees it (denoland/deno#15809), so the caps are
 * what bound the memory a stranger can make the server hold; see README "Security notes".
 */

/** One admitted socket. */
export interface Ticket {
  /** Gives the slot back (idempotent). */
  release(): void;
  /** Set by the socket's owner: closes it when its address is cooled off. */
  close?: () => void;
}

/** Why a socket was not admitted. */
export type Refusal = "address" | "total" | "cooling";

/** The caps of one admission. */
export interface AdmissionLimits {
  perAddress: number;
  total: number;
}

/** Socket slots by client address. */
export class SocketAdmission {
  #byAddress = new Map<string, Set<Ticket>>();
  #total = 0;
  #coolingUntil = new Map<string, number>();

  /** Sockets held now. */
  get total(): number {
    return this.#total;
  }

  /** Takes a slot for a socket from `address`, or says why not. */
  admit(address: string, limits: AdmissionLimits, now = Date.now()): Ticket | Refusal {
    const until = this.#coolingUntil.get(address);
    if (until !== undefined) {
      if (until > now) return "cooling";
      this.#coolingUntil.delete(address);
    }
    if (this.#total >= limits.total) return "total";
    let held = this.#byAddress.get(address);
    if ((held?.size ?? 0) >= limits.perAddress) return "address";
    if (!held) this.#byAddress.set(address, held = new Set());
    const tickets = held;
    this.#total++;
    let released = false;
    const ticket: Ticket = {
      release: () => {
        if (released) return;
        released = true;
        this.#total--;
        tickets.delete(ticket);
        if (tickets.size === 0 && this.#byAddress.get(address) === tickets) {
          this.#byAddress.delete(address);
        }
      },
    };
    tickets.add(ticket);
    return ticket;
  }

  /**
   * Refuses new sockets from `address` for `ms` and closes the ones it holds: a client that sent
   * one oversized frame is not given the chance to send more at once.
   */
  coolOff(address: string, ms: number, now = Date.now()): void {
    if (this.#coolingUntil.size > 10_000) {
      for (const [a, until] of this.#coolingUntil) if (until <= now) this.#coolingUntil.delete(a);
    }
    this.#coolingUntil.set(address, now + ms);
    for (const ticket of [...this.#byAddress.get(address) ?? []]) ticket.close?.();
  }
}
