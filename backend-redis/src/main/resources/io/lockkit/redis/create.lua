-- Creates a versioned value if it does not exist, optionally fenced (V2, V3). KEYS[1] the value's
-- hash; ARGV[1] the value, ARGV[2] the fencing token ('0' = not fenced).
-- A deleted key left a tombstone with its last version and fence, so versions never repeat (V2)
-- and a lower token cannot bring the key back (V3).
-- Returns {1, new version}, {0} when the key exists, {-1, highest fence} when a larger token
-- already wrote the key (checked first, as in cas.lua). A fenced create records its token.
-- Tokens are compared as decimal strings, exactly, without going through Lua's doubles.
local function less(a, b)
  return #a < #b or (#a == #b and a < b)
end
local h = redis.call('HMGET', KEYS[1], 'version', 'fence')
local fence = h[2] or '0'
if ARGV[2] ~= '0' and less(ARGV[2], fence) then
  return {-1, fence}
end
if redis.call('HEXISTS', KEYS[1], 'value') == 1 then
  return {0}
end
local version = tonumber(h[1] or '0') + 1
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', string.format('%.0f', version))
if less(fence, ARGV[2]) then
  redis.call('HSET', KEYS[1], 'fence', ARGV[2])
end
return {1, version}
