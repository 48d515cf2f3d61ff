-- Compare-and-set, optionally fenced (V1, V3).
-- KEYS[1] the value's hash, KEYS[2] the token counter, KEYS[3] the store epoch;
-- ARGV[1] the expected version, ARGV[2] the value, ARGV[3] the fencing token ('0' = not fenced).
-- Returns {1, new version}, {0} on a version conflict or a deleted key, {-1, highest fence} when a
-- larger token already wrote the key (checked first: the fence survives delete) or the token is
-- below the store epoch: a restart that lost the counter lost the fences too, so every token
-- granted before it is refused (see acquire.lua).
-- A version is max(previous version + 1, server time in µs), as in create.lua (V2).
-- Tokens are compared as decimal strings, exactly, without going through Lua's doubles.
local function less(a, b)
  return #a < #b or (#a == #b and a < b)
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local h = redis.call('HMGET', KEYS[1], 'version', 'fence')
local fence = h[2] or '0'
if ARGV[3] ~= '0' then
  if redis.call('EXISTS', KEYS[2]) == 0 then
    local epoch = string.format('%.0f', math.max(tonumber(redis.call('GET', KEYS[3]) or '0'), now))
    redis.call('SET', KEYS[3], epoch)
    redis.call('SET', KEYS[2], epoch)
  end
  local epoch = redis.call('GET', KEYS[3]) or '0'
  local floor = less(fence, epoch) and epoch or fence
  if less(ARGV[3], floor) then
    return {-1, floor}
  end
end
if h[1] ~= ARGV[1] or redis.call('HEXISTS', KEYS[1], 'value') == 0 then
  return {0}
end
local version = math.max(tonumber(h[1]) + 1, now)
redis.call('HSET', KEYS[1], 'value', ARGV[2], 'version', string.format('%.0f', version))
if less(fence, ARGV[3]) then
  redis.call('HSET', KEYS[1], 'fence', ARGV[3])
end
return {1, version}
