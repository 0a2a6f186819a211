/**
 * The Lua scripts of the shared request budget: a sliding log in a sorted set.
 *
 * Why not `@effect/experimental`'s RateLimiter with its Redis store: it offers
 * a fixed window (lets up to twice the limit through across a window
 * boundary) and a token bucket (lets a full bucket plus the refill through in
 * the first window). The Figgro limit is a ROLLING window, so the only store
 * that never overshoots it is a log of send times; it also has no shared
 * "gate" for a 429 and no way to learn from the server's headers.
 *
 * Keys (all in one hash slot thanks to the `{…}` tag, so the scripts also run
 * on a Redis Cluster node):
 * - `log`   sorted set, score = send time (epoch ms on the Redis clock), member unique per request;
 * - `gate`  string, epoch ms on the Redis clock before which nothing goes out (after a 429 / remaining 0);
 * - `limit` string, the limit the server last announced in `X-RateLimit-Limit`.
 *
 * Time: every script reads the Redis server's `TIME`, never a client clock.
 * Processes on several machines have clocks that disagree by milliseconds to
 * seconds; if each wrote its own "now" into the log, a process whose clock is
 * behind would see old entries as still young (harmless) but a process whose
 * clock is ahead would see young entries as already expired and overshoot.
 * One clock, Redis's, orders the whole log. Absolute times that come from a
 * client (a 429's "until", the `X-RateLimit-Reset` header) are passed as
 * durations from the client's "now" and re-anchored on Redis's "now", so a
 * client-vs-Redis skew does not move them either. (The skew between the API
 * server and the client remains, as for the in-memory budget.)
 * Scripts that call `TIME` and then write need effects replication:
 * `redis.replicate_commands()` turns it on for Redis 3.2–4; from Redis 5 it
 * is the default and the call a no-op (deprecated in Redis 7), hence the
 * guard: the scripts keep working should the function be removed.
 *
 * Lua numbers are returned as Redis integers (truncated), which is exact for
 * epoch milliseconds.
 */

const prelude = `
if redis.replicate_commands then redis.replicate_commands() end
local function now_ms()
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function effective_limit(limit_key, limit)
  local announced = tonumber(redis.call("GET", limit_key))
  if announced and announced >= 1 and announced < limit then return announced end
  return limit
end
`

/**
 * Take one slot, or say how long to wait.
 *
 * KEYS: log, gate, limit. ARGV: limit, window ms, member (unique).
 * Drops entries that left the window (score + window <= now). If the gate is
 * open and fewer than `limit` entries remain, adds (now, member) and returns
 * wait 0. Otherwise adds nothing and returns the ms to wait:
 * max(gate - now, score of the limit-th most recent entry + window - now),
 * i.e. the moment the log has a free slot (same rule as the in-memory log).
 *
 * Returns { wait, now, count (after), oldest score or -1, gate or 0, effective limit }.
 */
export const acquire = `${prelude}
local log, gate_key, limit_key = KEYS[1], KEYS[2], KEYS[3]
local limit = effective_limit(limit_key, tonumber(ARGV[1]))
local window = tonumber(ARGV[2])
local now = now_ms()
redis.call("ZREMRANGEBYSCORE", log, "-inf", now - window)
local gate = tonumber(redis.call("GET", gate_key)) or 0
local count = redis.call("ZCARD", log)
local wait = 0
if gate > now then wait = gate - now end
if count >= limit then
  local nth = redis.call("ZRANGE", log, count - limit, count - limit, "WITHSCORES")
  local free_at = tonumber(nth[2]) + window
  if free_at - now > wait then wait = free_at - now end
end
if wait <= 0 then
  redis.call("ZADD", log, now, ARGV[3])
  redis.call("PEXPIRE", log, window)
  count = count + 1
end
local oldest = redis.call("ZRANGE", log, 0, 0, "WITHSCORES")
return { wait, now, count, tonumber(oldest[2]) or -1, gate, limit }
`

/**
 * Learn from the server's `X-RateLimit-*` headers (mirrors `observe` of the in-memory budget).
 *
 * KEYS: log, gate, limit. ARGV: configured limit, window ms, header limit,
 * header remaining, reset in ms (header reset minus the client's now), member prefix.
 * - remembers the announced limit (for one window);
 * - the server counted `limit - remaining` requests; when the log holds fewer,
 *   adds the difference as phantom entries dated `min(now, reset - window)`,
 *   so they leave the window when the server says it resets;
 * - so "remaining 0" from another consumer fills the log until the reset; when
 *   the log already accounts for every request it knows the next free slot
 *   to the millisecond, better than the header's whole seconds.
 *
 * Returns { phantoms added, now }.
 */
