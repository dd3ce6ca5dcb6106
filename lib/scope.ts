/**
 * Scopes for tidy(): each open scope collects the tensors created while it is open, so
 * that tidy can dispose them all except what the function returned.
 */
interface Disposable {
  dispose(): void;
}

const scopes: Set<Disposable>[] = [];

export function track(tensor: Disposable): void {
  scopes.at(-1)?.add(tensor);
}

/** Takes `tensor` out of every open scope: state that outlives the tidy() it was created in (as tfjs's keep). */
export function untrack(tensor: Disposable): void {
  for (const scope of scopes) scope.delete(tensor);
}

export function openScope(): Set<Disposable> {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  return scope;
}

/**
 * Marks `tensor` as state that outlives the scope it was created in (a parameter, a buffer,
 * an optimizer's moment buffer), as tfjs keeps its variables out of tidy: no open scope
 * disposes it; its owner does.
 */
export function persist(tensor: Disposable): void {
  for (const scope of scopes) scope.delete(tensor);
}

/** Whether a scope is open (so that callers can skip work that only matters inside one). */
export function inScope(): boolean {
  return scopes.length > 0;
}

/** Closes `scope`: disposes what it holds except `keep`, which moves to the parent scope. */
export function closeScope(scope: Set<Disposable>, keep: Set<unknown>): void {
  const index = scopes.lastIndexOf(scope);
  if (index >= 0) scopes.splice(index, 1);
  const parent = scopes.at(-1);
  for (const t of scope) {
    if (keep.has(t)) parent?.add(t);
    else t.dispose();
  }
}

/** Runs `fn` with no scope open: what it creates outlives the enclosing tidy() (for caches). */
export function outsideScopes<T>(fn: () => T): T {
  const open = scopes.splice(0);
  try {
    return fn();
  } finally {
    scopes.push(...open);
  }
}
