-- Creates a versioned value if it does not exist, optionally fenced (V2, V3).
-- KEYS[1] the value's hash, KEYS[2] the token counter, KEYS[3] the store epoch;
-- ARGV[1] the value, ARGV[2] the fencing token ('0' = not fenced).
-- Returns {1, new version}, {0} when the key exists, {-1, highest fence} when a larger token
-- already wrote the key or the token is below the store epoch (checked first, as in cas.lua).
-- A fenced create records its token.
-- A version is max(previous version + 1, server time in µs): a deleted key's tombstone keeps its
-- last version, and a key lost with a restart comes back above every version it had (V2).
-- Tokens are compared as decimal strings, exactly, without going through Lua's doubles.
local function less(a, b)
  return #a < #b or (#a == #b and a < b)
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local h = redis.call('HMGET', KEYS[1], 'version', 'fence')
local fence = h[2] or '0'
if ARGV[2] ~= '0' then
  -- The fence a token must reach: the key's, and the store epoch (see acquire.lua).
  if redis.call('EXISTS', KEYS[2]) == 0 then
    local epoch = string.format('%.0f', math.max(tonumber(redis.call('GET', KEYS[3]) or '0'), now))
    redis.call('SET', KEYS[3], epoch)
    redis.call('SET', KEYS[2], epoch)
  end
  local epoch = redis.call('GET', KEYS[3]) or '0'
  local floor = less(fence, epoch) and epoch or fence
  if less(ARGV[2], floor) then
    return {-1, floor}
  end
end
if redis.call('HEXISTS', KEYS[1], 'value') == 1 then
  return {0}
end
local version = math.max(tonumber(h[1] or '0') + 1, now)
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', string.format('%.0f', version))
if less(fence, ARGV[2]) then
  redis.call('HSET', KEYS[1], 'fence', ARGV[2])
end
return {1, version}
