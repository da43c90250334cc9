// What survives a reload: settings as JSON in localStorage (small, read
// synchronously before the first paint), the last instrument the user
// loaded as its File blobs in IndexedDB (instruments are megabytes, which
// localStorage cannot hold).

const SETTINGS_KEY = 'sampler-page:settings';
const DB_NAME = 'sampler-page';
const STORE = 'instrument';
const LAST = 'last';

/** The saved settings object ({} when none or unreadable). */
export function loadSettings() {
  try {
    const value = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}');
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {}; // storage disabled or corrupt: start from the defaults
  }
}

/** Merges `changes` into the saved settings. */
export function saveSettings(changes) {
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify({ ...loadSettings(), ...changes }));
  } catch {
    // Private browsing or quota: settings just do not persist.
  }
}

export function forgetSettings() {
  try {
    localStorage.removeItem(SETTINGS_KEY);
  } catch {
    // nothing stored
  }
}

function openDb() {
  return new Promise((resolve, reject) => {
    if (!globalThis.indexedDB) {
      reject(new Error('IndexedDB is unavailable'));
      return;
    }
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, action) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/**
 * Saves the user's instrument: `entries` [{ file, path }] (Files are
 * structured-cloneable, so the blobs themselves are stored) and the chosen
 * SoundFont preset, if any.
 */
export function saveInstrument(name, entries, preset = null) {
  const record = { name, preset, savedAt: Date.now(), entries: entries.map(({ file, path }) => ({ file, path })) };
  return withStore('readwrite', (store) => store.put(record, LAST));
}

/** Updates the saved preset ({ bank, program }) of the saved instrument. */
export async function savePreset(preset) {
  const record = await loadInstrument();
  if (record) await withStore('readwrite', (store) => store.put({ ...record, preset }, LAST));
}

/** The saved instrument record, or null. */
export async function loadInstrument() {
  try {
    return (await withStore('readonly', (store) => store.get(LAST))) ?? null;
  } catch {
    return null;
  }
}

export function forgetInstrument() {
  return withStore('readwrite', (store) => store.delete(LAST)).catch(() => {});
}
