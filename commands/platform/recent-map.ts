// A bounded map of recently used entries: insertion order is recency order, so the first key is the least recently
// used. Used by the command handler's stream cache and the case projections' state cache.

/** Sets `key` as the most recently used entry of `map`, dropping the least recently used one beyond `max` entries. */
export function setRecent<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key)
  if (map.size >= max) map.delete(map.keys().next().value as K)
  map.set(key, value)
}
