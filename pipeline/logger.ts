/** A minimal logger passed into components, so tests can capture or silence it. */

/** Where components report what they do. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Logs to the console with a timestamp and the component's name. */
export function consoleLogger(component: string): Logger {
  const line = (message: string) => `${new Date().toISOString()} [${component}] ${message}`;
  return {
    info: (message) => console.log(line(message)),
    warn: (message) => console.warn(line(message)),
    error: (message) => console.error(line(message)),
  };
}

/** A logger that keeps nothing (for tests and benchmarks). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