export const observe = `${prelude}
local log, limit_key = KEYS[1], KEYS[3]
local window = tonumber(ARGV[2])
local header_limit = tonumber(ARGV[3])
local remaining = tonumber(ARGV[4])
local reset_in = tonumber(ARGV[5])
local prefix = ARGV[6]
local now = now_ms()
redis.call("ZREMRANGEBYSCORE", log, "-inf", now - window)
if header_limit >= 1 then redis.call("SET", limit_key, header_limit, "PX", window) end
local unknown = header_limit - remaining - redis.call("ZCARD", log)
if unknown > header_limit then unknown = header_limit end
local added = 0
if unknown > 0 and reset_in > 0 then
  local sent_at = now + reset_in - window
  if sent_at > now then sent_at = now end
  for i = 1, unknown do
    redis.call("ZADD", log, sent_at, prefix .. i)
  end
  redis.call("PEXPIRE", log, window)
  added = unknown
end
return { added, now }
`

/**
 * Close the gate for every process (after a 429), never shortening it.
 *
 * KEYS: gate. ARGV: block for ms (the client's "until" minus its now).
 * Returns { gate, now }.
 */
export const block = `${prelude}
local gate_key = KEYS[1]
local block_for = tonumber(ARGV[1])
local now = now_ms()
local gate = tonumber(redis.call("GET", gate_key)) or 0
if block_for > 0 and now + block_for > gate then
  gate = now + block_for
  redis.call("SET", gate_key, gate, "PX", block_for)
end
return { gate, now }
`

/**
 * Read the shared state without changing it.
 *
 * KEYS: log, gate, limit. ARGV: configured limit, window ms.
 * Returns { now, count in window, oldest score in window or -1, gate or 0, effective limit }.
 */
export const snapshot = `${prelude}
local log, gate_key, limit_key = KEYS[1], KEYS[2], KEYS[3]
local limit = effective_limit(limit_key, tonumber(ARGV[1]))
local window = tonumber(ARGV[2])
local now = now_ms()
local after = "(" .. (now - window)
local count = redis.call("ZCOUNT", log, after, "+inf")
local oldest = redis.call("ZRANGEBYSCORE", log, after, "+inf", "WITHSCORES", "LIMIT", 0, 1)
local gate = tonumber(redis.call("GET", gate_key)) or 0
return { now, count, tonumber(oldest[2]) or -1, gate, limit }
`

/** The scripts as ioredis commands (EVALSHA, falling back to EVAL after a Redis restart). */
export interface SlidingLogCommands {
  figgroBudgetAcquire(
    log: string,
    gate: string,
    limitKey: string,
    limit: number,
    windowMillis: number,
    member: string
  ): Promise<Array<number>>
  figgroBudgetObserve(
    log: string,
    gate: string,
    limitKey: string,
    limit: number,
    windowMillis: number,
    headerLimit: number,
    remaining: number,
    resetInMillis: number,
    memberPrefix: string
  ): Promise<Array<number>>
  figgroBudgetBlock(gate: string, blockForMillis: number): Promise<Array<number>>
  figgroBudgetSnapshot(log: string, gate: string, limitKey: string, limit: number, windowMillis: number): Promise<
    Array<number>
  >
}

/** Registers the scripts on a client; returns it typed with the commands. */
export const define = <R extends {
  defineCommand(name: string, definition: { lua: string; numberOfKeys: number; readOnly?: boolean }): void
}>(redis: R): R & SlidingLogCommands => {
  redis.defineCommand("figgroBudgetAcquire", { lua: acquire, numberOfKeys: 3 })
  redis.defineCommand("figgroBudgetObserve", { lua: observe, numberOfKeys: 3 })
  redis.defineCommand("figgroBudgetBlock", { lua: block, numberOfKeys: 1 })
  redis.defineCommand("figgroBudgetSnapshot", { lua: snapshot, numberOfKeys: 3, readOnly: true })
  return redis as R & SlidingLogCommands
}
