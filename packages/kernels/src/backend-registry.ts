// The process-wide backend selection. Nothing is registered on import (the package is side-effect free): 'js' is
// built in, and the facade registers 'wasm'. Op functions resolve each primitive as `backend.prim ?? js.prim`.
import { BackendInitError } from './backend-init-error';
import { createJsBackend, PRIMITIVE_NAMES, type CompleteKernelBackend, type PrimitiveName } from './js-backend';
import type { BackendDiagnostics, KernelBackend } from './kernel-backend';

/** Builds a backend; may be async (e.g. compiling WebAssembly). */
export type BackendFactory = () => KernelBackend | Promise<KernelBackend>;

/** What {@link getBackend} reports about the selected backend. */
export interface BackendInfo {
  /** The backend's name (`'js'`, `'wasm'`, …). */
  readonly name: string;
  /** The backend object itself. */
  readonly backend: KernelBackend;
  /** Primitives the backend implements itself. */
  readonly nativeOps: readonly PrimitiveName[];
  /** Primitives it lacks, which run on the JS backend instead. */
  readonly fallbackOps: readonly PrimitiveName[];
  /**
   * The backend's own diagnostics plus `fallbackCalls`: how many times each primitive actually fell back to JS
   * since this backend was selected.
   */
  readonly diagnostics: BackendDiagnostics;
}

/** Options accepted by every op function. */
export interface OpOptions {
  /** Run this call on this backend instead of the selected one (its missing primitives still fall back to JS). */
  backend?: KernelBackend;
}

const factories = new Map<string, BackendFactory>();
const instances = new Map<string, KernelBackend>();
let jsSingleton: CompleteKernelBackend | undefined;
let current: KernelBackend | undefined;
let fallbackCalls: Record<string, number> = {};

/** The shared JS backend used as the default and as the fallback of every other backend. */
export function getJsBackend(): CompleteKernelBackend {
  if (!jsSingleton) jsSingleton = createJsBackend();
  return jsSingleton;
}

/**
 * Registers a factory under a name, for `setBackend(name)`. Re-registering a name replaces the factory (and drops
 * a cached instance of the old one, disposing it unless it is selected).
 *
 * @param name - the backend name (not `'js'`, which is built in)
 * @param factory - builds the backend; called at most once, on the first `setBackend(name)`
 * @throws {@link BackendInitError} when the name is empty or `'js'`, or the factory is not a function
 * @example
 * ```ts
 * registerBackend('wasm', () => createWasmBackend());
 * await setBackend('wasm');
 * ```
 */
