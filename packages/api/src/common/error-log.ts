// Every unexpected failure is logged once: the layer that logs it first notes it, and the layers
// further out (the tRPC adapter's onError, the REST handler) skip what is noted.
const logged = new WeakSet<object>();

export function noteLogged(error: object): void {
  logged.add(error);
}

export function isLogged(error: unknown): boolean {
  return typeof error === 'object' && error !== null && logged.has(error);
}
