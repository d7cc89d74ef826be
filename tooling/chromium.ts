// Headless Chromium for the browser tests (Debian's binary, never a downloaded one): the flags that
// keep it from reaching the network or doing work of its own, shared by every suite that launches it.
export const HEADLESS_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
