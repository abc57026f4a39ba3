/** What a tool client reports about its calls (metrics); optional, so the clients work without one. */
export interface VendorCallObserver {
  /** A client exists (its circuit state can be read on demand). */
  register(client: { tool: string; circuitState: number }): void;
  /** One HTTP attempt finished: its status, or the transport failure reason. */
  attempt(tool: string, outcome: string, seconds: number): void;
}

export const VENDOR_CALL_OBSERVER = Symbol('VENDOR_CALL_OBSERVER');