export function registerBackend(name: string, factory: BackendFactory): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new BackendInitError(`registerBackend: name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  if (name === 'js') throw new BackendInitError("registerBackend: 'js' is built in and cannot be replaced");
  if (typeof factory !== 'function') {
    throw new BackendInitError(`registerBackend('${name}'): factory must be a function returning a KernelBackend, got ${typeof factory}`);
  }
  const old = instances.get(name);
  if (old && old !== current) old.dispose?.();
  instances.delete(name);
  factories.set(name, factory);
}

/**
 * Names that `setBackend` accepts: `'js'` and every registered name.
 *
 * @returns the names, `'js'` first
 * @example
 * ```ts
 * listBackends(); // ['js', 'wasm'] once the facade registered 'wasm'
 * ```
 */
export function listBackends(): string[] {
  return ['js', ...factories.keys()];
}

function checkBackend(candidate: unknown, what: string): KernelBackend {
  const b = candidate as Partial<KernelBackend> | null;
  if (!b || typeof b !== 'object') throw new BackendInitError(`${what} is not a KernelBackend object (got ${b === null ? 'null' : typeof b})`);
  if (b.specificationVersion !== 'v1') {
    throw new BackendInitError(
      `${what} implements KernelBackend specification ${JSON.stringify(b.specificationVersion)}, but @qint/kernels needs 'v1'; use versions of the packages that match`,
    );
  }
  if (typeof b.name !== 'string' || b.name.length === 0) throw new BackendInitError(`${what} has no name`);
  for (const p of PRIMITIVE_NAMES) {
    const f = (b as Record<string, unknown>)[p];
    if (f !== undefined && typeof f !== 'function') throw new BackendInitError(`${what}: primitive ${p} must be a function or undefined, got ${typeof f}`);
  }
  if ((b.packLinearWeights === undefined) !== (b.dynamicLinear === undefined)) {
    // Packed weights are opaque to everyone but the backend that packed them, so the two come as a pair.
    throw new BackendInitError(`${what} must implement both packLinearWeights and dynamicLinear, or neither`);
  }
  return b as KernelBackend;
}

/**
 * Selects the backend that op functions use from now on: `'js'`, a registered name, or a backend object.
 *
 * @param nameOrBackend - `'js'`, a name registered with {@link registerBackend}, a `KernelBackend` v1, or a promise of one
 * @returns what {@link getBackend} now reports
 * @throws {@link BackendInitError} for an unknown name (listing the known ones), a factory that throws or rejects
 *   (its error is the `cause`), or an object that is not a KernelBackend v1; the previous selection stays in place
 * @example
 * ```ts
 * await setBackend('js');
 * await setBackend(createJsBackend());
 * await setBackend(createWasmBackend()); // a promise is awaited
 * ```
 */
export async function setBackend(nameOrBackend: string | KernelBackend | PromiseLike<KernelBackend>): Promise<BackendInfo> {
  if (typeof nameOrBackend === 'object' && nameOrBackend !== null && typeof (nameOrBackend as PromiseLike<unknown>).then === 'function') {
    // A backend still being created (`setBackend(createWasmBackend())`): wait for it, keep its error as the cause.
    let made: KernelBackend;
    try {
      made = await nameOrBackend;
    } catch (cause) {
      if (cause instanceof BackendInitError) throw cause;
      throw new BackendInitError(`setBackend(promise): the backend failed to start: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    return setBackend(made);
  }
  let next: KernelBackend;
  if (typeof nameOrBackend === 'string') {
    const name = nameOrBackend;
    if (name === 'js') next = getJsBackend();
    else if (instances.has(name)) next = instances.get(name)!;
    else {
      const factory = factories.get(name);
      if (!factory) {
        throw new BackendInitError(
          `setBackend('${name}'): no backend named '${name}' is registered; known: ${listBackends().join(', ')}. ` +
            `Register one with registerBackend('${name}', factory) (the qint facade registers 'wasm'), or pass a backend object.`,
        );
      }
      let made: unknown;
      try {
        made = await factory();
      } catch (cause) {
        if (cause instanceof BackendInitError) throw cause;
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new BackendInitError(`setBackend('${name}'): the registered factory failed: ${reason}`, { cause });
      }
      next = checkBackend(made, `setBackend('${name}'): the factory's result`);
      instances.set(name, next);
    }
  } else {
    next = checkBackend(nameOrBackend as KernelBackend, 'setBackend(backend): the argument');
  }
  if (next !== current) fallbackCalls = {};
  current = next;
  return getBackend();
}

/**
 * Reports the selected backend (the JS backend until `setBackend` is called): its name, the object, which
 * primitives are native and which fall back to JS, and diagnostics.
 *
 * @returns the {@link BackendInfo}
 * @example
 * ```ts
 * const { name, fallbackOps } = getBackend();
 * ```
 */
export function getBackend(): BackendInfo {
  const backend = current ?? getJsBackend();
  const nativeOps = PRIMITIVE_NAMES.filter((p) => typeof backend[p] === 'function');
  const fallbackOps = PRIMITIVE_NAMES.filter((p) => typeof backend[p] !== 'function');
  let own: BackendDiagnostics = {};
  try {
    own = backend.diagnostics?.() ?? {};
  } catch (cause) {
    own = { diagnosticsError: cause instanceof Error ? cause.message : String(cause) };
  }
  return Object.freeze({
    name: backend.name,
    backend,
    nativeOps: Object.freeze(nativeOps),
    fallbackOps: Object.freeze(fallbackOps),
    diagnostics: Object.freeze({ ...own, fallbackCalls: { ...fallbackCalls } }),
  });
}

/** The backend an op call runs on: the injected one, else the selected one, else JS. */
function activeBackend(options?: OpOptions): KernelBackend {
  return options?.backend ?? current ?? getJsBackend();
}

/**
 * The backend that runs one primitive for a call: the active backend when it implements it, else the JS backend
 * (counted in `getBackend().diagnostics.fallbackCalls` when the active backend is the selected one). Call the
 * primitive as a method of the returned object (no per-call bound functions).
 */
export function primitiveBackend<P extends PrimitiveName>(name: P, options?: OpOptions): KernelBackend & Required<Pick<KernelBackend, P>> {
  const backend = activeBackend(options);
  if (typeof backend[name] === 'function') return backend as KernelBackend & Required<Pick<KernelBackend, P>>;
  if (backend === current) fallbackCalls[name] = (fallbackCalls[name] ?? 0) + 1;
  return getJsBackend() as KernelBackend as KernelBackend & Required<Pick<KernelBackend, P>>;
}

/** Test hook: forget every registration and selection (the JS singleton stays). */
export function resetBackendRegistry(): void {
  for (const [name, b] of instances) if (factories.has(name)) b.dispose?.();
  instances.clear();
  factories.clear();
  current = undefined;
  fallbackCalls = {};
}
